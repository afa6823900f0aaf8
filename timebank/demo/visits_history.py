"""Demo visits, written through the real visit services: open requests for the next 7 days in every
township, and a short history of matched, in-service, done and settled visits paid from the backstop pool
(settled through the ledger, so `ledger check` still passes). Deterministic; flushes, never commits."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from timebank.accounts.models import OrgNode, Person, User
from timebank.catalog.categories import ensure_categories
from timebank.catalog.models import ServiceCategory
from timebank.errors import DomainError
from timebank.ledger import grants
from timebank.people import priority_facts
from timebank.people.models import ResidentProfile, VolunteerProfile
from timebank.policy import priority as priority_rules
from timebank.visits import onsite, settle
from timebank.visits import service as visits


def seed_visits(session, admin: User, *, today: date) -> int:
    """Returns how many requests were posted."""
    # Refused takes raise translated DomainErrors; the locale selector needs a request, even in the CLI.
    with current_app.test_request_context():
        return _seed(session, admin, today=today)


def _seed(session, admin: User, *, today: date) -> int:
    ensure_categories(session)
    rng = random.Random(4)
    now = datetime.combine(today, time(2, 0), tzinfo=UTC)  # 10:00 in the county
    grants.grant(session, admin, to="backstop", minutes=3000, reason="示范服务兜底时长",
                 key="demo-visits-grant-1", now=now - timedelta(days=20), today=today)
    categories = list(session.scalars(select(ServiceCategory).where(ServiceCategory.needs_social_worker.is_(False))
                                      .order_by(ServiceCategory.sort_order)))
    townships = list(session.scalars(select(OrgNode).where(OrgNode.kind == "township").order_by(OrgNode.code)))
    volunteers = list(session.scalars(select(VolunteerProfile).where(VolunteerProfile.status == "approved",
                                                                     VolunteerProfile.is_social_worker.is_(False))
                                      .order_by(VolunteerProfile.person_id)))
    posted = 0

    def post(resident: Person, start: datetime, *, at: datetime, payer: str | None = None):
        payer = payer or priority_rules.public_payer(priority_facts.priority_of(session, resident.id, today))
        category = rng.choice(categories)
        data = visits.RequestInput(resident_id=resident.id, category_id=category.id, earliest_start=start,
                                   latest_end=start + timedelta(hours=3), duration_minutes=rng.choice((45, 60, 90)),
                                   description=rng.choice(("", "老人腿脚不便,请提前电话联系", "需要带上工具")),
                                   payer=payer,
                                   urgent=rng.random() < 0.1)
        if payer is None:
            return None  # no public pool pays for this resident (tiers: timebank.policy.priority)
        try:
            return visits.post_request(session, admin, data, now=at, today=today)[0]
        except DomainError:
            return None

    def fill(req, at: datetime) -> bool:
        for profile in rng.sample(volunteers, k=min(12, len(volunteers))):
            try:
                with session.begin_nested():
                    visits.take_seat(session, admin, req.id, volunteer_id=profile.person_id, now=at, today=today)
                return True
            except DomainError:
                continue
        return False

    for township in townships:
        residents = list(session.scalars(
            select(Person).join(ResidentProfile, ResidentProfile.person_id == Person.id)
            .join(OrgNode, OrgNode.id == Person.node_id)
            .where(OrgNode.path.startswith(township.path)).order_by(Person.id).limit(12)))
        if not residents:
            continue
        for day in range(1, 8):  # open requests for the coming week
            start = now + timedelta(days=day, hours=rng.choice((-1, 0, 4, 5)))
            req = post(rng.choice(residents), start, at=now)
            if req is not None:
                posted += 1
                if day % 3 == 0:  # some are already taken
                    fill(req, now)
        for index, resident in enumerate(residents[:6]):  # a short history in every township
            if visits.priority_of(session, resident, today) > 3:
                continue
            past = now - timedelta(days=6 - index, hours=1)
            req = post(resident, past, at=past - timedelta(days=2), payer="backstop")
            if req is None:
                continue
            posted += 1
            if not fill(req, past - timedelta(days=1)):
                continue
            seat = req.seats[0]
            begin = req.scheduled_start
            onsite.record(session, admin, req.id, seat.volunteer_id, "check_in", at=begin, reason="示范数据",
                          now=begin + timedelta(hours=2))
            if index in (3, 4):
                continue  # still in service
            onsite.record(session, admin, req.id, seat.volunteer_id, "check_out",
                          at=begin + timedelta(minutes=req.duration_minutes - rng.randint(0, 10)), reason="示范数据",
                          now=begin + timedelta(hours=2))
            if index < 2:
                settle.confirm(session, admin, req.id, rating=rng.choice((4, 5)), comment="服务很细心",
                               now=begin + timedelta(days=1), today=today)
    session.flush()
    return posted
