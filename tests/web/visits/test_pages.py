"""Visit pages: the chain through HTML forms, QR scans with a controlled clock, role and scope denials."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.integration.visits.world import NOW
from tests.web.visits.conftest import VOLUNTEER_PASSWORD
from timebank.visits import onsite
from timebank.visits.models import ServiceRequest

LOCAL = "%Y-%m-%dT%H:%M"


def local(moment):
    return (moment + timedelta(hours=8)).strftime(LOCAL)  # Asia/Shanghai


def token_for(app, resident_id, issued=NOW):
    with app.test_request_context():
        return onsite.card_token(resident_id, issued)


def test_station_posts_volunteer_takes_scans_relative_confirms(app, web, vw, make_staff, at):
    vw.backstop(600)
    elder = vw.resident(kinds=("tekun",))
    daughter = vw.relative_user(elder.id)
    volunteer = vw.volunteer()
    make_staff("zhan0")
    web.login("zhan0", "Station-pass-2026")
    start = NOW + timedelta(days=1)
    page = f"/visits/new?resident_id={elder.id}"
    response = web.post(page, {
        "resident_id": elder.id, "category_id": vw.category().id, "earliest_start": local(start),
        "latest_end": local(start + timedelta(hours=2)), "duration_minutes": 60, "seats_volunteer": 1,
        "repeat_weeks": 1, "payer": "backstop"}, token_from=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    req = vw.session.scalar(select(ServiceRequest).where(ServiceRequest.resident_id == elder.id))
    board = web.client.get("/visits/board").get_data(as_text=True)
    assert f"/visits/{req.id}" in board
    web.logout()

    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    assert f"/visits/{req.id}" in web.client.get("/visits/open").get_data(as_text=True)
    assert web.post(f"/visits/{req.id}/take", token_from=f"/visits/{req.id}").status_code == 302
    vw.session.refresh(req)
    assert req.status == "matched"
    token = token_for(app, elder.id)
    at(req.scheduled_start + timedelta(minutes=2))
    scan = web.client.get(f"/v/{token}").get_data(as_text=True)
    assert 'data-action="check_in"' in scan
    assert web.post(f"/v/{token}", token_from=f"/v/{token}").status_code == 302
    at(req.scheduled_start + timedelta(minutes=57))
    assert 'data-action="check_out"' in web.client.get(f"/v/{token}").get_data(as_text=True)
    assert web.post(f"/v/{token}", token_from=f"/v/{token}").status_code == 302
    vw.session.refresh(req)
    assert req.status == "done" and req.seats[0].credited_minutes == 55
    tasks = web.client.get("/visits/mine").get_data(as_text=True)
    assert f'data-request="{req.id}"' in tasks
    web.logout()

    web.login(daughter.phone, VOLUNTEER_PASSWORD)
    assert f"/visits/{req.id}" in web.client.get("/visits/services").get_data(as_text=True)
    pool = vw.pool("backstop").balance
    response = web.post(f"/visits/{req.id}/confirm", {"c-rating": 4, "c-comment": "谢谢"}, token_from=f"/visits/{req.id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    vw.session.refresh(req)
    assert req.status == "settled" and req.rating == 4
    assert vw.balance(volunteer.person_id) == 55
    assert vw.pool("backstop").balance == pool - 55
    vw.check()


def test_qr_token_forged_expired_and_someone_elses(app, web, vw, at):
    elder, other = vw.resident(), vw.resident(name="李桂兰")
    vw.fund(elder.id, 300)
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, elder, payer="own")
    vw.take(volunteer, req)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    at(req.scheduled_start)
    before = vw.snapshot()
    good = token_for(app, elder.id)
    forged = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    assert web.client.get(f"/v/{forged}").status_code == 404
    assert web.post(f"/v/{forged}", token_from="/visits/mine").status_code == 404
    expired = token_for(app, elder.id, issued=NOW - timedelta(days=731))
    response = web.client.get(f"/v/{expired}")
    assert response.status_code == 410 and "过期" in response.get_data(as_text=True)
    someone_else = token_for(app, other.id)
    assert web.client.get(f"/v/{someone_else}").status_code == 403
    assert web.post(f"/v/{someone_else}", token_from="/visits/mine").status_code == 403
    at(req.scheduled_start - timedelta(hours=3))  # too early: not "around now"
    assert web.post(f"/v/{good}", token_from="/visits/mine").status_code == 403
    assert vw.snapshot() == before


def test_roles_and_scope_are_enforced(app, web, vw, make_staff):
    elder = vw.resident(village="village10")  # township 1
    vw.backstop(600)
    req = vw.post(vw.admin, elder, payer="county_donation")
    make_staff("zhan0", 0)
    web.login("zhan0", "Station-pass-2026")
    for path in (f"/visits/{req.id}", f"/visits/new?resident_id={elder.id}", f"/visits/card/{elder.id}"):
        assert web.client.get(path).status_code == 404, path
    assert web.post(f"/visits/{req.id}/cancel", {"x-reason": "x"}, token_from="/visits/board").status_code == 404
    assert f"/visits/{req.id}" not in web.client.get("/visits/board").get_data(as_text=True)
    assert web.client.get("/admin/catalog/").status_code == 403
    assert web.client.get("/visits/mine").status_code == 403
    web.logout()
    volunteer = vw.volunteer()
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    for path in ("/visits/board", f"/visits/card/{elder.id}", "/admin/catalog/", "/visits/services"):
        assert web.client.get(path).status_code == 403, path
    assert web.client.get(f"/visits/new?resident_id={elder.id}").status_code == 404
    assert web.post(f"/visits/{req.id}/cancel", {"x-reason": "x"}, token_from="/visits/mine").status_code == 403
    assert web.post(f"/visits/{req.id}/assign", {"a-volunteer_id": volunteer.person_id},
                    token_from="/visits/mine").status_code == 403
    web.logout()
    for path in ("/visits/board", "/visits/mine", f"/visits/{req.id}", "/me/profile"):
        assert web.client.get(path).status_code == 302, path  # to the login page


def test_safety_request_hidden_from_ordinary_volunteers(web, vw):
    elder = vw.resident(kinds=("de_facto_orphan",))
    vw.backstop(600)
    req = vw.post(vw.admin, elder, payer="backstop", safety=True)
    assert (req.seats_volunteer, req.seats_social_worker) == (0, 1)
    volunteer = vw.volunteer()
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    assert f"/visits/{req.id}" not in web.client.get("/visits/open").get_data(as_text=True)
    assert web.client.get(f"/visits/{req.id}").status_code == 404
    web.logout()
    worker = vw.volunteer(social_worker=True)
    web.login(worker.phone, VOLUNTEER_PASSWORD)
    assert f"/visits/{req.id}" in web.client.get("/visits/open").get_data(as_text=True)
    assert web.post(f"/visits/{req.id}/take", token_from=f"/visits/{req.id}").status_code == 302


def test_staff_assigns_by_hand_and_sees_reliability(web, vw, make_staff):
    elder = vw.resident()
    vw.fund(elder.id, 300)
    volunteer = vw.volunteer(name="赵可靠")
    req = vw.post(vw.admin, elder, payer="own")
    make_staff("zhan0")
    web.login("zhan0", "Station-pass-2026")
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "赵可靠" in page and re.search(r"服务0/临退0/未到0", page)
    response = web.post(f"/visits/{req.id}/assign", {"a-volunteer_id": volunteer.person_id},
                        token_from=f"/visits/{req.id}")
    assert response.status_code == 302
    vw.session.refresh(req)
    assert req.status == "matched" and req.seats[0].source == "station"
    assert vw.account(elder.id).pending_debits == 90


def test_pages_render_in_english_and_elder_mode(web, vw, make_staff):
    elder = vw.resident()
    vw.fund(elder.id, 300)
    vw.post(vw.admin, elder, payer="own")
    make_staff("zhan0")
    web.login("zhan0", "Station-pass-2026")
    web.client.set_cookie("timebank_lang", "en")
    web.client.set_cookie("timebank_elder", "1")
    for path in ("/visits/board", f"/visits/card/{elder.id}", f"/visits/new?resident_id={elder.id}"):
        response = web.client.get(path)
        assert response.status_code == 200, path
        assert 'class="elder"' in response.get_data(as_text=True)
