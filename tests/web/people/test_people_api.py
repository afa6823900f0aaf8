"""/api/v1 station people routes: register by a station, reopen, unlink, reveal, statement download; the same
services as the pages, the same denials (other township 404, volunteer 403), documented in OpenAPI."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import new_id_number, new_phone
from timebank.audit.models import AccessEvent
from timebank.people.models import Relative, VolunteerProfile


def token(client, login, password):
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password, "name": "t"})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def staff(client, make_staff):
    make_staff("jia", 0)
    return token(client, "jia", "Station-pass-2026")


def body(county, **overrides):
    data = {"name": "孙玉梅", "id_number": new_id_number(date(1962, 4, 9), male=False), "village_id":
            county["village00"].id, "emergency_contact_name": "孙强", "emergency_contact_phone": new_phone(),
            "consent_form_ref": "ZY-9", "weekly": [{"weekday": 1, "start_minute": 540, "end_minute": 690}]}
    data.update(overrides)
    return data


def test_register_a_volunteer_through_the_api(client, session, county, staff):
    response = client.post("/api/v1/station/volunteers", json=body(county), headers=staff)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["status"] == "approved" and data["has_login"] is False and data["consent_form_ref"] == "ZY-9"
    again = client.post("/api/v1/station/volunteers",
                        json=body(county, id_number=None) | {"id_number": _raw_id(session, data["person_id"])},
                        headers=staff)
    assert again.status_code == 409 and data["id_number_masked"] in again.get_json()["message"]
    outside = client.post("/api/v1/station/volunteers", json=body(county, village_id=county["village10"].id),
                          headers=staff)
    assert outside.status_code == 404
    missing = client.post("/api/v1/station/volunteers", json=body(county, consent_form_ref=""), headers=staff)
    assert missing.status_code == 422


def _raw_id(session, person_id):
    from timebank.accounts import crypto
    from timebank.accounts.models import Person

    return crypto.decrypt(session.get(Person, person_id).id_number_encrypted)


def test_minor_through_the_api_needs_a_guardian(client, session, county, staff):
    minor = body(county, id_number=new_id_number(date(2012, 2, 2)))
    refused = client.post("/api/v1/station/volunteers", json=minor, headers=staff)
    assert refused.status_code == 422 and "监护人" in refused.get_json()["message"]
    ok = client.post("/api/v1/station/volunteers", headers=staff, json=minor | {
        "guardian": {"name": "孙父", "id_number": new_id_number(date(1980, 1, 1))}, "guardian_consent_ref": "JH-2"})
    assert ok.status_code == 201 and ok.get_json()["guardian_person_id"]


def test_volunteer_tokens_cannot_use_station_routes(client, session, county, make_volunteer, make_resident):
    volunteer = make_volunteer(status="approved")
    headers = token(client, volunteer.phone, "Volunteer-pass-2026")
    resident = make_resident()
    assert client.post("/api/v1/station/volunteers", json=body(county), headers=headers).status_code == 403
    assert client.post(f"/api/v1/station/volunteers/{volunteer.person_id}/reopen", json={"reason": "x"},
                       headers=headers).status_code == 403
    assert client.get(f"/api/v1/station/accounts/{resident.person_id}/statement", headers=headers).status_code == 403
    assert client.post(f"/api/v1/people/{resident.person_id}/reveal", json={"field": "phone"},
                       headers=headers).status_code == 404
    assert session.scalars(select(AccessEvent)).all() == []


def test_reopen_unlink_and_reveal_through_the_api(client, session, county, staff, make_volunteer, make_resident,
                                                  app):
    rejected = make_volunteer(status="rejected")
    response = client.post(f"/api/v1/station/volunteers/{rejected.person_id}/reopen", json={"reason": "误判"},
                           headers=staff)
    assert response.status_code == 200 and response.get_json()["status"] == "pending"
    resident = make_resident()
    from timebank import clock
    from timebank.people import service as people

    with app.test_request_context():
        link = people.add_relative(session, county["admin"], resident.person_id, people.RelativeInput(
            name="王建国", id_number=new_id_number(date(1970, 1, 1)), phone=None, kinship="child"),
            today=clock.today())
        session.commit()
    response = client.post(f"/api/v1/station/residents/{resident.person_id}/relatives/{link.id}/unlink",
                           json={"reason": "登记错误"}, headers=staff)
    assert response.status_code == 200 and response.get_json()["unlink_reason"] == "登记错误"
    session.expire_all()
    assert session.get(Relative, link.id).unlinked_at is not None
    phone = new_phone()
    volunteer = make_volunteer(status="approved", phone=phone)
    response = client.post(f"/api/v1/people/{volunteer.person_id}/reveal", json={"field": "phone",
                                                                                 "reason": "电话回访"}, headers=staff)
    assert response.status_code == 200 and response.get_json()["value"] == phone
    assert response.headers["Cache-Control"] == "no-store"
    logged = session.scalars(select(AccessEvent).where(AccessEvent.action == "reveal")).all()
    assert [(e.person_id, e.field, e.reason) for e in logged] == [(volunteer.person_id, "phone", "电话回访")]
    bad = client.post(f"/api/v1/people/{volunteer.person_id}/reveal", json={"field": "id_number"}, headers=staff)
    assert bad.status_code == 422


def test_statement_download_through_the_api(client, session, staff, make_volunteer):
    volunteer = make_volunteer(status="approved")
    xlsx = client.get(f"/api/v1/station/accounts/{volunteer.person_id}/statement", headers=staff)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert any(row[0] == "编号" for row in sheet.iter_rows(values_only=True))
    csv = client.get(f"/api/v1/station/accounts/{volunteer.person_id}/statement?format=csv", headers=staff)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    logged = [(e.action, e.field) for e in session.scalars(select(AccessEvent).order_by(AccessEvent.id))]
    assert logged == [("export", "statement_xlsx"), ("export", "statement_csv")]
    outsider = make_volunteer(status="approved", village="village10")
    assert client.get(f"/api/v1/station/accounts/{outsider.person_id}/statement", headers=staff).status_code == 404


def test_openapi_documents_the_station_people_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/station/volunteers", "/api/v1/station/volunteers/{person_id}/reopen",
                 "/api/v1/station/residents/{resident_id}/relatives/{link_id}/unlink",
                 "/api/v1/people/{person_id}/reveal", "/api/v1/station/accounts/{person_id}/statement"):
        assert path in paths, path


def test_profile_is_untouched_by_a_refused_registration(client, session, county, staff):
    before = session.scalars(select(VolunteerProfile)).all()
    client.post("/api/v1/station/volunteers", json=body(county, emergency_contact_phone="123"), headers=staff)
    assert session.scalars(select(VolunteerProfile)).all() == before
