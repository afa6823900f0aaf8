"""Issuing, numbering, refusing and revoking certificates through the service (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from timebank.audit.models import AuditEvent
from timebank.certificates import queries, service
from timebank.certificates.models import Certificate, CertificateRequest
from timebank.errors import Forbidden, InvalidTransition, NotInScope, ValidationFailed

TODAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
TZ = "Asia/Shanghai"


def issue(vw, actor, person_id, start=date(2026, 1, 1), end=date(2026, 12, 1)):
    certificate = service.issue(vw.session, actor, service.IssueInput(person_id, start, end), today=TODAY, now=NOW,
                                tz=TZ)
    vw.session.commit()
    return certificate


def test_a_certificate_freezes_the_records_of_the_period(vw, served):
    certificate = issue(vw, vw.admin, served.person_id)
    assert (certificate.total_minutes, certificate.record_count) == (80, 2)
    assert certificate.name == "陈静" and certificate.status == "valid"
    assert "*" in certificate.id_masked and certificate.volunteer_number != certificate.id_masked
    assert certificate.volunteer_number.endswith(f"-{served.person_id:06d}")  # the 志愿者编号, not the ID
    assert certificate.serial == "T-2026-000001"
    assert certificate.issuer_name == "测试县民政局"
    data = queries.pdf_data(vw.session, certificate, verify_url="http://x/c", tz=TZ)
    assert [line.minutes for line in data.records] == [50, 30]
    assert vw.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "certificate_issue"))


def test_serials_are_sequential_per_county_and_year(vw, served, make_staff):
    staff = make_staff("zhenA")
    first = issue(vw, vw.admin, served.person_id)
    second = issue(vw, staff, served.person_id)
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.serial == "T-2026-000002"
    assert second.issuer_name == "甲镇社工站"


def test_no_records_in_the_period_is_refused_clearly(vw, served):
    with pytest.raises(ValidationFailed) as refused:
        issue(vw, vw.admin, served.person_id, date(2025, 1, 1), date(2025, 12, 31))
    assert "没有志愿服务记录" in str(refused.value.message)
    vw.session.rollback()
    assert vw.rows(Certificate) == 0


def test_a_backwards_period_is_refused(vw, served):
    with pytest.raises(ValidationFailed) as refused:
        issue(vw, vw.admin, served.person_id, date(2026, 12, 1), date(2026, 1, 1))
    assert refused.value.field == "period_end"


def test_a_station_outside_the_subtree_gets_not_found(vw, served, make_staff):
    other = make_staff("zhenB", township_index=1)
    with pytest.raises(NotInScope):
        issue(vw, other, served.person_id)
    certificate = issue(vw, vw.admin, served.person_id)
    with pytest.raises(NotInScope):
        service.revoke(vw.session, other, certificate.id, reason="错", now=NOW)


def test_revoke_needs_a_reason_and_happens_once(vw, served):
    certificate = issue(vw, vw.admin, served.person_id)
    with pytest.raises(ValidationFailed):
        service.revoke(vw.session, vw.admin, certificate.id, reason="  ", now=NOW)
    service.revoke(vw.session, vw.admin, certificate.id, reason="时长登记有误", now=NOW)
    vw.session.commit()
    assert service.by_token(vw.session, certificate.token).status == "revoked"
    with pytest.raises(InvalidTransition):
        service.revoke(vw.session, vw.admin, certificate.id, reason="再次", now=NOW)


def test_a_volunteer_cannot_revoke_their_own(vw, served):
    certificate = issue(vw, vw.admin, served.person_id)
    with pytest.raises(Forbidden):
        service.revoke(vw.session, served, certificate.id, reason="不要了", now=NOW)
    assert service.load_certificate(vw.session, served, certificate.id).id == certificate.id


def test_a_volunteer_requests_and_the_station_issues(vw, served, make_staff):
    row = service.request_certificate(vw.session, served, period_start=date(2026, 1, 1),
                                      period_end=date(2026, 12, 1), purpose="升学", today=TODAY, tz=TZ)
    vw.session.commit()
    with pytest.raises(InvalidTransition):
        service.request_certificate(vw.session, served, period_start=date(2026, 1, 1),
                                    period_end=date(2026, 12, 1), purpose=None, today=TODAY, tz=TZ)
    vw.session.rollback()
    certificate = service.issue_request(vw.session, make_staff("zhenA"), row.id, today=TODAY, now=NOW, tz=TZ)
    vw.session.commit()
    assert vw.session.get(CertificateRequest, row.id).certificate_id == certificate.id


def test_a_request_over_an_empty_period_is_refused(vw, served):
    with pytest.raises(ValidationFailed):
        service.request_certificate(vw.session, served, period_start=date(2024, 1, 1),
                                    period_end=date(2024, 2, 1), purpose=None, today=TODAY, tz=TZ)


def test_a_name_outside_the_bundled_font_is_refused_before_anything_is_written(vw, served):
    vw.session.get(type(served.person), served.person_id).name = "陈𠀾"  # CJK extension B
    vw.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        issue(vw, vw.admin, served.person_id)
    assert "𠀾" in str(refused.value.message)
