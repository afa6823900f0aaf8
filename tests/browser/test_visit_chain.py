"""The whole visit chain in Chromium against a live server: a station posts a request for a lone elder,
a volunteer takes it, checks in and out through the QR URL, the elder's daughter confirms with a rating;
the ledger moves exactly the credited minutes. Once paid by the backstop pool, once by the elder's own
hours (hold at acceptance, posted at confirmation). The live server's fixed clock is moved between steps.
Screenshots of the board, 我的任务 and the scan page at phone width in zh_CN and elder mode."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, LiveServer, shot
from tests.conftest import base_config, drop_pg_database, pg_database_url, postgres_url, upgrade
from timebank import create_app
from timebank.extensions import db

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_app(request, tmp_path_factory):
    """A seeded demo county served for real; the test moves app.config["TIMEBANK_FIXED_NOW"] between steps."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('vlive') / 'live.db'}"
    else:
        if postgres_url() is None:
            pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
        name = f"timebank_vlive_{os.getpid()}"
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


def login(page, base, user, password):
    page.goto(f"{base}/login")
    page.fill("#login", user)
    page.fill("#password", password)
    page.click("[data-test=login-submit]")
    page.wait_for_load_state()


def facts(app):
    """(elder id, volunteer person id, a category the volunteer can serve, a local start in his availability)."""
    from timebank.accounts.models import User
    from timebank.catalog.models import ServiceCategory
    from timebank.people.models import Relative, VolunteerProfile

    with app.app_context():
        daughter = db.session.scalar(select(User).where(User.phone == "13900000002"))
        elder_id = db.session.scalar(select(Relative.resident_id).where(Relative.relative_id == daughter.person_id))
        volunteer = db.session.scalar(select(User).where(User.phone == "13900000001"))
        profile = db.session.get(VolunteerProfile, volunteer.person_id)
        mine = {s.id for s in profile.skills}
        category = next(c for c in db.session.scalars(select(ServiceCategory).order_by(ServiceCategory.sort_order))
                        if {s.id for s in c.skills} <= mine and not c.needs_social_worker)
        slot = max(profile.availability, key=lambda a: a.end_minute - a.start_minute)
        return elder_id, volunteer.person_id, category.id, slot


def next_start(slot, weeks_ahead: int) -> datetime:
    """A local start inside the volunteer's weekly slot, at least `weeks_ahead` weeks from START."""
    day = START.astimezone(TZ).date() + timedelta(days=7 * weeks_ahead)
    while day.weekday() != slot.weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, slot.start_minute // 60, slot.start_minute % 60, tzinfo=TZ)


def balances(app, elder_id, volunteer_id):
    from timebank.ledger import service as ledger

    with app.app_context():
        elder = ledger.account_for_person(db.session, elder_id)
        volunteer = ledger.account_for_person(db.session, volunteer_id)
        pool = ledger.system_account(db.session, "pool:backstop")
        result = {"elder": (elder.balance, elder.pending_debits), "volunteer": volunteer.balance,
                  "pool": pool.balance}
        db.session.rollback()
        return result


def ledger_ok(app):
    from timebank.ledger import reconcile

    with app.app_context():
        report = reconcile.run_check(db.session, now=START, record=False)
        db.session.rollback()
        assert report.ok, report.violations


def visit(app, request_id):
    from timebank.visits.models import ServiceRequest

    with app.app_context():
        req = db.session.get(ServiceRequest, request_id)
        out = (req.status, req.scheduled_start, [s.credited_minutes for s in req.seats])
        db.session.rollback()
        return out


def phone_shots(browser_page_factory, base, name, path, cookies):
    """Screenshot one page at phone width in zh_CN and in elder mode; both must fit without sideways scroll."""
    for mode in ("zh", "elder"):
        page = browser_page_factory(viewport=PHONE)
        page.context.add_cookies(cookies + ([{"name": "timebank_elder", "value": "1", "url": base}]
                                            if mode == "elder" else []))
        page.goto(f"{base}{path}")
        if mode == "elder":
            page.wait_for_selector("html.elder")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (mode, path)
        shot(page, f"visits-{name}-{mode}")


def test_whole_chain_pool_then_own_hours(live_app, page_factory):
    server, app = live_app
    base = server.url
    elder_id, volunteer_id, category_id, slot = facts(app)
    station = page_factory()
    login(station, base, "chengguan", "Demo-station-2026")
    volunteer = page_factory(viewport=PHONE)
    login(volunteer, base, "13900000001", "Demo-volunteer-2026")
    daughter = page_factory(viewport=PHONE)
    login(daughter, base, "13900000002", "Demo-relative-2026")

    for weeks, payer in ((2, "backstop"), (3, "own")):
        app.config["TIMEBANK_FIXED_NOW"] = START
        if payer == "own":  # the elder's own hours: earned earlier, paid into her account
            from timebank.ledger import service as ledger

            with app.app_context(), app.test_request_context():
                pool = ledger.system_account(db.session, "pool:backstop")
                ledger.earn(db.session, payer_account_id=pool.id, person_id=elder_id, minutes=300,
                            key="browser-own-hours", reference="visit:0", now=START, today=START.date())
                db.session.commit()
        start = next_start(slot, weeks)
        station.goto(f"{base}/station/residents/{elder_id}")
        station.click("[data-test=post-request]")
        station.select_option("#category_id", str(category_id))
        station.fill("#earliest_start", start.strftime("%Y-%m-%dT%H:%M"))
        station.fill("#latest_end", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        station.fill("#duration_minutes", "60")
        station.select_option("#payer", payer)
        station.click("[data-test=request-submit]")
        station.wait_for_url(re.compile(r".*/visits/\d+$"))
        request_id = int(station.url.rsplit("/", 1)[1])
        assert station.locator("[data-test=visit-status]").get_attribute("data-status") == "open"
        before = balances(app, elder_id, volunteer_id)

        volunteer.goto(f"{base}/visits/open")
        volunteer.click(f"a[href='/visits/{request_id}']")
        volunteer.click("[data-test=take]")
        volunteer.wait_for_selector("[data-test=visit-status][data-status=matched]")
        status, scheduled, _credited = visit(app, request_id)
        assert status == "matched"
        held = balances(app, elder_id, volunteer_id)
        if payer == "own":
            assert held["elder"] == (before["elder"][0], before["elder"][1] + 90)  # the hold at acceptance
        else:
            assert held == before

        station.goto(f"{base}/visits/card/{elder_id}")
        card_url = station.locator("[data-test=qr-url]").inner_text().strip()
        assert station.locator("[data-test=qr-card] svg").count() == 1
        app.config["TIMEBANK_FIXED_NOW"] = scheduled + timedelta(minutes=3)
        volunteer.goto(card_url)
        assert volunteer.locator("[data-test=scan-submit]").get_attribute("data-action") == "check_in"
        if weeks == 2:
            cookies = volunteer.context.cookies()
            phone_shots(page_factory, base, "scan", card_url.replace(base, ""), cookies)
            phone_shots(page_factory, base, "tasks", "/visits/mine", cookies)
            phone_shots(page_factory, base, "board", "/visits/board", station.context.cookies())
        volunteer.click("[data-test=scan-submit]")
        volunteer.wait_for_selector("[data-test=visit-status][data-status=in_service]")
        app.config["TIMEBANK_FIXED_NOW"] = scheduled + timedelta(minutes=55)
        volunteer.goto(card_url)
        assert volunteer.locator("[data-test=scan-submit]").get_attribute("data-action") == "check_out"
        volunteer.click("[data-test=scan-submit]")
        volunteer.wait_for_selector("[data-test=visit-status][data-status=done]")
        _status, _scheduled, credited = visit(app, request_id)
        assert credited == [52]

        app.config["TIMEBANK_FIXED_NOW"] = scheduled + timedelta(hours=5)
        daughter.goto(f"{base}/visits/services")
        daughter.click(f"a[href='/visits/{request_id}']")
        daughter.select_option("#c-rating", "4")
        daughter.fill("#c-comment", "谢谢小刘")
        daughter.click("[data-test=confirm]")
        daughter.wait_for_selector("[data-test=visit-status][data-status=settled]")
        assert "★★★★" in daughter.locator("[data-test=rating]").inner_text()
        after = balances(app, elder_id, volunteer_id)
        assert after["volunteer"] == before["volunteer"] + 52
        if payer == "backstop":
            assert after["pool"] == before["pool"] - 52
        else:
            assert after["elder"] == (before["elder"][0] - 52, before["elder"][1])  # posted; the rest released
            assert after["pool"] == before["pool"]
        ledger_ok(app)
    app.config["TIMEBANK_FIXED_NOW"] = START
