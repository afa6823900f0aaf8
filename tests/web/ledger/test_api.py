"""/api/v1 ledger routes: account, transfers, gifts and donations with Idempotency-Key."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import count_rows
from timebank.accounts import service as accounts
from timebank.ledger.models import Transfer


def _token(session, user) -> dict:
    plain, _token = accounts.issue_api_token(session, user, "test", now=datetime(2026, 11, 29, tzinfo=UTC))
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_account_and_transfers(client, world, session):
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 90)
    headers = _token(session, volunteer)
    body = client.get("/api/v1/me/account", headers=headers).get_json()
    assert (body["balance"], body["pending"], body["spendable"]) == (90, 0, 90)
    page = client.get("/api/v1/me/transfers?per_page=1", headers=headers).get_json()
    assert page["more"] is False and page["items"][0]["signed"] == 90 and page["items"][0]["kind"] == "earn"
    assert client.get("/api/v1/me/transfers?per_page=0", headers=headers).status_code == 422
    assert client.get("/api/v1/me/account").status_code == 401


def test_gift_idempotency_over_the_api(client, world, session):
    daughter, mother = world.volunteer(), world.resident()
    world.relate(mother.person_id, daughter.person_id, "child")
    world.fund(daughter.person_id, 200)
    headers = {**_token(session, daughter), "Idempotency-Key": "api-gift-1"}
    body = {"to_person_id": mother.person_id, "minutes": 60, "memo": "节日快乐"}
    first = client.post("/api/v1/ledger/gifts", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/ledger/gifts", json=body, headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["replayed"] is True
    before = count_rows(session, Transfer)
    conflict = client.post("/api/v1/ledger/gifts", json={**body, "minutes": 61}, headers=headers)
    assert conflict.status_code == 409 and conflict.get_json()["error"] == "idempotency_conflict"
    assert count_rows(session, Transfer) == before
    assert world.account(mother.person_id).balance == 60


def test_bad_api_input_is_refused(client, world, session):
    daughter, stranger = world.volunteer(), world.resident()
    world.fund(daughter.person_id, 200)
    auth = _token(session, daughter)
    before = world.snapshot()
    missing = client.post("/api/v1/ledger/donations", json={"pool": "county_donation", "minutes": 5}, headers=auth)
    assert missing.status_code == 422 and missing.get_json()["field"] == "idempotency_key"
    for n, minutes in enumerate((0, -1, 1.5, "x", 10**12, 201)):
        response = client.post("/api/v1/ledger/donations", json={"pool": "county_donation", "minutes": minutes},
                               headers={**auth, "Idempotency-Key": f"bad-{n}"})
        assert response.status_code == 422, (minutes, response.get_json())
    response = client.post("/api/v1/ledger/gifts", json={"to_person_id": stranger.person_id, "minutes": 5},
                           headers={**auth, "Idempotency-Key": "bad-gift"})
    assert response.status_code == 422 and response.get_json()["error"] == "policy_violation"
    response = client.post("/api/v1/ledger/gifts", json={"to_person_id": "1", "minutes": 5},
                           headers={**auth, "Idempotency-Key": "bad-gift-2"})
    assert response.status_code == 422
    assert world.snapshot() == before


def test_donation_over_the_api(client, world, session):
    giver = world.volunteer()
    world.fund(giver.person_id, 100)
    response = client.post("/api/v1/ledger/donations", json={"pool": "county_donation", "minutes": 30},
                           headers={**_token(session, giver), "Idempotency-Key": "don-1"})
    assert response.status_code == 201 and response.get_json()["kind"] == "donate"
    assert world.pool().balance == 30
