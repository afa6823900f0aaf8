"""Time accounts, append-only transfers, grant requests, notices and reconciliation runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import Person
from timebank.db import CreatedAtMixin, UTCDateTime, utcnow
from timebank.extensions import db


class LedgerAccount(CreatedAtMixin, db.Model):
    """One per person, pool, charity, plus the issuance account. Balances are cached sums of transfers."""

    __tablename__ = "ledger_account"
    __table_args__ = (
        CheckConstraint("kind IN ('person', 'pool', 'charity', 'issuance')", name="kind"),
        CheckConstraint("(kind = 'person') = (person_id IS NOT NULL)", name="person_owner"),
        CheckConstraint("(kind = 'person') = (code IS NULL)", name="system_code"),
        CheckConstraint("kind = 'issuance' OR balance - pending_debits >= 0", name="not_overdrawn"),
        CheckConstraint("pending_debits >= 0 AND pending_credits >= 0", name="pending_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)  # issuance, pool:backstop, charity:7
    name: Mapped[str | None] = mapped_column(String(80))
    balance: Mapped[int] = mapped_column(BigInteger, default=0)  # posted credits − posted debits
    pending_debits: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_credits: Mapped[int] = mapped_column(BigInteger, default=0)

    person: Mapped[Person | None] = relationship()

    @property
    def spendable(self) -> int:
        return self.balance - self.pending_debits


class Transfer(db.Model):
    """Debits one account and credits another. Never updated or deleted (a PostgreSQL trigger refuses it).

    A primary transfer carries the caller's idempotency key and body hash; linked transfers written in the
    same operation (cap overflow, team-hours donation) point at it through `parent_id` instead.
    """

    __tablename__ = "ledger_transfer"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("debit_account_id != credit_account_id", name="two_accounts"),
        CheckConstraint("kind IN ('earn', 'gift', 'donate', 'grant', 'overflow', 'redeem', 'reversal')",
                        name="kind"),
        CheckConstraint("phase IN ('posted', 'pending', 'post', 'void', 'expire')", name="phase"),
        CheckConstraint("(phase IN ('post', 'void', 'expire')) = (pending_id IS NOT NULL)", name="resolves"),
        CheckConstraint("(phase = 'pending') = (expires_at IS NOT NULL)", name="expiry"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_names"),
        CheckConstraint("(parent_id IS NULL) = (idempotency_key IS NOT NULL)", name="keyed"),
        Index("ix_ledger_transfer_debit_id", "debit_account_id", "id"),
        Index("ix_ledger_transfer_credit_id", "credit_account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"))
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"))
    minutes: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(12))
    phase: Mapped[str] = mapped_column(String(8), default="posted")
    pending_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    reference: Mapped[str | None] = mapped_column(String(60), index=True)  # request:12, visit:3, grant:5
    memo: Mapped[str | None] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_version.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    debit_account: Mapped[LedgerAccount] = relationship(foreign_keys=[debit_account_id])
    credit_account: Mapped[LedgerAccount] = relationship(foreign_keys=[credit_account_id])


class GrantRequest(CreatedAtMixin, db.Model):
    """A grant above the approval threshold waits here until a second, different admin decides."""

    __tablename__ = "ledger_grant"
    __table_args__ = (
        CheckConstraint("status IN ('awaiting', 'approved', 'rejected')", name="status"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("status = 'awaiting' OR decided_by_id IS NOT NULL", name="decided"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    minutes: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="awaiting", index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"))
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    body_hash: Mapped[str] = mapped_column(String(64))

    account: Mapped[LedgerAccount] = relationship()


class LedgerNotice(CreatedAtMixin, db.Model):
    """Something the account holder must be told (the cap overflow); shown on 我的时间账户.

    The notification outbox of a later issue will also deliver these.
    """

    __tablename__ = "ledger_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int] = mapped_column(BigInteger)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfer.id"))
    seen: Mapped[bool] = mapped_column(Boolean, default=False)


class CheckRun(db.Model):
    """The result of one reconciliation (`flask ledger check` or the admin page)."""

    __tablename__ = "ledger_check_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(String(300))
    violations: Mapped[str | None] = mapped_column(Text)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
