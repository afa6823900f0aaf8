"""Must show 2, in real Chromium against a live server: the 城关镇 station moves an elder to a village of
东湖镇 (the 东湖镇 login sees the elder, 城关镇 gets 404), then 东湖镇 records the death. The balance goes where
the policy says (the county donation pool by default), the elder's open request is cancelled and its hold
voided, the daughter is told, and the ledger check passes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.browser.conftest import PHONE, shot
from tests.browser.test_visit_chain import START, facts, ledger_ok, login, next_start
from tests.browser.test_visit_chain import live_app as live_app  # noqa: F401 (the seeded live server, moveable clock)
from timebank.extensions import db

ELDER_BALANCE = 600


def setup_elder(app) -> tuple[int, int, int]:
    """(elder id, a 东湖镇 village id, the daughter's user id); the elder is given hours to spend."""
    from timebank.accounts.models import OrgNode, User
    from timebank.ledger import grants
    from timebank.ledger import service as ledger

    elder_id, _volunteer, _category, _slot = facts(app)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        donghu = db.session.scalar(select(User).where(User.username == "donghu"))
        village = db.session.scalar(select(OrgNode).where(OrgNode.kind == "village", OrgNode.parent_id
                                                          == donghu.node_id).order_by(OrgNode.code))
        grants.grant(db.session, admin, to="backstop", minutes=ELDER_BALANCE, reason="测试", key="mv-grant",
                     now=START, today=START.date())
        backstop = ledger.system_account(db.session, "pool:backstop").id
        ledger.earn(db.session, payer_account_id=backstop, person_id=elder_id, minutes=ELDER_BALANCE,
                    key="mv-earn", reference="visit:1", now=START, today=START.date())
        daughter = db.session.scalar(select(User).where(User.phone == "13900000002"))
        db.session.commit()
        return elder_id, village.id, daughter.id


def matched_request_with_hold(app, elder_id: int) -> tuple[int, int]:
    """The new station posts a request paid from the elder's own hours; a volunteer takes it (a hold)."""
    from timebank.accounts.models import User
    from timebank.visits import service as visits
    from timebank.visits.models import Seat

    _elder, volunteer_id, category_id, slot = facts(app)
    with app.app_context():
        donghu = db.session.scalar(select(User).where(User.username == "donghu"))
        volunteer = db.session.scalar(select(User).where(User.person_id == volunteer_id))
        start = next_start(slot, 1)
        req = visits.post_request(db.session, donghu, visits.RequestInput(
            resident_id=elder_id, category_id=category_id, earliest_start=start,
            latest_end=start + timedelta(hours=2), duration_minutes=60, payer="own"), now=START,
            today=START.date())[0]
        visits.take_seat(db.session, volunteer, req.id, now=START, today=START.date())
        db.session.commit()
        seat = db.session.scalar(select(Seat).where(Seat.request_id == req.id))
        assert req.status == "matched" and seat.hold_id is not None
        return req.id, seat.hold_id


def test_move_to_another_township_then_death(live_app, page_factory):
    server, app = live_app
    base = server.url
    elder_id, village_id, daughter_id = setup_elder(app)

    chengguan = page_factory(viewport=PHONE)
    login(chengguan, base, "chengguan", "Demo-station-2026")
    chengguan.goto(f"{base}/station/residents/{elder_id}")
    assert chengguan.locator("[data-test=role-resident]").count() == 1
    chengguan.click("[data-test=person-page]")
    assert chengguan.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # fits a phone
    shot(chengguan, "person-record-phone")
    chengguan.select_option("#move-village_id", value=str(village_id))
    chengguan.fill("#move-address", "东湖镇幸福里5号")
    chengguan.fill("#move-reason", "随女儿居住")
    chengguan.click("[data-test=move-submit]")
    chengguan.wait_for_load_state()
    assert "档案已移交当地社工站" in chengguan.content()
    assert chengguan.goto(f"{base}/station/people/{elder_id}").status == 404
    assert chengguan.goto(f"{base}/station/residents/{elder_id}").status == 404

    request_id, hold_id = matched_request_with_hold(app, elder_id)

    donghu = page_factory(viewport=PHONE)
    login(donghu, base, "donghu", "Demo-station-2026")
    response = donghu.goto(f"{base}/station/people/{elder_id}")
    assert response.status == 200
    assert donghu.locator("[data-test=person-village]").inner_text().strip() != ""
    assert "东湖镇幸福里5号" in donghu.content()
    assert "县捐赠时间池" in donghu.locator("[data-test=death-policy]").inner_text()
    donghu.fill("#death-died_on", START.date().isoformat())
    donghu.click("[data-test=death-submit]")
    donghu.wait_for_load_state()
    assert "已登记为已故" in donghu.content()
    assert donghu.locator("[data-test=person-status-value]").inner_text().startswith("已故")
    assert donghu.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(donghu, "person-deceased-phone")

    from timebank.ledger import service as ledger
    from timebank.ledger.models import Transfer
    from timebank.notify.models import Notification
    from timebank.visits.models import ServiceRequest

    with app.app_context():
        req = db.session.get(ServiceRequest, request_id)
        assert req.status == "cancelled"
        assert db.session.scalar(select(Transfer.phase).where(Transfer.pending_id == hold_id)) == "void"
        elder = ledger.account_for_person(db.session, elder_id)
        assert elder.balance - elder.pending_debits == 0  # only holds of services not cancelled remain reserved
        to_pool = db.session.scalar(select(Transfer).where(Transfer.idempotency_key == f"death:{elder_id}"))
        pool = ledger.system_account(db.session, "pool:county_donation")
        assert to_pool.credit_account_id == pool.id and to_pool.minutes >= ELDER_BALANCE
        told = db.session.scalar(select(Notification.id).where(Notification.user_id == daughter_id,
                                                               Notification.event == "person_moved"))
        assert told is not None
        db.session.rollback()
    ledger_ok(app)
