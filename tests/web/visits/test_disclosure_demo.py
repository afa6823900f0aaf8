"""Crawl every open request of the demo county as a brand-new unapproved volunteer and as an approved one:
no street address, full name, phone or priority tier may leak (compared with the database values)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.conftest import TODAY, new_id_number, new_phone
from tests.integration.visits.world import NOW
from timebank.accounts import service as accounts
from timebank.accounts.models import OrgNode, User
from timebank.demo.seed import seed_demo
from timebank.people import service as people
from timebank.visits.models import ServiceRequest
from timebank.visits.views import tier_labels

PASSWORD = "Fresh-volunteer-2026"


def fresh_volunteer(session, village: OrgNode, *, approve: bool) -> User:
    data = people.SignupInput(
        person=accounts.PersonInput(name="新来的", id_number=new_id_number(date(1991, 1, 2)), phone=new_phone(),
                                    address=None, node_id=village.id),
        password=PASSWORD, skill_ids=(), emergency_contact_name="李娜", emergency_contact_phone=new_phone(),
        privacy_consent=True)
    user = people.signup_volunteer(session, data, today=TODAY, now=NOW)
    if approve:
        admin = session.scalar(select(User).where(User.username == "admin"))
        people.review_volunteer(session, admin, user.person_id, approve=True, reason=None, now=NOW)
    session.commit()
    return user


def test_no_open_request_leaks_to_volunteers(app, web, client, session):
    with app.test_request_context():
        seed_demo(session, today=TODAY, volunteers=12, residents=24)
        session.commit()
        village = session.scalar(select(OrgNode).where(OrgNode.kind == "village").order_by(OrgNode.code))
        pending = fresh_volunteer(session, village, approve=False)
        approved = fresh_volunteer(session, village, approve=True)
        tiers = tier_labels()
        tokens = {}
        for user in (pending, approved):
            plain, _token = accounts.issue_api_token(session, user, "crawl", now=NOW)
            tokens[user.id] = {"Authorization": f"Bearer {plain}"}
        session.commit()
    open_requests = list(session.scalars(select(ServiceRequest).where(ServiceRequest.status == "open")))
    assert len(open_requests) >= 5

    web.login(pending.phone, PASSWORD)
    for req in open_requests:
        assert web.client.get(f"/visits/{req.id}").status_code == 404, req.id
        assert client.get(f"/api/v1/visits/{req.id}", headers=tokens[pending.id]).status_code == 404
    assert "审核通过后才能查看服务需求" in web.client.get("/visits/open").get_data(as_text=True)
    web.logout()

    web.login(approved.phone, PASSWORD)
    shown = 0
    for req in open_requests:
        response = web.client.get(f"/visits/{req.id}")
        api = client.get(f"/api/v1/visits/{req.id}", headers=tokens[approved.id])
        if req.safety or req.seats_volunteer == 0:
            assert response.status_code == 404 and api.status_code == 404, req.id
            continue
        assert response.status_code == 200 and api.status_code == 200, req.id
        shown += 1
        page = response.get_data(as_text=True)
        body = api.get_json()
        resident = req.resident
        secrets = [s for s in (req.place, resident.address, resident.phone, tiers[req.priority_tier]) if s]
        if len(resident.name) > 1:
            secrets.append(resident.name)
        for secret in secrets:
            assert secret not in page, (req.id, secret)
            assert secret not in str(body), (req.id, secret)
        assert body["priority_tier"] is None and body["address"] is None and body["payer"] is None
        assert req.node.name in page and body["village"] == req.node.name
    assert shown >= 1
