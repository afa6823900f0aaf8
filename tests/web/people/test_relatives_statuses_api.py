"""/api/v1 station routes for a resident's relatives and hardship statuses: the same services as the pages,
masked ID numbers and phones, other township 404, bad input 422 with nothing written, volunteer 403."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import new_id_number, new_phone
from timebank import clock
from timebank.people.models import HardshipStatus, Relative


def token(client, login, password):
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password, "name": "t"})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def staff(client, make_staff):
    make_staff("jia", 0)
    return token(client, "jia", "Station-pass-2026")


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def relative_body(**overrides):
    data = {"name": "王强", "id_number": new_id_number(date(1970, 5, 6)), "phone": new_phone(),
            "kinship": "child", "consent_form_ref": "ZQ-1"}
    return data | overrides


def test_add_list_and_verify_a_relative(client, session, make_resident, staff):
    resident = make_resident()
    base = f"/api/v1/station/residents/{resident.person_id}/relatives"
    body = relative_body()
    added = client.post(base, json=body, headers=staff)
    assert added.status_code == 201, added.get_json()
    link = added.get_json()
    assert link["verified"] is False and link["kinship"] == "child" and link["unlinked_at"] is None
    assert body["id_number"] not in added.get_data(as_text=True)
    assert body["phone"] not in added.get_data(as_text=True) and link["phone_masked"]
    listed = client.get(base, headers=staff)
    assert listed.status_code == 200 and [row["id"] for row in listed.get_json()] == [link["id"]]
    verified = client.post(f"{base}/{link['id']}/verify", headers=staff)
    assert verified.status_code == 200 and verified.get_json()["verified"] is True
    assert session.get(Relative, link["id"]).verified is True
    again = client.post(f"{base}/{link['id']}/verify", headers=staff)
    assert again.status_code == 409


def test_bad_relative_input_changes_nothing(client, session, make_resident, staff):
    resident = make_resident()
    base = f"/api/v1/station/residents/{resident.person_id}/relatives"
    before = count(session, Relative)
    for bad in (relative_body(kinship="friend"), relative_body(consent_form_ref=""),
                relative_body(name="x" * 51), {"name": "王强"}):
        response = client.post(base, json=bad, headers=staff)
        assert response.status_code == 422, bad
    assert count(session, Relative) == before


def test_status_add_list_renew_and_delete(client, session, make_resident, staff):
    resident = make_resident()
    base = f"/api/v1/station/residents/{resident.person_id}/statuses"
    review = (clock.today() + timedelta(days=90)).isoformat()
    added = client.post(base, json={"kind": "dibao", "evidence_no": "DB-7", "review_date": review}, headers=staff)
    assert added.status_code == 201, added.get_json()
    status_id = added.get_json()["id"]
    listed = client.get(base, headers=staff)
    assert listed.status_code == 200 and [s["kind"] for s in listed.get_json()] == ["dibao"]
    duplicate = client.post(base, json={"kind": "dibao", "evidence_no": "DB-8", "review_date": review},
                            headers=staff)
    assert duplicate.status_code == 409
    later = (clock.today() + timedelta(days=365)).isoformat()
    renewed = client.post(f"{base}/{status_id}/renew", json={"review_date": later}, headers=staff)
    assert renewed.status_code == 200 and renewed.get_json()["review_date"] == later
    past = client.post(f"{base}/{status_id}/renew", json={"review_date": clock.today().isoformat()},
                       headers=staff)
    assert past.status_code == 422
    session.expire_all()
    assert session.get(HardshipStatus, status_id).review_date.isoformat() == later
    assert client.delete(f"{base}/{status_id}", headers=staff).status_code == 204
    session.expire_all()
    assert session.get(HardshipStatus, status_id) is None


def test_bad_status_input_changes_nothing(client, session, make_resident, staff):
    resident = make_resident()
    base = f"/api/v1/station/residents/{resident.person_id}/statuses"
    before = count(session, HardshipStatus)
    for bad in ({"kind": "rich", "evidence_no": "A", "review_date": "2030-01-01"},
                {"kind": "dibao", "evidence_no": "", "review_date": "2030-01-01"},
                {"kind": "dibao", "evidence_no": "A", "review_date": "not a date"},
                {"kind": "dibao", "evidence_no": "A", "review_date": "2020-01-01"}, {}):
        assert client.post(base, json=bad, headers=staff).status_code == 422, bad
    assert count(session, HardshipStatus) == before


def test_outside_the_subtree_is_404(client, session, make_resident, make_staff, staff):
    resident = make_resident()
    base = f"/api/v1/station/residents/{resident.person_id}"
    review = (clock.today() + timedelta(days=90)).isoformat()
    status_id = client.post(f"{base}/statuses", json={"kind": "tekun", "evidence_no": "T-1",
                                                      "review_date": review}, headers=staff).get_json()["id"]
    link_id = client.post(f"{base}/relatives", json=relative_body(), headers=staff).get_json()["id"]
    make_staff("yi", 1)
    other = token(client, "yi", "Station-pass-2026")
    relatives, statuses = count(session, Relative), count(session, HardshipStatus)
    assert client.get(f"{base}/relatives", headers=other).status_code == 404
    assert client.post(f"{base}/relatives", json=relative_body(), headers=other).status_code == 404
    assert client.post(f"{base}/relatives/{link_id}/verify", headers=other).status_code == 404
    assert client.get(f"{base}/statuses", headers=other).status_code == 404
    assert client.post(f"{base}/statuses", json={"kind": "dibao", "evidence_no": "D", "review_date": review},
                       headers=other).status_code == 404
    assert client.post(f"{base}/statuses/{status_id}/renew", json={"review_date": review},
                       headers=other).status_code == 404
    assert client.delete(f"{base}/statuses/{status_id}", headers=other).status_code == 404
    assert (count(session, Relative), count(session, HardshipStatus)) == (relatives, statuses)
    assert session.get(Relative, link_id).verified is False


def test_status_of_another_resident_is_404(client, session, make_resident, staff):
    first, second = make_resident(), make_resident(name="李桂兰")
    review = (clock.today() + timedelta(days=90)).isoformat()
    status_id = client.post(f"/api/v1/station/residents/{first.person_id}/statuses", headers=staff,
                            json={"kind": "dibao", "evidence_no": "D", "review_date": review}).get_json()["id"]
    wrong = f"/api/v1/station/residents/{second.person_id}/statuses/{status_id}"
    assert client.post(f"{wrong}/renew", json={"review_date": review}, headers=staff).status_code == 404
    assert client.delete(wrong, headers=staff).status_code == 404
    assert session.get(HardshipStatus, status_id) is not None


def test_volunteer_token_is_403(client, session, make_volunteer, make_resident):
    volunteer = make_volunteer(status="approved")
    headers = token(client, volunteer.phone, "Volunteer-pass-2026")
    base = f"/api/v1/station/residents/{make_resident().person_id}"
    assert client.get(f"{base}/relatives", headers=headers).status_code == 403
    assert client.post(f"{base}/relatives", json=relative_body(), headers=headers).status_code == 403
    assert client.post(f"{base}/relatives/1/verify", headers=headers).status_code == 403
    assert client.get(f"{base}/statuses", headers=headers).status_code == 403
    assert client.post(f"{base}/statuses", json={}, headers=headers).status_code == 403
    assert client.post(f"{base}/statuses/1/renew", json={}, headers=headers).status_code == 403
    assert client.delete(f"{base}/statuses/1", headers=headers).status_code == 403
    assert count(session, Relative) == 0 and count(session, HardshipStatus) == 0
