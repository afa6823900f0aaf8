"""Must show (matching): a station runs matching for its township; a team request (1 social worker +
2 volunteers) is proposed whole; one volunteer declines; the next run fills that seat with someone else;
all accept; the request is matched."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.browser.conftest import PHONE, shot
from timebank.accounts.models import OrgNode, Person, User
from timebank.catalog.models import ServiceCategory
from timebank.dispatch.models import Proposal
from timebank.extensions import db
from timebank.people.availability import AvailabilityException
from timebank.people.models import VolunteerProfile
from timebank.visits import service as visits
from timebank.visits.models import ServiceRequest

TZ = ZoneInfo("Asia/Shanghai")


def post_team_request(app):
    with app.app_context():
        from timebank import clock

        station = db.session.scalar(select(User).where(User.username == "chengguan"))
        elder = db.session.scalar(select(Person).where(Person.name == "王秀英"))
        category = db.session.scalar(select(ServiceCategory).where(ServiceCategory.code == "companionship"))
        day = clock.now().astimezone(TZ).date() + timedelta(days=1)
        # one-off extra time that day for the township's social worker and three of its volunteers
        township = db.session.scalar(select(OrgNode).where(OrgNode.code == "DEMO-CG"))
        helpers = list(db.session.scalars(
            select(VolunteerProfile).join(VolunteerProfile.person).join(OrgNode, OrgNode.id == Person.node_id)
            .where(VolunteerProfile.status == "approved", OrgNode.parent_id == township.id)
            .order_by(VolunteerProfile.is_social_worker.desc(), VolunteerProfile.person_id)))
        chosen = [h for h in helpers if h.person.name == "陈慧敏"] + [h for h in helpers if not h.is_social_worker][:3]
        assert len(chosen) == 4
        for profile in chosen:
            db.session.add(AvailabilityException(person_id=profile.person_id, day=day, available=True,
                                                 start_minute=8 * 60, end_minute=20 * 60))
        (req,) = visits.post_request(db.session, station, visits.RequestInput(
            resident_id=elder.id, category_id=category.id,
            earliest_start=datetime.combine(day, time(8), tzinfo=TZ), latest_end=datetime.combine(day, time(20), tzinfo=TZ),
            duration_minutes=60, seats_volunteer=2, seats_social_worker=1, skill_ids=(), payer="backstop",
            description="社工带队探访"), now=clock.now(), today=clock.today())
        db.session.commit()
        return req.id


def proposals(app, request_id, status="offered"):
    with app.app_context():
        rows = db.session.execute(
            select(Proposal.id, Proposal.role, User.phone, Proposal.volunteer_id)
            .join(User, User.person_id == Proposal.volunteer_id)
            .where(Proposal.request_id == request_id, Proposal.status == status).order_by(Proposal.id)).all()
        return [tuple(r) for r in rows]


def login(page, base, name, password):
    page.goto(f"{base}/login")
    page.fill("#login", name)
    page.fill("#password", password)
    page.click("[data-test=login-submit]")
    page.wait_for_load_state()


def password_of(phone):
    return "Demo-social-2026" if phone == "13900000011" else "Demo-volunteer-2026"


def answer(page_factory, base, phone, request_id, action):
    page = page_factory(viewport=PHONE)
    login(page, base, phone, password_of(phone))
    page.goto(f"{base}/dispatch/mine")
    page.click(f"[data-test=proposal][data-request='{request_id}'] [data-test={action}]")
    page.wait_for_load_state()
    return page


def run_matching(station, base):
    station.goto(f"{base}/dispatch/")
    station.click("[data-test=run-matching]")
    station.wait_for_url(re.compile(r".*/dispatch/runs/\d+$"))
    assert "✔" in station.inner_text("[data-test=run-status]")


def test_team_request_matched_through_proposals(live, page_factory):
    base, app = live.url, live.app
    request_id = post_team_request(app)

    station = page_factory()
    login(station, base, "chengguan", "Demo-station-2026")
    run_matching(station, base)
    first = proposals(app, request_id)
    assert sorted(role for _id, role, _phone, _pid in first) == ["social_worker", "volunteer", "volunteer"]
    shot(station, "matching-run")

    decliner = next(p for p in first if p[1] == "volunteer")
    page = answer(page_factory, base, decliner[2], request_id, "decline")
    assert "已婉拒" in page.inner_text("main")

    run_matching(station, base)
    second = proposals(app, request_id)
    assert len(second) == 3
    replacement = [p for p in second if p not in first]
    assert len(replacement) == 1 and replacement[0][1] == "volunteer" and replacement[0][3] != decliner[3]

    for _id, _role, phone, _pid in second:
        page = answer(page_factory, base, phone, request_id, "accept")
        assert re.search(rf"/visits/{request_id}$", page.url), page.url
    shot(page, "matching-accepted-phone")
    with app.app_context():
        req = db.session.get(ServiceRequest, request_id)
        assert req.status == "matched"
        assert sorted(s.source for s in req.seats if s.status == "active") == ["matching"] * 3
    station.goto(f"{base}/visits/{request_id}")
    assert station.locator("main").count() == 1
