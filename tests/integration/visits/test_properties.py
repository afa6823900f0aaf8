"""No sequence of takes and give-backs lets a volunteer hold overlapping visits (travel included) or exceed
the weekly cap (Hypothesis, on SQLite and PostgreSQL through the `app` fixture's parametrisation)."""

from __future__ import annotations

from datetime import timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.integration.visits.world import NOW, TODAY
from timebank.errors import DomainError
from timebank.visits import domain
from timebank.visits import service as visits
from timebank.visits.models import Seat, ServiceRequest

TZ = ZoneInfo("Asia/Shanghai")
CAP = 240
VILLAGES = ("village00", "village01", "village10", "village11")


def held(session, person_id):
    return list(session.scalars(
        select(ServiceRequest).join(Seat, Seat.request_id == ServiceRequest.id)
        .where(Seat.volunteer_id == person_id, Seat.status == "active",
               ServiceRequest.status.in_(domain.ACTIVE_STATES))))


def assert_invariants(session, person_id):
    reqs = held(session, person_id)
    slots = [(r, domain.Slot(r.scheduled_start, r.scheduled_start + timedelta(minutes=r.duration_minutes),
                             domain.Place(r.latitude, r.longitude))) for r in reqs]
    for (ra, a), (rb, b) in combinations(slots, 2):
        assert domain.conflict(a, [b]) is None, (ra.id, rb.id)
    weeks: dict = {}
    for r in reqs:
        week = domain.week_start(r.scheduled_start.astimezone(TZ).date())
        weeks[week] = weeks.get(week, 0) + r.duration_minutes
    assert all(total <= CAP for total in weeks.values()), weeks


def test_takes_and_give_backs_never_overlap_or_exceed_capacity(vw):
    volunteers = [vw.volunteer(cap=CAP), vw.volunteer(cap=CAP)]
    residents = [vw.resident(village=v, name=f"老人{i}") for i, v in enumerate(VILLAGES)]
    vw.backstop(60)
    requests = []
    for i in range(8):  # dense: overlapping windows in four places over two weeks
        start = NOW + timedelta(days=1 + (i % 3) * 3, minutes=40 * (i % 4))
        requests.append(vw.post(vw.admin, residents[i % 4], start=start, hours=2 + i % 2, duration=45 + 15 * (i % 3),
                                payer="county_donation", seats_volunteer=1 + i % 2))
    session = vw.session
    op = st.tuples(st.sampled_from(("take", "take", "give_back")), st.integers(0, 1), st.integers(0, 7))

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(op, min_size=1, max_size=25))
    def run(ops):
        savepoint = session.begin_nested()
        try:
            for action, v, r in ops:
                user, req = volunteers[v], requests[r]
                try:
                    with session.begin_nested():
                        if action == "take":
                            visits.take_seat(session, user, req.id, now=NOW, today=TODAY)
                        else:
                            visits.give_back(session, user, req.id, now=NOW)
                except DomainError:
                    pass
                for each in volunteers:
                    assert_invariants(session, each.person_id)
        finally:
            savepoint.rollback()

    run()
