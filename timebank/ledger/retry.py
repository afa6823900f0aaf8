"""The shell's unit of work for hour-moving calls: run, commit, and retry only what is safe to retry."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from timebank.ledger.errors import LedgerBusy

log = logging.getLogger(__name__)
T = TypeVar("T")
# serialization failure, deadlock, lock not available (the cap overflow's NOWAIT pool lock, see apply_cap)
RETRY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
ATTEMPTS = 5


def is_retryable(error: DBAPIError) -> bool:
    """Serialization failures, deadlocks, a lock not taken without waiting, a lost race on an idempotency key,
    and a busy SQLite file."""
    orig = error.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    text = str(orig)
    if state in RETRY_SQLSTATES:
        return True
    if "idempotency_key" in text or "uq_ledger_account" in text or "ledger_account.code" in text:
        return state == "23505" or "UNIQUE constraint failed" in text
    return "database is locked" in text


def committed(session, work: Callable[[], T], *, attempts: int = ATTEMPTS) -> T:
    """Run `work` in a transaction and commit; retry it (fresh transaction) a bounded number of times."""
    for attempt in range(1, attempts + 1):
        try:
            result = work()
            session.commit()
            return result
        except DBAPIError as error:
            session.rollback()
            if not is_retryable(error) or attempt == attempts:
                if is_retryable(error):
                    log.warning("ledger transaction gave up after %s attempts: %s", attempt, error.orig)
                    raise LedgerBusy() from error
                raise
            time.sleep(random.uniform(0, 0.005 * attempt))
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")
