"""A group activity in Chromium against a live server: a village team of 30 members (made through the
services) runs a 重阳节 visit; 25 attend, 5 by scanning the activity's QR code in their own logged-in
browsers and 20 ticked by the leader on the list; the station confirms and every attendee's minutes move
in one operation (by the county's default rule, into the county donation pool); a second confirmation
changes nothing. The live server's fixed clock is moved between steps. Screenshots at phone width."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.browser.conftest import PHONE, LiveServer, shot
from tests.conftest import (
    base_config,
    drop_pg_database,
    new_id_number,
    new_phone,
    pg_database_url,
    postgres_url,
    upgrade,
)
from timebank import create_app
from timebank.extensions import db

START = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
BEGIN = START + timedelta(hours=1)
END = BEGIN + timedelta(hours=3)
PASSWORD = "Volunteer-pass-2026"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_app(request, tmp_path_factory):
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('glive') / 'live.db'}"
    else:
        if postgres_url() is None:
            pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
        name = f"timebank_glive_{os.getpid()}"
        url = pg_database_url(name)
    app = create_app(base_config(url, TESTING=False, TIMEBANK_FIXED_NOW=START))
    upgrade(app)
    with app.app_context():
        from timebank import clock
        from timebank.demo.seed import seed_demo

        seed_demo(db.session, today=clock.today(), volunteers=12, residents=12)
        db.session.commit()
        world = build_team(app)
    with LiveServer(app) as server:
        yield server, app, world
    with app.app_context():
        db.engine.dispose()
    if name:
        drop_pg_database(name)


def build_team(app) -> dict:
    """The leader, 30 members (approved volunteers with logins), the team and the activity, all enrolled."""
    from timebank.accounts import service as accounts
    from timebank.accounts.models import OrgNode, User
    from timebank.orgs import activities
    from timebank.orgs import service as orgs
    from timebank.people import service as people

    session = db.session
    with app.test_request_context():
        admin = session.scalar(select(User).where(User.username == "admin"))
        station = session.scalar(select(User).where(User.username == "chengguan"))
        village = session.scalar(select(OrgNode).where(OrgNode.parent_id == station.node_id).order_by(OrgNode.code))

        def volunteer(name: str) -> User:
            phone = new_phone()
            user = people.signup_volunteer(session, people.SignupInput(
                person=accounts.PersonInput(name=name, id_number=new_id_number(), phone=phone, address=None,
                                            node_id=village.id),
                password=PASSWORD, skill_ids=(), emergency_contact_name="李娜", emergency_contact_phone=new_phone(),
                privacy_consent=True), today=START.date(), now=START)
            people.review_volunteer(session, admin, user.person_id, approve=True, reason=None, now=START)
            return user

        leader = volunteer("周队长")
        org = orgs.register(session, station, orgs.OrgInput(name="重阳志愿服务队", kind="village_team",
                                                           node_id=village.id, leader_person_id=leader.person_id),
                            now=START, today=START.date())
        members = [volunteer(f"队员{i:02d}") for i in range(30)]
        for member in members:
            orgs.add_member(session, station, org.id, member.person_id, now=START, today=START.date())
        act = activities.post(session, station, activities.ActivityInput(
            title="重阳节敬老院探访", place="城关镇敬老院", starts_at=BEGIN, ends_at=END, capacity=500, org_id=org.id,
            beneficiary_count=60), now=START)
        activities.enrol(session, leader, act.id, [m.person_id for m in members], now=START, today=START.date())
        token, _row = accounts.issue_api_token(session, station, "browser-test", now=START)
        session.commit()
        return {"leader": leader.phone, "members": [(m.phone, m.person_id) for m in members], "activity": act.id,
                "org": org.id, "station_token": token}


def login(page, base, user, password):
    page.goto(f"{base}/login")
    page.fill("#login", user)
    page.fill("#password", password)
    page.click("[data-test=login-submit]")
    page.wait_for_load_state()


def money(app, person_ids) -> tuple[list[int], int, int]:
    """(each member's balance, the county donation pool, transfers referring to the activity)."""
    from timebank.ledger import domain as ledger_domain
    from timebank.ledger import service as ledger
    from timebank.ledger.models import Transfer

    with app.app_context():
        balances = [ledger.account_for_person(db.session, p).balance for p in person_ids]
        pool = ledger.system_account(db.session, ledger_domain.pool_code("county_donation")).balance
        count = db.session.scalar(select(func.count()).select_from(Transfer))
        db.session.commit()
        return balances, pool, count


def test_thirty_members_twenty_five_attend_by_qr_and_list_and_the_station_confirms(live_app, page_factory):
    server, app, world = live_app
    base = server.url
    activity_id = world["activity"]
    members = world["members"]
    by_qr, by_list, absent = members[:5], members[5:25], members[25:]
    try:
        # the leader shows the activity's QR code
        app.config["TIMEBANK_FIXED_NOW"] = BEGIN - timedelta(minutes=10)
        leader = page_factory()
        login(leader, base, world["leader"], PASSWORD)
        leader.goto(f"{base}/orgs/activities/{activity_id}")
        leader.click("[data-test=activity-qr]")
        qr_url = leader.inner_text("[data-test=qr-url]").strip()
        assert qr_url.startswith("http") and "/orgs/a/" in qr_url
        assert leader.locator("[data-test=activity-qr-card] svg").count() == 1

        # five members scan it in their own logged-in phones: checked in
        phones = []
        for phone, _pid in by_qr:
            page = page_factory(viewport=PHONE)
            login(page, base, phone, PASSWORD)
            page.goto(qr_url.replace("http://localhost", base))
            page.click("[data-test=scan-submit][data-action=check_in]")
            page.wait_for_load_state()
            assert "签到成功" in page.content()
            phones.append(page)
        shot(phones[0], "group-activity-scanned")

        # the leader ticks the twenty others on the list
        app.config["TIMEBANK_FIXED_NOW"] = BEGIN + timedelta(minutes=5)
        leader.goto(f"{base}/orgs/activities/{activity_id}/attendees")
        for _phone, pid in by_list:
            leader.check(f"[data-test=tick-{pid}]")
        leader.select_option("#t-action", "check_in")
        leader.click("[data-test=tick-submit]")
        leader.wait_for_load_state()
        assert "已签到25人" in leader.inner_text("[data-test=attendance-counts]")

        # checking out someone absent is refused on the page, nothing changes
        leader.check(f"[data-test=tick-{absent[0][1]}]")
        leader.select_option("#t-action", "check_out")
        leader.click("[data-test=tick-submit]")
        assert "还没有签到，不能签退" in leader.inner_text("[data-test=attendance-error]")

        # at the end: the QR five scan again (check-out), the leader checks out the twenty
        app.config["TIMEBANK_FIXED_NOW"] = END + timedelta(minutes=10)
        for page in phones:
            page.goto(qr_url.replace("http://localhost", base))
            page.click("[data-test=scan-submit][data-action=check_out]")
            page.wait_for_load_state()
        leader.goto(f"{base}/orgs/activities/{activity_id}/attendees")
        for _phone, pid in by_list:
            leader.check(f"[data-test=tick-{pid}]")
        leader.select_option("#t-action", "check_out")
        leader.click("[data-test=tick-submit]")
        leader.wait_for_load_state()
        assert "已签退25人" in leader.inner_text("[data-test=attendance-counts]")
        shot(leader, "group-activity-list")

        # the station confirms: 25 attendees credited in one operation, into the county pool by default
        ids = [pid for _phone, pid in members]
        before = money(app, ids)
        app.config["TIMEBANK_FIXED_NOW"] = END + timedelta(hours=1)
        station = page_factory()
        login(station, base, "chengguan", "Demo-station-2026")
        station.goto(f"{base}/orgs/activities/{activity_id}")
        station.click("[data-test=activity-confirm]")
        station.wait_for_load_state()
        assert "25人共75小时已记入" in station.content()
        assert "捐入县捐赠时间池" in station.inner_text("[data-test=activity-credited]")
        shot(station, "group-activity-confirmed")
        after = money(app, ids)
        assert after[0] == before[0]  # Nanjing's rule (the default): group minutes are donation-only
        assert after[1] - before[1] == 25 * 180
        assert after[2] - before[2] == 50  # per attendee: earned, then donated (linked), all in one commit

        # a second confirmation changes nothing
        again = station.request.post(f"{base}/api/v1/activities/{activity_id}/confirm",
                                     headers={"Authorization": f"Bearer {world['station_token']}"})
        assert again.status == 409 and again.json()["error"] == "already_confirmed"
        assert money(app, ids) == after
        with app.app_context():
            from timebank.ledger import reconcile

            assert reconcile.run_check(db.session, now=END, record=False).ok
            db.session.commit()
    finally:
        app.config["TIMEBANK_FIXED_NOW"] = START
