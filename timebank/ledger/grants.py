"""Grants: an admin issues hours (issuance → backstop pool or a priority resident); large ones need a
second, different admin's approval before any hour moves."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import Person, User
from timebank.accounts.scope import require_node
from timebank.audit import service as audit
from timebank.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from timebank.ledger import domain
from timebank.ledger.errors import IdempotencyConflict, NeedsSecondAdmin, PolicyViolation
from timebank.ledger.models import GrantRequest, LedgerAccount
from timebank.ledger.service import (
    Outcome,
    account_for_person,
    apply_cap,
    check_key,
    lock,
    parse_minutes,
    replay,
    system_account,
    write,
)
from timebank.people import priority_facts
from timebank.people.models import ResidentProfile
from timebank.policy import service as policy_service

BACKSTOP = "backstop"


def _target(session, actor: User, to: str | int, today: date) -> LedgerAccount:
    if to == BACKSTOP:
        return system_account(session, domain.pool_code("backstop"))
    if isinstance(to, bool) or not isinstance(to, int):
        raise ValidationFailed(_l("请选择发放对象"), field="to")
    person = session.get(Person, to)
    require_node(actor, person.node if person else None)
    if session.get(ResidentProfile, to) is None or not priority_facts.priority_of(session, to, today).grant:
        raise PolicyViolation(_l("时长只能发放给政府兜底时间池或重点困难服务对象"), field="to")
    return account_for_person(session, to)


def grant(session, actor: User, *, to: str | int, minutes, reason: str, key: str, now: datetime,
          today: date) -> Outcome | GrantRequest:
    """Small grants post at once; above the policy threshold they wait for a second admin."""
    if not actor.has_role("admin"):
        raise Forbidden()
    key = check_key(key)
    minutes = parse_minutes(minutes)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("请填写发放原因"), field="reason")
    digest = domain.body_hash("grant", {"actor": actor.id, "to": to, "minutes": minutes, "reason": reason})
    if (first := _replay_any(session, key, digest)) is not None:
        return first
    target = _target(session, actor, to, today)
    version_id, policy = policy_service.current(session)
    if minutes > policy.grant_approval_minutes:
        request = GrantRequest(account_id=target.id, minutes=minutes, reason=reason[:200], status="awaiting",
                               requested_by_id=actor.id, idempotency_key=key, body_hash=digest, created_at=now)
        session.add(request)
        session.flush()
        audit.record(session, "ledger_grant_request", actor_id=actor.id, target=f"ledger_grant:{request.id}")
        return request
    return _post_grant(session, actor, target.id, minutes, reason, key, digest, version_id, policy, now)


def _replay_any(session, key: str, digest: str):
    request = session.scalar(select(GrantRequest).where(GrantRequest.idempotency_key == key))
    if request is not None:
        if request.body_hash != digest:
            raise IdempotencyConflict(field="idempotency_key")
        return request
    return replay(session, key, digest)


def _post_grant(session, actor, account_id, minutes, reason, key, digest, version_id, policy, now,
                reference=None) -> Outcome:
    issuance = system_account(session, domain.ISSUANCE_CODE)
    locked = lock(session, issuance.id, account_id)
    transfer = write(session, locked[issuance.id], locked[account_id], minutes, kind="grant", key=key,
                     digest=digest, memo=reason, reference=reference, actor_id=actor.id,
                     policy_version_id=version_id, now=now)
    extra = apply_cap(session, locked[account_id], policy, transfer, locked=locked, version_id=version_id,
                      now=now)
    audit.record(session, "ledger_grant", actor_id=actor.id, target=f"transfer:{transfer.id}")
    return Outcome(transfer, overflow_minutes=extra)


def decide(session, actor: User, *, grant_id: int, approve: bool, key: str, now: datetime) -> GrantRequest:
    """A second admin (never the requester) approves (hours move now) or rejects a waiting grant."""
    if not actor.has_role("admin"):
        raise Forbidden()
    key = check_key(key)
    request = session.scalar(select(GrantRequest).where(GrantRequest.id == grant_id).with_for_update())
    if request is None:
        raise NotFound(field="grant_id")
    if request.status != "awaiting":
        raise InvalidTransition(_l("该发放申请已经处理过"))
    if request.requested_by_id == actor.id:
        raise NeedsSecondAdmin()
    request.status = "approved" if approve else "rejected"
    request.decided_by_id = actor.id
    request.decided_at = now
    if approve:
        version_id, policy = policy_service.current(session)
        digest = domain.body_hash("grant_approve", {"grant": request.id})
        outcome = _post_grant(session, actor, request.account_id, request.minutes, request.reason, key, digest,
                              version_id, policy, now, reference=f"grant:{request.id}")
        request.transfer_id = outcome.transfer.id
    audit.record(session, "ledger_grant_approve" if approve else "ledger_grant_reject", actor_id=actor.id,
                 target=f"ledger_grant:{request.id}")
    session.flush()
    return request
