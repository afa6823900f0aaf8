"""Reads for the certificate pages and API: lists in the actor's subtree, a volunteer's own, the PDF data."""

from __future__ import annotations

from sqlalchemy import select

from timebank.accounts.models import Person, User
from timebank.accounts.scope import in_scope
from timebank.certificates import domain, service
from timebank.certificates.models import Certificate, CertificateRequest

PER_PAGE = 50


def certificates_in_scope(session, actor: User, *, page: int) -> tuple[list[Certificate], bool]:
    rows = list(session.scalars(
        select(Certificate).where(in_scope(Certificate.node_id, actor))
        .order_by(Certificate.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def pending_requests(session, actor: User, *, page: int) -> tuple[list[CertificateRequest], bool]:
    rows = list(session.scalars(
        select(CertificateRequest).join(Person, Person.id == CertificateRequest.person_id)
        .where(CertificateRequest.status == "pending", in_scope(Person.node_id, actor))
        .order_by(CertificateRequest.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def mine(session, person_id: int) -> tuple[list[Certificate], list[CertificateRequest]]:
    certificates = list(session.scalars(select(Certificate).where(Certificate.person_id == person_id)
                                        .order_by(Certificate.id.desc()).limit(200)))
    requests = list(session.scalars(select(CertificateRequest).where(CertificateRequest.person_id == person_id)
                                    .order_by(CertificateRequest.id.desc()).limit(200)))
    return certificates, requests


def pdf_data(session, certificate: Certificate, *, verify_url: str, tz: str) -> domain.CertificateData:
    lines = service.records(session, certificate.person_id, certificate.period_start, certificate.period_end, tz,
                            recorded_by=certificate.created_at)
    return domain.CertificateData(
        serial=certificate.serial, name=certificate.name, volunteer_number=certificate.volunteer_number,
        id_masked=certificate.id_masked, period_start=certificate.period_start,
        period_end=certificate.period_end, total_minutes=certificate.total_minutes, records=tuple(lines),
        issuer_name=certificate.issuer_name, issued_on=certificate.issued_on, verify_url=verify_url,
        revoked=certificate.status == "revoked")
