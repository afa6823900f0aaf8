"""Charity and goods API: the same services as the pages, bearer tokens, role and scope denials."""

from __future__ import annotations

from tests.web.charity.test_pages import _setup


def test_charity_api_donates_and_reads_stock(cw, client, bearer):
    user, _charity = cw.charity()
    headers = bearer(user)
    bad = client.post("/api/v1/charity/donations", json={"item_id": cw.item().id, "quantity": -2,
                                                         "station_id": cw.county["station0"].id}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["field"] == "quantity"
    made = client.post("/api/v1/charity/donations", json={"item_id": cw.item().id, "quantity": 4,
                                                          "station_id": cw.county["station0"].id}, headers=headers)
    assert made.status_code == 201 and made.get_json()["stock"] == 4
    detail = client.get(f"/api/v1/charity/donations/{made.get_json()['id']}", headers=headers).get_json()
    assert [m["kind"] for m in detail["movements"]] == ["received"]
    assert client.get("/api/v1/charity/donations", headers=headers).status_code == 200
    numbers = client.get("/api/v1/charity/transparency", headers=headers).get_json()
    assert numbers["total"]["in_stock"] == 4
    assert client.get("/api/v1/charity/donations").status_code == 401


def test_station_api_allocates_confirms_and_is_scoped(cw, client, bearer):
    _user, _charity, donation, staff, eligible, ineligible = _setup(cw)
    headers = bearer(staff)
    made = client.post("/api/v1/goods/requests", json={"resident_id": eligible.id, "item_id": cw.item().id,
                                                       "quantity": 1, "reason": "御寒"}, headers=headers)
    assert made.status_code == 201
    request_id = made.get_json()["id"]
    other = client.post("/api/v1/goods/requests", json={"resident_id": ineligible.id, "item_id": cw.item().id,
                                                        "quantity": 1, "reason": "御寒"}, headers=headers).get_json()
    refused = client.post(f"/api/v1/goods/requests/{other['id']}/allocations",
                          json={"donation_id": donation.id, "method": "pickup"}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"] == "not_eligible"
    outsider = bearer(cw.staff(1))
    assert client.post(f"/api/v1/goods/requests/{request_id}/allocations",
                       json={"donation_id": donation.id, "method": "pickup"}, headers=outsider).status_code == 404
    alloc = client.post(f"/api/v1/goods/requests/{request_id}/allocations",
                        json={"donation_id": donation.id, "method": "pickup"}, headers=headers)
    assert alloc.status_code == 201
    allocation_id = alloc.get_json()["id"]
    assert client.post(f"/api/v1/goods/allocations/{allocation_id}/receipt", headers=outsider).status_code == 404
    assert client.post(f"/api/v1/goods/allocations/{allocation_id}/receipt", headers=headers).status_code == 200
    again = client.post(f"/api/v1/goods/allocations/{allocation_id}/receipt", headers=headers)
    assert again.status_code == 409
    assert cw.stock(donation) == (9, 0)
    volunteer = bearer(cw.volunteer())
    assert client.post("/api/v1/goods/requests", json={"resident_id": eligible.id, "item_id": cw.item().id,
                                                       "quantity": 1, "reason": "x"}, headers=volunteer).status_code == 403
