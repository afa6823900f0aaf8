"""Take-seat, the open-request list and matching use verified skills and valid insurance: an unverified or
expired certificate does not count, an uninsured volunteer cannot take a seat in a risky category. Refusals
say why in plain words and change nothing; the ledger check passes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.integration.visits.world import NOW, TODAY
from timebank.dispatch.build import build
from timebank.errors import ValidationFailed
from timebank.people import record_service
from timebank.people.record_models import InsuranceRecord, SkillCertificate
from timebank.visits import open_list


def certificate(vw, volunteer, code="nursing", *, valid_until=date(2027, 12, 31), verified=True):
    row = SkillCertificate(person_id=volunteer.person_id, skill_id=vw.skill(code).id, certificate_no="HS-001",
                           issuer="县卫健局", valid_until=valid_until, created_by_id=vw.admin.id)
    vw.session.add(row)
    vw.session.flush()
    if verified:
        row.status, row.verified_by_id, row.verified_at = "verified", vw.admin.id, NOW
    vw.session.commit()
    return row


def insure(vw, volunteer, start, end):
    vw.session.add(InsuranceRecord(person_id=volunteer.person_id, insurer="人保财险", policy_no="PA-1",
                                   valid_from=start, valid_to=end, created_by_id=vw.admin.id))
    vw.session.commit()


@pytest.fixture
def nursing_request(vw):
    resident = vw.resident()
    return vw.post(vw.admin, resident, skill_ids=(vw.skill("nursing").id,))


def refused(vw, volunteer, req, reason):
    before = vw.snapshot()
    with pytest.raises(ValidationFailed) as caught:
        vw.take(volunteer, req)
    vw.session.rollback()
    assert caught.value.details["reason"] == reason
    assert vw.snapshot() == before
    vw.check()
    return str(caught.value.message)


# ---------------------------------------------------------------------------------------------------------
# certified skills


def test_a_self_declared_certified_skill_does_not_count_until_verified(vw, nursing_request):
    volunteer = vw.volunteer(skills=("companionship", "nursing"))
    message = refused(vw, volunteer, nursing_request, "skills")
    assert "证书" in message and "护理" in message
    pending = certificate(vw, volunteer, verified=False)
    assert "证书" in refused(vw, volunteer, nursing_request, "skills")
    record_service.verify_certificate(vw.session, vw.admin, pending.id, now=NOW, today=TODAY)
    vw.session.commit()
    seat = vw.take(volunteer, nursing_request)
    assert seat.volunteer_id == volunteer.person_id


def test_an_expired_certificate_stops_counting(vw, nursing_request):
    volunteer = vw.volunteer(skills=("nursing",))
    certificate(vw, volunteer, valid_until=TODAY - timedelta(days=1))
    assert "已过期" in refused(vw, volunteer, nursing_request, "skills")


def test_a_certificate_valid_through_today_counts(vw, nursing_request):
    volunteer = vw.volunteer(skills=("nursing",))
    certificate(vw, volunteer, valid_until=TODAY)
    assert vw.take(volunteer, nursing_request).status == "active"


def test_a_retired_certificate_does_not_count(vw, nursing_request):
    volunteer = vw.volunteer(skills=("nursing",))
    row = certificate(vw, volunteer)
    record_service.retire_entry(vw.session, vw.admin, "certificate", row.id, "证书编号登记错误", now=NOW)
    vw.session.commit()
    refused(vw, volunteer, nursing_request, "skills")


def test_the_open_list_shows_a_certified_request_only_with_a_valid_certificate(vw, nursing_request):
    volunteer = vw.volunteer(skills=("companionship", "nursing"))
    assert nursing_request.id not in [r.id for r in open_list.open_for_volunteer(vw.session, volunteer, now=NOW).rows]
    certificate(vw, volunteer)
    assert nursing_request.id in [r.id for r in open_list.open_for_volunteer(vw.session, volunteer, now=NOW).rows]


def test_matching_sees_only_counted_skills(vw, nursing_request):
    pending = vw.volunteer(skills=("companionship", "nursing"), name="待核验")
    expired = vw.volunteer(skills=("companionship", "nursing"), name="已过期")
    verified = vw.volunteer(skills=("companionship", "nursing"), name="已核验")
    certificate(vw, pending, verified=False)
    certificate(vw, expired, valid_until=TODAY - timedelta(days=1))
    certificate(vw, verified)
    built = build(vw.session, vw.county["township0"], start=NOW, end=NOW + timedelta(days=7), now=NOW)
    skills = {built.volunteers[v["id"]]: v["skills"] for v in built.problem["volunteers"]}
    assert skills[pending.person_id] == ["companionship"]
    assert skills[expired.person_id] == ["companionship"]
    assert skills[verified.person_id] == ["companionship", "nursing"]


# ---------------------------------------------------------------------------------------------------------
# insurance


@pytest.fixture
def risky(vw):
    category = vw.category("medical_escort")
    category.requires_insurance = True
    vw.session.commit()
    return category


def test_insurance_blocks_a_risky_category(vw, risky):
    volunteer = vw.volunteer(skills=("medical_escort",))
    req = vw.post(vw.admin, vw.resident(), category_id=risky.id)
    visit_day = (NOW + timedelta(days=1)).date()
    message = refused(vw, volunteer, req, "insurance")
    assert "保险" in message and "陪同就医" in message
    insure(vw, volunteer, date(2025, 1, 1), visit_day - timedelta(days=1))  # expired the day before the visit
    assert "到期" in refused(vw, volunteer, req, "insurance")
    insure(vw, volunteer, visit_day, visit_day + timedelta(days=365))
    assert vw.take(volunteer, req).status == "active"


def test_a_retired_insurance_does_not_cover(vw, risky):
    volunteer = vw.volunteer(skills=("medical_escort",))
    insure(vw, volunteer, date(2026, 1, 1), date(2027, 12, 31))
    row = vw.session.query(InsuranceRecord).filter_by(person_id=volunteer.person_id).one()
    record_service.retire_entry(vw.session, vw.admin, "insurance", row.id, "保单已退保", now=NOW)
    vw.session.commit()
    refused(vw, volunteer, vw.post(vw.admin, vw.resident(), category_id=risky.id), "insurance")


def test_categories_without_the_option_need_no_insurance(vw, risky):
    volunteer = vw.volunteer()
    assert vw.take(volunteer, vw.post(vw.admin, vw.resident())).status == "active"


def test_matching_leaves_out_uninsured_volunteers_for_a_risky_category(vw, risky):
    req = vw.post(vw.admin, vw.resident(), category_id=risky.id)
    insured = vw.volunteer(skills=("medical_escort",), name="在保")
    uninsured = vw.volunteer(skills=("medical_escort",), name="未保")
    visit_day = (NOW + timedelta(days=1)).date()
    insure(vw, insured, visit_day - timedelta(days=30), visit_day + timedelta(days=30))
    built = build(vw.session, vw.county["township0"], start=NOW, end=NOW + timedelta(days=7), now=NOW)
    request = next(r for r in built.problem["requests"] if r["id"] == f"r{req.id}")
    assert f"v{uninsured.person_id}" in request["excluded"]
    assert f"v{insured.person_id}" not in request["excluded"]
