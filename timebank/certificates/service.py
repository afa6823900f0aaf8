"""Writes for certificates: issue (staff, in scope, only with service records), revoke (with a reason),
a volunteer's request and the station's answer. Flushes, never commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from timebank.accounts.models import OrgNode, Person, User
from timebank.accounts.scope import load_scoped
from timebank.audit import service as audit
from timebank.catalog.models import ServiceCategory
from timebank.certificates import domain
from timebank.certificates.fonts import codepoints
from timebank.certificates.models import Certificate, CertificateRequest
from timebank.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from timebank.people.models import VolunteerProfile
from timebank.visits.models import ServiceRecord

PERIOD_MESSAGES = {
    "backwards": _l("结束日期不能早于开始日期，请重新选择服务期间。"),
    "future": _l("开始日期不能晚于今天。"),
    "too_long": _l("服务期间最长二十年。"),
}
COUNTY_ISSUER_SUFFIX = "民政局"  # printed on the certificate (a document, always Chinese)


def _volunteer_number(person: Person) -> str:
    """The volunteer number printed on the certificate (志愿者编号, never the ID number); a volunteer approved
    before numbers existed and not yet numbered falls back to the masked ID number."""
    profile = object_session(person).get(VolunteerProfile, person.id)
    return (profile.volunteer_no if profile is not None else None) or person.id_number_masked


def check_period(start: date | None, end: date | None, today: date, field: str = "period_end") -> None:
    if start is None or end is None:
        raise ValidationFailed(_l("请填写服务期间的开始和结束日期"), field="period_start" if start is None else field)
    try:
        domain.check_period(start, end, today)
    except domain.PeriodProblem as problem:
        raise ValidationFailed(PERIOD_MESSAGES[problem.reason], field=field) from None


def utc_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    low = datetime.combine(start, time.min, zone).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    return low, high


def records(session, person_id: int, start: date, end: date, tz: str,
            recorded_by: datetime | None = None) -> list[domain.RecordLine]:
    """The volunteer's service records ending inside the period (county local dates), oldest first; with
    `recorded_by`, only those recorded by then (a certificate prints what it was issued on)."""
    low, high = utc_bounds(start, end, tz)
    stmt = (
        select(ServiceRecord.ended_at, ServiceCategory.name_zh, ServiceRecord.content, ServiceRecord.credited_minutes)
        .join(ServiceCategory, ServiceCategory.id == ServiceRecord.category_id)
        .where(ServiceRecord.volunteer_id == person_id, ServiceRecord.ended_at >= low,
               ServiceRecord.ended_at < high, ServiceRecord.credited_minutes > 0)
        .order_by(ServiceRecord.ended_at, ServiceRecord.id))
    if recorded_by is not None:
        stmt = stmt.where(ServiceRecord.created_at <= recorded_by)
    rows = session.execute(stmt).all()
    zone = ZoneInfo(tz)
    return [domain.RecordLine(ended.astimezone(zone).date(), category, content, minutes)
            for ended, category, content, minutes in rows]


def load_volunteer(session, actor: User, person_id: int) -> Person:
    stmt = select(Person).join(VolunteerProfile, VolunteerProfile.person_id == Person.id).where(Person.id == person_id)
    return load_scoped(session, stmt, actor, Person.node_id)


def _county(session, node: OrgNode) -> OrgNode:
    root_id = int(node.path.strip("/").split("/")[0])
    # lock the county row: two issues at once take sequence numbers one after the other (PostgreSQL)
    return session.scalar(select(OrgNode).where(OrgNode.id == root_id).with_for_update())


def _issuer(actor: User, county: OrgNode) -> str:
    if actor.station is not None:
        return actor.station.name
    return county.name + COUNTY_ISSUER_SUFFIX


@dataclass(frozen=True)
class IssueInput:
    person_id: int
    period_start: date | None
    period_end: date | None


def issue(session, actor: User, data: IssueInput, *, today: date, now: datetime, tz: str) -> Certificate:
    """Issue a certificate for a volunteer in the actor's subtree over a period that holds service records."""
    person = load_volunteer(session, actor, data.person_id)
    check_period(data.period_start, data.period_end, today)
    lines = records(session, person.id, data.period_start, data.period_end, tz)
    if not lines:
        raise ValidationFailed(_l("%(name)s在该期间没有志愿服务记录，不能出具证明。", name=person.name),
                               field="period_start")
    missing = domain.missing_glyphs(person.name, codepoints())
    if missing:
        raise ValidationFailed(_l("姓名中的“%(chars)s”不在证明所用字库中，无法正确打印。请联系县民政局手工出具。",
                                  chars="".join(missing)), field="person_id")
    county = _county(session, person.node)
    year = today.year
    sequence = (session.scalar(select(func.max(Certificate.sequence))
                               .where(Certificate.county_id == county.id, Certificate.year == year)) or 0) + 1
    certificate = Certificate(
        serial=domain.serial_number(county.code, year, sequence), token=secrets.token_urlsafe(24),
        county_id=county.id, year=year, sequence=sequence, person_id=person.id, node_id=person.node_id,
        name=person.name, volunteer_number=_volunteer_number(person), id_masked=person.id_number_masked,
        period_start=data.period_start, period_end=data.period_end,
        total_minutes=sum(line.minutes for line in lines), record_count=len(lines),
        issuer_name=_issuer(actor, county), issued_on=today, issued_by_id=actor.id, status="valid")
    session.add(certificate)
    session.flush()
    audit.record(session, "certificate_issue", actor_id=actor.id, target=f"person:{person.id}",
                 detail=certificate.serial)
    return certificate


def load_certificate(session, actor: User, certificate_id: int) -> Certificate:
    """Staff in scope, or the volunteer it was issued to."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound()
    if actor.person_id is not None and actor.person_id == certificate.person_id:
        return certificate
    return load_scoped(session, select(Certificate).where(Certificate.id == certificate_id), actor,
                       Certificate.node_id)


def revoke(session, actor: User, certificate_id: int, *, reason: str | None, now: datetime) -> Certificate:
    if not actor.has_role("station", "admin"):
        raise Forbidden()
    certificate = load_scoped(session, select(Certificate).where(Certificate.id == certificate_id), actor,
                              Certificate.node_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("撤销证明时请填写原因"), field="reason")
    if len(reason) > domain.REVOKE_REASON_MAX:
        raise ValidationFailed(_l("原因最多300字"), field="reason")
    if certificate.status == "revoked":
        raise InvalidTransition(_l("该证明已撤销"))
    certificate.status = "revoked"
    certificate.revoked_at = now
    certificate.revoked_by_id = actor.id
    certificate.revoke_reason = reason
    session.flush()
    audit.record(session, "certificate_revoke", actor_id=actor.id, target=f"person:{certificate.person_id}",
                 detail=f"{certificate.serial}: {reason}")
    return certificate


def by_token(session, token: str) -> Certificate:
    if not token or len(token) > 64:
        raise NotFound()
    certificate = session.scalar(select(Certificate).where(Certificate.token == token))
    if certificate is None:
        raise NotFound()
    return certificate


def request_certificate(session, user: User, *, period_start: date | None, period_end: date | None,
                        purpose: str | None, today: date, tz: str) -> CertificateRequest:
    """A volunteer asks their station for a certificate; refused at once when the period holds no record."""
    if user.person_id is None or session.get(VolunteerProfile, user.person_id) is None:
        raise Forbidden(_l("只有志愿者可以申请志愿服务记录证明"))
    check_period(period_start, period_end, today)
    if not records(session, user.person_id, period_start, period_end, tz):
        raise ValidationFailed(_l("您在该期间没有志愿服务记录，不能申请证明。"), field="period_start")
    pending = session.scalar(select(CertificateRequest.id).where(CertificateRequest.person_id == user.person_id,
                                                                 CertificateRequest.status == "pending"))
    if pending is not None:
        raise InvalidTransition(_l("您已有一份申请正在办理，请等待社工站出具。"))
    purpose = (purpose or "").strip()[:100] or None
    row = CertificateRequest(person_id=user.person_id, period_start=period_start, period_end=period_end,
                             purpose=purpose, status="pending")
    session.add(row)
    session.flush()
    audit.record(session, "certificate_request", actor_id=user.id, target=f"person:{user.person_id}")
    return row


def _load_request(session, actor: User, request_id: int) -> CertificateRequest:
    stmt = select(CertificateRequest).join(Person, Person.id == CertificateRequest.person_id).where(
        CertificateRequest.id == request_id)
    row = load_scoped(session, stmt, actor, Person.node_id)
    if row.status != "pending":
        raise InvalidTransition(_l("该申请已办理"))
    return row


def issue_request(session, actor: User, request_id: int, *, today: date, now: datetime, tz: str) -> Certificate:
    row = _load_request(session, actor, request_id)
    certificate = issue(session, actor, IssueInput(row.person_id, row.period_start, row.period_end),
                        today=today, now=now, tz=tz)
    row.status, row.certificate_id, row.handled_by_id, row.handled_at = "issued", certificate.id, actor.id, now
    session.flush()
    return certificate


def decline_request(session, actor: User, request_id: int, *, reason: str | None, now: datetime) -> CertificateRequest:
    row = _load_request(session, actor, request_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("请填写不予出具的原因"), field="reason")
    row.status, row.decline_reason, row.handled_by_id, row.handled_at = "declined", reason[:300], actor.id, now
    session.flush()
    audit.record(session, "certificate_decline", actor_id=actor.id, target=f"person:{row.person_id}")
    return row
