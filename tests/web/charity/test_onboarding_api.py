"""/api/v1 charity onboarding: the public application (checksum 422, duplicate 409), the admin's paged list,
approval and rejection (a station: 403), direct opening, members (another charity: 404; a plain member:
403; the last owner: 409), deactivation that ends the members' tokens and sign-in."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.integration.charity.world import NOW, credit_code
from timebank.accounts.models import User
from timebank.charity import onboarding
from timebank.charity.models import Charity

PASSWORD = "Charity-pass-2026"


def body(**change) -> dict:
    data = {"name": "春晖公益基金会", "credit_code": credit_code(), "registration": "charity",
            "registration_number": "53420100MJ0001234X", "contact_name": "李主任", "contact_phone": "13800001111",
            "contact_email": "office@chunhui.example", "username": "chunhui", "password": PASSWORD}
    data.update(change)
    return data


def token(client, login, password=PASSWORD) -> dict:
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_apply_approve_and_reject_over_the_api(cw, client, bearer, make_staff):
    before = cw.session.scalar(select(func.count()).select_from(Charity))
    bad = client.post("/api/v1/charities/applications", json=body(credit_code="91350100M000100Y44"))
    assert bad.status_code == 422 and bad.get_json()["field"] == "credit_code"
    assert cw.session.scalar(select(func.count()).select_from(Charity)) == before
    created = client.post("/api/v1/charities/applications", json=body())
    assert created.status_code == 201, created.get_json()
    charity = created.get_json()
    assert (charity["status"], charity["active"]) == ("pending", True) and "password" not in charity
    dup = client.post("/api/v1/charities/applications", json=body(username="other", credit_code=charity["credit_code"]))
    assert dup.status_code == 409 and dup.get_json()["error"] == "duplicate"

    # the applicant signs in and reads its own charity while pending
    mine = token(client, "chunhui")
    assert client.get(f"/api/v1/charities/{charity['id']}", headers=mine).get_json()["status"] == "pending"

    station = bearer(make_staff("jia"))
    assert client.post(f"/api/v1/charities/{charity['id']}/approve", headers=station).status_code == 403
    assert client.get("/api/v1/charities", headers=station).status_code == 403
    admin = bearer(cw.admin)
    listing = client.get("/api/v1/charities?status=pending", headers=admin).get_json()
    assert [c["id"] for c in listing["items"]] == [charity["id"]] and listing["more"] is False
    assert client.post(f"/api/v1/charities/{charity['id']}/reject", json={}, headers=admin).status_code == 422
    approved = client.post(f"/api/v1/charities/{charity['id']}/approve", headers=admin)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert client.post(f"/api/v1/charities/{charity['id']}/reject", json={"reason": "x"},
                       headers=admin).status_code == 409


def test_members_over_the_api_with_the_denials(cw, client, bearer):
    admin = bearer(cw.admin)
    opened = client.post("/api/v1/charities", json=body(), headers=admin)
    assert opened.status_code == 201
    other = onboarding.open_charity(cw.session, cw.admin, onboarding.ApplicationInput(
        charity=onboarding.CharityInput(name="乙基金会", credit_code=credit_code(), registration="enterprise",
                                        contact_name="张", contact_phone="13800001111"),
        registration_number=None, contact_email=None,
        login=onboarding.LoginInput(username="yi-owner", password=PASSWORD)), now=NOW)
    cw.session.commit()
    charity_id = opened.get_json()["id"]
    owner = bearer(cw.session.scalar(select(User).where(User.username == "chunhui")))
    added = client.post(f"/api/v1/charities/{charity_id}/members", headers=owner,
                        json={"username": "chunhui-wang", "name": "王干事", "password": "Member-pass-2026"})
    assert added.status_code == 201 and added.get_json()["role"] == "member"
    member = bearer(cw.session.scalar(select(User).where(User.username == "chunhui-wang")))
    assert client.post(f"/api/v1/charities/{charity_id}/members", headers=member,
                       json={"username": "sneaky", "name": "偷加", "password": "Member-pass-2026"}).status_code == 403
    # charity A cannot see or manage charity B
    assert client.get(f"/api/v1/charities/{other.id}", headers=owner).status_code == 404
    assert client.get(f"/api/v1/charities/{other.id}/members", headers=owner).status_code == 404
    assert client.post(f"/api/v1/charities/{other.id}/members", headers=owner,
                       json={"username": "intruder", "name": "外人", "password": "Member-pass-2026"}).status_code == 404
    assert client.get("/api/v1/charities", headers=owner).status_code == 403
    names = [m["username"] for m in client.get(f"/api/v1/charities/{charity_id}/members", headers=owner).get_json()]
    assert names == ["chunhui", "chunhui-wang"]
    owner_id = cw.session.scalar(select(User.id).where(User.username == "chunhui"))
    last = client.post(f"/api/v1/charities/{charity_id}/members/{owner_id}/remove", headers=owner)
    assert last.status_code == 409
    wang_id = added.get_json()["user_id"]
    removed = client.post(f"/api/v1/charities/{charity_id}/members/{wang_id}/remove", headers=owner)
    assert removed.status_code == 200 and removed.get_json()["removed_at"]
    assert client.get("/api/v1/me", headers=member).status_code == 401  # the removed member's token ended


def test_deactivate_and_reactivate_over_the_api(cw, client, bearer):
    admin = bearer(cw.admin)
    charity_id = client.post("/api/v1/charities", json=body(), headers=admin).get_json()["id"]
    owner = bearer(cw.session.scalar(select(User).where(User.username == "chunhui")))
    assert client.post(f"/api/v1/charities/{charity_id}/deactivate", json={"reason": "x"},
                       headers=owner).status_code == 403
    done = client.post(f"/api/v1/charities/{charity_id}/deactivate", json={"reason": "年检不合格"}, headers=admin)
    assert done.status_code == 200 and done.get_json()["active"] is False
    assert client.get("/api/v1/me", headers=owner).status_code == 401
    refused = client.post("/api/v1/auth/tokens", json={"login": "chunhui", "password": PASSWORD})
    assert refused.status_code == 401 and "停用" in refused.get_json()["message"]
    assert client.post(f"/api/v1/charities/{charity_id}/deactivate", json={"reason": "again"},
                       headers=admin).status_code == 409
    back = client.post(f"/api/v1/charities/{charity_id}/reactivate", headers=admin)
    assert back.status_code == 200 and back.get_json()["active"] is True
    assert client.post("/api/v1/auth/tokens", json={"login": "chunhui", "password": PASSWORD}).status_code == 201
