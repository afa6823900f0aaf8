"""Confirmation by the person served in Chromium at phone width (390 px): the volunteer checks out by
scanning the card, the page turns into the large confirmation screen, the elder taps 满意 and types the
number printed on their service card; on a second visit the elder signs with the mouse on the canvas.
Both visits settle exactly once (the ledger check passes). Screenshots under screenshots/."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, LiveServer, shot
from tests.browser.test_visit_chain import facts, ledger_ok, login, next_start
from tests.conftest import base_config, drop_pg_database, pg_database_url, postgres_url, upgrade
from timebank import create_app
from timebank.extensions import db

START = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_app(request, tmp_path_factory):
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('elive') / 'live.db'}"
    else:
        if postgres_url() is None:
            pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
        name = f"timebank_elive_{os.getpid()}"
        url = pg_database_url(name)
    app = create_app(base_config(url, TESTING=False, TIMEBANK_FIXED_NOW=START))
    upgrade(app)
    with app.app_context():
        from timebank import clock
        from timebank.demo.seed import seed_demo

        seed_demo(db.session, today=clock.today(), volunteers=12, residents=12)
        db.session.commit()
    with LiveServer(app) as server:
        yield server, app
    with app.app_context():
        db.engine.dispose()
    if name:
        drop_pg_database(name)


def posted_and_taken(app, elder_id, volunteer_id, category_id, start, key):
    """A request paid by the elder's own hours (funded first), taken by the volunteer: (id, start, card URL
    path, the card's code)."""
    from timebank.accounts.models import User
    from timebank.ledger import service as ledger
    from timebank.visits import elder_confirm, onsite
    from timebank.visits import service as visits

    with app.app_context(), app.test_request_context():
        pool = ledger.system_account(db.session, "pool:backstop")
        ledger.earn(db.session, payer_account_id=pool.id, person_id=elder_id, minutes=300, key=key,
                    reference="visit:0", now=START, today=START.date())
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        volunteer = db.session.scalar(select(User).where(User.person_id == volunteer_id))
        start_utc = start.astimezone(UTC)
        req = visits.post_request(db.session, admin, visits.RequestInput(
            resident_id=elder_id, category_id=category_id, earliest_start=start_utc,
            latest_end=start_utc + timedelta(hours=2), duration_minutes=60, payer="own"),
            now=START, today=START.date())[0]
        visits.take_seat(db.session, volunteer, req.id, now=START, today=START.date())
        db.session.commit()
        out = (req.id, req.scheduled_start, f"/v/{onsite.card_token(elder_id, START)}",
               elder_confirm.card_code(db.session, elder_id))
        db.session.rollback()
        return out


def state(app, request_id):
    from timebank.visits.models import ServiceRecord, ServiceRequest

    with app.app_context():
        req = db.session.get(ServiceRequest, request_id)
        records = len(list(db.session.scalars(select(ServiceRecord).where(ServiceRecord.request_id == request_id))))
        out = (req.status, req.confirmation_method, req.satisfied, req.signature_svg, records)
        db.session.rollback()
        return out


def serve_by_scan(app, page, base, card_path, scheduled):
    app.config["TIMEBANK_FIXED_NOW"] = scheduled + timedelta(minutes=3)
    page.goto(f"{base}{card_path}")
    page.click("[data-test=scan-submit]")
    page.wait_for_selector("[data-test=visit-status][data-status=in_service]")
    app.config["TIMEBANK_FIXED_NOW"] = scheduled + timedelta(minutes=55)
    page.goto(f"{base}{card_path}")
    page.click("[data-test=scan-submit]")
    page.wait_for_selector("[data-test=elder-confirm]")  # the phone is handed to the elder


def test_elder_confirms_with_the_card_code_then_with_a_drawn_signature(live_app, page_factory):
    server, app = live_app
    base = server.url
    elder_id, volunteer_id, category_id, slot = facts(app)
    phone = page_factory(viewport=PHONE)
    login(phone, base, "13900000001", "Demo-volunteer-2026")

    # 1. the card code
    request_id, scheduled, card, code = posted_and_taken(app, elder_id, volunteer_id, category_id,
                                                         next_start(slot, 2), "elder-code-hours")
    serve_by_scan(app, phone, base, card, scheduled)
    assert phone.url.endswith(f"/visits/{request_id}/elder-confirm")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.click("[data-test=elder-yes]")
    wrong = str((int(code) + 1) % 10 ** 6).zfill(6)
    phone.fill("[data-test=elder-code]", wrong)
    phone.click("[data-test=elder-submit]")
    assert "号码不对" in phone.locator("[data-test=elder-error]").inner_text()
    assert state(app, request_id)[0] == "done"
    phone.click("[data-test=elder-yes]")
    phone.fill("[data-test=elder-code]", code)
    shot(phone, "elder-confirm-code")
    phone.click("[data-test=elder-submit]")
    phone.wait_for_selector("[data-test=visit-status][data-status=settled]")
    assert "输入服务卡号码确认，满意" in phone.locator("[data-test=how-confirmed]").inner_text()
    assert state(app, request_id) == ("settled", "elder_code", True, None, 1)
    ledger_ok(app)

    # 2. a signature drawn with the mouse on the canvas
    request_id, scheduled, card, _code = posted_and_taken(app, elder_id, volunteer_id, category_id,
                                                          next_start(slot, 3), "elder-sign-hours")
    serve_by_scan(app, phone, base, card, scheduled)
    elder_mode = page_factory(viewport=PHONE)  # the same screen in 长辈模式 (larger text) still fits
    elder_mode.context.add_cookies(phone.context.cookies() + [{"name": "timebank_elder", "value": "1", "url": base}])
    elder_mode.goto(f"{base}/visits/{request_id}/elder-confirm")
    elder_mode.wait_for_selector("html.elder")
    elder_mode.click("[data-test=elder-no]")
    assert elder_mode.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(elder_mode, "elder-confirm-elder-mode")
    phone.click("[data-test=elder-yes]")
    pad = phone.locator("[data-test=signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box["width"] <= PHONE["width"]
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    phone.mouse.move(x + w * 0.1, y + h * 0.7)
    phone.mouse.down()
    for i in range(1, 13):
        phone.mouse.move(x + w * (0.1 + 0.065 * i), y + h * (0.7 - 0.4 * (i % 2)), steps=3)
    phone.mouse.up()
    phone.mouse.move(x + w * 0.3, y + h * 0.85)
    phone.mouse.down()
    phone.mouse.move(x + w * 0.8, y + h * 0.8, steps=8)
    phone.mouse.up()
    drawn = phone.locator("input[name=e-signature]").input_value()
    assert drawn.startswith("M") and drawn.count("M") == 2 and "L" in drawn and len(drawn) < 20_000
    shot(phone, "elder-confirm-signature")
    phone.click("[data-test=elder-submit]")
    phone.wait_for_selector("[data-test=visit-status][data-status=settled]")
    status, method, satisfied, svg, records = state(app, request_id)
    assert (status, method, satisfied, records) == ("settled", "elder_signature", True, 1)
    assert svg.startswith("M") and "<" not in svg
    assert phone.locator("[data-test=signature] path").get_attribute("d") == svg
    assert phone.locator("[data-test=carried-by]").count() == 1  # the elder confirmed, on the volunteer's phone
    shot(phone, "elder-confirm-signed-visit")
    ledger_ok(app)

    # the station sees how visits settled, on a phone too
    station = page_factory(viewport=PHONE)
    login(station, base, "chengguan", "Demo-station-2026")
    station.goto(f"{base}/station/")
    table = station.locator("[data-test=confirm-stats]")
    assert table.locator("tr[data-method=elder_code] td").nth(2).inner_text() == "1"
    assert table.locator("tr[data-method=elder_signature] td").nth(2).inner_text() == "1"
    assert station.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    table.scroll_into_view_if_needed()
    shot(station, "elder-confirm-station-dashboard")
    app.config["TIMEBANK_FIXED_NOW"] = START
