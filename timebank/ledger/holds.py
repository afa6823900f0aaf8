"""Two-phase transfers: reserve minutes for an accepted request, then post, void or let them expire.

A hold is a `pending` transfer; its resolution is a new transfer (`post`, `void` or `expire`) naming it.
`pending_id` is unique, so the database itself lets a hold resolve exactly once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from timebank.errors import NotFound, ValidationFailed
from timebank.ledger import domain
from timebank.ledger.errors import AlreadyResolved
from timebank.ledger.models import Transfer
from timebank.ledger.service import (
    KeyTaken,
    Outcome,
    account_for_person,
    apply_cap,
    check_key,
    check_redemption,
    lock,
    lock_rows,
    once,
    parse_minutes,
    replay,
    spend_guard,
    write,
)
from timebank.policy import service as policy_service

SERVICE_REFERENCE = ("request:", "visit:")


def reserve(session, *, payer_account_id: int, person_id: int, minutes, key: str, reference: str,
            actor_id: int | None = None, memo: str | None = None, served_id: int | None = None, now: datetime,
            today: date) -> Outcome:
    """Reserve minutes from the payer for a service by the volunteer `person_id` to `served_id` (by default
    the payer's own person) — services only, never cash; the redemption rule is checked again here."""
    key = check_key(key)
    minutes = parse_minutes(minutes)
    if not isinstance(reference, str) or not reference.startswith(SERVICE_REFERENCE):
        raise ValidationFailed(_l("时长只能用于兑换服务"), field="reference")
    body = {"payer": payer_account_id, "person": person_id, "minutes": minutes, "reference": reference}
    if served_id is not None:
        body["served"] = served_id
    digest = domain.body_hash("reserve", body)

    def attempt() -> Outcome:
        got = lock_rows(session, (payer_account_id,), person_ids=(person_id,), key=key)
        if got.key_used:
            raise KeyTaken(key)
        if person_id not in got.by_person:
            account_for_person(session, person_id)  # NotFound(person_id), or opens the missing account
            got = lock_rows(session, (payer_account_id,), person_ids=(person_id,), key=key)
        payee, payer = got.by_person[person_id], got.accounts.get(payer_account_id)
        if payer is None:
            raise NotFound()
        if payer.id == payee.id:
            raise ValidationFailed(_l("付款账户和收款账户不能相同"), field="person_id")
        version_id, policy = got.policy_version_id, got.policy
        check_redemption(session, payer, policy, today, served_id)
        transfer = spend_guard(lambda: write(
            session, payer, payee, minutes, kind="redeem", phase="pending", key=key, digest=digest,
            expires_at=now + timedelta(days=policy.hold_expiry_days), reference=reference, memo=memo,
            actor_id=actor_id, policy_version_id=version_id, now=now))
        return Outcome(transfer)

    return once(session, key, digest, attempt)


def _load_open(session, hold_id: int, key: str, digest: str) -> tuple[Transfer, dict] | Outcome:
    """The hold and its locked accounts; if it resolved meanwhile under this very key, that first result."""
    hold = session.get(Transfer, hold_id) if isinstance(hold_id, int) else None
    if hold is None or hold.phase != "pending":
        raise NotFound(_l("找不到该笔预留"), field="hold_id")
    locked = lock(session, hold.debit_account_id, hold.credit_account_id)
    if session.scalar(select(Transfer.id).where(Transfer.pending_id == hold.id)) is not None:
        if (first := replay(session, key, digest)) is not None:
            return first
        raise AlreadyResolved(field="hold_id")
    return hold, locked


def post(session, *, hold_id: int, minutes=None, key: str, actor_id: int | None = None,
         now: datetime) -> Outcome:
    """Settle a hold for `minutes` (default: all of it); the rest is released to the payer."""
    key = check_key(key)
    if minutes is not None:
        minutes = parse_minutes(minutes)
    digest = domain.body_hash("post", {"hold": hold_id, "minutes": minutes})
    if (first := replay(session, key, digest)) is not None:
        return first
    loaded = _load_open(session, hold_id, key, digest)
    if isinstance(loaded, Outcome):
        return loaded
    hold, locked = loaded
    amount = hold.minutes if minutes is None else minutes
    if amount > hold.minutes:
        raise ValidationFailed(_l("结算时长不能超过预留时长"), field="minutes")
    version_id, policy = policy_service.current(session)
    debit, credit = locked[hold.debit_account_id], locked[hold.credit_account_id]
    transfer = spend_guard(lambda: write(
        session, debit, credit, amount, kind=hold.kind, phase="post", key=key, digest=digest, pending=hold,
        reference=hold.reference, actor_id=actor_id, policy_version_id=version_id, now=now))
    extra = apply_cap(session, credit, policy, transfer, locked=locked, version_id=version_id, now=now)
    return Outcome(transfer, overflow_minutes=extra)


def void(session, *, hold_id: int, key: str, actor_id: int | None = None, now: datetime,
         phase: str = "void") -> Outcome:
    """Release a hold in full (the request was cancelled)."""
    key = check_key(key)
    digest = domain.body_hash(phase, {"hold": hold_id})
    if (first := replay(session, key, digest)) is not None:
        return first
    loaded = _load_open(session, hold_id, key, digest)
    if isinstance(loaded, Outcome):
        return loaded
    hold, locked = loaded
    if phase == "expire" and hold.expires_at > now:
        raise ValidationFailed(_l("该笔预留尚未到期"), field="hold_id")
    version_id, _policy = policy_service.current(session)
    transfer = write(session, locked[hold.debit_account_id], locked[hold.credit_account_id], hold.minutes,
                     kind=hold.kind, phase=phase, key=key, digest=digest, pending=hold, reference=hold.reference,
                     actor_id=actor_id, policy_version_id=version_id, now=now)
    return Outcome(transfer)


def expire(session, *, hold_id: int, now: datetime) -> Outcome:
    """Release a hold whose time ran out (the key is derived from the hold, so the job is idempotent)."""
    return void(session, hold_id=hold_id, key=f"expire:{hold_id}", now=now, phase="expire")


def due_holds(session, now: datetime, limit: int = 500) -> list[int]:
    resolution = aliased(Transfer)
    return list(session.scalars(
        select(Transfer.id).outerjoin(resolution, resolution.pending_id == Transfer.id)
        .where(Transfer.phase == "pending", Transfer.expires_at <= now, resolution.id.is_(None))
        .order_by(Transfer.id).limit(limit)))
