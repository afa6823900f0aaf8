"""Must show (issue 15): each role starts at its workbench (the first screen after signing in) and finishes its
main task from there, in real Chromium: the station approves a new volunteer, a volunteer takes a visit, a relative
confirms a finished visit, a charity records a donation, the county admin approves a charity's application."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from tests.browser.conftest import PHONE
from tests.browser.test_elder_flow import finished_visit, mother_id
from tests.browser.test_keyboard_journeys import takeable
from tests.conftest import new_id_number
from timebank.extensions import db


def sign_in(page, base, login, password):
    page.goto(f"{base}/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("[data-test=login-submit]")
    page.wait_for_load_state()


def mother_village(app) -> int:
    from timebank.accounts.models import Person

    with app.app_context():
        return db.session.get(Person, mother_id(app)).node_id


def test_the_station_approves_a_new_volunteer_from_its_workbench(live, page_factory):
    from timebank import clock
    from timebank.accounts import service as accounts
    from timebank.people import service as people
    from timebank.people.models import VolunteerProfile

    village = mother_village(live.app)
    with live.app.app_context(), live.app.test_request_context():
        user = people.signup_volunteer(db.session, people.SignupInput(
            person=accounts.PersonInput(name="工作台新人", id_number=new_id_number(date(1980, 2, 2)),
                                        phone="13655550001", address=None, node_id=village),
            password="Serve-elders-2026", skill_ids=(), emergency_contact_name="家人",
            emergency_contact_phone="13655550002", privacy_consent=True), today=clock.today(), now=clock.now())
        db.session.commit()
        person_id = user.person_id
    page = page_factory()
    sign_in(page, live.url, "chengguan", "Demo-station-2026")
    assert page.url.endswith("/station/")
    page.click(f"[data-test=today-volunteers] a[href='/station/volunteers/{person_id}']")
    page.click("[data-test=approve]")
    assert "已通过" in page.inner_text("[data-test=volunteer-status]")
    with live.app.app_context():
        assert db.session.get(VolunteerProfile, person_id).status == "approved"


def test_a_volunteer_takes_a_visit_from_the_workbench(live, page_factory):
    from timebank.visits.models import Seat

    request_id = takeable(live.app, "13900000001")
    page = page_factory(viewport=PHONE)
    sign_in(page, live.url, "13900000001", "Demo-volunteer-2026")
    page.click("[data-test=today-open]")
    page.click(f"a[href='/visits/{request_id}']")
    page.click("[data-test=take]")
    page.wait_for_selector("[data-flash=success]")
    with live.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Seat).where(
            Seat.request_id == request_id, Seat.status == "active")) >= 1
    page.goto(f"{live.url}/me")
    assert page.locator("[data-test=next-visit]").count() == 1


def test_a_relative_confirms_a_finished_visit_from_the_workbench(live, page_factory):
    from timebank.visits.models import ServiceRequest

    visit = finished_visit(live.app, mother_id(live.app))
    page = page_factory(viewport=PHONE)
    sign_in(page, live.url, "13900000002", "Demo-relative-2026")
    page.click(f"[data-test=today-relative] a[href='/visits/{visit}']")
    page.select_option("#c-rating", "5")
    page.click("[data-test=confirm]")
    page.wait_for_selector("[data-flash=success]")
    with live.app.app_context():
        assert db.session.get(ServiceRequest, visit).status in ("confirmed", "settled")


def test_a_charity_records_a_donation_from_its_workbench(live, page_factory):
    from timebank.charity.models import Donation

    with live.app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Donation))
    page = page_factory()
    sign_in(page, live.url, "charity1", "Demo-charity-2026")
    assert page.locator("[data-test=today-meetable]").count() == 1
    page.click("[data-test=donate-goods]")
    page.select_option("#item_id", label="棉被(床)")
    page.fill("#quantity", "3")
    page.select_option("#station_id", label="城关镇社工站")
    page.click("[data-test=submit]")
    page.wait_for_selector("[data-flash=success]")
    with live.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Donation)) == before + 1


def test_the_county_admin_approves_a_charity_from_the_workbench(live, page_factory):
    from timebank.charity.models import Charity

    page = page_factory()
    sign_in(page, live.url, "admin", "Demo-admin-2026")
    assert page.locator("[data-test=today-figures]").count() == 1
    page.click("[data-test=today-charities] a")
    approve = page.locator("[data-test^=approve-]").first
    charity_id = int(re.sub(r"\D", "", approve.get_attribute("data-test")))
    approve.click()
    page.wait_for_selector("[data-flash=success]")
    with live.app.app_context():
        assert db.session.get(Charity, charity_id).status == "approved"
