"""查阅、更正、注销: a person downloads their data, asks for corrections and for closure; the station in scope
decides; other townships get 404; the same through the API."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from tests.conftest import count_rows
from tests.integration.ledger.world import NOW
from tests.web.privacy.conftest import STATION_PASSWORD, VOLUNTEER_PASSWORD
from timebank.accounts.models import Person, User
from timebank.audit.models import AccessEvent, AuditEvent
from timebank.ledger import service as ledger
from timebank.ledger.models import LedgerAccount, Transfer
from timebank.notify.models import Notification
from timebank.people.models import VolunteerProfile
from timebank.privacy.models import ClosureRequest, CorrectionRequest


def test_me_links_to_the_privacy_page_and_the_export_holds_my_data(web, session, world):
    volunteer = world.volunteer(name="周晓红")
    world.fund(volunteer.person_id, 90)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    assert "/me/privacy" in web.client.get("/me").get_data(as_text=True)
    assert web.client.get("/me/privacy").status_code == 200
    response = web.post("/me/privacy/export", token_from="/me/privacy")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert sorted(archive.namelist()) == ["data.json", "statement.csv"]
    data = json.loads(archive.read("data.json"))
    person = session.get(Person, volunteer.person_id)
    assert data["person"]["name"] == "周晓红" and data["person"]["id_number_masked"] == person.id_number_masked
    assert "*" in data["person"]["id_number_masked"]
    assert data["volunteer_profile"]["status"] == "approved" and data["account"]["balance"] == 90
    assert data["statement"][0]["minutes"] == 90
    assert data["consent"]["privacy_accepted_at"] is not None
    assert "90" in archive.read("statement.csv").decode("utf-8-sig")
    event = session.scalar(select(AccessEvent).where(AccessEvent.action == "export"))
    assert (event.actor_id, event.person_id, event.field) == (volunteer.id, volunteer.person_id, "self")


def test_correction_request_goes_to_the_station_in_scope(web, session, world, make_staff):
    volunteer = world.volunteer(village="village00")
    make_staff("zhan0")
    make_staff("yi0", township_index=1)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    bad = web.post("/me/privacy/corrections", {"c-field": "phone", "c-new_value": ""}, token_from="/me/privacy")
    assert bad.status_code == 422 and "请填写正确的内容" in bad.get_data(as_text=True)
    bad = web.post("/me/privacy/corrections", {"c-field": "id_number", "c-new_value": "x"}, token_from="/me/privacy")
    assert bad.status_code == 422
    assert count_rows(session, CorrectionRequest) == 0
    ok = web.post("/me/privacy/corrections", {"c-field": "address", "c-new_value": "光明巷5号", "c-note": "搬家了"},
                  token_from="/me/privacy")
    assert ok.status_code == 302
    row = session.scalars(select(CorrectionRequest)).one()
    web.logout()

    web.login("yi0", STATION_PASSWORD)
    assert "光明巷5号" not in web.client.get("/station/privacy").get_data(as_text=True)
    assert web.post(f"/station/privacy/corrections/{row.id}", {"decision": "done"},
                    token_from="/station/privacy").status_code == 404
    web.logout()

    web.login("zhan0", STATION_PASSWORD)
    assert "光明巷5号" in web.client.get("/station/privacy").get_data(as_text=True)
    refused = web.post(f"/station/privacy/corrections/{row.id}", {"decision": "reject", "reason": ""},
                       token_from="/station/privacy")
    assert refused.status_code == 422 and "不通过时请写明原因" in refused.get_data(as_text=True)
    session.refresh(row)
    assert row.status == "open"
    done = web.post(f"/station/privacy/corrections/{row.id}", {"decision": "done"}, token_from="/station/privacy")
    assert done.status_code == 302
    session.refresh(row)
    assert row.status == "done" and row.decided_at is not None
    again = web.post(f"/station/privacy/corrections/{row.id}", {"decision": "done"}, token_from="/station/privacy")
    assert again.status_code == 409
    note = session.scalar(select(Notification).where(Notification.user_id == volunteer.id,
                                                     Notification.event == "privacy_correction_done"))
    assert note is not None
    web.logout()
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    assert 'data-status="done"' in web.client.get("/me/privacy").get_data(as_text=True)


def test_closure_is_refused_while_hours_remain(web, session, world):
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 60)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    page = web.client.get("/me/privacy").get_data(as_text=True)
    assert "请先把余额捐赠给县公益时间池" in page and "/me/account/donate" in page and "/me/account/gift" in page
    response = web.post("/me/privacy/closure", {"x-confirm": "y"}, token_from="/me/privacy")
    assert response.status_code == 409 and "请先把余额捐赠给县公益时间池" in response.get_data(as_text=True)
    assert count_rows(session, ClosureRequest) == 0


def test_closure_approved_anonymises_and_keeps_the_ledger(web, session, world, make_staff):
    volunteer = world.volunteer(name="周晓红")
    person_id, phone = volunteer.person_id, volunteer.phone
    world.fund(person_id, 60)
    account = world.account(person_id)
    transfers = count_rows(session, Transfer)
    # the volunteer donates the balance first, as the page asks
    world.run(lambda: ledger.donate(session, volunteer, pool="county_donation", minutes=60, key=world.key("d"),
                                    now=NOW))
    make_staff("zhan0")
    make_staff("yi0", township_index=1)
    web.login(phone, VOLUNTEER_PASSWORD)
    no_confirm = web.post("/me/privacy/closure", {}, token_from="/me/privacy")
    assert no_confirm.status_code == 422
    assert web.post("/me/privacy/closure", {"x-confirm": "y", "x-note": "不再参加"},
                    token_from="/me/privacy").status_code == 302
    row = session.scalars(select(ClosureRequest)).one()
    twice = web.post("/me/privacy/closure", {"x-confirm": "y"}, token_from="/me/privacy")
    assert twice.status_code == 409 and count_rows(session, ClosureRequest) == 1
    assert 'data-test="closure-pending"' in web.client.get("/me/privacy").get_data(as_text=True)
    web.logout()

    web.login("yi0", STATION_PASSWORD)
    assert web.post(f"/station/privacy/closures/{row.id}", {"decision": "approve"},
                    token_from="/station/privacy").status_code == 404
    web.logout()
    web.login("zhan0", STATION_PASSWORD)
    assert web.post(f"/station/privacy/closures/{row.id}", {"decision": "approve"},
                    token_from="/station/privacy").status_code == 302
    web.logout()

    session.expire_all()
    person = session.get(Person, person_id)
    user = session.scalar(select(User).where(User.person_id == person_id))
    assert person.name == f"已注销用户#{person_id}" and person.phone is None and person.address is None
    assert person.id_number_masked == "—" and person.id_number_hash  # the hash stays: no silent re-registration
    profile = session.get(VolunteerProfile, person_id)
    assert profile.emergency_contact_name is None and profile.emergency_contact_phone is None
    assert user.active is False and user.phone is None and user.username == f"closed-{user.id}"
    assert session.get(LedgerAccount, account.id) is not None
    assert count_rows(session, Transfer) == transfers + 1  # the donation; nothing removed
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "person_closed")) is not None
    assert web.post("/login", {"login": phone, "password": VOLUNTEER_PASSWORD},
                    token_from="/login").status_code != 302


def test_rights_through_the_api(client, session, world, make_staff, bearer):
    volunteer = world.volunteer()
    headers = bearer(volunteer)
    data = client.get("/api/v1/me/data", headers=headers)
    assert data.status_code == 200 and data.get_json()["person"]["id"] == volunteer.person_id
    bad = client.post("/api/v1/me/corrections", json={"field": "nope"}, headers=headers)
    assert bad.status_code == 422
    made = client.post("/api/v1/me/corrections", json={"field": "phone", "new_value": "13900001111"},
                       headers=headers)
    assert made.status_code == 201 and made.get_json()["status"] == "open"
    row_id = made.get_json()["id"]
    assert [c["id"] for c in client.get("/api/v1/me/corrections", headers=headers).get_json()] == [row_id]
    zhan0, yi0 = make_staff("zhan0"), make_staff("yi0", township_index=1)
    assert client.get("/api/v1/station/corrections", headers=bearer(yi0)).get_json() == []
    assert client.post(f"/api/v1/station/corrections/{row_id}/decision", json={"decision": "done"},
                       headers=bearer(yi0)).status_code == 404
    decided = client.post(f"/api/v1/station/corrections/{row_id}/decision",
                          json={"decision": "rejected", "reason": "号码无法核实"}, headers=bearer(zhan0))
    assert decided.status_code == 200 and decided.get_json()["status"] == "rejected"
    world.fund(volunteer.person_id, 30)
    refused = client.post("/api/v1/me/closure", json={}, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["details"]["reason"] == "balance"
    assert client.get("/api/v1/station/closures", headers=bearer(zhan0)).get_json() == []
    assert client.get("/api/v1/station/closures", headers=headers).status_code == 403
