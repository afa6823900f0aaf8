"""Hour-moving operations: earn, gift, donate, reversal (holds in holds.py, grants in grants.py).

Each call is one unit of work: it takes an idempotency key, locks the accounts it touches in id order,
checks the rules, writes transfers and cached balances, and flushes. It never commits; the shell does
(through `retry.committed`). The same key and body return the first result; another body is a conflict.
Two racing calls with one key: the loser hits the unique key, `committed` retries it, and the retry finds
the winner's transfer and replays it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from timebank.accounts.domain import age_on
from timebank.accounts.models import Person, User
from timebank.accounts.scope import require_node
from timebank.audit import service as audit
from timebank.errors import Forbidden, NotFound, ValidationFailed
from timebank.ledger import domain
from timebank.ledger.errors import AlreadyReversed, IdempotencyConflict, from_rule
from timebank.ledger.models import LedgerAccount, LedgerNotice, Transfer
from timebank.people.models import HardshipStatus, Relative
from timebank.policy import service as policy_service
from timebank.policy.domain import Policy

KEY_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,80}$")
DONATION_POOLS = ("county_donation",)
SYSTEM_ACCOUNTS = (
    (domain.ISSUANCE_CODE, "issuance", "系统发行账户"),
    (domain.pool_code("county_donation"), "pool", "县捐赠时间池"),
    (domain.pool_code("backstop"), "pool", "政府兜底时间池"),
)


@dataclass(frozen=True)
class Outcome:
    """The primary transfer of an operation; `replayed` when the key had already been used."""

    transfer: Transfer
    replayed: bool = False
    overflow_minutes: int = 0


# ---------------------------------------------------------------------------------------------------------
# accounts


def open_account(session, person: Person) -> LedgerAccount:
    """Every person gets a time account when the person is created."""
    account = LedgerAccount(kind="person", person_id=person.id, balance=0, pending_debits=0, pending_credits=0)
    session.add(account)
    return account


def account_for_person(session, person_id: int) -> LedgerAccount:
    account = session.scalar(select(LedgerAccount).where(LedgerAccount.person_id == person_id))
    if account is None:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound(field="person_id")
        account = open_account(session, person)
        session.flush()
    return account


def system_account(session, code: str) -> LedgerAccount:
    """issuance, pool:county_donation, pool:backstop (made by the migration; recreated if missing)."""
    account = session.scalar(select(LedgerAccount).where(LedgerAccount.code == code))
    if account is None:
        known = {c: (kind, name) for c, kind, name in SYSTEM_ACCOUNTS}
        if code not in known:
            raise NotFound(field="pool")
        kind, name = known[code]
        account = LedgerAccount(kind=kind, code=code, name=name, balance=0, pending_debits=0, pending_credits=0)
        session.add(account)
        session.flush()
    return account


def open_charity_account(session, charity_id: int, name: str) -> LedgerAccount:
    """For the charity issue: a charity's hour pool (kind "charity", code charity:<id>)."""
    code = domain.charity_code(charity_id)
    account = session.scalar(select(LedgerAccount).where(LedgerAccount.code == code))
    if account is None:
        account = LedgerAccount(kind="charity", code=code, name=name[:80], balance=0, pending_debits=0,
                                pending_credits=0)
        session.add(account)
        session.flush()
    return account


# ---------------------------------------------------------------------------------------------------------
# the mechanics every operation shares


def check_key(key: str | None) -> str:
    if not key or not KEY_RE.match(key):
        raise ValidationFailed(_l("缺少或无效的操作编号(Idempotency-Key:1到80个字母、数字或 ._:-)"),
                               field="idempotency_key")
    return key


def parse_minutes(value, *, field: str = "minutes") -> int:
    try:
        return domain.parse_minutes(value)
    except domain.LedgerRuleBroken as error:
        raise from_rule(error, field) from None


def replay(session, key: str, digest: str) -> Outcome | None:
    """The first result for this key, or None; a different body under the same key is a conflict."""
    row = session.scalar(select(Transfer).where(Transfer.idempotency_key == key))
    if row is None:
        return None
    if row.body_hash != digest:
        raise IdempotencyConflict(field="idempotency_key")
    return Outcome(row, replayed=True)


def lock(session, *account_ids: int) -> dict[int, LedgerAccount]:
    """Lock the accounts in id order (FOR UPDATE on PostgreSQL; SQLite already holds the write lock)."""
    ids = sorted(set(account_ids))
    rows = session.scalars(
        select(LedgerAccount).where(LedgerAccount.id.in_(ids)).order_by(LedgerAccount.id)
        .with_for_update().execution_options(populate_existing=True)
    ).all()
    found = {row.id: row for row in rows}
    if len(found) != len(ids):
        raise NotFound()
    return found


def write(session, debit: LedgerAccount, credit: LedgerAccount, minutes: int, *, kind: str,
          phase: str = "posted", key: str | None = None, digest: str | None = None, parent: Transfer | None = None,
          pending: Transfer | None = None, reverses: Transfer | None = None, expires_at: datetime | None = None,
          reference: str | None = None, memo: str | None = None, actor_id: int | None = None,
          policy_version_id: int | None = None, now: datetime) -> Transfer:
    """Append one transfer and move the cached balances with it (the caller has locked both accounts)."""
    if phase in domain.POSTED_PHASES:
        domain.check_spend(debit.kind, debit.balance, debit.pending_debits - (pending.minutes if pending else 0),
                           minutes)
    elif phase == "pending":
        domain.check_spend(debit.kind, debit.balance, debit.pending_debits, minutes)
    if pending is not None:  # a resolution releases the whole reservation first
        debit.pending_debits -= pending.minutes
        credit.pending_credits -= pending.minutes
    if phase in domain.POSTED_PHASES:
        debit.balance -= minutes
        credit.balance += minutes
    elif phase == "pending":
        debit.pending_debits += minutes
        credit.pending_credits += minutes
    transfer = Transfer(
        debit_account_id=debit.id, credit_account_id=credit.id, minutes=minutes, kind=kind, phase=phase,
        idempotency_key=key if parent is None else None, body_hash=digest if parent is None else None,
        parent_id=parent.id if parent is not None else None, pending_id=pending.id if pending else None,
        reverses_id=reverses.id if reverses else None, expires_at=expires_at, reference=reference,
        memo=(memo or "").strip()[:200] or None, actor_id=actor_id, policy_version_id=policy_version_id,
        created_at=now,
    )
    session.add(transfer)
    session.flush()
    return transfer


def spend_guard(work):
    """Turn a pure-rule failure raised while writing into its typed error (nothing has been flushed)."""
    try:
        return work()
    except domain.LedgerRuleBroken as error:
        raise from_rule(error) from None


def apply_cap(session, account: LedgerAccount, policy: Policy, parent: Transfer, *, locked: dict,
              version_id: int | None, now: datetime) -> int:
    """Move minutes above the cap to the county donation pool and tell the person (a notice row)."""
    if account.kind != "person":
        return 0
    extra = domain.overflow(account.balance, account.pending_debits, policy.balance_cap_minutes)
    if not extra:
        return 0
    pool_id = system_account(session, domain.pool_code("county_donation")).id
    pool = locked.get(pool_id) or lock(session, pool_id)[pool_id]
    transfer = write(session, account, pool, extra, kind="overflow", parent=parent, actor_id=parent.actor_id,
                     policy_version_id=version_id, memo="超过存储上限,自动捐入县捐赠时间池", now=now)
    session.add(LedgerNotice(person_id=account.person_id, kind="overflow", minutes=extra, transfer_id=transfer.id,
                             created_at=now))
    return extra


def _person_facts(session, person_id: int, today: date) -> tuple[int, list[int], bool]:
    """(age, age of the oldest verified spouse, has a hardship status) of one person, in one query."""
    verified_spouse = (Relative.kinship == "spouse") & Relative.verified.is_(True)
    spouse_ids = select(Relative.relative_id).where(Relative.resident_id == person_id, verified_spouse).union(
        select(Relative.resident_id).where(Relative.relative_id == person_id, verified_spouse))
    spouse = aliased(Person)
    oldest_spouse = select(func.min(spouse.birth_date)).where(spouse.id.in_(spouse_ids)).scalar_subquery()
    hardship = select(HardshipStatus.id).where(HardshipStatus.person_id == person_id).exists()
    birth, spouse_birth, has_hardship = session.execute(
        select(Person.birth_date, oldest_spouse, hardship).where(Person.id == person_id)).one()
    spouse_ages = [age_on(spouse_birth, today)] if spouse_birth is not None else []
    return age_on(birth, today), spouse_ages, bool(has_hardship)


def check_redemption(session, payer: LedgerAccount, policy: Policy, today: date) -> None:
    """Hours leave a person's account for a service only under the redemption-age rule."""
    if payer.kind != "person":
        return
    age, spouse_ages, hardship = _person_facts(session, payer.person_id, today)
    if not domain.may_redeem(age=age, spouse_ages=spouse_ages, has_hardship=hardship,
                             min_age=policy.redeem_min_age, spouse_counts=policy.redeem_spouse_counts,
                             hardship_exception=policy.hardship_exception):
        raise from_rule(domain.LedgerRuleBroken("redeem_age"), "payer")


def payee_account(session, person_id: int) -> tuple[int, date]:
    """(account id, birth date) of the person who receives minutes, in one query."""
    row = session.execute(select(LedgerAccount.id, Person.birth_date).join(Person, Person.id == LedgerAccount.person_id)
                          .where(LedgerAccount.person_id == person_id)).first()
    if row is None:
        account = account_for_person(session, person_id)
        return account.id, session.get(Person, person_id).birth_date
    return row.id, row.birth_date


def check_depositor(birth: date, policy: Policy, today: date, *, team: bool, guardian_consent: bool) -> None:
    if not domain.may_deposit(age=age_on(birth, today), min_age=policy.depositor_min_age,
                              minor_mode=policy.minor_mode, team=team, guardian_consent=guardian_consent):
        raise from_rule(domain.LedgerRuleBroken("minor"), "person_id")


def _actor_account(session, actor: User) -> LedgerAccount:
    if actor.person_id is None:
        raise Forbidden(_l("您的登录账号没有关联个人信息,无法使用时间账户"))
    return account_for_person(session, actor.person_id)


# ---------------------------------------------------------------------------------------------------------
# operations


def earn(session, *, payer_account_id: int, person_id: int, minutes: int, key: str, reference: str | None,
         memo: str | None = None, team: bool = False, guardian_consent: bool = False, actor_id: int | None = None,
         now: datetime, today: date) -> Outcome:
    """Settle served minutes: payer (a resident redeeming, or a pool) → the volunteer.

    Team (group) hours are donation-only by default: they are credited and at once donated to the county
    pool, so the volunteer's record shows the service. Minors earn only per the minors' rule.
    """
    key = check_key(key)
    minutes = parse_minutes(minutes)
    digest = domain.body_hash("earn", {"payer": payer_account_id, "person": person_id, "minutes": minutes,
                                       "reference": reference, "team": team, "guardian": guardian_consent})
    if (first := replay(session, key, digest)) is not None:
        return first
    version_id, policy = policy_service.current(session)
    payee_id, payee_birth = payee_account(session, person_id)
    donate_team = team and policy.team_hours_donation_only
    pool_id = system_account(session, domain.pool_code("county_donation")).id if donate_team else None
    locked = lock(session, payer_account_id, payee_id, *([pool_id] if donate_team else []))
    payer, payee = locked[payer_account_id], locked[payee_id]
    if payer.id == payee.id:
        raise ValidationFailed(_l("付款账户和收款账户不能相同"), field="person_id")
    check_depositor(payee_birth, policy, today, team=team, guardian_consent=guardian_consent)
    check_redemption(session, payer, policy, today)
    transfer = spend_guard(lambda: write(session, payer, payee, minutes, kind="earn", key=key, digest=digest,
                                         reference=reference, memo=memo, actor_id=actor_id,
                                         policy_version_id=version_id, now=now))
    extra = 0
    if donate_team:
        write(session, payee, locked[pool_id], minutes, kind="donate", parent=transfer, actor_id=actor_id,
              policy_version_id=version_id, memo="团体服务时长仅可捐赠", now=now)
    else:
        extra = apply_cap(session, payee, policy, transfer, locked=locked, version_id=version_id, now=now)
    return Outcome(transfer, overflow_minutes=extra)


def gift(session, actor: User, *, to_person_id: int, minutes, memo: str | None, key: str, now: datetime) -> Outcome:
    """A person gives hours to a verified direct relative (per policy)."""
    key = check_key(key)
    minutes = parse_minutes(minutes)
    if not isinstance(to_person_id, int) or isinstance(to_person_id, bool):
        raise ValidationFailed(field="to_person_id")
    digest = domain.body_hash("gift", {"actor": actor.id, "to": to_person_id, "minutes": minutes,
                                       "memo": (memo or "").strip()})
    if (first := replay(session, key, digest)) is not None:
        return first
    source = _actor_account(session, actor)
    if to_person_id == actor.person_id:
        raise ValidationFailed(_l("不能转赠给自己"), field="to_person_id")
    if session.get(Person, to_person_id) is None:
        raise from_rule(domain.LedgerRuleBroken("not_relative"))
    version_id, policy = policy_service.current(session)
    links = session.execute(select(Relative.kinship, Relative.verified).where(
        ((Relative.resident_id == actor.person_id) & (Relative.relative_id == to_person_id))
        | ((Relative.resident_id == to_person_id) & (Relative.relative_id == actor.person_id)))).all()
    if (reason := domain.may_gift([(k, v) for k, v in links], policy.gift_kinships)) is not None:
        raise from_rule(domain.LedgerRuleBroken(reason))
    target_id = account_for_person(session, to_person_id).id
    locked = lock(session, source.id, target_id)
    transfer = spend_guard(lambda: write(session, locked[source.id], locked[target_id], minutes, kind="gift",
                                         key=key, digest=digest, memo=memo, actor_id=actor.id,
                                         policy_version_id=version_id, now=now))
    extra = apply_cap(session, locked[target_id], policy, transfer, locked=locked, version_id=version_id, now=now)
    audit.record(session, "ledger_gift", actor_id=actor.id, target=f"transfer:{transfer.id}")
    return Outcome(transfer, overflow_minutes=extra)


def donation_pool(session, pool: str) -> LedgerAccount:
    """A pool people may donate to: the county donation pool or a charity's pool."""
    if pool in DONATION_POOLS:
        return system_account(session, domain.pool_code(pool))
    if isinstance(pool, str) and pool.startswith("charity:"):
        account = session.scalar(select(LedgerAccount).where(LedgerAccount.code == pool,
                                                              LedgerAccount.kind == "charity"))
        if account is not None:
            return account
    raise ValidationFailed(_l("请选择捐赠对象"), field="pool")


def donate(session, actor: User, *, pool: str, minutes, key: str, memo: str | None = None,
           now: datetime) -> Outcome:
    """A person donates hours to a pool (donated hours serve the most vulnerable first)."""
    key = check_key(key)
    minutes = parse_minutes(minutes)
    digest = domain.body_hash("donate", {"actor": actor.id, "pool": pool, "minutes": minutes,
                                         "memo": (memo or "").strip()})
    if (first := replay(session, key, digest)) is not None:
        return first
    source = _actor_account(session, actor)
    target_id = donation_pool(session, pool).id
    version_id, _policy = policy_service.current(session)
    locked = lock(session, source.id, target_id)
    transfer = spend_guard(lambda: write(session, locked[source.id], locked[target_id], minutes, kind="donate",
                                         key=key, digest=digest, memo=memo, actor_id=actor.id,
                                         policy_version_id=version_id, now=now))
    audit.record(session, "ledger_donate", actor_id=actor.id, target=f"transfer:{transfer.id}")
    return Outcome(transfer)


def reverse(session, actor: User, *, transfer_id: int, reason: str, key: str, now: datetime) -> Outcome:
    """Admin correction: a new transfer in the opposite direction that names the one it reverses (once)."""
    if not actor.has_role("admin"):
        raise Forbidden()
    key = check_key(key)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("请填写冲正原因"), field="reason")
    digest = domain.body_hash("reverse", {"actor": actor.id, "transfer": transfer_id, "reason": reason})
    if (first := replay(session, key, digest)) is not None:
        return first
    original = session.get(Transfer, transfer_id) if isinstance(transfer_id, int) else None
    if original is None:
        raise NotFound(field="transfer_id")
    _require_account_scope(session, actor, original)
    if original.phase not in domain.POSTED_PHASES:
        raise ValidationFailed(_l("只能冲正已入账的转账;预留请作废"), field="transfer_id")
    locked = lock(session, original.debit_account_id, original.credit_account_id)
    if session.scalar(select(Transfer.id).where(Transfer.reverses_id == original.id)) is not None:
        raise AlreadyReversed(field="transfer_id")
    version_id, _policy = policy_service.current(session)
    transfer = spend_guard(lambda: write(
        session, locked[original.credit_account_id], locked[original.debit_account_id], original.minutes,
        kind="reversal", key=key, digest=digest, reverses=original, reference=f"transfer:{original.id}",
        memo=reason, actor_id=actor.id, policy_version_id=version_id, now=now))
    audit.record(session, "ledger_reversal", actor_id=actor.id, target=f"transfer:{original.id}", detail=reason)
    return Outcome(transfer)


def _require_account_scope(session, actor: User, transfer: Transfer) -> None:
    """Staff act on transfers of persons inside their subtree (system accounts are county-wide)."""
    for account_id in (transfer.debit_account_id, transfer.credit_account_id):
        account = session.get(LedgerAccount, account_id)
        if account.person_id is not None:
            require_node(actor, session.get(Person, account.person_id).node)
