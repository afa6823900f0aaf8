"""Keyboard only (issue 13): the four main tasks in Chromium with Tab, Shift+Tab, Enter, Space and typing,
never the mouse: signing in; a relative in elder mode asking for a service in three steps; a volunteer
taking a seat; the station and a relative confirming a finished visit. Each journey starts from a URL (as
a person opens a link) and then uses the keyboard alone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE
from tests.browser.test_elder_flow import RELATIVE, finished_visit, mother_id
from timebank.extensions import db

pytestmark = pytest.mark.parametrize("live", ["sqlite"], indirect=True)
VOLUNTEER = ("13900000001", "Demo-volunteer-2026")
STATION = ("chengguan", "Demo-station-2026")


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches `selector` (fails if it is never reached)."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def press_and_load(page, key: str = "Enter") -> None:
    """Press a key that follows a link or sends a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def keyboard_login(page, base: str, credentials) -> None:
    page.goto(f"{base}/login")
    tab_to(page, "#login")
    page.keyboard.type(credentials[0])
    tab_to(page, "#password")
    page.keyboard.type(credentials[1])
    press_and_load(page, "Enter")
    page.wait_for_selector("[data-test=logout]", state="attached")


def context_for(browser, live, *, elder=False, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1200, "height": 900}, locale="zh-CN")
    host = urlsplit(live.url).hostname
    context.add_cookies([{"name": "timebank_elder", "value": "1" if elder else "0", "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_sign_in_with_the_keyboard(live, browser):
    context, page = context_for(browser, live)
    keyboard_login(page, live.url, VOLUNTEER)
    assert urlsplit(page.url).path != "/login"
    context.close()


def test_relative_in_elder_mode_asks_for_a_service_with_the_keyboard(live, browser):
    from timebank.visits.models import ServiceRequest

    mother = mother_id(live.app)
    with live.app.app_context():
        before = db.session.query(ServiceRequest).filter_by(resident_id=mother).count()
    context, page = context_for(browser, live, elder=True, viewport=PHONE)
    keyboard_login(page, live.url, RELATIVE)
    tab_to(page, "[data-test=menu-toggle]")
    page.keyboard.press("Enter")
    assert page.get_attribute("[data-test=menu-toggle]", "aria-expanded") == "true"
    tab_to(page, "[data-test=nav-easy-request]")
    press_and_load(page, "Enter")
    page.wait_for_selector("[data-test=easy-what]")
    tab_to(page, "[data-test=easy-category-shopping]")
    press_and_load(page, "Space")
    page.wait_for_selector("[data-test=easy-when]")
    tab_to(page, "[data-test=easy-slot-3]")
    press_and_load(page, "Enter")
    page.wait_for_selector("[data-test=easy-summary]")
    tab_to(page, "[data-test=easy-submit]")
    press_and_load(page, "Enter")
    page.wait_for_selector("p.notice")
    with live.app.app_context():
        assert db.session.query(ServiceRequest).filter_by(resident_id=mother).count() == before + 1
    context.close()


def takeable(app, login: str) -> int:
    """A request this volunteer may take now: one already open (tried in a savepoint, rolled back), or one
    the station posts for a resident near them, in their skills and their weekly hours."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from timebank import clock
    from timebank.accounts.models import Person, User
    from timebank.catalog.models import ServiceCategory
    from timebank.errors import DomainError
    from timebank.people import priority_facts
    from timebank.people.models import ResidentProfile, VolunteerProfile
    from timebank.policy import priority as priority_rules
    from timebank.visits import open_list
    from timebank.visits import service as visits

    def fits(user, request_id) -> bool:
        nested = db.session.begin_nested()
        try:
            visits.take_seat(db.session, user, request_id, now=clock.now(), today=clock.today())
            return True
        except DomainError:
            return False
        finally:
            nested.rollback()

    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.phone == login))
        for req in open_list.open_for_volunteer(db.session, user, now=clock.now()).rows:
            if fits(user, req.id):
                return req.id
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        profile = db.session.get(VolunteerProfile, user.person_id)
        zone = ZoneInfo(app.config["TIMEBANK_TIMEZONE"])
        categories = db.session.scalars(select(ServiceCategory).where(ServiceCategory.needs_social_worker.is_(False)))
        category = next(c for c in categories if {s.id for s in c.skills} <= {s.id for s in profile.skills}
                        and c.skills)
        residents = db.session.scalars(select(Person).join(ResidentProfile, ResidentProfile.person_id == Person.id)
                                       .where(Person.node_id == user.person.node_id))
        today = clock.today()
        for resident in residents:
            payer = priority_rules.public_payer(priority_facts.priority_of(db.session, resident.id, today))
            for ahead in range(1, 8):
                day = today + timedelta(days=ahead)
                for window in (w for w in profile.availability if w.weekday == day.weekday()):
                    start = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(minutes=window.start_minute)
                    data = visits.RequestInput(resident_id=resident.id, category_id=category.id,
                                               earliest_start=start.astimezone(ZoneInfo("UTC")),
                                               latest_end=(start + timedelta(minutes=90)).astimezone(ZoneInfo("UTC")),
                                               duration_minutes=60, payer=payer or "own")
                    nested = db.session.begin_nested()
                    try:
                        req = visits.post_request(db.session, admin, data, now=clock.now(), today=today)[0]
                    except DomainError:
                        nested.rollback()
                        continue
                    if fits(user, req.id):
                        nested.commit()
                        db.session.commit()
                        return req.id
                    nested.rollback()
    raise AssertionError("no request fits the demo volunteer")


def test_volunteer_takes_a_seat_with_the_keyboard(live, browser):
    from timebank.visits.models import Seat

    request_id = takeable(live.app, VOLUNTEER[0])
    context, page = context_for(browser, live)
    keyboard_login(page, live.url, VOLUNTEER)
    tab_to(page, "[data-test=nav-tasks]")
    press_and_load(page, "Enter")
    tab_to(page, "a[href='/visits/open']")
    press_and_load(page, "Enter")
    page.wait_for_selector("[data-test=open-list]")
    tab_to(page, f"a[href='/visits/{request_id}']")
    press_and_load(page, "Enter")
    tab_to(page, "[data-test=take]")
    press_and_load(page, "Enter")
    page.wait_for_selector("p.notice")
    with live.app.app_context():
        seats = db.session.scalars(select(Seat).where(Seat.request_id == request_id, Seat.status == "active")).all()
        assert any(s.volunteer.user and s.volunteer.user.phone == VOLUNTEER[0] for s in seats)
    context.close()


def test_station_confirms_a_finished_visit_with_the_keyboard(live, browser):
    from timebank.visits.models import ServiceRequest

    visit = finished_visit(live.app, mother_id(live.app))
    context, page = context_for(browser, live)
    keyboard_login(page, live.url, STATION)
    page.goto(f"{live.url}/visits/{visit}")  # the visit's link, as from the station's list or a message
    tab_to(page, "#c-rating")
    page.keyboard.press("ArrowDown")  # 4 stars
    tab_to(page, "[data-test=confirm]")
    press_and_load(page, "Enter")
    page.wait_for_selector("p.notice")
    with live.app.app_context():
        req = db.session.get(ServiceRequest, visit)
        assert req.status == "settled" and req.rating == 4
    context.close()


def test_relative_confirms_a_finished_visit_with_the_keyboard(live, browser):
    from timebank.visits.models import ServiceRequest

    visit = finished_visit(live.app, mother_id(live.app))
    context, page = context_for(browser, live, elder=True, viewport=PHONE)
    keyboard_login(page, live.url, RELATIVE)
    tab_to(page, "[data-test=menu-toggle]")
    page.keyboard.press("Space")
    tab_to(page, "[data-test=nav-easy-finished]")
    press_and_load(page, "Enter")
    page.wait_for_selector("[data-test=easy-confirm]")
    while page.get_attribute("[data-test=easy-confirm]", "action") != f"/easy/finished/{visit}":
        tab_to(page, "[data-test=easy-confirm-submit]")  # an earlier finished visit first
        press_and_load(page, "Enter")
        page.wait_for_selector("p.notice")
    tab_to(page, "[data-test=easy-confirm-submit]")
    press_and_load(page, "Enter")
    page.wait_for_selector("p.notice")
    with live.app.app_context():
        req = db.session.get(ServiceRequest, visit)
        assert req.status == "settled" and req.confirmation_method == "relative"
    context.close()
