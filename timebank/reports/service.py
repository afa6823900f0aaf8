"""Statistics the bureau reports monthly. Snapshots are taken once per month and never rewritten."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from timebank.accounts.models import Person
from timebank.people.models import HardshipStatus, ResidentProfile, VolunteerProfile
from timebank.reports.models import StatsSnapshot


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def figures(session, month_start: date, month_end: date, tz: ZoneInfo) -> dict:
    """Counts as of the end of the month, plus what happened during it."""
    from timebank.ledger.models import Transfer

    def count(stmt):
        return int(session.scalar(stmt) or 0)

    end = datetime.combine(month_end, time(), tzinfo=tz)
    start = datetime.combine(month_start, time(), tzinfo=tz)
    earned = select(func.coalesce(func.sum(Transfer.minutes), 0)).where(
        Transfer.kind == "earn", Transfer.created_at >= start, Transfer.created_at < end)
    return {
        "volunteers_approved": count(select(func.count()).select_from(VolunteerProfile)
                                     .where(VolunteerProfile.status == "approved")),
        "volunteers_signed_up": count(select(func.count()).select_from(VolunteerProfile)
                                      .where(VolunteerProfile.created_at >= start,
                                             VolunteerProfile.created_at < end)),
        "residents": count(select(func.count()).select_from(ResidentProfile)),
        "residents_in_hardship": count(select(func.count(func.distinct(HardshipStatus.person_id)))),
        "persons": count(select(func.count()).select_from(Person)),
        "minutes_earned": count(earned),
    }


def snapshot_month(session, *, today: date, tz: ZoneInfo) -> dict:
    """Take last month's snapshot if it is not there yet (idempotent)."""
    month = previous_month(today)
    if session.get(StatsSnapshot, month) is not None:
        return {"created": 0}
    session.add(StatsSnapshot(month=month, figures=figures(session, month, today.replace(day=1), tz)))
    session.flush()
    return {"created": 1}


# --- monthly reports (frozen dashboard figures) and the liability forecast's assumptions ---------------------

def freeze_monthly_reports(session, *, today: date, tz: ZoneInfo) -> dict:
    """Freeze last month's dashboard figures for the county and each township; a month already frozen for a
    node is left as it is (idempotent: the job may run twice)."""
    from timebank.accounts.models import OrgNode
    from timebank.reports import domain, queries
    from timebank.reports.models import MonthlyReport

    month = domain.previous_month(today)
    nodes = list(session.scalars(select(OrgNode).where(OrgNode.kind.in_(("county", "township")))
                                 .order_by(OrgNode.path)))
    done = set(session.scalars(select(MonthlyReport.node_id).where(MonthlyReport.month == month.start)))
    created = 0
    for node in nodes:
        if node.id in done:
            continue
        figures = queries.dashboard(session, node.path, month, tz, locale="zh")
        session.add(MonthlyReport(month=month.start, node_id=node.id, figures=figures))
        created += 1
    session.flush()
    return {"created": created}


def save_assumptions(session, actor, values: dict, *, policy_redemption_age: int, now: datetime):
    """Store a new version of the forecast assumptions (refused as a whole when one is out of range)."""
    from flask_babel import lazy_gettext as _l

    from timebank.errors import ValidationFailed
    from timebank.reports import forecast
    from timebank.reports.models import ForecastAssumptions

    try:
        assumptions = forecast.from_dict(values, redemption_age=policy_redemption_age)
    except (forecast.AssumptionInvalid, TypeError) as error:
        raise ValidationFailed(_l("假设超出允许范围"), field=getattr(error, "field", None)) from error
    row = ForecastAssumptions(settings=forecast.to_dict(assumptions), created_by_id=actor.id, created_at=now)
    session.add(row)
    session.flush()
    return assumptions
