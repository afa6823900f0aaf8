"""Pages and API for redeeming own hours (refusals at posting: 422 next to the payer, nothing created), the
station's review queue, and 换人 — with role and scope denials."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.integration.visits.world import NOW, TODAY
from tests.web.visits.conftest import VOLUNTEER_PASSWORD
from timebank.people.models import ResidentProfile
from timebank.visits.models import Exclusion, ServiceRequest

LOCAL = "%Y-%m-%dT%H:%M"


def local(moment):
    return (moment + timedelta(hours=8)).strftime(LOCAL)


def _form(vw, resident_id, payer):
    start = NOW + timedelta(days=1)
    return {"resident_id": resident_id, "category_id": vw.category().id, "earliest_start": local(start),
            "latest_end": local(start + timedelta(hours=2)), "duration_minutes": 60, "seats_volunteer": 1,
            "repeat_weeks": 1, "payer": payer}


def _requests(vw) -> int:
    return vw.session.scalar(select(func.count()).select_from(ServiceRequest))


def _depositor(vw, age):
    user = vw.volunteer(birth=date(TODAY.year - age, 6, 1))
    vw.fund(user.person_id, 300)
    vw.session.add(ResidentProfile(person_id=user.person_id, living_situation="alone", consent_form_ref="ZQ-2"))
    vw.session.commit()
    return user


def _api_token(client, login, password):
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password, "name": "t"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_posting_page_refuses_own_hours_under_sixty_next_to_the_payer(web, vw):
    young = _depositor(vw, 58)
    web.login(young.phone, VOLUNTEER_PASSWORD)
    page = "/visits/new"
    assert "我的时间账户（为配偶或直系亲属支付）" in web.client.get(page).get_data(as_text=True)
    before = _requests(vw)
    response = web.post(page, _form(vw, young.person_id, "own"), token_from=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="payer-err"' in html and "本人年满60周岁才能使用自己的时长（当前58岁）" in html
    assert _requests(vw) == before and vw.account(young.person_id).pending_debits == 0


def test_posting_page_own_hours_at_sixty_opens(web, vw):
    old = _depositor(vw, 61)
    web.login(old.phone, VOLUNTEER_PASSWORD)
    response = web.post("/visits/new", _form(vw, old.person_id, "own"), token_from="/visits/new")
    assert response.status_code == 302
    req = vw.session.scalar(select(ServiceRequest).where(ServiceRequest.resident_id == old.person_id))
    assert req.status == "open" and req.paid_by_person_id == old.person_id


def test_api_refuses_with_the_error_body_and_creates_nothing(client, vw):
    young = _depositor(vw, 58)
    headers = _api_token(client, young.phone, VOLUNTEER_PASSWORD)
    start = NOW + timedelta(days=1)
    body = {"resident_id": young.person_id, "category_id": vw.category().id, "earliest_start": start.isoformat(),
            "latest_end": (start + timedelta(hours=2)).isoformat(), "duration_minutes": 60, "payer": "own"}
    before = _requests(vw)
    response = client.post("/api/v1/visits", json=body, headers=headers)
    assert response.status_code == 422
    assert response.get_json() == {"error": "policy_violation", "field": "payer",
                                   "message": "本人年满60周岁才能使用自己的时长（当前58岁）",
                                   "details": {"reason": "age", "age": 58}}
    assert _requests(vw) == before
    english = client.post("/api/v1/visits", json=body, headers={**headers, "Accept-Language": "en"})
    assert english.status_code == 422 and "60" in english.get_json()["message"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english.get_json()["message"])


def test_review_queue_approve_and_reject_pages(web, vw, make_staff):
    elder = vw.resident(kinds=("tekun",))
    daughter = vw.relative_user(elder.id)
    web.login(daughter.phone, VOLUNTEER_PASSWORD)
    page = f"/visits/new?resident_id={elder.id}"
    response = web.post(page, _form(vw, elder.id, "backstop"), token_from=page)
    assert response.status_code == 302
    first = vw.session.scalar(select(ServiceRequest).where(ServiceRequest.resident_id == elder.id))
    assert first.status == "review"
    web.post(page, _form(vw, elder.id, "backstop"), token_from=page)
    second = vw.session.scalar(select(ServiceRequest).where(ServiceRequest.id != first.id))
    assert web.client.get("/visits/review").status_code == 403  # not staff
    web.logout()

    make_staff("zhan1", township_index=1)
    web.login("zhan1", "Station-pass-2026")
    assert f"/visits/{first.id}" not in web.client.get("/visits/review").get_data(as_text=True)
    assert web.post(f"/visits/{first.id}/approve", token_from="/visits/review").status_code == 404
    web.logout()

    make_staff("zhan0")
    web.login("zhan0", "Station-pass-2026")
    queue = web.client.get("/visits/review").get_data(as_text=True)
    assert f"/visits/{first.id}" in queue and f"/visits/{second.id}" in queue
    detail = web.client.get(f"/visits/{first.id}").get_data(as_text=True)
    assert 'data-test="approve"' in detail
    assert web.post(f"/visits/{first.id}/approve", {"v-reason": ""}, token_from=f"/visits/{first.id}").status_code == 302
    vw.session.refresh(first)
    assert first.status == "open"
    missing = web.post(f"/visits/{second.id}/reject", {"v-reason": ""}, token_from=f"/visits/{second.id}")
    assert missing.status_code == 422 and "请填写不通过的原因" in missing.get_data(as_text=True)
    done = web.post(f"/visits/{second.id}/reject", {"v-reason": "不属于兜底范围"}, token_from=f"/visits/{second.id}")
    assert done.status_code == 302
    vw.session.refresh(second)
    assert second.status == "cancelled" and second.review_reason == "不属于兜底范围"
    assert f"/visits/{second.id}" not in web.client.get("/visits/review").get_data(as_text=True)


def test_review_api(client, vw, make_staff):
    elder = vw.resident(kinds=("tekun",))
    daughter = vw.relative_user(elder.id)
    req = vw.post(daughter, elder, payer="backstop")
    make_staff("zhan0")
    make_staff("zhan1", township_index=1)
    station = _api_token(client, "zhan0", "Station-pass-2026")
    other = _api_token(client, "zhan1", "Station-pass-2026")
    relative = _api_token(client, daughter.phone, VOLUNTEER_PASSWORD)
    queue = client.get("/api/v1/visits/review", headers=station).get_json()
    assert queue["total"] == 1 and queue["items"][0]["id"] == req.id and queue["items"][0]["status"] == "review"
    assert client.get("/api/v1/visits/review", headers=other).get_json()["total"] == 0
    assert client.get("/api/v1/visits/review", headers=relative).status_code == 403
    assert client.post(f"/api/v1/visits/{req.id}/approve", json={}, headers=other).status_code == 404
    bad = client.post(f"/api/v1/visits/{req.id}/reject", json={"reason": ""}, headers=station)
    assert bad.status_code == 422 and bad.get_json()["field"] == "reason"
    ok = client.post(f"/api/v1/visits/{req.id}/approve", json={"reason": "属实"}, headers=station)
    assert ok.status_code == 200 and ok.get_json()["status"] == "open"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/visits/review" in spec["paths"] and "422" in spec["paths"]["/api/v1/visits"]["post"]["responses"]
    assert "/api/v1/residents/{resident_id}/exclusions" in spec["paths"]


def test_exclusion_pages_and_api(web, client, vw, make_staff):
    elder = vw.resident()
    vw.fund(elder.id, 600)
    daughter = vw.relative_user(elder.id)
    volunteer = vw.volunteer(name="被换的")
    req = vw.post(daughter, elder, payer="own")
    vw.take(volunteer, req)
    vw.serve(volunteer, req)
    vw.confirm(daughter, req)
    web.login(daughter.phone, VOLUNTEER_PASSWORD)
    detail = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert 'data-test="exclude-form"' in detail
    empty = web.post(f"/visits/{req.id}/exclude", {"e-volunteer_id": volunteer.person_id, "e-reason": ""},
                     token_from=f"/visits/{req.id}")
    assert empty.status_code == 422 and "请填写原因" in empty.get_data(as_text=True)
    done = web.post(f"/visits/{req.id}/exclude", {"e-volunteer_id": volunteer.person_id, "e-reason": "老人不习惯"},
                    token_from=f"/visits/{req.id}")
    assert done.status_code == 302
    assert web.client.get(f"/visits/exclusions/{elder.id}").status_code == 403  # the page is the station's
    web.logout()

    make_staff("zhan1", township_index=1)
    web.login("zhan1", "Station-pass-2026")
    assert web.client.get(f"/visits/exclusions/{elder.id}").status_code == 404
    web.logout()
    make_staff("zhan0")
    web.login("zhan0", "Station-pass-2026")
    page = web.client.get(f"/visits/exclusions/{elder.id}").get_data(as_text=True)
    assert "被换的" in page and "老人不习惯" in page
    row = vw.session.scalar(select(Exclusion))
    removed = web.post(f"/visits/exclusions/{elder.id}/{row.id}/remove", token_from=f"/visits/exclusions/{elder.id}")
    assert removed.status_code == 302 and vw.session.scalar(select(Exclusion.id)) is None
    page = f"/visits/exclusions/{elder.id}"
    bad = web.post(page, {"e-volunteer_id": volunteer.person_id, "e-reason": ""}, token_from=page)
    assert bad.status_code == 422 and "请填写原因" in bad.get_data(as_text=True)
    added = web.post(page, {"e-volunteer_id": volunteer.person_id, "e-reason": "家属来电"}, token_from=page)
    assert added.status_code == 302 and vw.session.scalar(select(Exclusion.reason)) == "家属来电"
    removed = web.post(f"/visits/exclusions/{elder.id}/{vw.session.scalar(select(Exclusion.id))}/remove",
                       token_from=page)
    assert removed.status_code == 302 and vw.session.scalar(select(Exclusion.id)) is None

    station = _api_token(client, "zhan0", "Station-pass-2026")
    created = client.post(f"/api/v1/residents/{elder.id}/exclusions",
                          json={"volunteer_id": volunteer.person_id, "reason": "电话要求"}, headers=station)
    assert created.status_code == 201 and created.get_json()["volunteer_id"] == volunteer.person_id
    listed = client.get(f"/api/v1/residents/{elder.id}/exclusions", headers=station).get_json()["items"]
    assert [x["reason"] for x in listed] == ["电话要求"]
    again = client.post(f"/api/v1/residents/{elder.id}/exclusions",
                        json={"volunteer_id": volunteer.person_id, "reason": "再次"}, headers=station)
    assert again.status_code == 409
    gone = client.delete(f"/api/v1/residents/{elder.id}/exclusions/{created.get_json()['id']}", headers=station)
    assert gone.status_code == 204 and vw.session.scalar(select(Exclusion.id)) is None
