"""The delivery job: drain the outbox, committing after each message so a sent one is never resent."""

from __future__ import annotations

from timebank.notify import service


def deliver_due(session, *, now, limit: int = 200) -> dict:
    sent = failed = 0
    for _index in range(limit):
        message = service.next_due(session, now)
        if message is None:
            break
        if service.deliver(session, message, now=now):
            sent += 1
        else:
            failed += 1
        session.commit()  # the job shell owns this loop's transactions: one per external side effect
    return {"sent": sent, "failed": failed}
