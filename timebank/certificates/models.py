"""志愿服务记录证明: issued certificates (serial per county per year) and volunteers' requests for one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import OrgNode, Person, User
from timebank.db import CreatedAtMixin, UTCDateTime
from timebank.extensions import db


class Certificate(CreatedAtMixin, db.Model):
    """One issued certificate. Its figures are frozen at issue; revoking keeps the row (with a reason)."""

    __tablename__ = "volunteer_certificate"
    __table_args__ = (
        UniqueConstraint("county_id", "year", "sequence", name="uq_volunteer_certificate_sequence"),
        CheckConstraint("status IN ('valid', 'revoked')", name="status"),
        CheckConstraint("period_end >= period_start", name="period"),
        CheckConstraint("total_minutes > 0 AND record_count > 0", name="has_records"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        CheckConstraint("(status = 'revoked') = (revoked_at IS NOT NULL)", name="revoked_at"),
        CheckConstraint("status = 'valid' OR revoke_reason IS NOT NULL", name="revoke_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)  # in the QR link: serials can be guessed
    county_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)  # the person's node at issue
    name: Mapped[str] = mapped_column(String(50))
    volunteer_number: Mapped[str] = mapped_column(String(40))
    id_masked: Mapped[str] = mapped_column(String(18))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    total_minutes: Mapped[int] = mapped_column(Integer)
    record_count: Mapped[int] = mapped_column(Integer)
    issuer_name: Mapped[str] = mapped_column(String(120))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(8), default="valid")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoke_reason: Mapped[str | None] = mapped_column(String(300))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    node: Mapped[OrgNode] = relationship(foreign_keys=[node_id])
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])


class CertificateRequest(CreatedAtMixin, db.Model):
    """A volunteer asks their station for a certificate over a period; the station issues (or declines) it."""

    __tablename__ = "certificate_request"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'issued', 'declined')", name="status"),
        CheckConstraint("period_end >= period_start", name="period"),
        CheckConstraint("status != 'issued' OR certificate_id IS NOT NULL", name="issued_has_certificate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_certificate.id"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(String(300))

    person: Mapped[Person] = relationship()
    certificate: Mapped[Certificate | None] = relationship()
