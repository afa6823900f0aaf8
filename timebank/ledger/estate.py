"""A deceased person's balance, moved by the policy in force: to the county donation pool or to an heir.

Ordinary keyed transfers through the ledger's own write path (the only one allowed to debit a deceased
person's account: `write(..., estate=True)`). Keys are `death:<person>` (pool) and `death:<person>:<heir>`.
"""

from __future__ import annotations

from datetime import datetime

from timebank.ledger import domain
from timebank.ledger.service import (
    KeyTaken,
    Outcome,
    account_for_person,
    apply_cap,
    check_key,
    lock_rows,
    once,
    spend_guard,
    system_account,
    write,
)

POOL_CODE = domain.pool_code("county_donation")


def spendable_of(session, person_id: int) -> int:
    account = account_for_person(session, person_id)
    session.refresh(account)
    return account.balance - account.pending_debits


def to_pool(session, *, person_id: int, actor_id: int | None, now: datetime) -> Outcome | None:
    """The whole available balance goes to the county donation pool (None when there is nothing)."""
    account_for_person(session, person_id)
    system_account(session, POOL_CODE)
    key = check_key(f"death:{person_id}")
    digest = domain.body_hash("estate_pool", {"person": person_id})

    def attempt() -> Outcome | None:
        got = lock_rows(session, person_ids=(person_id,), codes=(POOL_CODE,), key=key)
        if got.key_used:
            raise KeyTaken(key)
        source = got.by_person[person_id]
        minutes = source.spendable
        if minutes <= 0:
            return None
        transfer = spend_guard(lambda: write(
            session, source, got.by_code[POOL_CODE], minutes, kind="donate", key=key, digest=digest,
            reference=f"death:{person_id}", memo="已故人员余额按规定转入县捐赠时间池", actor_id=actor_id,
            policy_version_id=got.policy_version_id, estate=True, now=now))
        return Outcome(transfer)

    return once(session, key, digest, attempt)


def to_heir(session, *, person_id: int, heir_id: int, minutes: int, actor_id: int | None,
            now: datetime) -> Outcome:
    """One heir's share (a verified direct relative, checked by the caller) moves to the heir's account."""
    account_for_person(session, person_id)
    account_for_person(session, heir_id)
    key = check_key(f"death:{person_id}:{heir_id}")
    digest = domain.body_hash("estate_heir", {"person": person_id, "heir": heir_id, "minutes": minutes})

    def attempt() -> Outcome:
        got = lock_rows(session, person_ids=(person_id, heir_id), key=key)
        if got.key_used:
            raise KeyTaken(key)
        source, target = got.by_person[person_id], got.by_person[heir_id]
        transfer = spend_guard(lambda: write(
            session, source, target, minutes, kind="gift", key=key, digest=digest, reference=f"death:{person_id}",
            memo="已故人员余额由直系亲属继承", actor_id=actor_id, policy_version_id=got.policy_version_id,
            estate=True, now=now))
        extra = apply_cap(session, target, got.policy, transfer, locked=got.accounts,
                          version_id=got.policy_version_id, now=now)
        return Outcome(transfer, overflow_minutes=extra)

    return once(session, key, digest, attempt)
