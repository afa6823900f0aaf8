"""Reads for the liability page: what the county owes, by depositor age, and the forecast's inputs.

Owed to people = the sum of the positive posted balances of personal accounts (hours people may redeem).
Held in pools = the posted balances of pool and charity accounts (hours already given for those in need).
Together they equal minus the issuance account's balance: every minute issued and not yet spent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import extract, func, select

from timebank.accounts.models import Person
from timebank.ledger.models import LedgerAccount, Transfer
from timebank.reports import forecast
from timebank.reports.models import ForecastAssumptions


@dataclass
class Liability:
    owed_to_people: int
    held_in_pools: int
    issued: int  # minus the issuance account's balance
    balances_by_age: dict[int, int]
    deposits_by_age: dict[int, int]
    depositors: int


def _by_age(rows, today: date) -> dict[int, int]:
    out: dict[int, int] = {}
    for birth_year, minutes in rows:
        age = today.year - int(birth_year)
        out[age] = out.get(age, 0) + int(minutes or 0)
    return out


def liability(session, *, today: date, tz: ZoneInfo) -> Liability:
    """Four GROUP BY statements, whatever the number of depositors. Ages are in whole years this year."""
    year = extract("year", Person.birth_date)
    positive = (LedgerAccount.kind == "person", LedgerAccount.balance > 0)
    balances = session.execute(select(year, func.sum(LedgerAccount.balance))
                               .join(Person, Person.id == LedgerAccount.person_id)
                               .where(*positive).group_by(year)).all()
    depositors = session.scalar(select(func.count()).select_from(LedgerAccount).where(*positive)) or 0
    pools = session.scalar(select(func.coalesce(func.sum(LedgerAccount.balance), 0))
                           .where(LedgerAccount.kind.in_(("pool", "charity")))) or 0
    issuance = session.scalar(select(func.coalesce(func.sum(LedgerAccount.balance), 0))
                              .where(LedgerAccount.kind == "issuance")) or 0
    since = datetime.combine(today - timedelta(days=365), time(), tzinfo=tz)
    earned = session.execute(select(year, func.sum(Transfer.minutes))
                             .join(LedgerAccount, LedgerAccount.id == Transfer.credit_account_id)
                             .join(Person, Person.id == LedgerAccount.person_id)
                             .where(Transfer.kind == "earn", Transfer.phase.in_(("posted", "post")),
                                    Transfer.created_at >= since)
                             .group_by(year)).all()
    by_age = _by_age(balances, today)
    return Liability(owed_to_people=sum(by_age.values()), held_in_pools=int(pools), issued=-int(issuance),
                     balances_by_age=by_age, deposits_by_age=_by_age(earned, today), depositors=int(depositors))


def assumptions(session, *, redemption_age: int) -> tuple[forecast.Assumptions, ForecastAssumptions | None]:
    """The latest saved assumptions (or the defaults with the policy's redemption age) and their row."""
    row = session.scalar(select(ForecastAssumptions).order_by(ForecastAssumptions.id.desc()).limit(1))
    try:
        return forecast.from_dict(row.settings if row else None, redemption_age=redemption_age), row
    except forecast.AssumptionInvalid:
        return forecast.Assumptions(redemption_age=redemption_age), row


def report(session, *, today: date, tz: ZoneInfo, redemption_age: int) -> dict:
    """The page's and the API's figures: owed now by cohort, the assumptions and 20 forecast years."""
    owed = liability(session, today=today, tz=tz)
    chosen, row = assumptions(session, redemption_age=redemption_age)
    years = forecast.project(owed.balances_by_age, owed.deposits_by_age, chosen)
    return {
        "owed_to_people": owed.owed_to_people, "held_in_pools": owed.held_in_pools, "issued": owed.issued,
        "depositors": owed.depositors,
        "by_cohort": [{"key": key, "value": value} for key, value in forecast.by_cohort(owed.balances_by_age)],
        "deposits_by_cohort": [{"key": key, "value": value}
                               for key, value in forecast.by_cohort(owed.deposits_by_age)],
        "assumptions": forecast.to_dict(chosen),
        "assumptions_saved_at": row.created_at if row else None,
        "first_shortfall_year": forecast.first_shortfall(years),
        "years": [{"year": y.year, "deposits": y.deposits, "demand": y.demand, "lapsed": y.lapsed,
                   "liability": y.liability, "covered": y.covered} for y in years],
    }
