"""The volunteer record: the volunteer's own page and API, staff pages and API in their subtree (add, correct,
retire, verify), the denials (a volunteer edits nothing, verifies nothing; another station sees nothing), and
bad input that changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import count_rows
from timebank import clock
from timebank.catalog.models import Skill
from timebank.people.models import VolunteerProfile
from timebank.people.record_models import InsuranceRecord, SkillCertificate, TrainingRecord


def bearer(client, login, password):
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password, "name": "t"})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def today(app):
    with app.test_request_context():
        return clock.today()


@pytest.fixture
def people(client, session, make_staff, make_volunteer):
    make_staff("jia", 0)
    make_staff("yi", 1)
    volunteer = make_volunteer(status="approved", phone="13811112222")
    return {"volunteer": volunteer, "jia": bearer(client, "jia", "Station-pass-2026"),
            "yi": bearer(client, "yi", "Station-pass-2026"),
            "self": bearer(client, "13811112222", "Volunteer-pass-2026")}


def nursing(session) -> int:
    return session.scalar(select(Skill.id).where(Skill.code == "nursing"))


def test_approval_gives_a_volunteer_number_that_is_not_the_id_number(session, people, county):
    profile = session.get(VolunteerProfile, people["volunteer"].person_id)
    assert profile.volunteer_no == f"T-2026-{profile.person_id:06d}"
    assert profile.person.id_number_masked[-4:] not in profile.volunteer_no


def test_staff_add_correct_and_retire_through_the_api_and_the_volunteer_reads_it(client, session, people, today):
    pid = people["volunteer"].person_id
    jia = people["jia"]
    training = client.post(f"/api/v1/volunteers/{pid}/record/trainings", headers=jia, json={
        "course": "老年人照护基础", "held_on": today.isoformat(), "minutes": 180, "issuer": "县民政局"})
    assert training.status_code == 201, training.get_json()
    award = client.post(f"/api/v1/volunteers/{pid}/record/awards", headers=jia, json={
        "title": "优秀志愿者", "level": "county", "awarded_on": today.isoformat(), "issuer": "县民政局"})
    assert award.status_code == 201
    evaluation = client.post(f"/api/v1/volunteers/{pid}/record/evaluations", headers=jia, json={
        "evaluated_on": today.isoformat(), "rating": 5, "comment": "认真负责"})
    assert evaluation.status_code == 201
    insurance = client.post(f"/api/v1/volunteers/{pid}/record/insurance", headers=jia, json={
        "insurer": "人保财险", "policy_no": "PA2026-1", "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=365)).isoformat()})
    assert insurance.status_code == 201
    fixed = client.patch(f"/api/v1/record/trainings/{training.get_json()['id']}", headers=jia, json={"minutes": 240})
    assert fixed.status_code == 200 and fixed.get_json()["minutes"] == 240 and fixed.get_json()["course"]
    retired = client.post(f"/api/v1/record/awards/{award.get_json()['id']}/retire", headers=jia,
                          json={"reason": "录入重复"})
    assert retired.status_code == 200 and retired.get_json()["retired_at"]
    again = client.post(f"/api/v1/record/awards/{award.get_json()['id']}/retire", headers=jia,
                        json={"reason": "录入重复"})
    assert again.status_code == 409

    mine = client.get("/api/v1/me/record", headers=people["self"]).get_json()
    assert mine["volunteer_no"].startswith("T-") and mine["stars"] == 0
    assert mine["star_thresholds_hours"] == [100, 300, 600, 1000, 1500]
    assert mine["training_minutes"] == 240 and mine["insured_today"] is True
    assert [e["rating"] for e in mine["evaluations"]] == [5]
    assert mine["awards"][0]["retire_reason"] == "录入重复"
    staff = client.get(f"/api/v1/volunteers/{pid}/record", headers=jia)
    assert staff.status_code == 200 and staff.get_json()["volunteer_no"] == mine["volunteer_no"]


def test_a_volunteer_edits_nothing_and_verifies_nothing(client, session, people, today):
    pid = people["volunteer"].person_id
    me = people["self"]
    body = {"course": "急救", "held_on": today.isoformat(), "minutes": 60, "issuer": "红十字会"}
    assert client.post(f"/api/v1/volunteers/{pid}/record/trainings", headers=me, json=body).status_code == 403
    claim = client.post("/api/v1/me/record/certificates", headers=me, json={
        "skill_id": nursing(session), "certificate_no": "HS-9", "issuer": "县卫健局",
        "valid_until": (today + timedelta(days=30)).isoformat()})
    assert claim.status_code == 201 and claim.get_json()["status"] == "pending"
    cid = claim.get_json()["id"]
    assert client.post(f"/api/v1/record/certificates/{cid}/verify", headers=me).status_code == 403
    assert client.get(f"/api/v1/volunteers/{pid}/record", headers=me).status_code == 403
    session.expire_all()
    assert session.get(SkillCertificate, cid).status == "pending" and count_rows(session, TrainingRecord) == 0
    assert client.post(f"/api/v1/record/certificates/{cid}/verify", headers=people["jia"]).status_code == 200
    assert client.post(f"/api/v1/record/certificates/{cid}/verify", headers=people["jia"]).status_code == 409
    states = client.get("/api/v1/me/record", headers=me).get_json()["certificates"]
    assert states[0]["status"] == "verified"


def test_a_station_outside_the_subtree_sees_and_changes_nothing(client, session, people, today):
    pid = people["volunteer"].person_id
    yi = people["yi"]
    assert client.get(f"/api/v1/volunteers/{pid}/record", headers=yi).status_code == 404
    body = {"course": "急救", "held_on": today.isoformat(), "minutes": 60, "issuer": "红十字会"}
    assert client.post(f"/api/v1/volunteers/{pid}/record/trainings", headers=yi, json=body).status_code == 404
    row = client.post(f"/api/v1/volunteers/{pid}/record/trainings", headers=people["jia"], json=body).get_json()
    assert client.patch(f"/api/v1/record/trainings/{row['id']}", headers=yi, json={"minutes": 1}).status_code == 404
    assert client.post(f"/api/v1/record/trainings/{row['id']}/retire", headers=yi,
                       json={"reason": "x"}).status_code == 404
    session.expire_all()
    assert session.get(TrainingRecord, row["id"]).minutes == 60


def test_bad_input_is_refused_and_changes_nothing(client, session, people, today):
    pid = people["volunteer"].person_id
    jia = people["jia"]
    span = client.post(f"/api/v1/volunteers/{pid}/record/insurance", headers=jia, json={
        "insurer": "人保财险", "policy_no": "PA-2", "valid_from": today.isoformat(),
        "valid_to": (today - timedelta(days=1)).isoformat()})
    assert span.status_code == 422 and span.get_json()["field"] == "valid_to"
    assert "止期" in span.get_json()["message"]
    not_certified = client.post(f"/api/v1/volunteers/{pid}/record/certificates", headers=jia, json={
        "skill_id": session.scalar(select(Skill.id).where(Skill.code == "cleaning")), "certificate_no": "X1",
        "issuer": "某单位", "valid_until": today.isoformat()})
    assert not_certified.status_code == 422 and not_certified.get_json()["field"] == "skill_id"
    expired = client.post(f"/api/v1/volunteers/{pid}/record/certificates", headers=jia, json={
        "skill_id": nursing(session), "certificate_no": "HS-1", "issuer": "县卫健局",
        "valid_until": (today - timedelta(days=1)).isoformat()}).get_json()
    verify = client.post(f"/api/v1/record/certificates/{expired['id']}/verify", headers=jia)
    assert verify.status_code == 422 and verify.get_json()["field"] == "valid_until"
    future = client.post(f"/api/v1/volunteers/{pid}/record/trainings", headers=jia, json={
        "course": "急救", "held_on": (today + timedelta(days=1)).isoformat(), "minutes": 60, "issuer": "红十字会"})
    assert future.status_code == 422 and future.get_json()["field"] == "held_on"
    session.expire_all()
    assert count_rows(session, InsuranceRecord) == 0 and count_rows(session, TrainingRecord) == 0
    assert session.scalar(select(func.count()).select_from(SkillCertificate)
                          .where(SkillCertificate.status == "verified")) == 0


# ---------------------------------------------------------------------------------------------------------
# pages


def test_the_volunteer_page_shows_number_stars_and_pending_certificates(web, session, people):
    profile = session.get(VolunteerProfile, people["volunteer"].person_id)
    profile.skills = list(session.scalars(select(Skill).where(Skill.code.in_(("nursing", "cleaning")))))
    session.commit()
    web.login("13811112222", "Volunteer-pass-2026")
    page = web.client.get("/me/record")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and profile.volunteer_no in html
    assert 'data-test="claim-nursing"' in html and "待核验" in html and "尚未评星" in html
    assert "登记培训" not in html  # no staff forms
    assert 'data-test="nav-record"' in html
    assert web.client.get(f"/station/people/{profile.person_id}/record").status_code == 403
    token = web.token("/me/record")
    denied = web.client.post(f"/station/people/{profile.person_id}/record/training", data={
        "csrf_token": token, "training-course": "急救"})
    assert denied.status_code == 403


def test_staff_pages_add_correct_retire_and_verify(web, session, people, today):
    pid = people["volunteer"].person_id
    web.login("jia", "Station-pass-2026")
    page = web.client.get(f"/station/people/{pid}/record")
    assert page.status_code == 200 and "登记保险" in page.get_data(as_text=True)
    bad = web.post(f"/station/people/{pid}/record/insurance", {
        "insurance-insurer": "人保财险", "insurance-policy_no": "PA-3", "insurance-valid_from": today.isoformat(),
        "insurance-valid_to": (today - timedelta(days=3)).isoformat()}, token_from=f"/station/people/{pid}/record")
    assert bad.status_code == 422 and "保险止期不能早于起期" in bad.get_data(as_text=True)
    assert count_rows(session, InsuranceRecord) == 0
    good = web.post(f"/station/people/{pid}/record/insurance", {
        "insurance-insurer": "人保财险", "insurance-policy_no": "PA-3", "insurance-valid_from": today.isoformat(),
        "insurance-valid_to": (today + timedelta(days=300)).isoformat()}, token_from=f"/station/people/{pid}/record")
    assert good.status_code == 302
    row = session.scalar(select(InsuranceRecord))
    edit = web.client.get(f"/station/people/{pid}/record/insurance/{row.id}/edit")
    assert edit.status_code == 200 and "PA-3" in edit.get_data(as_text=True)
    fixed = web.post(f"/station/people/{pid}/record/insurance/{row.id}/edit", {
        "insurer": "人保财险", "policy_no": "PA-4", "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=300)).isoformat()}, token_from=f"/station/people/{pid}/record")
    assert fixed.status_code == 302
    retire = web.post(f"/station/people/{pid}/record/insurance/{row.id}/retire",
                      {f"retire-insurance-{row.id}-reason": "保单作废"}, token_from=f"/station/people/{pid}/record")
    assert retire.status_code == 302
    session.expire_all()
    row = session.get(InsuranceRecord, row.id)
    assert (row.policy_no, row.retire_reason) == ("PA-4", "保单作废") and row.corrected_by_id is not None
    cert = web.post(f"/station/people/{pid}/record/certificate", {
        "certificate-skill_id": str(nursing(session)), "certificate-certificate_no": "HS-7",
        "certificate-issuer": "县卫健局", "certificate-valid_until": (today + timedelta(days=90)).isoformat()},
        token_from=f"/station/people/{pid}/record")
    assert cert.status_code == 302
    cid = session.scalar(select(SkillCertificate.id))
    verified = web.post(f"/station/people/{pid}/record/certificate/{cid}/verify", {},
                        token_from=f"/station/people/{pid}/record")
    assert verified.status_code == 302
    session.expire_all()
    assert session.get(SkillCertificate, cid).status == "verified"
    person = web.client.get(f"/station/people/{pid}").get_data(as_text=True)
    assert 'data-test="person-record"' in person and "尚未评星" in person


def test_another_station_gets_404_on_the_record_pages(web, session, people):
    pid = people["volunteer"].person_id
    web.login("yi", "Station-pass-2026")
    assert web.client.get(f"/station/people/{pid}/record").status_code == 404
    response = web.post(f"/station/people/{pid}/record/training", {"training-course": "急救"})
    assert response.status_code == 404


def test_the_admin_sets_star_thresholds_on_the_policy_page(web, session, county):
    from timebank.policy import service as policy_service
    from timebank.policy.models import PolicyVersion

    web.login("root", "Admin-pass-2026")
    page = web.client.get("/admin/policy/").get_data(as_text=True)
    assert 'data-test="star-thresholds"' in page and 'value="1500"' in page
    form = {"depositor_min_age": 18, "minor_mode": "group_or_guardian", "redeem_min_age": 60,
            "hardship_redeem_min_age": 55, "balance_cap_hours": 1500, "grant_approval_hours": 100,
            "hold_expiry_days": 30, "death_balance": "county_pool", "gift_kinships": ["spouse"],
            "star_1": 50, "star_2": 150, "star_3": 300, "star_4": 500, "star_5": 800}
    bad = web.post("/admin/policy/", {**form, "star_3": 100}, token_from="/admin/policy/")
    assert bad.status_code == 422 and "逐级增加" in bad.get_data(as_text=True)
    assert count_rows(session, PolicyVersion) == 0
    assert web.post("/admin/policy/", form, token_from="/admin/policy/").status_code == 302
    assert policy_service.current(session)[1].star_thresholds_hours == (50, 150, 300, 500, 800)
