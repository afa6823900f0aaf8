"""Organisations and group activities through the pages and /api/v1: the flow, bad input shown on the page
with nothing changed, and the role and subtree denials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.orgs.conftest import OrgWorld
from timebank.accounts import service as accounts
from timebank.orgs import activities, attendance
from timebank.orgs.models import ActivitySignup, OrgMembership, VolunteerOrg

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


@pytest.fixture
def ow(session, county, make_staff, make_volunteer):
    return OrgWorld(session, county, make_staff, make_volunteer)


def bearer(session, user) -> dict:
    token, _row = accounts.issue_api_token(session, user, "test", now=NOW)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_a_volunteer_registers_an_org_the_station_approves_and_a_member_joins(web, ow, session):
    founder = ow.volunteer(name="王老师")
    web.login(founder.phone, "Volunteer-pass-2026")
    response = web.post("/orgs/new", {"name": "实验小学志愿服务队", "kind": "school"}, token_from="/orgs/new")
    assert response.status_code == 302
    org = session.scalar(select(VolunteerOrg).where(VolunteerOrg.name == "实验小学志愿服务队"))
    assert org.status == "pending" and org.leader_person_id == founder.person_id
    web.logout()
    web.login("orgs-jia", "Station-pass-2026")
    page = web.client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert 'data-test="org-approve"' in page
    assert web.post(f"/orgs/{org.id}/approve", token_from=f"/orgs/{org.id}").status_code == 302
    web.logout()
    joiner = ow.volunteer(name="赵敏")
    web.login(joiner.phone, "Volunteer-pass-2026")
    assert web.post(f"/orgs/{org.id}/join", token_from=f"/orgs/{org.id}").status_code == 302
    twice = web.post(f"/orgs/{org.id}/join", token_from=f"/orgs/{org.id}")
    assert twice.status_code == 409 and "已经申请或已是该组织成员" in twice.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(OrgMembership).where(
        OrgMembership.person_id == joiner.person_id)) == 1
    web.logout()
    web.login(founder.phone, "Volunteer-pass-2026")
    row = session.scalar(select(OrgMembership).where(OrgMembership.person_id == joiner.person_id))
    assert web.post(f"/orgs/{org.id}/requests/{row.id}/approve", token_from=f"/orgs/{org.id}").status_code == 302
    members = web.client.get(f"/orgs/{org.id}/members").get_data(as_text=True)
    assert "赵敏" in members


def test_activity_pages_bad_input_is_shown_and_nothing_changes(web, ow, session):
    web.login("orgs-jia", "Station-pass-2026")
    response = web.post("/orgs/activities/new", {
        "title": "重阳节活动", "place": "敬老院", "starts_at": "2026-12-01T10:00", "ends_at": "2026-12-01T09:00",
        "capacity": "30", "org_id": str(ow.org.id), "node_id": str(ow.county["village00"].id), "category_id": "0"},
        token_from="/orgs/activities/new")
    assert response.status_code == 422 and "结束时间必须晚于开始时间" in response.get_data(as_text=True)
    response = web.post("/orgs/activities/new", {
        "title": "重阳节活动", "place": "敬老院", "starts_at": "2026-11-29T11:00", "ends_at": "2026-11-29T14:00",
        "capacity": "30", "org_id": str(ow.org.id), "node_id": str(ow.county["village00"].id), "category_id": "0"},
        token_from="/orgs/activities/new")
    assert response.status_code == 302
    activity_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    member, stranger = ow.member(name="到场甲"), ow.member(name="未报名乙")
    activities.enrol(session, ow.leader, activity_id, [member.person_id], now=NOW, today=NOW.date())
    session.commit()
    attendees = f"/orgs/activities/{activity_id}/attendees"
    refused = web.post(f"/orgs/activities/{activity_id}/attendance",
                       {"t-action": "check_in", "person_id": [str(member.person_id), str(stranger.person_id)]},
                       token_from=attendees)
    assert refused.status_code == 422 and "没有报名此活动" in refused.get_data(as_text=True)
    early_out = web.post(f"/orgs/activities/{activity_id}/attendance",
                         {"t-action": "check_out", "person_id": [str(member.person_id)]}, token_from=attendees)
    assert early_out.status_code == 422 and "还没有签到，不能签退" in early_out.get_data(as_text=True)
    assert session.scalar(select(ActivitySignup.check_in_at).where(ActivitySignup.person_id == member.person_id)) \
        is None
    done = web.post(f"/orgs/activities/{activity_id}/attendance",
                    {"t-action": "check_in", "person_id": [str(member.person_id)]}, token_from=attendees)
    assert done.status_code == 302
    assert "已签到1人" in web.client.get(attendees).get_data(as_text=True)


def test_pages_show_the_qr_code_and_the_scan_checks_in(web, ow, session):
    act = ow.activity(start=NOW + timedelta(minutes=30))
    member = ow.member()
    activities.enrol(session, ow.leader, act.id, [member.person_id], now=NOW, today=NOW.date())
    session.commit()
    web.login(ow.leader.phone, "Volunteer-pass-2026")
    qr_page = web.client.get(f"/orgs/activities/{act.id}/qr").get_data(as_text=True)
    assert "<svg" in qr_page
    url = qr_page.split('data-test="qr-url" translate="no">', 1)[1].split("<", 1)[0]
    path = url.split("localhost", 1)[1]
    web.logout()
    web.login(member.phone, "Volunteer-pass-2026")
    assert 'data-action="check_in"' in web.client.get(path).get_data(as_text=True)
    assert web.post(path, token_from=path).status_code == 302
    assert session.scalar(select(ActivitySignup.check_in_at).where(ActivitySignup.person_id == member.person_id))
    bad = web.client.get("/orgs/a/forged-token")
    assert bad.status_code == 404 and "二维码无效" in bad.get_data(as_text=True)


def test_api_flow_and_denials(client, ow, session):
    station, other_station = bearer(session, ow.station), bearer(session, ow.other_station)
    leader = bearer(session, ow.leader)
    body = {"title": "重阳节探访", "place": "县敬老院", "starts_at": "2026-11-29T03:00:00+00:00",
            "ends_at": "2026-11-29T06:00:00+00:00", "capacity": 500, "org_id": ow.org.id}
    bad = client.post("/api/v1/activities", json={**body, "ends_at": "2026-11-29T02:30:00+00:00"}, headers=leader)
    assert bad.status_code == 422 and bad.get_json()["field"] == "ends_at"
    created = client.post("/api/v1/activities", json=body, headers=leader)
    assert created.status_code == 201 and created.get_json()["status"] == "pending"
    activity_id = created.get_json()["id"]
    assert client.post(f"/api/v1/activities/{activity_id}/approve", headers=other_station).status_code == 404
    assert client.get(f"/api/v1/orgs/{ow.org.id}", headers=other_station).status_code == 404
    assert client.post(f"/api/v1/activities/{activity_id}/approve", headers=station).get_json()["status"] == "open"
    members = [ow.member() for _ in range(3)]
    enrolled = client.post(f"/api/v1/activities/{activity_id}/enrol",
                           json={"person_ids": [m.person_id for m in members]}, headers=leader)
    assert enrolled.get_json() == {"count": 3}
    # another organisation's leader cannot tick this list; a volunteer cannot confirm
    other_leader = ow.volunteer(name="别队队长")
    from timebank.orgs import service

    service.register(session, ow.station, service.OrgInput(name="别的队", kind="other",
                                                           node_id=ow.county["village01"].id,
                                                           leader_person_id=other_leader.person_id),
                     now=NOW, today=NOW.date())
    session.commit()
    tick = {"action": "check_in", "person_ids": [m.person_id for m in members]}
    denied = client.post(f"/api/v1/activities/{activity_id}/attendance", json=tick,
                         headers=bearer(session, other_leader))
    assert denied.status_code in (403, 404)
    member_token = bearer(session, members[0])
    assert client.post(f"/api/v1/activities/{activity_id}/confirm", headers=member_token).status_code == 403
    assert client.post(f"/api/v1/activities/{activity_id}/attendance", json=tick, headers=leader).get_json() == \
        {"count": 3}
    page = client.get(f"/api/v1/activities/{activity_id}/attendees?per_page=2", headers=leader).get_json()
    assert len(page["items"]) == 2 and page["more"] is True
    listing = client.get("/api/v1/orgs", headers=member_token).get_json()
    assert ow.org.id in [o["id"] for o in listing["items"]]
    assert client.post(f"/api/v1/orgs/{ow.org.id}/join", headers=member_token).status_code == 409


def test_api_confirm_twice_changes_nothing(client, ow, session, app):
    act = ow.activity()
    member = ow.member()
    activities.enrol(session, ow.leader, act.id, [member.person_id], now=NOW, today=NOW.date())
    start = act.starts_at
    attendance.tick(session, ow.leader, act.id, [member.person_id], "check_in", at=start, now=start)
    attendance.tick(session, ow.leader, act.id, [member.person_id], "check_out", at=act.ends_at, now=act.ends_at)
    session.commit()
    station = bearer(session, ow.station)
    app.config["TIMEBANK_FIXED_NOW"] = act.ends_at + timedelta(hours=1)
    try:
        first = client.post(f"/api/v1/activities/{act.id}/confirm", headers=station)
        assert first.status_code == 200 and first.get_json()["minutes"] == 180
        second = client.post(f"/api/v1/activities/{act.id}/confirm", headers=station)
        assert second.status_code == 409 and second.get_json()["error"] == "already_confirmed"
    finally:
        app.config["TIMEBANK_FIXED_NOW"] = NOW


@pytest.mark.parametrize("mode", ["zh", "en", "elder"])
def test_every_orgs_page_renders_with_content_for_each_role(web, ow, session, mode):
    from tests.web.test_pages import untranslated_text

    act = ow.activity()
    member = ow.member(name="队员甲")
    activities.enrol(session, ow.leader, act.id, [member.person_id], now=NOW, today=NOW.date())
    attendance.tick(session, ow.leader, act.id, [member.person_id], "check_in", at=NOW, now=NOW)
    row = session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == act.id))
    attendance.correct(session, ow.leader, act.id, row.id, check_in_at=NOW, check_out_at=None, reason="补登",
                       now=NOW)
    pending = ow.volunteer(name="申请人")
    from timebank.orgs import service

    service.request_join(session, pending, ow.org.id, now=NOW, today=NOW.date())
    session.commit()
    if mode == "en":
        web.client.set_cookie("timebank_lang", "en")
    if mode == "elder":
        web.client.set_cookie("timebank_elder", "1")
    pages = {
        ("orgs-jia", "Station-pass-2026"): ["/orgs/", "/orgs/new", f"/orgs/{ow.org.id}", f"/orgs/{ow.org.id}/members",
                                            "/orgs/activities", "/orgs/activities/new",
                                            f"/orgs/activities/{act.id}", f"/orgs/activities/{act.id}/attendees",
                                            f"/orgs/activities/{act.id}/signups/{row.id}",
                                            f"/orgs/activities/{act.id}/qr"],
        (ow.leader.phone, "Volunteer-pass-2026"): [f"/orgs/{ow.org.id}", f"/orgs/{ow.org.id}/members",
                                                   "/orgs/activities/new", f"/orgs/activities/{act.id}/attendees"],
        (member.phone, "Volunteer-pass-2026"): ["/orgs/", f"/orgs/{ow.org.id}", "/orgs/activities",
                                                f"/orgs/activities/{act.id}",
                                                "/orgs/a/" + attendance.make_token(act.id)],
    }
    for (login, password), paths in pages.items():
        web.login(login, password)
        for path in paths:
            response = web.client.get(path)
            assert response.status_code == 200, (login, path, response.status_code)
            html = response.get_data(as_text=True)
            assert '="None"' not in html, path
            assert ('<html lang="en"' in html) == (mode == "en"), path
            if mode == "en":
                assert not untranslated_text(html), (path, untranslated_text(html))
        web.logout()
    web.login(member.phone, "Volunteer-pass-2026")
    assert web.client.get(f"/orgs/{ow.org.id}/members").status_code == 403  # members do not see others' hours
    assert web.client.get(f"/orgs/activities/{act.id}/attendees").status_code == 403
