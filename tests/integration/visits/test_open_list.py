"""可接的服务 at county scale: every eligible request shows up across the pages (checked against an independent
Python oracle built from the domain rules), in priority order, with a statement count that does not grow."""

from __future__ import annotations

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from tests.integration.visits.world import NOW
from timebank.extensions import db
from timebank.people.availability import AvailabilityException
from timebank.people.models import Availability, VolunteerProfile
from timebank.visits import domain, open_list
from timebank.visits.models import Exclusion, Seat, ServiceRequest

TZ = ZoneInfo("Asia/Shanghai")
SKILLS = ("companionship", "cleaning", "meal_delivery")


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.n += 1


def statements(fn):
    counter = Counter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return counter.n


@pytest.fixture
def scene(vw):
    """A volunteer with two skills, weekday mornings and Saturday afternoons, one absence, a 5 km radius."""
    user = vw.volunteer(skills=("companionship", "cleaning"), name="接单者")
    profile = vw.session.get(VolunteerProfile, user.person_id)
    profile.availability = [Availability(weekday=d, start_minute=8 * 60, end_minute=12 * 60) for d in range(5)] + [
        Availability(weekday=5, start_minute=14 * 60, end_minute=18 * 60)]
    profile.travel_radius_km = 5
    first_monday = date(2026, 11, 30)
    vw.session.add(AvailabilityException(person_id=user.person_id, day=first_monday, available=False,
                                         start_minute=9 * 60, end_minute=10 * 60))
    vw.session.add(AvailabilityException(person_id=user.person_id, day=first_monday + timedelta(days=6),
                                         available=True, start_minute=8 * 60, end_minute=11 * 60))
    residents = [vw.resident(village=f"village{t}{v}") for t in range(2) for v in range(2) for _ in range(3)]
    vw.session.add(Exclusion(resident_id=residents[0].id, volunteer_id=user.person_id, reason="换人"))
    vw.session.commit()
    skills = {code: vw.skill(code) for code in SKILLS}
    return vw, user, profile, residents, skills


def _grow(vw, user, residents, skills, n: int, rng: random.Random) -> None:
    category = vw.category()
    rows = []
    for _ in range(n):
        resident = rng.choice(residents)
        earliest = NOW + timedelta(minutes=rng.randrange(-2 * 1440, 24 * 1440, 5))
        duration = rng.choice((30, 60, 90, 120))
        window = duration + rng.choice((0, 15, 40, 120, 240, 600))
        near = rng.random()
        lat = lon = None
        if near > 0.1:  # a point up to ~7 km from the volunteer's village
            lat = 30.5 + rng.uniform(-0.06, 0.06)
            lon = 114.3 + rng.uniform(-0.06, 0.06)
        seats_volunteer = 0 if rng.random() < 0.03 else rng.choice((1, 1, 2))
        req = ServiceRequest(
            resident_id=resident.id, node_id=resident.node_id, category_id=category.id, latitude=lat,
            longitude=lon, earliest_start=earliest, latest_end=earliest + timedelta(minutes=window),
            duration_minutes=duration, seats_volunteer=seats_volunteer, seats_social_worker=1 - min(seats_volunteer, 1),
            urgent=rng.random() < 0.1, safety=rng.random() < 0.05, priority_tier=rng.randint(1, 5),
            payer="county_donation", status=rng.choice(("open",) * 8 + ("matched", "review")))
        if rng.random() < 0.05:
            req.scheduled_start = earliest + timedelta(minutes=15 * rng.randrange(0, 1 + (window - duration) // 15))
        if rng.random() < 0.02:
            req.payer, req.paid_by_person_id = "own", user.person_id
        req.skills = rng.sample(list(skills.values()), rng.choice((0, 1, 1, 2)))
        rows.append(req)
    vw.session.add_all(rows)
    vw.session.flush()
    for req in rng.sample(rows, max(1, n // 100)):  # seats the volunteer held (any status) are not offered again
        vw.session.add(Seat(request_id=req.id, volunteer_id=user.person_id, status=rng.choice(("active", "given_back")),
                            taken_at=NOW))
    vw.session.commit()


def _oracle(vw, user, profile) -> list[int]:
    """The rules computed row by row in Python, independently of the SQL."""
    session = vw.session
    weekly = [(a.weekday, a.start_minute, a.end_minute) for a in profile.availability]
    exceptions = [domain.Exception_(x.day, x.available, x.start_minute, x.end_minute)
                  for x in session.query(AvailabilityException).filter_by(person_id=user.person_id)]
    excluded = {e.resident_id for e in session.query(Exclusion).filter_by(volunteer_id=user.person_id)}
    held = {s.request_id for s in session.query(Seat).filter_by(volunteer_id=user.person_id)}
    mine = {s.id for s in profile.skills}
    home = domain.Place(profile.person.node.latitude, profile.person.node.longitude)
    today = NOW.astimezone(TZ).date()  # the list offers no start before today
    out = []
    for req in session.query(ServiceRequest).filter_by(status="open"):
        if req.latest_end <= NOW or req.safety or req.seats_volunteer == 0 or req.id in held:
            continue
        if req.resident_id in excluded or user.person_id in (req.resident_id, req.paid_by_person_id):
            continue
        if not {s.id for s in req.skills} <= mine:
            continue
        place = domain.Place(req.latitude, req.longitude) if req.latitude is not None else None
        if domain.distance_km(home, place) > profile.travel_radius_km:
            continue
        if req.scheduled_start is not None:
            starts = [req.scheduled_start]
        else:
            starts, moment = [], req.earliest_start
            while moment + timedelta(minutes=req.duration_minutes) <= req.latest_end:
                starts.append(moment)
                moment += timedelta(minutes=15)
        if not any(s.astimezone(TZ).date() >= today and domain.is_available(
                weekly, exceptions, s.astimezone(TZ), (s + timedelta(minutes=req.duration_minutes)).astimezone(TZ))
                for s in starts):
            continue
        out.append(req)
    out.sort(key=lambda r: (r.priority_tier, not r.urgent, r.start, r.id))
    return [r.id for r in out]


def _all_pages(vw, user) -> tuple[list[int], int]:
    first = open_list.open_for_volunteer(vw.session, user, now=NOW, page=1)
    ids = [r.id for r in first.rows]
    for page in range(2, first.pages + 1):
        listing = open_list.open_for_volunteer(vw.session, user, now=NOW, page=page)
        assert len(listing.rows) == (first.per_page if page < first.pages else first.total - len(ids))
        ids += [r.id for r in listing.rows]
    assert len(ids) == first.total
    return ids, first.pages


def test_every_eligible_request_is_listed_across_pages_on_a_county_of_2000_open_requests(scene):
    vw, user, profile, residents, skills = scene
    rng = random.Random(16)
    _grow(vw, user, residents, skills, 2200, rng)
    assert vw.session.query(ServiceRequest).filter_by(status="open").count() >= 1700
    expected = _oracle(vw, user, profile)
    assert len(expected) >= 60  # several pages, not a handful
    shown, pages = _all_pages(vw, user)
    assert pages >= 3
    assert set(shown) == set(expected)
    assert len(shown) == len(set(shown))  # no request on two pages
    assert shown == expected  # priority tier, urgent first, start, id


def test_the_statement_count_does_not_grow_with_the_page_or_the_county(scene):
    vw, user, _profile, residents, skills = scene
    rng = random.Random(7)
    _grow(vw, user, residents, skills, 200, rng)
    small = statements(lambda: open_list.open_for_volunteer(vw.session, user, now=NOW, page=1))
    _grow(vw, user, residents, skills, 1800, rng)
    vw.session.expire_all()
    large = statements(lambda: open_list.open_for_volunteer(vw.session, user, now=NOW, page=1))
    vw.session.expire_all()
    fifth = statements(lambda: open_list.open_for_volunteer(vw.session, user, now=NOW, page=5))
    assert small == large == fifth
    assert large <= 14  # the user, the profile and its availability and place, the horizon, absences, the page, its rows


def test_the_page_lists_pages_and_a_page_past_the_end_is_empty_not_an_error(scene):
    vw, user, _profile, residents, skills = scene
    _grow(vw, user, residents, skills, 400, random.Random(3))
    first = open_list.open_for_volunteer(vw.session, user, now=NOW, page=1)
    beyond = open_list.open_for_volunteer(vw.session, user, now=NOW, page=first.pages + 3)
    assert beyond.rows == [] and beyond.total == first.total
