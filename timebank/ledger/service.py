"""Hour-moving operations: earn, gift, donate, reversal (holds in holds.py, grants in grants.py).

Each call is one unit of work: it takes an idempotency key, locks the accounts it touches in id order,
checks the rules, writes transfers and cached balances, and flushes. It never commits; the shell does
(through `retry.committed`). The same key and body return the first result; another body is a conflict.
Two racing calls with one key: the loser hits the unique key, `committed` retries it, and the retry finds
the winner's transfer and replays it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Integer, String, bindparam, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import make_transient_to_detached

from timebank.accounts.domain import age_on
from timebank.accounts.models import Person, User
from timebank.accounts.scope import require_node
from timebank.audit import service as audit
from timebank.errors import DomainError, Forbidden, NotFound, ValidationFailed
from timebank.ledger import domain
from timebank.ledger.errors import AlreadyReversed, IdempotencyConflict, PolicyViolation, from_rule
from timebank.ledger.models import LedgerAccount, LedgerNotice, Transfer
from timebank.notify import service as notify_service
from timebank.people.domain import kinship_seen_by_relative
from timebank.people.models import HardshipStatus, Relative
from timebank.policy import service as policy_service
from timebank.policy.domain import Policy
from timebank.policy.models import PolicyVersion

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
        raise ValidationFailed(_l("缺少或无效的操作编号（Idempotency-Key:1到80个字母、数字或 ._:-）"),
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


class KeyTaken(Exception):
    """The keyed INSERT met an existing transfer with the same idempotency key (nothing was written)."""


@dataclass(slots=True)
class LockedAccount:
    """A ledger account row as locked by this transaction: plain values, kept current by `write`."""

    id: int
    kind: str
    person_id: int | None
    code: str | None
    balance: int
    pending_debits: int
    pending_credits: int
    birth_date: date | None = None  # the owner's, for person accounts
    status: str | None = None  # the owner's person status (a deceased person's account spends nothing)

    @property
    def spendable(self) -> int:
        return self.balance - self.pending_debits


@dataclass
class Locked:
    """What one locking statement returned: the accounts (locked, id order), the policy in force, and
    whether the idempotency key was already used (as of the statement's snapshot)."""

    accounts: dict[int, LockedAccount]
    policy_version_id: int | None
    policy: Policy
    key_used: bool = False
    by_person: dict[int, LockedAccount] = field(default_factory=dict)
    by_code: dict[str, LockedAccount] = field(default_factory=dict)


_acc = LedgerAccount.__table__
_tr = Transfer.__table__
_person = Person.__table__
_pv = PolicyVersion.__table__
_prior = _tr.alias("prior")
_newest = select(func.max(_pv.c.id)).scalar_subquery()
# One statement: lock the accounts (by id, owner or code) in id order, and read alongside them what the
# checks need: the owner's birth date, the policy in force (newest version) and whether the key is used.
_LOCK = (
    select(_acc.c.id, _acc.c.kind, _acc.c.person_id, _acc.c.code, _acc.c.balance, _acc.c.pending_debits,
           _acc.c.pending_credits, _person.c.birth_date, _person.c.status.label("person_status"),
           _pv.c.id.label("policy_id"),
           _pv.c.settings.label("policy_settings"), _prior.c.id.label("prior_id"))
    .select_from(_acc.outerjoin(_person, _person.c.id == _acc.c.person_id)
                 .outerjoin(_pv, _pv.c.id == _newest)
                 .outerjoin(_prior, _prior.c.idempotency_key == bindparam("key", type_=String)))
    .where(_acc.c.id.in_(bindparam("ids", expanding=True, type_=Integer))
           | _acc.c.person_id.in_(bindparam("person_ids", expanding=True, type_=Integer))
           | _acc.c.code.in_(bindparam("codes", expanding=True, type_=String)))
    .order_by(_acc.c.id)
    .with_for_update(of=_acc)
)
_COLUMNS = [c for c in _tr.c if c.name != "id"]
_INSERT_SQL = (
    f"INSERT INTO {_tr.name} ({', '.join(c.name for c in _COLUMNS)}) "
    f"VALUES ({', '.join(':' + c.name for c in _COLUMNS)}) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)
_BINDS = [bindparam(c.name, type_=c.type) for c in _COLUMNS] + [
    bindparam(n, type_=BigInteger) for n in ("d", "c", "bd", "bc", "pd", "pc")]
_MOVE_SET = (
    "balance = balance + CASE WHEN id = :d THEN :bd ELSE :bc END, "
    "pending_debits = pending_debits + CASE WHEN id = :d THEN :pd ELSE 0 END, "
    "pending_credits = pending_credits + CASE WHEN id = :d THEN 0 ELSE :pc END"
)
# Written out because SQLAlchemy does not cache the compiled form of its ON CONFLICT constructs. A used key
# makes the INSERT add nothing and return no row (linked transfers have a NULL key and never conflict).
# SQLite (3.35+): the INSERT, then one UPDATE of both cached balances.
_INSERT = text(_INSERT_SQL).bindparams(*_BINDS[:len(_COLUMNS)])
_MOVE = text(f"UPDATE {_acc.name} SET {_MOVE_SET} WHERE id IN (:d, :c)").bindparams(*_BINDS[len(_COLUMNS):])
# PostgreSQL: both in one statement; the UPDATE runs only if the INSERT added the row.
_INSERT_AND_MOVE = text(
    f"WITH t AS ({_INSERT_SQL}), "
    f"m AS (UPDATE {_acc.name} SET {_MOVE_SET} WHERE id IN (:d, :c) AND EXISTS (SELECT 1 FROM t) RETURNING 1) "
    "SELECT id FROM t"
).bindparams(*_BINDS)


def lock_rows(session, ids=(), *, person_ids=(), codes=(), key: str | None = None) -> Locked:
    """Lock accounts in id order (FOR UPDATE on PostgreSQL; SQLite already holds the write lock), in one
    statement that also returns the owners' birth dates, the policy in force and whether `key` is used."""
    extra = session.info.pop(EXTRA_LOCKS_INFO, None)
    if extra:
        codes = (*codes, *extra)
    rows = session.execute(_LOCK, {"ids": list(ids), "person_ids": list(person_ids), "codes": list(codes),
                                   "key": key}).all()
    if rows:
        version_id, policy = policy_service.from_row(rows[0].policy_id, rows[0].policy_settings)
    else:
        version_id, policy = policy_service.current(session)
    got = Locked({}, version_id, policy, key_used=bool(rows) and rows[0].prior_id is not None)
    for row in rows:
        account = LockedAccount(row.id, row.kind, row.person_id, row.code, int(row.balance),
                                int(row.pending_debits), int(row.pending_credits), row.birth_date,
                                row.person_status)
        got.accounts[row.id] = account
        if row.person_id is not None:
            got.by_person[row.person_id] = account
        if row.code is not None:
            got.by_code[row.code] = account
    return got


def lock(session, *account_ids: int) -> dict[int, LockedAccount]:
    """Lock the accounts in id order; NotFound unless every one exists."""
    ids = sorted(set(account_ids))
    found = lock_rows(session, ids).accounts
    if any(i not in found for i in ids):
        raise NotFound()
    return {i: found[i] for i in ids}


# A hint for the next attempt of the same unit of work (see apply_cap): account codes to lock up front.
EXTRA_LOCKS_INFO = "ledger_extra_locks"
_WROTE_KEY_INFO = "ledger_wrote_key"


def _expire_orm_copies(session, ids) -> None:
    """Accounts this session loaded through the ORM would show stale balances after the Core UPDATE."""
    for account_id in ids:
        obj = session.identity_map.get((LedgerAccount, (account_id,), None))
        if obj is not None:
            session.expire(obj, ["balance", "pending_debits", "pending_credits"])


def write(session, debit: LockedAccount, credit: LockedAccount, minutes: int, *, kind: str,
          phase: str = "posted", key: str | None = None, digest: str | None = None, parent: Transfer | None = None,
          pending: Transfer | None = None, reverses: Transfer | None = None, expires_at: datetime | None = None,
          reference: str | None = None, memo: str | None = None, actor_id: int | None = None,
          policy_version_id: int | None = None, estate: bool = False, now: datetime) -> Transfer:
    """Append one transfer and move the cached balances with it (the caller has locked both accounts).

    A deceased person's account spends nothing new (no posted debit, no new reservation); only the
    disposition of the estate (`estate=True`, see timebank.ledger.estate) and an admin's reversal of a
    mistaken transfer move its balance.

    One statement on PostgreSQL, two on SQLite: the INSERT (if the key is already used it adds nothing,
    nothing moves, and KeyTaken is raised) and one UPDATE of both cached balances by their deltas.
    """
    released = pending.minutes if pending is not None else 0  # a resolution releases the whole reservation
    if debit.status == "deceased" and not (estate or kind == "reversal") and phase in ("posted", "pending"):
        raise from_rule(domain.LedgerRuleBroken("deceased"), "person_id")
    if phase in domain.POSTED_PHASES:
        domain.check_spend(debit.kind, debit.balance, debit.pending_debits - released, minutes)
    elif phase == "pending":
        domain.check_spend(debit.kind, debit.balance, debit.pending_debits, minutes)
    moved = minutes if phase in domain.POSTED_PHASES else 0
    reserved = minutes if phase == "pending" else 0
    primary = parent is None
    values = {
        "debit_account_id": debit.id, "credit_account_id": credit.id, "minutes": minutes, "kind": kind,
        "phase": phase, "idempotency_key": key if primary else None, "body_hash": digest if primary else None,
        "parent_id": parent.id if parent is not None else None, "pending_id": pending.id if pending else None,
        "reverses_id": reverses.id if reverses else None, "expires_at": expires_at, "reference": reference,
        "memo": (memo or "").strip()[:200] or None, "actor_id": actor_id, "policy_version_id": policy_version_id,
        "created_at": now,
    }
    move = {"d": debit.id, "c": credit.id, "bd": -moved, "bc": moved, "pd": reserved - released,
            "pc": reserved - released}
    if session.get_bind().dialect.name == "postgresql":
        new_id = session.execute(_INSERT_AND_MOVE, {**values, **move}).scalar()
    else:
        new_id = session.execute(_INSERT, values).scalar()
        if new_id is not None:
            session.execute(_MOVE, move)
    if new_id is None:
        raise KeyTaken(key)
    if primary and key is not None:
        session.info[_WROTE_KEY_INFO] = key
    debit.balance -= moved
    credit.balance += moved
    debit.pending_debits += reserved - released
    credit.pending_credits += reserved - released
    _expire_orm_copies(session, (debit.id, credit.id))
    transfer = Transfer(id=new_id, **values)
    make_transient_to_detached(transfer)
    session.add(transfer)  # persistent without a query: callers read its fields and relationships
    return transfer


def once(session, key: str, digest: str, attempt) -> Outcome:
    """Run an operation that locks with `key` (see lock_rows) and writes the keyed transfer.

    The same key and body return the first result, another body is a conflict: when the locking
    statement saw the key used (the attempt raises KeyTaken before checking anything), when a racing call
    committed it meanwhile (the keyed INSERT does nothing and raises KeyTaken), and when a rule failed only
    because that racing first call already spent the minutes (checked again, only on the failure path).
    """
    session.info.pop(_WROTE_KEY_INFO, None)
    try:
        return attempt()
    except KeyTaken:
        first = replay(session, key, digest)
        if first is None:  # the key was seen in use; keys are never removed
            raise AssertionError(f"idempotency key {key!r} vanished") from None
        return first
    except DomainError:
        if session.info.get(_WROTE_KEY_INFO) != key and (first := replay(session, key, digest)) is not None:
            return first
        raise


def spend_guard(work):
    """Turn a pure-rule failure raised while writing into its typed error (nothing has been flushed)."""
    try:
        return work()
    except domain.LedgerRuleBroken as error:
        raise from_rule(error) from None


def apply_cap(session, account: LockedAccount, policy: Policy, parent: Transfer, *, locked: dict,
              version_id: int | None, now: datetime) -> int:
    """Move minutes above the cap to the county donation pool and tell the person: a notice on the account
    page and a notification (inbox, and email if they have one) for their login, in this transaction.

    The pool is locked in id order when the caller included it (lock_rows `codes`). When it was not and
    its id is lower than an account already locked, taking it now would break the lock order, so it is
    tried without waiting (PostgreSQL NOWAIT); if another transaction holds it, the attempt fails with a
    retryable error and the retry locks the pool up front (session.info hint read by lock_rows).
    """
    if account.kind != "person":
        return 0
    extra = domain.overflow(account.balance, account.pending_debits, policy.balance_cap_minutes)
    if not extra:
        return 0
    code = domain.pool_code("county_donation")
    pool = next((a for a in locked.values() if a.code == code), None)
    if pool is None:
        pool = _lock_pool_late(session, code, locked)
    transfer = write(session, account, pool, extra, kind="overflow", parent=parent, actor_id=parent.actor_id,
                     policy_version_id=version_id, memo="超过存储上限,自动捐入县捐赠时间池", now=now)
    session.add(LedgerNotice(person_id=account.person_id, kind="overflow", minutes=extra, transfer_id=transfer.id,
                             created_at=now))
    user_id = session.scalar(select(User.id).where(User.person_id == account.person_id))
    if user_id is not None:
        notify_service.notify(session, user_id, "balance_overflow", {"minutes": extra}, link="/me/account",
                              now=now)
    return extra


def _lock_pool_late(session, code: str, locked: dict) -> LockedAccount:
    pool_id = system_account(session, code).id
    if pool_id > max(locked) or session.get_bind().dialect.name != "postgresql":
        return lock(session, pool_id)[pool_id]  # still in id order (SQLite: the write lock is held already)
    try:
        row = session.execute(select(_acc.c.id, _acc.c.kind, _acc.c.person_id, _acc.c.code, _acc.c.balance,
                                     _acc.c.pending_debits, _acc.c.pending_credits)
                              .where(_acc.c.id == pool_id).with_for_update(nowait=True)).one()
    except DBAPIError:  # 55P03, retried by retry.committed; the retry's lock_rows takes the pool in order
        session.info.setdefault(EXTRA_LOCKS_INFO, set()).add(code)
        raise
    return LockedAccount(*row)


def redeem_rule(policy: Policy) -> domain.RedeemRule:
    return domain.RedeemRule(min_age=policy.redeem_min_age, hardship_exception=policy.hardship_exception,
                             hardship_min_age=policy.hardship_redeem_min_age,
                             spouse_counts=policy.redeem_spouse_counts,
                             relative_direct_pay=policy.relative_direct_pay)


def redeem_facts(session, payer_person_id: int, served_id: int, today: date,
                 grace_days: int = 0) -> tuple[str, int, bool]:
    """(relation of payer to the person served, their age, whether they hold a counting hardship status).

    Only verified links that were never unlinked count, in either direction of the relative table. A status
    counts until its review date plus the grace days (timebank.policy.priority.status_state).
    """
    birth = session.scalar(select(Person.birth_date).where(Person.id == served_id))
    if birth is None:
        raise NotFound(field="resident_id")
    hardship = session.scalar(select(HardshipStatus.id).where(
        HardshipStatus.person_id == served_id,
        HardshipStatus.review_date >= today - timedelta(days=grace_days)).limit(1))
    if payer_person_id == served_id:
        relation = "self"
    else:
        live = Relative.verified.is_(True) & Relative.unlinked_at.is_(None)
        kinships = session.scalars(select(Relative.kinship).where(live, (
            (Relative.resident_id == served_id) & (Relative.relative_id == payer_person_id)) | (
            (Relative.resident_id == payer_person_id) & (Relative.relative_id == served_id))))
        relation = domain.relation_of(kinships)
    return relation, age_on(birth, today), hardship is not None


def redemption_refusal(session, payer_person_id: int, served_id: int, policy: Policy,
                       today: date) -> DomainError | None:
    """Why the payer's hours may not pay for a service to `served_id` under the policy in force, or None."""
    relation, age, hardship = redeem_facts(session, payer_person_id, served_id, today, policy.priority.grace_days)
    rule = redeem_rule(policy)
    reason = domain.redeem_refusal(relation=relation, served_age=age, served_hardship=hardship, rule=rule)
    if reason is None:
        return None
    own = relation == "self"
    if reason == "age":
        message = (_l("本人年满%(min)s周岁才能使用自己的时长（当前%(age)s岁）", min=rule.min_age, age=age) if own else
                   _l("服务对象年满%(min)s周岁才能用您的时长支付（当前%(age)s岁）", min=rule.min_age, age=age))
    elif reason == "hardship_age":
        message = _l("经认定有特殊困难的，年满%(min)s周岁可提前使用时长（当前%(age)s岁）",
                     min=rule.hardship_min_age, age=age)
    else:
        message = {"spouse_off": _l("按本县规定，时长不能直接为配偶支付"),
                   "relative_off": _l("按本县规定，时长不能直接为亲属支付，请先转赠给亲属"),
                   "not_relative": _l("只能为本人、经核实的配偶或直系亲属支付时长")}[reason]
    return PolicyViolation(message, field="payer", reason=reason, age=age)


def check_redemption(session, payer: LockedAccount, policy: Policy, today: date,
                     served_id: int | None = None) -> None:
    """Hours leave a person's account for a service only under the redemption rule (a late guard: requests
    are checked when they are posted). `served_id`: the person served, by default the payer."""
    if payer.kind != "person":
        return
    served = payer.person_id if served_id is None else served_id
    if served == payer.person_id and payer.birth_date is not None \
            and age_on(payer.birth_date, today) >= policy.redeem_min_age:
        return
    refusal = redemption_refusal(session, payer.person_id, served, policy, today)
    if refusal is not None:
        raise refusal


def check_depositor(birth: date, policy: Policy, today: date, *, team: bool, guardian_consent: bool) -> None:
    if not domain.may_deposit(age=age_on(birth, today), min_age=policy.depositor_min_age,
                              minor_mode=policy.minor_mode, team=team, guardian_consent=guardian_consent):
        raise from_rule(domain.LedgerRuleBroken("minor"), "person_id")


# ---------------------------------------------------------------------------------------------------------
# operations


def earn(session, *, payer_account_id: int, person_id: int, minutes: int, key: str, reference: str | None,
         memo: str | None = None, team: bool = False, guardian_consent: bool = False, actor_id: int | None = None,
         now: datetime, today: date) -> Outcome:
    """Settle served minutes: payer (a resident redeeming, or a pool) → the volunteer.

    Team (group) hours are donation-only by default: they are credited and at once donated to the county
    pool, so the volunteer's record shows the service. Minors earn only per the minors' rule.

    Statements on the usual path: one that locks payer and payee (id order) and reads the payee's and
    payer's birth dates, the policy in force and whether the key is used; the INSERT; one UPDATE.
    """
    key = check_key(key)
    minutes = parse_minutes(minutes)
    digest = domain.body_hash("earn", {"payer": payer_account_id, "person": person_id, "minutes": minutes,
                                       "reference": reference, "team": team, "guardian": guardian_consent})
    pool_code = domain.pool_code("county_donation")

    def attempt() -> Outcome:
        codes = (pool_code,) if team else ()  # locked up front, whatever the policy says, to keep id order
        got = lock_rows(session, (payer_account_id,), person_ids=(person_id,), codes=codes, key=key)
        if got.key_used:
            raise KeyTaken(key)
        if person_id not in got.by_person or (team and pool_code not in got.by_code):
            account_for_person(session, person_id)  # NotFound(person_id), or opens the missing account
            if team:
                system_account(session, pool_code)
            got = lock_rows(session, (payer_account_id,), person_ids=(person_id,), codes=codes, key=key)
        payee = got.by_person[person_id]
        payer = got.accounts.get(payer_account_id)
        if payer is None:
            raise NotFound()
        if payer.id == payee.id:
            raise ValidationFailed(_l("付款账户和收款账户不能相同"), field="person_id")
        version_id, policy = got.policy_version_id, got.policy
        check_depositor(payee.birth_date, policy, today, team=team, guardian_consent=guardian_consent)
        check_redemption(session, payer, policy, today)
        transfer = spend_guard(lambda: write(session, payer, payee, minutes, kind="earn", key=key, digest=digest,
                                             reference=reference, memo=memo, actor_id=actor_id,
                                             policy_version_id=version_id, now=now))
        extra = 0
        if team and policy.team_hours_donation_only:
            write(session, payee, got.by_code[pool_code], minutes, kind="donate", parent=transfer,
                  actor_id=actor_id, policy_version_id=version_id, memo="团体服务时长仅可捐赠", now=now)
        else:
            extra = apply_cap(session, payee, policy, transfer, locked=got.accounts, version_id=version_id, now=now)
        return Outcome(transfer, overflow_minutes=extra)

    return once(session, key, digest, attempt)


def gift(session, actor: User, *, to_person_id: int, minutes, memo: str | None, key: str, now: datetime) -> Outcome:
    """A person gives hours to a verified direct relative (per policy)."""
    key = check_key(key)
    minutes = parse_minutes(minutes)
    if not isinstance(to_person_id, int) or isinstance(to_person_id, bool):
        raise ValidationFailed(field="to_person_id")
    digest = domain.body_hash("gift", {"actor": actor.id, "to": to_person_id, "minutes": minutes,
                                       "memo": (memo or "").strip()})

    def attempt() -> Outcome:
        if actor.person_id is None:
            raise Forbidden(_l("您的登录账号没有关联个人信息，无法使用时间账户"))
        if to_person_id == actor.person_id:
            raise ValidationFailed(_l("不能转赠给自己"), field="to_person_id")
        people = (actor.person_id, to_person_id)
        got = lock_rows(session, person_ids=people, key=key)
        if got.key_used:
            raise KeyTaken(key)
        if to_person_id not in got.by_person and session.get(Person, to_person_id) is None:
            raise from_rule(domain.LedgerRuleBroken("not_relative"))
        links = session.execute(select(Relative.kinship, Relative.verified, Relative.relative_id == actor.person_id)
                                .where(
            ((Relative.resident_id == actor.person_id) & (Relative.relative_id == to_person_id))
            | ((Relative.resident_id == to_person_id) & (Relative.relative_id == actor.person_id)),
            Relative.unlinked_at.is_(None))).all()  # an unlinked relative carries no right
        # the policy names what the receiver is to the giver: read each link from the giver's side
        seen = [(kinship_seen_by_relative(k) if giver_is_relative else k, v) for k, v, giver_is_relative in links]
        if (reason := domain.may_gift(seen, got.policy.gift_kinships)) is not None:
            raise from_rule(domain.LedgerRuleBroken(reason))
        if any(p not in got.by_person for p in people):
            for p in people:
                account_for_person(session, p)
            got = lock_rows(session, person_ids=people, key=key)
        source, target = got.by_person[actor.person_id], got.by_person[to_person_id]
        version_id, policy = got.policy_version_id, got.policy
        transfer = spend_guard(lambda: write(session, source, target, minutes, kind="gift", key=key, digest=digest,
                                             memo=memo, actor_id=actor.id, policy_version_id=version_id, now=now))
        extra = apply_cap(session, target, policy, transfer, locked=got.accounts, version_id=version_id, now=now)
        audit.record(session, "ledger_gift", actor_id=actor.id, target=f"transfer:{transfer.id}")
        return Outcome(transfer, overflow_minutes=extra)

    return once(session, key, digest, attempt)


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

    def attempt() -> Outcome:
        if actor.person_id is None:
            raise Forbidden(_l("您的登录账号没有关联个人信息，无法使用时间账户"))
        if pool in DONATION_POOLS:
            code = domain.pool_code(pool)
        elif isinstance(pool, str) and pool.startswith("charity:"):
            code = pool
        else:
            raise ValidationFailed(_l("请选择捐赠对象"), field="pool")
        got = lock_rows(session, person_ids=(actor.person_id,), codes=(code,), key=key)
        if got.key_used:
            raise KeyTaken(key)
        if code not in got.by_code or actor.person_id not in got.by_person:
            donation_pool(session, pool)  # ValidationFailed(pool) for an unknown charity
            account_for_person(session, actor.person_id)
            got = lock_rows(session, person_ids=(actor.person_id,), codes=(code,), key=key)
        target = got.by_code[code]
        if target.kind not in ("pool", "charity"):
            raise ValidationFailed(_l("请选择捐赠对象"), field="pool")
        transfer = spend_guard(lambda: write(session, got.by_person[actor.person_id], target, minutes,
                                             kind="donate", key=key, digest=digest, memo=memo, actor_id=actor.id,
                                             policy_version_id=got.policy_version_id, now=now))
        audit.record(session, "ledger_donate", actor_id=actor.id, target=f"transfer:{transfer.id}")
        return Outcome(transfer)

    return once(session, key, digest, attempt)


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
        raise ValidationFailed(_l("只能冲正已入账的转账；预留请作废"), field="transfer_id")
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
