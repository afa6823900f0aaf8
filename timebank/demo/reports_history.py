"""Two months of finished visits for the report pages: in every township, residents of the priority tiers are
visited through the real services (posted, taken, checked in and out, confirmed with a rating and settled, a
few disputed), so the dashboards, the monthly reports and the liability page have figures. Deterministic;
flushes, never commits; skips a visit a service refuses."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from timebank.accounts.models import OrgNode, Person, User
from timebank.catalog.models import ServiceCategory
from timebank.errors import DomainError
from timebank.ledger import grants
from timebank.people.models import ResidentProfile, VolunteerProfile
from timebank.visits import onsite, settle
from timebank.visits import service as visits

DAYS_BACK = (58, 51, 44, 37, 30, 23, 16, 9)


def seed_report_history(session, admin: User, *, today: date) -> int:
    """Returns how many visits were finished."""
    with current_app.test_request_context():
        return _seed(session, admin, today=today)


def _seed(session, admin: User, *, today: date) -> int:
    rng = random.Random(14)
    now = datetime.combine(today, time(2, 0), tzinfo=UTC)
    grants.grant(session, admin, to="backstop", minutes=30000, reason="示范统计兜底时长",
                 key="demo-reports-grant-1", now=now - timedelta(days=62), today=today)
    categories = list(session.scalars(select(ServiceCategory).where(ServiceCategory.needs_social_worker.is_(False))
                                      .order_by(ServiceCategory.sort_order)))
    townships = list(session.scalars(select(OrgNode).where(OrgNode.kind == "township").order_by(OrgNode.code)))
    finished = 0
    for township in townships:
        volunteers = list(session.scalars(
            select(VolunteerProfile.person_id).join(Person, Person.id == VolunteerProfile.person_id)
            .join(OrgNode, OrgNode.id == Person.node_id)
            .where(VolunteerProfile.status == "approved", VolunteerProfile.is_social_worker.is_(False),
                   OrgNode.path.startswith(township.path)).order_by(VolunteerProfile.person_id)))
        residents = list(session.scalars(
            select(Person).join(ResidentProfile, ResidentProfile.person_id == Person.id)
            .join(OrgNode, OrgNode.id == Person.node_id)
            .where(OrgNode.path.startswith(township.path)).order_by(Person.id).limit(40)))
        residents = [p for p in residents if visits.priority_of(session, p, today) <= 4][:8]
        for index, resident in enumerate(residents):
            for days in DAYS_BACK[index % 3::2]:
                start = now - timedelta(days=days, hours=rng.choice((0, 2, 5)))
                if _visit(session, admin, resident, start, rng, categories, volunteers, today=today):
                    finished += 1
    session.flush()
    from zoneinfo import ZoneInfo

    from timebank.reports.service import freeze_monthly_reports

    freeze_monthly_reports(session, today=today, tz=ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"]))
    return finished


def _visit(session, admin, resident, start, rng, categories, volunteers, *, today) -> bool:
    try:
        with session.begin_nested():
            data = visits.RequestInput(resident_id=resident.id, category_id=rng.choice(categories).id,
                                       earliest_start=start, latest_end=start + timedelta(hours=3),
                                       duration_minutes=rng.choice((45, 60, 90)), description="",
                                       payer="backstop", urgent=False)
            req = visits.post_request(session, admin, data, now=start - timedelta(days=2), today=today)[0]
            taken_at = start - timedelta(days=2) + timedelta(hours=rng.choice((1, 3, 8, 20, 30)))
            for volunteer_id in rng.sample(volunteers, k=min(20, len(volunteers))):
                try:
                    with session.begin_nested():
                        visits.take_seat(session, admin, req.id, volunteer_id=volunteer_id, now=taken_at,
                                         today=today)
                    break
                except DomainError:
                    continue
            else:
                raise _Skip()
            seat = req.seats[0]
            begin = req.scheduled_start
            later = begin + timedelta(hours=2)
            onsite.record(session, admin, req.id, seat.volunteer_id, "check_in", at=begin, reason="示范数据",
                          now=later)
            onsite.record(session, admin, req.id, seat.volunteer_id, "check_out",
                          at=begin + timedelta(minutes=req.duration_minutes - rng.randint(0, 10)),
                          reason="示范数据", now=later)
            if rng.random() < 0.08:
                settle.dispute(session, admin, req.id, reason="服务时长与约定不符", now=later + timedelta(hours=3))
            else:
                settle.confirm(session, admin, req.id, rating=rng.choice((3, 4, 4, 5, 5, 5)),
                               comment=None, now=later + timedelta(hours=3), today=today)
        return True
    except (DomainError, _Skip):
        return False


class _Skip(Exception):
    """No volunteer could take the visit: undo the posting."""
