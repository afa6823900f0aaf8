"""Must show (issue 15): a new volunteer signs up in Chromium with weekly hours at sign-up, a station approves,
the volunteer takes a seat at a time they pick, finishes early, and the next seat is offered at the earliest
time that fits (the unused rest of the first visit's planned time no longer blocks it)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.browser.conftest import PHONE, shot
from tests.browser.test_visit_chain import START, live_app  # noqa: F401 - the live server fixture
from timebank.accounts.domain import make_id_number
from timebank.extensions import db

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 30, tzinfo=TZ)
PHONE_NO = "13622224444"
PASSWORD = "Serve-elders-2026"


def login(page, base, user, password):
    page.goto(f"{base}/login")
    page.fill("#login", user)
    page.fill("#password", password)
    page.click("[data-test=login-submit]")
    page.wait_for_load_state()


def setting(app):
    """(the elder, her village's label as the sign-up list shows it, a category with no special skills)."""
    from timebank.accounts.models import User
    from timebank.catalog.models import ServiceCategory
    from timebank.people.models import Relative

    with app.app_context():
        daughter = db.session.scalar(select(User).where(User.phone == "13900000002"))
        elder_id = db.session.scalar(select(Relative.resident_id).where(Relative.relative_id == daughter.person_id))
        from timebank.accounts.models import Person

        village = db.session.get(Person, elder_id).node
        category = next(c for c in db.session.scalars(select(ServiceCategory).order_by(ServiceCategory.sort_order))
                        if not c.skills and not c.needs_social_worker)
        out = (elder_id, village.id, category.id)
        db.session.rollback()
        return out


def post(app, elder_id, category_id, start_local: datetime, hours: int, minutes: int) -> int:
    from timebank.accounts.models import User
    from timebank.visits import service as visits

    with app.app_context(), app.test_request_context():
        station = db.session.scalar(select(User).where(User.username == "chengguan"))
        start = start_local.astimezone(ZoneInfo("UTC"))
        req = visits.post_request(db.session, station, visits.RequestInput(
            resident_id=elder_id, category_id=category_id, earliest_start=start,
            latest_end=start + timedelta(hours=hours), duration_minutes=minutes, payer="backstop"),
            now=START, today=START.date())[0]
        db.session.commit()
        return req.id


def record(app, request_id, action, at_local: datetime):
    from timebank.accounts.models import User
    from timebank.visits import onsite
    from timebank.visits.models import Seat

    with app.app_context(), app.test_request_context():
        station = db.session.scalar(select(User).where(User.username == "chengguan"))
        volunteer = db.session.scalar(select(Seat.volunteer_id).where(Seat.request_id == request_id))
        at = at_local.astimezone(ZoneInfo("UTC"))
        onsite.record(db.session, station, request_id, volunteer, action, at=at, reason="社工站代为登记",
                      now=at + timedelta(minutes=1))
        db.session.commit()


def scheduled(app, request_id) -> datetime:
    from timebank.visits.models import ServiceRequest

    with app.app_context():
        value = db.session.get(ServiceRequest, request_id).scheduled_start
        db.session.rollback()
        return value.astimezone(TZ)


def test_a_new_volunteer_is_ready_on_day_one(live_app, page_factory):  # noqa: F811
    server, app = live_app
    base = server.url
    app.config["TIMEBANK_FIXED_NOW"] = START
    elder_id, village_id, category_id = setting(app)

    page = page_factory(viewport=PHONE)
    page.goto(f"{base}/signup")
    assert page.input_value("#d0_start") == "09:00" and page.input_value("#d6_end") == "17:00"  # real values
    page.fill("#name", "钱小梅")
    page.fill("#id_number", make_id_number("420999", date(1975, 6, 2), 402))
    page.fill("#phone", PHONE_NO)
    page.select_option("#village_id", str(village_id))
    page.fill("#d0_start", "10:00")  # Mondays from ten
    page.fill("#d0_end", "13:00")
    page.fill("#d6_start", "")  # Sundays off
    page.fill("#d6_end", "")
    page.fill("#emergency_contact_name", "钱强")
    page.fill("#emergency_contact_phone", "13622225555")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.check("#privacy_consent")
    shot(page, "volunteer-signup-hours-phone")
    page.click("[data-test=signup-submit]")
    page.wait_for_url(re.compile(r".*/signup/done$"))

    station = page_factory()
    login(station, base, "chengguan", "Demo-station-2026")
    station.goto(f"{base}/station/volunteers?status=pending")
    station.click("text=钱小梅")
    station.click("[data-test=approve]")
    assert "已通过" in station.inner_text("[data-test=volunteer-status]")

    first = post(app, elder_id, category_id, MONDAY.replace(hour=10), hours=2, minutes=60)  # 10:00–12:00
    login(page, base, PHONE_NO, PASSWORD)
    page.goto(f"{base}/visits/{first}")
    choices = page.locator("#t-start option").all_inner_texts()
    assert choices[0].endswith("10:00") and choices[-1].endswith("11:00")  # every start that fits, earliest first
    assert page.locator("#t-start").input_value() == page.locator("#t-start option").first.get_attribute("value")
    page.select_option("#t-start", index=1)  # the volunteer picks 10:15
    shot(page, "volunteer-pick-time-phone")
    page.click("[data-test=take]")
    page.wait_for_selector("[data-test=visit-status][data-status=matched]")
    assert scheduled(app, first) == MONDAY.replace(hour=10, minute=15)

    record(app, first, "check_in", MONDAY.replace(hour=10, minute=15))
    record(app, first, "check_out", MONDAY.replace(hour=10, minute=40))  # finished early; planned until 11:15
    second = post(app, elder_id, category_id, MONDAY.replace(hour=10, minute=30), hours=2, minutes=60)
    page.goto(f"{base}/visits/{second}")
    offered = page.locator("#t-start option").first.inner_text()
    assert offered.endswith("10:45"), offered  # right after the first visit really ended, not after 11:15
    page.click("[data-test=take]")
    page.wait_for_selector("[data-test=visit-status][data-status=matched]")
    assert scheduled(app, second) == MONDAY.replace(hour=10, minute=45)
