"""The person API: the same services as the pages, scoped, with JSON errors that change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import count_rows
from tests.integration.visits.world import NOW, TODAY
from timebank.accounts.models import Person
from timebank.audit.models import AuditEvent
from timebank.ledger import reconcile
from timebank.ledger.models import Transfer


def bearer(client, login, password):
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password, "name": "t"})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def jia(client, make_staff):
    make_staff("jia", 0)
    return bearer(client, "jia", "Station-pass-2026")


def test_get_shows_roles_and_status_in_scope_only(client, jia, session, make_volunteer, make_resident):
    volunteer = make_volunteer(status="approved")
    body = client.get(f"/api/v1/people/{volunteer.person_id}", headers=jia).get_json()
    assert body["status"] == "active" and body["roles"]["volunteer_status"] == "approved"
    assert body["roles"]["login_roles"] == ["volunteer"] and "id_number" not in body
    outsider = make_resident(village="village10")
    assert client.get(f"/api/v1/people/{outsider.person_id}", headers=jia).status_code == 404


def test_patch_corrects_and_refuses_identity_for_stations(client, jia, session, make_resident):
    profile = make_resident()
    response = client.patch(f"/api/v1/people/{profile.person_id}", headers=jia,
                            json={"living_situation": "empty_nest", "adl_level": 2,
                                  "adl_assessed_on": TODAY.isoformat()})
    assert response.status_code == 200, response.get_json()
    before = count_rows(session, AuditEvent)
    refused = client.patch(f"/api/v1/people/{profile.person_id}", headers=jia, json={"name": "王秀云",
                                                                                   "reason": "户口簿"})
    assert refused.status_code == 403 and refused.get_json()["error"]
    bad = client.patch(f"/api/v1/people/{profile.person_id}", headers=jia, json={"adl_level": None})
    assert bad.status_code == 422 and bad.get_json()["field"] == "adl_level"
    assert count_rows(session, AuditEvent) == before
    session.expire_all()
    assert session.get(Person, profile.person_id).name == "王秀英"


def test_move_death_and_errors(client, jia, session, county, make_resident, make_staff):
    profile = make_resident()
    outsider = make_resident(village="village10")
    assert client.post(f"/api/v1/people/{outsider.person_id}/move", headers=jia,
                       json={"village_id": county["village00"].id}).status_code == 404
    future = client.post(f"/api/v1/people/{profile.person_id}/death", headers=jia,
                         json={"died_on": (TODAY + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and future.get_json()["field"] == "died_on"
    moved = client.post(f"/api/v1/people/{profile.person_id}/move", headers=jia,
                        json={"village_id": county["village10"].id, "reason": "随子女"})
    assert moved.status_code == 200 and moved.get_json()["cancelled"] == []
    assert client.get(f"/api/v1/people/{profile.person_id}", headers=jia).status_code == 404
    make_staff("yi", 1)
    yi = bearer(client, "yi", "Station-pass-2026")
    dead = client.post(f"/api/v1/people/{profile.person_id}/death", headers=yi, json={"died_on": TODAY.isoformat()})
    assert dead.status_code == 200 and dead.get_json()["balance_action"] == "county_pool"
    transfers = count_rows(session, Transfer)
    twice = client.post(f"/api/v1/people/{profile.person_id}/death", headers=yi, json={"died_on": TODAY.isoformat()})
    assert twice.status_code == 409 and "已登记为已故" in twice.get_json()["message"]
    assert count_rows(session, Transfer) == transfers
    assert reconcile.run_check(session, now=NOW, record=False).ok


def test_heirs_over_the_api(client, jia, session, county, make_resident, make_volunteer, make_staff):
    from timebank.people.models import Relative
    from timebank.policy import service as policy_service

    policy_service.save(session, county["admin"], {"death_balance": "heirs"}, note=None, now=NOW)
    profile = make_resident()
    son = make_volunteer(name="张一")
    session.add(Relative(resident_id=profile.person_id, relative_id=son.person_id, kinship="child", verified=True))
    session.commit()
    client.post(f"/api/v1/people/{profile.person_id}/death", headers=jia, json={"died_on": TODAY.isoformat()})
    proposed = client.post(f"/api/v1/people/{profile.person_id}/heirs", headers=jia,
                           json={"heir_ids": [son.person_id]})
    assert proposed.status_code == 200 and proposed.get_json()["status"] == "proposed"
    own = client.post(f"/api/v1/people/{profile.person_id}/heirs/approve", headers=jia)
    assert own.status_code == 403
    make_staff("jia2", 0)
    second = bearer(client, "jia2", "Station-pass-2026")
    approved = client.post(f"/api/v1/people/{profile.person_id}/heirs/approve", headers=second)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"


def test_openapi_documents_the_person_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/people/{person_id}", "/api/v1/people/{person_id}/move", "/api/v1/people/{person_id}/death",
            "/api/v1/people/{person_id}/heirs/approve"} <= set(spec["paths"])
