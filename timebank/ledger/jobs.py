"""Scheduled ledger work: the nightly reconciliation (admins alerted on any violation) and hold expiry."""

from __future__ import annotations

from timebank.ledger import holds, reconcile


def nightly_check(session, *, now) -> dict:
    from timebank.notify.service import notify_role

    report = reconcile.run_check(session, now=now, record=True)
    if not report.ok:
        notify_role(session, "admin", "ledger_check_failed",
                    {"count": len(report.violations), "summary": "; ".join(report.violations[:5])[:400]}, now=now)
    return {"ok": int(report.ok), "violations": len(report.violations), "transfers": report.transfers}


def expire_due_holds(session, *, now) -> dict:
    due = holds.due_holds(session, now)
    for hold_id in due:
        holds.expire(session, hold_id=hold_id, now=now)
    return {"expired": len(due)}
