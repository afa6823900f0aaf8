"""Least disclosure on request pages and in the API: unapproved volunteers see nothing, approved ones see the
village and a masked name until they hold a live seat, and lose the details again after check-out."""

from __future__ import annotations

from tests.integration.visits.world import NOW
from tests.web.visits.conftest import VOLUNTEER_PASSWORD
from timebank.accounts import service as accounts


def bearer(vw, user) -> dict:
    plain, _token = accounts.issue_api_token(vw.session, user, "test", now=NOW)
    vw.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def request_for_elder(vw):
    vw.backstop(600)
    elder = vw.resident(kinds=("tekun",))
    elder.phone = "13712345678"
    vw.session.commit()
    return elder, vw.post(vw.admin, elder, payer="backstop")


SECRETS = ("王秀英", "幸福路1号", "13712345678", "一级", "特困", "政府兜底时间池")


def test_unapproved_volunteer_gets_404_and_an_empty_list(web, client, vw):
    _elder, req = request_for_elder(vw)
    for status in ("pending", "rejected"):
        user = vw.make_volunteer(status=status, name="新人")
        web.login(user.phone, VOLUNTEER_PASSWORD)
        assert web.client.get(f"/visits/{req.id}").status_code == 404
        listing = web.client.get("/visits/open").get_data(as_text=True)
        assert "审核通过后才能查看服务需求" in listing and f"/visits/{req.id}" not in listing
        assert web.post(f"/visits/{req.id}/take", token_from="/visits/open").status_code == 404
        web.logout()
        api = client.get(f"/api/v1/visits/{req.id}", headers=bearer(vw, user))
        assert api.status_code == 404 and api.get_json()["error"] == "not_found"


def test_village_before_taking_details_while_serving_village_after_check_out(web, client, vw):
    _elder, req = request_for_elder(vw)
    volunteer = vw.volunteer()
    headers = bearer(vw, volunteer)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)

    listing = web.client.get("/visits/open").get_data(as_text=True)
    assert f"/visits/{req.id}" in listing and "王**" in listing
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "王**" in page and "甲镇0村" in page
    for secret in SECRETS:
        assert secret not in page and secret not in listing, secret
    body = client.get(f"/api/v1/visits/{req.id}", headers=headers).get_json()
    assert body["resident_name"] == "王**" and body["village"] == "甲镇0村" and body["disclosure"] == "village"
    assert body["address"] is None and body["phone"] is None and body["priority_tier"] is None
    assert body["payer"] is None and body["resident_id"] is None

    assert web.post(f"/visits/{req.id}/take", token_from=f"/visits/{req.id}").status_code == 302
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "王秀英" in page and "幸福路1号" in page and "13712345678" in page
    assert "一级" not in page and "政府兜底时间池" not in page  # the tier and payer stay with the station
    tasks = web.client.get("/visits/mine").get_data(as_text=True)
    assert "王秀英" in tasks and "幸福路1号" in tasks
    body = client.get(f"/api/v1/visits/{req.id}", headers=headers).get_json()
    assert (body["resident_name"], body["address"], body["phone"]) == ("王秀英", "幸福路1号", "13712345678")
    assert body["disclosure"] == "seat" and body["priority_tier"] is None

    vw.session.refresh(req)
    vw.serve(volunteer, req)
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "王**" in page
    for secret in SECRETS:
        assert secret not in page, secret
    assert "幸福路1号" not in web.client.get("/visits/mine").get_data(as_text=True)
    body = client.get(f"/api/v1/visits/{req.id}", headers=headers).get_json()
    assert body["address"] is None and body["resident_name"] == "王**"


def test_give_back_returns_to_the_village_view(web, vw):
    _elder, req = request_for_elder(vw)
    volunteer = vw.volunteer()
    vw.take(volunteer, req)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    assert "幸福路1号" in web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert web.post(f"/visits/{req.id}/give-back", token_from=f"/visits/{req.id}").status_code == 302
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "幸福路1号" not in page and "王秀英" not in page


def test_staff_and_family_still_see_everything(web, client, vw, make_staff):
    elder, req = request_for_elder(vw)
    daughter = vw.relative_user(elder.id)
    make_staff("zhan0")
    web.login("zhan0", "Station-pass-2026")
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert all(secret in page for secret in ("王秀英", "幸福路1号", "一级", "政府兜底时间池"))
    web.logout()
    web.login(daughter.phone, VOLUNTEER_PASSWORD)
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "王秀英" in page and "幸福路1号" in page
    body = client.get(f"/api/v1/visits/{req.id}", headers=bearer(vw, daughter)).get_json()
    assert body["disclosure"] == "full" and body["priority_tier"] == 1 and body["address"] == "幸福路1号"
    web.logout()
    make_staff("yi0", township_index=1)
    web.login("yi0", "Station-pass-2026")
    assert web.client.get(f"/visits/{req.id}").status_code == 404


def test_proposal_reasons_shown_to_volunteers_leave_out_the_priority_weight(app):
    from types import SimpleNamespace

    proposal = SimpleNamespace(explanation={"priority_minutes": 1234, "continuity": True, "travel_km": 2.5})
    with app.test_request_context():
        for_staff = app.jinja_env.get_template("dispatch/_why.html").render(proposal=proposal, _=lambda s, **k: s % k)
        mine = app.jinja_env.from_string('{% set volunteer_view = True %}{% include "dispatch/_why.html" %}')
        for_volunteer = mine.render(proposal=proposal, _=lambda s, **k: s % k)
    assert "1234" in for_staff and "1234" not in for_volunteer and "2.5" in for_volunteer
