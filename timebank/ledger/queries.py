"""Reads for the account pages, the API, CSV export and the admin overview. A bounded number of queries
per page, whatever the number of transfers (the statement uses the two (account, id) indexes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.orm import aliased

from timebank.accounts.models import Person
from timebank.ledger import domain
from timebank.ledger.models import GrantRequest, LedgerAccount, LedgerNotice, Transfer

PER_PAGE = 30


@dataclass(frozen=True)
class StatementRow:
    id: int
    created_at: datetime
    kind: str
    phase: str
    minutes: int
    incoming: bool
    counterparty: str | None
    memo: str | None
    reference: str | None
    resolved: str | None  # for holds: post / void / expire, or None while open

    @property
    def signed(self) -> int:
        """Change of the posted balance (holds and releases change only what can be spent)."""
        if self.phase not in domain.POSTED_PHASES:
            return 0
        return self.minutes if self.incoming else -self.minutes


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _conditions(filters: Filters) -> list:
    where = []
    if filters.kind in domain.TRANSFER_KINDS:
        where.append(Transfer.kind == filters.kind)
    if filters.since is not None:
        where.append(Transfer.created_at >= filters.since)
    if filters.until is not None:
        where.append(Transfer.created_at < filters.until)
    return where


def statement(session, account_id: int, *, filters: Filters = Filters(), page: int = 1,
              per_page: int = PER_PAGE, after_id: int | None = None) -> tuple[list[StatementRow], bool]:
    """One page of an account's transfers, newest first, and whether there is another page (one query)."""
    where = _conditions(filters)
    if after_id is not None:
        where.append(Transfer.id < after_id)
    depth = (page - 1) * per_page + per_page + 1
    side = [select(Transfer.id.label("id")).where(column == account_id, *where).order_by(Transfer.id.desc())
            .limit(depth).subquery() for column in (Transfer.debit_account_id, Transfer.credit_account_id)]
    ids = union_all(select(side[0].c.id), select(side[1].c.id)).subquery()
    other = aliased(LedgerAccount)
    resolution = aliased(Transfer)
    incoming = Transfer.credit_account_id == account_id
    stmt = (
        select(Transfer.id, Transfer.created_at, Transfer.kind, Transfer.phase, Transfer.minutes,
               incoming.label("incoming"), func.coalesce(Person.name, other.name).label("counterparty"),
               Transfer.memo, Transfer.reference, resolution.phase.label("resolved"))
        .join(ids, ids.c.id == Transfer.id)
        .join(other, other.id == case((incoming, Transfer.debit_account_id), else_=Transfer.credit_account_id))
        .outerjoin(Person, Person.id == other.person_id)
        .outerjoin(resolution, resolution.pending_id == Transfer.id)
        .order_by(Transfer.id.desc()).offset((page - 1) * per_page).limit(per_page + 1)
    )
    rows = [StatementRow(**row._mapping) for row in session.execute(stmt)]
    return rows[:per_page], len(rows) > per_page


def statement_all(session, account_id: int, filters: Filters = Filters(), batch: int = 1000) -> Iterator[StatementRow]:
    """Every row for the CSV export, in batches by id (constant memory)."""
    after = None
    while True:
        rows, more = statement(session, account_id, filters=filters, per_page=batch, after_id=after)
        yield from rows
        if not more:
            return
        after = rows[-1].id


def account_of_person(session, person_id: int | None) -> LedgerAccount | None:
    if person_id is None:
        return None
    return session.scalar(select(LedgerAccount).where(LedgerAccount.person_id == person_id))


def notices(session, person_id: int, limit: int = 5) -> list[LedgerNotice]:
    return list(session.scalars(select(LedgerNotice).where(LedgerNotice.person_id == person_id)
                                .order_by(LedgerNotice.id.desc()).limit(limit)))


def gift_targets(session, person_id: int, kinships) -> list[tuple[int, str, str, bool]]:
    """(person id, name, kinship, verified) of everyone linked to the person, for the gift form; the kinship
    says what that person is to the viewer (the viewer's mother reads "parent", not "child")."""
    from timebank.people.domain import kinship_seen_by_relative
    from timebank.people.models import Relative

    rows = session.execute(
        select(Person.id, Person.name, Relative.kinship, Relative.verified, Relative.relative_id == person_id)
        .join(Relative, ((Relative.relative_id == Person.id) & (Relative.resident_id == person_id))
              | ((Relative.resident_id == Person.id) & (Relative.relative_id == person_id)))
        .where(Relative.unlinked_at.is_(None))
        .order_by(Person.name, Person.id)).all()
    return [(pid, name, kinship_seen_by_relative(kinship) if viewer_is_relative else kinship, verified)
            for pid, name, kinship, verified, viewer_is_relative in rows]


def system_accounts(session) -> list[LedgerAccount]:
    return list(session.scalars(select(LedgerAccount).where(LedgerAccount.kind != "person")
                                .order_by(LedgerAccount.id)))


def totals(session) -> dict[str, int]:
    row = session.execute(select(
        func.count(LedgerAccount.id),
        func.coalesce(func.sum(case((LedgerAccount.kind == "person", LedgerAccount.balance), else_=literal(0))), 0),
        func.coalesce(func.sum(case((LedgerAccount.kind == "issuance", LedgerAccount.balance), else_=literal(0))),
                      0),
    )).one()
    return {"accounts": row[0], "personal": int(row[1]), "liability": -int(row[2])}


def awaiting_grants(session) -> list[GrantRequest]:
    from sqlalchemy.orm import selectinload

    return list(session.scalars(select(GrantRequest).options(
        selectinload(GrantRequest.account).selectinload(LedgerAccount.person))
        .where(GrantRequest.status == "awaiting").order_by(GrantRequest.id)))


def recent_transfers(session, limit: int = 20) -> list[Transfer]:
    from sqlalchemy.orm import selectinload

    rows = list(session.scalars(select(Transfer).options(
        selectinload(Transfer.debit_account).selectinload(LedgerAccount.person),
        selectinload(Transfer.credit_account).selectinload(LedgerAccount.person))
        .order_by(Transfer.id.desc()).limit(limit)))
    holds = [t.id for t in rows if t.phase == "pending"]
    settled = dict(session.execute(select(Transfer.pending_id, Transfer.phase)
                                   .where(Transfer.pending_id.in_(holds))).all()) if holds else {}
    for t in rows:  # what became of each hold (post / void / expire), read by the phase label
        t.resolved = settled.get(t.id)
    return rows
