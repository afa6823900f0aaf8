"""Must show 1: one person on both sides of the time bank, in Chromium against a live server.

A 57-year-old volunteer serves a lone elder (take seat, QR check-in and check-out, the daughter confirms,
the visit settles into his account). Years pass (the live app's fixed clock moves). The station registers him
as a recipient too: the same person and the same account. At 59 the posting page refuses his own hours next
to the payer field, nothing is created; at 61 he posts a visit paid with his own hours, another volunteer
serves it, he confirms, and his balance and statement show the debit. The ledger check passes throughout.

The station's "register an existing person as recipient" page is another branch's work; until it is merged,
the test creates the ResidentProfile directly in the database (`register_as_recipient`).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, LiveServer, shot
from tests.browser.test_visit_chain import facts, ledger_ok, login, visit
from tests.conftest import base_config, drop_pg_database, pg_database_url, postgres_url, upgrade
from timebank import create_app
from timebank.extensions import db

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
PASSWORD = "Depositor-pass-2026"
PHONE_NO = "13911112222"
BIRTH = date(1969, 3, 1)  # 57 on START


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_app(request, tmp_path_factory):
    """A seeded demo county served for real; the test moves app.config["TIMEBANK_FIXED_NOW"] between steps."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('ownlive') / 'live.db'}"
    else:
        if postgres_url() is None:
            pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
        name = f"timebank_ownlive_{os.getpid()}"
        url = pg_database_url(name)
    app = create_app(base_config(url, TESTING=False, TIMEBANK_FIXED_NOW=START))
    upgrade(app)
    with app.app_context():
        from timebank.demo.seed import seed_demo

        seed_demo(db.session, today=START.date(), volunteers=12, residents=12)
        db.session.commit()
    with LiveServer(app) as server:
        yield server, app
    with app.app_context():
        db.engine.dispose()
    if name:
        drop_pg_database(name)


def make_depositor(app, elder_id, template_volunteer_id) -> int:
    """A volunteer in the elder's village with the demo volunteer's skills, available all week, approved."""
    from tests.conftest import new_id_number
    from timebank.accounts import service as accounts
    from timebank.accounts.models import Person, User
    from timebank.people import service as people
    from timebank.people.models import Availability, VolunteerProfile

    with app.app_context(), app.test_request_context():
        elder = db.session.get(Person, elder_id)
        admin = db.session.scalar(select(User).where(User.username == "chengguan"))
        data = people.SignupInput(
            person=accounts.PersonInput(name="赵建国", id_number=new_id_number(BIRTH), phone=PHONE_NO, address=None,
                                        node_id=elder.node_id),
            password=PASSWORD, skill_ids=(), emergency_contact_name="赵丽", emergency_contact_phone="13911113333",
            privacy_consent=True)
        user = people.signup_volunteer(db.session, data, today=START.date(), now=START)
        people.review_volunteer(db.session, admin, user.person_id, approve=True, reason=None, now=START)
        profile = db.session.get(VolunteerProfile, user.person_id)
        profile.skills = list(db.session.get(VolunteerProfile, template_volunteer_id).skills)
        profile.availability = [Availability(weekday=d, start_minute=0, end_minute=1440) for d in range(7)]
        db.session.commit()
        return user.person_id


def register_as_recipient(app, station, base, person_id):
    """The station registers the volunteer as a recipient on its page: the same ID number finds the same
    person, the station confirms it, and a resident profile is added to that person (one account)."""
    from timebank.accounts import crypto
    from timebank.accounts.models import Person

    with app.app_context():
        person = db.session.get(Person, person_id)
        name, id_number, village = person.name, crypto.decrypt(person.id_number_encrypted), person.node_id
        db.session.rollback()
    login(station, base, "chengguan", "Demo-station-2026")
    station.goto(f"{base}/station/residents/new")
    station.fill("#name", name)
    station.fill("#id_number", id_number)
    station.select_option("#village_id", str(village))
    station.select_option("#living_situation", "alone")
    station.fill("#consent_form_ref", "ZQ-2030")
    station.click("[data-test=resident-submit]")
    station.wait_for_selector("[data-test=existing-person]")
    station.click("[data-test=confirm-existing]")
    station.wait_for_url(re.compile(rf".*/station/residents/{person_id}$"))
    assert station.locator("[data-test=role-volunteer]").count() >= 1
    assert station.locator("[data-test=role-resident]").count() >= 1


def account(app, person_id):
    from timebank.ledger import service as ledger

    with app.app_context():
        acc = ledger.account_for_person(db.session, person_id)
        out = (acc.id, acc.balance, acc.pending_debits)
        db.session.rollback()
        return out


def requests_of(app, resident_id):
    from timebank.visits.models import ServiceRequest

    with app.app_context():
        out = list(db.session.scalars(select(ServiceRequest.id).where(ServiceRequest.resident_id == resident_id)))
        db.session.rollback()
        return out


def local_start(now: datetime, slot, days_ahead: int) -> datetime:
    day = now.astimezone(TZ).date() + timedelta(days=days_ahead)
    while day.weekday() != slot.weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, slot.start_minute // 60, slot.start_minute % 60, tzinfo=TZ)


def fill_request(page, category_id, start, payer, minutes=60):
    page.select_option("#category_id", str(category_id))
    page.fill("#earliest_start", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#latest_end", (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#duration_minutes", str(minutes))
    page.select_option("#payer", payer)
    page.click("[data-test=request-submit]")
    page.wait_for_load_state()


def serve_by_card(app, station, worker, base, resident_id, request_id, minutes_on_site):
    """QR check-in and check-out on the volunteer's phone, the clock moved around the scheduled start."""
    _status, scheduled, _credited = visit(app, request_id)
    station.goto(f"{base}/visits/card/{resident_id}")
    card_url = station.locator("[data-test=qr-url]").inner_text().strip()
    app.config["TIMEBANK_FIXED_NOW"] = scheduled + timedelta(minutes=3)
    worker.goto(card_url)
    assert worker.locator("[data-test=scan-submit]").get_attribute("data-action") == "check_in"
    worker.click("[data-test=scan-submit]")
    worker.wait_for_selector("[data-test=visit-status][data-status=in_service]")
    app.config["TIMEBANK_FIXED_NOW"] = scheduled + timedelta(minutes=3 + minutes_on_site)
    worker.goto(card_url)
    worker.click("[data-test=scan-submit]")
    worker.wait_for_selector("[data-test=visit-status][data-status=done]")
    app.config["TIMEBANK_FIXED_NOW"] = scheduled + timedelta(hours=5)


def test_a_volunteer_grows_old_and_redeems_his_own_hours(live_app, page_factory):
    server, app = live_app
    base = server.url
    app.config["TIMEBANK_FIXED_NOW"] = START
    elder_id, other_volunteer_id, category_id, slot = facts(app)
    me = make_depositor(app, elder_id, other_volunteer_id)
    account_id, start_balance, _pending = account(app, me)
    assert start_balance == 0

    # 2026: he serves a lone elder; the daughter confirms; the visit settles into his account
    station = page_factory()
    login(station, base, "chengguan", "Demo-station-2026")
    station.goto(f"{base}/station/residents/{elder_id}")
    station.click("[data-test=post-request]")
    fill_request(station, category_id, local_start(START, slot, 14), "backstop", minutes=120)
    station.wait_for_url(re.compile(r".*/visits/\d+$"))
    served_id = int(station.url.rsplit("/", 1)[1])
    assert station.locator("[data-test=visit-status]").get_attribute("data-status") == "open"  # staff: no review
    depositor = page_factory(viewport=PHONE)
    login(depositor, base, PHONE_NO, PASSWORD)
    depositor.goto(f"{base}/visits/open")
    depositor.click(f"a[href='/visits/{served_id}']")
    depositor.click("[data-test=take]")
    depositor.wait_for_selector("[data-test=visit-status][data-status=matched]")
    serve_by_card(app, station, depositor, base, elder_id, served_id, 100)
    daughter = page_factory(viewport=PHONE)
    login(daughter, base, "13900000002", "Demo-relative-2026")
    daughter.goto(f"{base}/visits/{served_id}")
    daughter.select_option("#c-rating", "5")
    daughter.click("[data-test=confirm]")
    daughter.wait_for_selector("[data-test=visit-status][data-status=settled]")
    earned = account(app, me)[1]
    assert earned == 100
    ledger_ok(app)

    # 2028: he is 59; the station registers him as a recipient too; own hours are refused at posting
    app.config["TIMEBANK_FIXED_NOW"] = datetime(2028, 12, 1, 2, 0, tzinfo=UTC)
    register_as_recipient(app, station, base, me)
    login(depositor, base, PHONE_NO, PASSWORD)
    depositor.goto(f"{base}/visits/new")
    fill_request(depositor, category_id, local_start(app.config["TIMEBANK_FIXED_NOW"], slot, 7), "own")
    error = depositor.locator("#payer-err")
    assert "本人年满60周岁才能使用自己的时长（当前59岁）" in error.inner_text()
    shot(depositor, "own-hours-refused-at-59")
    assert requests_of(app, me) == [] and account(app, me) == (account_id, earned, 0)

    # 2030: he is 61 and redeems his own minutes, from the same account, for a visit by another volunteer
    later = datetime(2030, 6, 3, 2, 0, tzinfo=UTC)
    app.config["TIMEBANK_FIXED_NOW"] = later
    login(depositor, base, PHONE_NO, PASSWORD)
    depositor.goto(f"{base}/visits/new")
    fill_request(depositor, category_id, local_start(later, slot, 7), "own")
    depositor.wait_for_url(re.compile(r".*/visits/\d+$"))
    own_id = int(depositor.url.rsplit("/", 1)[1])
    assert depositor.locator("[data-test=visit-status]").get_attribute("data-status") == "open"
    helper = page_factory(viewport=PHONE)
    login(helper, base, "13900000001", "Demo-volunteer-2026")
    helper.goto(f"{base}/visits/open")
    helper.click(f"a[href='/visits/{own_id}']")
    helper.click("[data-test=take]")
    helper.wait_for_selector("[data-test=visit-status][data-status=matched]")
    assert account(app, me) == (account_id, earned, 60 + 30)  # the hold on his own account
    login(station, base, "chengguan", "Demo-station-2026")
    serve_by_card(app, station, helper, base, me, own_id, 40)
    depositor.goto(f"{base}/visits/{own_id}")
    depositor.select_option("#c-rating", "5")
    depositor.click("[data-test=confirm]")
    depositor.wait_for_selector("[data-test=visit-status][data-status=settled]")
    assert account(app, me) == (account_id, earned - 40, 0)

    depositor.goto(f"{base}/me/account")
    assert depositor.locator("[data-test=balance]").inner_text().strip() == "1小时"
    statement = depositor.locator("[data-test=statement]")
    assert statement.locator(".amount.out").count() == 1 and statement.locator(".amount.in").count() == 1
    shot(depositor, "own-hours-statement")
    ledger_ok(app)
    app.config["TIMEBANK_FIXED_NOW"] = START
