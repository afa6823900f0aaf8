"""Must-show 1 in real Chromium: 暖阳公益基金会 (charity3) donates 10 quilts for 特困 elders of 城关镇 →
城关镇社工站 posts goods requests for an eligible elder (王秀英, 特困) and an ineligible one (低保) → only the
eligible one can be allocated → a volunteer delivers through the 送物资 visit (takes the seat on the visit
page, scans the elder's card on arrival and departure) → the daughter confirms receipt on 我的物资 →
stock 9, movement history complete → the public page shows 1 delivered, 9 in stock, no personal data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, shot
from timebank.extensions import db

pytestmark = pytest.mark.browser


def login(page, base, login_name, password):
    page.goto(f"{base}/login")
    page.fill("#login", login_name)
    page.fill("#password", password)
    page.click("[data-test=login-submit]")
    page.wait_for_load_state()


def _ineligible_resident(app) -> tuple[int, str]:
    """A 低保 (not 特困) elder in 城关镇, registered through the people service."""
    from timebank import clock
    from timebank.accounts import service as accounts
    from timebank.accounts.domain import make_id_number
    from timebank.accounts.models import OrgNode, User
    from timebank.people import service as people

    with app.app_context(), app.test_request_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        village = db.session.scalar(select(OrgNode).where(OrgNode.code == "DEMO-CG-01"))
        profile = people.register_resident(db.session, admin, people.ResidentInput(
            person=accounts.PersonInput(name="低保测试老人", id_number=make_id_number("420999", date(1944, 2, 2), 777),
                                        phone=None, address="测试路1号", node_id=village.id),
            living_situation="alone", disability_grade=0, consent_form_ref="ZQ-T"), today=clock.today())
        people.add_hardship_status(db.session, admin, profile.person_id, kind="dibao", evidence_no="MZ-T",
                                   review_date=clock.today() + timedelta(days=300))
        db.session.commit()
        return profile.person_id, "低保测试老人"


def _elder(app) -> tuple[int, str]:
    from timebank.accounts.models import Person, User
    from timebank.people.models import Relative

    with app.app_context():
        daughter = db.session.scalar(select(User).where(User.phone == "13900000002"))
        mother_id = db.session.scalar(select(Relative.resident_id).where(Relative.relative_id == daughter.person_id))
        return mother_id, db.session.get(Person, mother_id).name


def _card(app, resident_id: int) -> str:
    from timebank import clock
    from timebank.visits import onsite

    with app.app_context():
        return onsite.card_token(resident_id, clock.now())


def _scheduled(app, visit_id: int):
    from timebank.visits.models import ServiceRequest

    with app.app_context():
        return db.session.get(ServiceRequest, visit_id).scheduled_start


def test_quilts_reach_only_the_eligible_elder_and_the_public_page_shows_it(live, page_factory):
    app = live.app
    elder_id, elder_name = _elder(app)
    other_id, other_name = _ineligible_resident(app)
    fixed = app.config["TIMEBANK_FIXED_NOW"]

    # 1. the charity donates 10 quilts, restricted to 特困 elders of 城关镇
    charity = page_factory(viewport=PHONE)
    login(charity, live.url, "charity3", "Demo-charity-2026")
    charity.goto(f"{live.url}/charity/donations/new")
    charity.select_option("#item_id", label="棉被(床)")
    charity.fill("#quantity", "10")
    charity.select_option("#station_id", label="城关镇社工站")
    charity.select_option("#statuses", ["tekun"])
    charity.select_option("#township_ids", label="城关镇")
    charity.fill("#min_age", "60")
    charity.click("[data-test=submit]")
    assert charity.text_content("[data-test=stock]").strip() == "10"
    donation_id = int(charity.url.rstrip("/").rsplit("/", 1)[1])

    # 2. the station posts goods requests for both elders
    station = page_factory()
    login(station, live.url, "chengguan", "Demo-station-2026")
    request_pages = {}
    for person_id, name in ((elder_id, elder_name), (other_id, other_name)):
        station.goto(f"{live.url}/goods/new?q={name}")
        station.select_option("#resident_id", value=str(person_id))
        station.select_option("#item_id", label="棉被(床)")
        station.fill("#quantity", "1")
        station.fill("#reason", "冬季御寒")
        station.click("[data-test=submit]")
        request_pages[person_id] = station.url

    # 3. only the eligible elder can be allocated
    station.goto(request_pages[other_id])
    row = station.locator(f"[data-test=candidate-{donation_id}]")
    assert row.locator("[data-test=why]").count() == 1
    assert station.locator(f"[data-test=allocate-{donation_id}]").count() == 0
    station.goto(request_pages[elder_id])
    station.select_option(f"[data-test=candidate-{donation_id}] select[name=method]", "delivery")
    station.click(f"[data-test=allocate-{donation_id}]")
    assert station.locator("[data-test=allocation-status]").first.text_content().strip() == "待收货"
    visit_url = station.get_attribute("[data-test=visit-link]", "href")
    visit_id = int(visit_url.rstrip("/").rsplit("/", 1)[1])

    # 4. a volunteer takes the 送物资 visit and scans the elder's card on arrival and on leaving
    volunteer = page_factory(viewport=PHONE)
    login(volunteer, live.url, "13900000001", "Demo-volunteer-2026")
    volunteer.goto(f"{live.url}{visit_url}")
    volunteer.click("[data-test=take]")
    assert volunteer.get_attribute("[data-test=visit-status]", "data-status") == "matched"
    start = _scheduled(app, visit_id)
    try:
        app.config["TIMEBANK_FIXED_NOW"] = start + timedelta(minutes=2)
        volunteer.goto(f"{live.url}/v/{_card(app, elder_id)}")
        assert volunteer.get_attribute("[data-test=scan-submit]", "data-action") == "check_in"
        volunteer.click("[data-test=scan-submit]")
        app.config["TIMEBANK_FIXED_NOW"] = start + timedelta(minutes=40)
        volunteer.goto(f"{live.url}/v/{_card(app, elder_id)}")
        assert volunteer.get_attribute("[data-test=scan-submit]", "data-action") == "check_out"
        volunteer.click("[data-test=scan-submit]")
        assert volunteer.get_attribute("[data-test=visit-status]", "data-status") == "done"

        # 5. the daughter confirms receipt, once
        relative = page_factory(viewport=PHONE)
        login(relative, live.url, "13900000002", "Demo-relative-2026")
        relative.goto(f"{live.url}/goods/mine")
        relative.click("[data-test=confirm-receipt]")
        assert relative.locator("[data-test=confirm-receipt]").count() == 0
        shot(relative, "charity-receipt-phone")
    finally:
        app.config["TIMEBANK_FIXED_NOW"] = fixed

    # 6. stock 9 and a complete movement history on the charity's donation page
    charity.goto(f"{live.url}/charity/donations/{donation_id}")
    assert charity.text_content("[data-test=stock]").strip() == "9"
    assert charity.text_content("[data-test=reserved]").strip() == "0"
    kinds = [row.get_attribute("data-test") for row in charity.locator("[data-test=movements] tbody tr").all()]
    assert kinds == ["movement-received", "movement-allocated", "movement-delivered"]

    # 7. the public page: 1 delivered, 9 in stock, nobody's identity
    public = page_factory()
    public.goto(f"{live.url}/public/charity/")
    public.click("text=暖阳公益基金会")
    assert public.text_content("[data-test=total-delivered]").strip() == "1"
    assert public.text_content("[data-test=total-stock]").strip() == "9"
    html = public.content()
    for secret in (elder_name, other_name, "王丽", "13900000002"):
        assert secret not in html
    shot(public, "charity-public")
