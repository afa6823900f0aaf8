"""`ledger check`: recompute every balance from the transfers and verify the ledger's invariants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import aliased

from timebank.accounts.models import Person
from timebank.ledger import domain
from timebank.ledger.models import CheckRun, LedgerAccount, Transfer


def _sums(session, column, *where) -> dict[int, int]:
    rows = session.execute(select(column, func.sum(Transfer.minutes)).where(*where).group_by(column))
    return {account_id: int(total) for account_id, total in rows}


def _open_pending(session, column) -> dict[int, int]:
    resolution = aliased(Transfer)
    rows = session.execute(
        select(column, func.sum(Transfer.minutes))
        .outerjoin(resolution, resolution.pending_id == Transfer.id)
        .where(Transfer.phase == "pending", resolution.id.is_(None)).group_by(column))
    return {account_id: int(total) for account_id, total in rows}


def structural_violations(session) -> list[str]:
    """Per-transfer rules: balanced, resolved at most once and consistently, reversed at most once, keys unique."""
    found: list[str] = []
    for (tid,) in session.execute(select(Transfer.id).where(
            or_(Transfer.minutes <= 0, Transfer.debit_account_id == Transfer.credit_account_id)).limit(20)):
        found.append(f"unbalanced transfer {tid}: it must debit one account and credit another, minutes > 0")
    for key, count in session.execute(select(Transfer.idempotency_key, func.count()).where(
            Transfer.idempotency_key.is_not(None)).group_by(Transfer.idempotency_key).having(func.count() > 1)):
        found.append(f"idempotency key reused: {key!r} on {count} transfers")
    for pid, count in session.execute(select(Transfer.pending_id, func.count()).where(
            Transfer.pending_id.is_not(None)).group_by(Transfer.pending_id).having(func.count() > 1)):
        found.append(f"pending transfer {pid} resolved {count} times")
    for rid, count in session.execute(select(Transfer.reverses_id, func.count()).where(
            Transfer.reverses_id.is_not(None)).group_by(Transfer.reverses_id).having(func.count() > 1)):
        found.append(f"transfer {rid} reversed {count} times")
    hold = aliased(Transfer)
    bad = session.execute(select(Transfer.id, hold.id).join(hold, Transfer.pending_id == hold.id).where(or_(
        hold.phase != "pending", Transfer.debit_account_id != hold.debit_account_id,
        Transfer.credit_account_id != hold.credit_account_id, Transfer.minutes > hold.minutes,
        and_(Transfer.phase != "post", Transfer.minutes != hold.minutes))).limit(20))
    for tid, hid in bad:
        found.append(f"resolution {tid} does not match pending transfer {hid}")
    original = aliased(Transfer)
    bad = session.execute(select(Transfer.id, original.id).join(original, Transfer.reverses_id == original.id)
                          .where(or_(original.phase.not_in(domain.POSTED_PHASES),
                                     Transfer.debit_account_id != original.credit_account_id,
                                     Transfer.credit_account_id != original.debit_account_id,
                                     Transfer.minutes != original.minutes)).limit(20))
    for tid, oid in bad:
        found.append(f"reversal {tid} does not mirror transfer {oid}")
    return found


def run_check(session, *, now: datetime, record: bool = True) -> domain.CheckReport:
    """Recompute everything; optionally record the run (the admin page shows the last one)."""
    label = func.coalesce(LedgerAccount.code, Person.name + "#" + cast(LedgerAccount.person_id, String))
    accounts = [
        domain.AccountFigures(id=row.id, kind=row.kind, label=row.label, balance=int(row.balance),
                              pending_debits=int(row.pending_debits), pending_credits=int(row.pending_credits))
        for row in session.execute(
            select(LedgerAccount.id, LedgerAccount.kind, label.label("label"), LedgerAccount.balance,
                   LedgerAccount.pending_debits, LedgerAccount.pending_credits)
            .outerjoin(Person, Person.id == LedgerAccount.person_id).order_by(LedgerAccount.id))
    ]
    posted = Transfer.phase.in_(domain.POSTED_PHASES)
    sums = domain.Recomputed(
        posted_credits=_sums(session, Transfer.credit_account_id, posted),
        posted_debits=_sums(session, Transfer.debit_account_id, posted),
        open_pending_debits=_open_pending(session, Transfer.debit_account_id),
        open_pending_credits=_open_pending(session, Transfer.credit_account_id),
    )
    known = {a.id for a in accounts}
    structural = structural_violations(session)
    for mapping in (sums.posted_credits, sums.posted_debits):
        structural.extend(f"transfers name a missing account {i}" for i in set(mapping) - known)
    transfers = session.scalar(select(func.count()).select_from(Transfer))
    open_holds = _count_open_holds(session)
    report = domain.reconcile(accounts, sums, transfers=transfers, open_holds=open_holds, structural=structural)
    if record:
        session.add(CheckRun(at=now, ok=report.ok, summary=report.summary()[:300], transfers=transfers,
                             violations="\n".join(report.violations) or None))
        session.flush()
    return report


def _count_open_holds(session) -> int:
    resolution = aliased(Transfer)
    return session.scalar(select(func.count()).select_from(Transfer)
                          .outerjoin(resolution, resolution.pending_id == Transfer.id)
                          .where(Transfer.phase == "pending", resolution.id.is_(None)))


def last_run(session) -> CheckRun | None:
    return session.scalar(select(CheckRun).order_by(CheckRun.id.desc()).limit(1))
