"""Confirmation by the person served: on the volunteer's phone with the card code or a signature, by the
station after a phone call, the method recorded on every confirmation, auto-confirmation as the last resort,
the dashboard table and the API. Denials leave nothing changed; the ledger settles exactly once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.integration.visits.world import NOW, TODAY
from tests.web.visits.conftest import VOLUNTEER_PASSWORD
from tests.web.visits.test_pages import token_for
from timebank.notify.models import Notification
from timebank.visits import settle, signing
from timebank.visits.models import ServiceRecord, VisitEvent

STATION_PASSWORD = "Station-pass-2026"
SIGNATURE = "M40 200 L80 120 L120 210 L160 100 L220 180"


def code_of(app, resident_id, version=1):
    return signing.card_code(app.config["SECRET_KEY"], resident_id, version)


def wrong(code: str) -> str:
    return str((int(code) + 1) % 10 ** 6).zfill(6)


def served(vw, at, *, name="王秀英", volunteer=None, village="village00", day=1):
    """A visit paid with the resident's own hours, checked in and out (55 minutes): status done."""
    elder = vw.resident(name=name, village=village)
    vw.fund(elder.id, 300)
    volunteer = volunteer or vw.volunteer()
    req = vw.post(vw.admin, elder, payer="own", start=NOW + timedelta(days=day))
    vw.take(volunteer, req)
    vw.serve(volunteer, req, minutes=55)
    at(req.scheduled_start + timedelta(minutes=60))
    vw.session.refresh(req)
    assert req.status == "done"
    return elder, volunteer, req


def elder_post(web, req, **data):
    form = {f"e-{k}": v for k, v in data.items()}
    return web.post(f"/visits/{req.id}/elder-confirm", form, token_from=f"/visits/{req.id}/elder-confirm")


def settled_once(vw, req, volunteer, minutes=55):
    vw.session.refresh(req)
    assert req.status == "settled"
    assert vw.session.scalar(select(func.count()).select_from(ServiceRecord)
                             .where(ServiceRecord.request_id == req.id)) == 1
    assert vw.balance(volunteer.person_id) == minutes
    vw.check()


def test_scan_check_out_hands_the_phone_to_the_elder_who_confirms_with_the_card_code(app, web, vw, at):
    elder = vw.resident()
    vw.fund(elder.id, 300)
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, elder, payer="own")
    vw.take(volunteer, req)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    token = token_for(app, elder.id)
    at(req.scheduled_start + timedelta(minutes=2))
    assert web.post(f"/v/{token}", token_from=f"/v/{token}").status_code == 302
    at(req.scheduled_start + timedelta(minutes=57))
    response = web.post(f"/v/{token}", token_from=f"/v/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/visits/{req.id}/elder-confirm")
    page = web.client.get(f"/visits/{req.id}/elder-confirm").get_data(as_text=True)
    assert "满意" in page and "不满意" in page and 'data-test="signature-pad"' in page and "js/signature.js" in page
    assert "cdn" not in page.lower()

    code = code_of(app, elder.id)
    before = vw.snapshot()
    response = elder_post(web, req, satisfied="yes", code=wrong(code))
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "号码不对" in text and "还可以试4次" in text
    assert vw.snapshot() == before
    vw.session.refresh(req)
    assert req.code_failures == 1 and req.confirmation_method is None
    response = elder_post(web, req, satisfied="yes", code="12a")
    assert response.status_code == 422 and "6位数字" in response.get_data(as_text=True)
    vw.session.refresh(req)
    assert req.code_failures == 1  # a malformed entry is not a try

    response = elder_post(web, req, satisfied="yes", code=signing.grouped(code))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    vw.session.refresh(req)
    assert (req.confirmation_method, req.satisfied, req.signature_svg) == ("elder_code", True, None)
    assert req.confirmed_by_id is None  # the volunteer only carried the phone
    settled_once(vw, req, volunteer)
    detail = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "服务对象在志愿者手机上输入服务卡号码确认，满意。" in detail

    before = vw.snapshot()
    again = elder_post(web, req, satisfied="yes", code=code)
    assert again.status_code == 409 and "已经确认过了" in again.get_data(as_text=True)
    assert vw.snapshot() == before
    settled_once(vw, req, volunteer)


def test_a_second_confirmation_is_refused_with_a_clear_message(app, web, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    assert elder_post(web, req, satisfied="yes", code=code_of(app, elder.id)).status_code == 302
    web.logout()
    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    before = vw.snapshot()
    response = web.post(f"/visits/{req.id}/confirm", {"c-rating": 5}, token_from=f"/visits/{req.id}")
    assert response.status_code == 409 and "已经确认过了" in response.get_data(as_text=True)
    response = web.post(f"/visits/{req.id}/phone-confirm", {"p-answered_by": "本人", "p-satisfied": "yes"},
                        token_from=f"/visits/{req.id}")
    assert response.status_code == 409 and "已经确认过了" in response.get_data(as_text=True)
    assert vw.snapshot() == before
    with app.test_request_context():
        assert settle.auto_confirm_due(vw.session, now=req.done_at + timedelta(days=10), today=TODAY) == []
    settled_once(vw, req, volunteer)


def test_a_signature_drawn_on_the_screen_confirms_and_is_shown_as_path_data_only(app, web, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    daughter = vw.relative_user(elder.id)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    assert 'data-test="elder-confirm-link"' in web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    response = elder_post(web, req, satisfied="yes", signature=SIGNATURE)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    vw.session.refresh(req)
    assert (req.confirmation_method, req.satisfied, req.signature_svg) == ("elder_signature", True, SIGNATURE)
    settled_once(vw, req, volunteer)
    for login, password in ((volunteer.phone, VOLUNTEER_PASSWORD), (daughter.phone, VOLUNTEER_PASSWORD),
                            ("zhan0", STATION_PASSWORD)):
        if login == "zhan0":
            make_staff("zhan0")
        web.logout()
        web.login(login, password)
        page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
        assert f'<path d="{SIGNATURE}"' in page and "签名确认，满意。" in page, login


def test_bad_signatures_and_bad_answers_change_nothing(app, web, vw, at):
    elder, volunteer, req = served(vw, at)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    before = vw.snapshot()
    cases = [
        ({"satisfied": "yes", "signature": 'M0 0 L10 10"/><script>alert(1)</script>'}, "签名没有保存下来"),
        ({"satisfied": "yes", "signature": "<svg onload=alert(1)></svg>"}, "签名没有保存下来"),
        ({"satisfied": "yes", "signature": "M0 0 " + "L1 1 " * 5000}, "签名太大"),
        ({"satisfied": "yes", "signature": "M10 10"}, "签名没有保存下来"),
        ({"satisfied": "yes", "code": code_of(app, elder.id), "signature": SIGNATURE}, "只选一种方式"),
        ({"satisfied": "yes"}, "请输入服务卡上的号码"),
        ({"code": code_of(app, elder.id)}, "请选择满意或不满意"),
        ({"satisfied": "maybe", "code": code_of(app, elder.id)}, ""),
    ]
    for data, message in cases:
        response = elder_post(web, req, **data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert vw.snapshot() == before
    vw.session.refresh(req)
    assert req.status == "done" and req.signature_svg is None and req.code_failures == 0


def test_not_satisfied_opens_a_dispute_for_the_station_instead_of_settling(app, web, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    response = elder_post(web, req, satisfied="no", code=code_of(app, elder.id), note="来晚了半小时")
    assert response.status_code == 302
    vw.session.refresh(req)
    assert (req.status, req.satisfied, req.confirmation_method) == ("disputed", False, "elder_code")
    assert req.dispute_reason == "来晚了半小时"
    assert vw.balance(volunteer.person_id) == 0
    assert vw.session.scalar(select(func.count()).select_from(ServiceRecord)
                             .where(ServiceRecord.request_id == req.id)) == 0
    vw.check()
    web.logout()
    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "不满意，已转社工站处理。" in page and 'data-test="resolve-form"' in page
    response = web.post(f"/visits/{req.id}/resolve", {"r-outcome": "part", "r-minutes": 30, "r-reason": "已核实"},
                        token_from=f"/visits/{req.id}")
    assert response.status_code == 302
    assert vw.balance(volunteer.person_id) == 30
    vw.check()


def test_five_wrong_codes_then_only_the_station_confirms_by_phone(app, web, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    code = code_of(app, elder.id)
    for attempt in range(1, 6):
        response = elder_post(web, req, satisfied="yes", code=wrong(code))
        assert response.status_code == (422 if attempt < 5 else 403), attempt
    assert "次数太多" in response.get_data(as_text=True)
    before = vw.snapshot()
    response = elder_post(web, req, satisfied="yes", code=code)
    assert response.status_code == 403
    assert 'data-test="elder-locked"' in web.client.get(f"/visits/{req.id}/elder-confirm").get_data(as_text=True)
    assert vw.snapshot() == before
    vw.session.refresh(req)
    assert req.status == "done" and req.code_failures == 5
    web.logout()

    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert 'data-test="phone-form"' in page
    response = web.post(f"/visits/{req.id}/phone-confirm", {"p-satisfied": "yes", "p-answered_by": ""},
                        token_from=f"/visits/{req.id}")
    assert response.status_code == 422 and "请填写接电话的人" in response.get_data(as_text=True)
    assert vw.snapshot() == before
    response = web.post(f"/visits/{req.id}/phone-confirm",
                        {"p-answered_by": "女儿王芳", "p-satisfied": "yes", "p-note": "老人说很好"},
                        token_from=f"/visits/{req.id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    vw.session.refresh(req)
    assert (req.confirmation_method, req.satisfied) == ("station_phone", True)
    assert req.confirmation_note == "女儿王芳：老人说很好"
    settled_once(vw, req, volunteer)
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "社工站打电话确认，满意。" in page and "女儿王芳：老人说很好" in page


def test_the_station_records_a_dissatisfied_phone_call_as_a_dispute(web, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    response = web.post(f"/visits/{req.id}/phone-confirm",
                        {"p-answered_by": "本人", "p-satisfied": "no", "p-note": "没有打扫厨房"},
                        token_from=f"/visits/{req.id}")
    assert response.status_code == 302
    vw.session.refresh(req)
    assert (req.status, req.confirmation_method, req.satisfied) == ("disputed", "station_phone", False)
    assert vw.balance(volunteer.person_id) == 0
    vw.check()


def test_who_may_use_the_confirmation_screens(app, web, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    stranger = vw.volunteer()
    daughter = vw.relative_user(elder.id)
    make_staff("zhan1", 1)  # the other township
    before = vw.snapshot()
    web.login(stranger.phone, VOLUNTEER_PASSWORD)
    assert web.client.get(f"/visits/{req.id}/elder-confirm").status_code == 404
    response = web.post(f"/visits/{req.id}/elder-confirm", {"e-satisfied": "yes", "e-code": code_of(app, elder.id)},
                        token_from="/visits/mine")
    assert response.status_code == 404
    assert web.post(f"/visits/{req.id}/phone-confirm", {"p-answered_by": "x", "p-satisfied": "yes"},
                    token_from="/visits/mine").status_code == 403
    web.logout()
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)  # serving, but the station's action is not theirs
    assert web.post(f"/visits/{req.id}/phone-confirm", {"p-answered_by": "x", "p-satisfied": "yes"},
                    token_from="/visits/mine").status_code == 403
    web.logout()
    web.login("zhan1", STATION_PASSWORD)
    assert web.post(f"/visits/{req.id}/phone-confirm", {"p-answered_by": "x", "p-satisfied": "yes"},
                    token_from="/").status_code == 404
    assert web.client.get(f"/visits/{req.id}/elder-confirm").status_code == 403  # not a volunteer at all
    assert web.post(f"/visits/card/{elder.id}/reissue", token_from="/").status_code == 404
    web.logout()
    web.login(daughter.phone, VOLUNTEER_PASSWORD)
    response = web.post(f"/visits/{req.id}/elder-confirm", {"e-satisfied": "yes", "e-code": code_of(app, elder.id)},
                        token_from="/")
    assert response.status_code == 403
    assert vw.snapshot() == before


def test_every_confirmation_records_its_method(app, web, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    daughter = vw.relative_user(elder.id)
    web.login(daughter.phone, VOLUNTEER_PASSWORD)
    assert web.post(f"/visits/{req.id}/confirm", {"c-rating": 4}, token_from=f"/visits/{req.id}").status_code == 302
    vw.session.refresh(req)
    assert req.confirmation_method == "relative" and req.confirmed_by_id == daughter.id
    assert "家属在手机上确认。" in web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    web.logout()
    _elder2, volunteer2, req2 = served(vw, at, name="李桂兰")
    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    assert web.post(f"/visits/{req2.id}/confirm", {"c-rating": 5},
                    token_from=f"/visits/{req2.id}").status_code == 302
    vw.session.refresh(req2)
    assert req2.confirmation_method == "station"
    vw.check()


def test_auto_confirmation_is_the_last_resort_and_tells_the_volunteer(app, web, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    other_elder, other_volunteer, other = served(vw, at, name="李桂兰", village="village10")
    with app.test_request_context():
        done = settle.auto_confirm_due(vw.session, now=req.done_at + timedelta(days=4), today=TODAY)
    vw.session.commit()
    assert set(done) == {req.id, other.id}
    vw.session.refresh(req)
    assert (req.status, req.confirmation_method, req.satisfied) == ("settled", "auto", None)
    note = vw.session.scalar(select(Notification).where(Notification.user_id == volunteer.id,
                                                        Notification.event == "visit_auto_confirmed"))
    assert note.params["minutes"] == 55 and note.link == f"/visits/{req.id}"
    assert vw.session.scalar(select(VisitEvent.detail).where(VisitEvent.request_id == req.id,
                                                             VisitEvent.action == "auto_confirm")) == "auto"
    settled_once(vw, req, volunteer)
    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    at(req.done_at + timedelta(days=5))
    listing = web.client.get("/visits/auto-confirmed").get_data(as_text=True)
    assert f"/visits/{req.id}" in listing and f"/visits/{other.id}" not in listing  # scoped to the township
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "系统自动确认。" in page


def test_the_dashboard_counts_how_visits_settled(app, web, vw, at, make_staff):
    volunteer = vw.volunteer()
    _e1, _v, by_code = served(vw, at, volunteer=volunteer)
    _e2, _v, by_signature = served(vw, at, name="李桂兰", volunteer=volunteer, day=2)
    _e3, _v, by_phone = served(vw, at, name="赵大爷", volunteer=volunteer, day=3)
    _e4, _v, unhappy = served(vw, at, name="钱奶奶", volunteer=volunteer, day=4)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    assert elder_post(web, by_code, satisfied="yes", code=code_of(app, by_code.resident_id)).status_code == 302
    assert elder_post(web, by_signature, satisfied="yes", signature=SIGNATURE).status_code == 302
    assert elder_post(web, unhappy, satisfied="no", signature=SIGNATURE).status_code == 302
    web.logout()
    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    assert web.post(f"/visits/{by_phone.id}/phone-confirm", {"p-answered_by": "本人", "p-satisfied": "yes"},
                    token_from=f"/visits/{by_phone.id}").status_code == 302
    page = web.client.get("/station/").get_data(as_text=True)
    assert "<table" not in page.split("</title>")[0] and page.count('data-test="confirm-stats"') == 1
    for method, count in (("elder_code", 1), ("elder_signature", 1), ("station_phone", 1), ("auto", 0),
                          ("unsatisfied", 1), ("family", 0)):
        assert f'data-method="{method}"><td>' in page
        row = page.split(f'data-method="{method}">')[1].split("</tr>")[0]
        assert row.count(f"<td>{count}</td>") == 2, (method, row)
    assert 'href="/visits/auto-confirmed"' in page
    at(NOW + timedelta(days=60))  # a month later: nothing in the last 30 days, the totals stay
    page = web.client.get("/station/").get_data(as_text=True)
    row = page.split('data-method="elder_code">')[1].split("</tr>")[0]
    assert "<td>0</td><td>1</td>" in row
    vw.check()


def test_the_card_prints_its_code_and_a_reissued_card_changes_it(app, web, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    old = code_of(app, elder.id)
    card = web.client.get(f"/visits/card/{elder.id}").get_data(as_text=True)
    assert signing.grouped(old) in card
    assert elder.id_number_masked not in card  # the card carries its code, never the ID number
    assert web.post(f"/visits/card/{elder.id}/reissue", token_from=f"/visits/card/{elder.id}").status_code == 302
    new = code_of(app, elder.id, version=2)
    card = web.client.get(f"/visits/card/{elder.id}").get_data(as_text=True)
    assert signing.grouped(new) in card and signing.grouped(old) not in card
    web.logout()
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    assert elder_post(web, req, satisfied="yes", code=old).status_code == 422
    assert elder_post(web, req, satisfied="yes", code=new).status_code == 302
    settled_once(vw, req, volunteer)


def _token(client, login, password):
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password, "name": "phone"})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_the_api_confirms_with_a_code_or_signature_and_by_phone(app, client, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    headers = _token(client, volunteer.phone, VOLUNTEER_PASSWORD)
    before = vw.snapshot()
    response = client.post(f"/api/v1/visits/{req.id}/elder-confirm", headers=headers,
                           json={"satisfied": True, "code": wrong(code_of(app, elder.id))})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "wrong_card_code" and body["details"]["tries_left"] == 4
    assert vw.snapshot() == before
    response = client.post(f"/api/v1/visits/{req.id}/elder-confirm", headers=headers,
                           json={"satisfied": True, "signature": "M0 0 L1 1\"/><script>"})
    assert response.status_code == 422 and response.get_json()["field"] == "signature"
    response = client.post(f"/api/v1/visits/{req.id}/elder-confirm", headers=headers,
                           json={"satisfied": True, "code": code_of(app, elder.id)})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "settled" and body["confirmation_method"] == "elder_code" and body["satisfied"] is True
    assert body["has_signature"] is False
    again = client.post(f"/api/v1/visits/{req.id}/elder-confirm", headers=headers,
                        json={"satisfied": True, "code": code_of(app, elder.id)})
    assert again.status_code == 409 and again.get_json()["error"] == "already_confirmed"
    settled_once(vw, req, volunteer)

    _e2, volunteer2, req2 = served(vw, at, name="李桂兰")
    stranger = _token(client, vw.volunteer().phone, VOLUNTEER_PASSWORD)
    assert client.post(f"/api/v1/visits/{req2.id}/elder-confirm", headers=stranger,
                       json={"satisfied": True, "signature": SIGNATURE}).status_code == 404
    assert client.post(f"/api/v1/visits/{req2.id}/phone-confirm", headers=stranger,
                       json={"answered_by": "本人", "satisfied": True}).status_code == 403
    make_staff("zhan0")
    staff = _token(client, "zhan0", STATION_PASSWORD)
    response = client.post(f"/api/v1/visits/{req2.id}/phone-confirm", headers=staff,
                           json={"answered_by": "本人", "satisfied": True, "note": "满意"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["confirmation_method"] == "station_phone"
    assert client.get(f"/api/v1/visits/{req2.id}", headers=staff).get_json()["confirmation_method"] == "station_phone"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/visits/{request_id}/elder-confirm" in spec["paths"]
    assert "/api/v1/visits/{request_id}/phone-confirm" in spec["paths"]
    vw.check()


def test_confirmation_screens_in_english_and_elder_mode(app, web, vw, at):
    elder, volunteer, req = served(vw, at)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    web.client.set_cookie("timebank_lang", "en")
    web.client.set_cookie("timebank_elder", "1")
    page = web.client.get(f"/visits/{req.id}/elder-confirm").get_data(as_text=True)
    assert 'class="elder"' in page and "Satisfied" in page and "满意" not in page


def test_a_tampered_stored_signature_is_not_drawn(app, web, vw, at, make_staff):
    elder, volunteer, req = served(vw, at)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    assert 'data-test="task-elder-confirm"' in web.client.get("/visits/mine").get_data(as_text=True)
    assert elder_post(web, req, satisfied="yes", signature=SIGNATURE).status_code == 302
    vw.session.refresh(req)
    req.signature_svg = 'M0 0 L1 1"/><script>alert(1)</script>'  # written behind the app's back
    vw.session.commit()
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and '<path d=""' in page
