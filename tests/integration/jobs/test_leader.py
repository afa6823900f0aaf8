"""Two real scheduler processes on one database: one leads and runs each trigger once; after kill -9 of
the leader mid-job the other takes over within the poll interval, and the interrupted run left nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_KEY, base_config, drop_pg_database, pg_database_url, postgres_url, upgrade
from timebank import create_app

ROOT = Path(__file__).resolve().parents[3]
STEPS, PAUSE_MS, EVERY, POLL = 3, 300, 2, 1
OFF = "; ".join(f"{job}=off" for job in ("deliver_notifications", "expire_holds", "ledger_check", "monthly_stats"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sched.db'}"
        return
    if postgres_url() is None:
        pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
    name = f"timebank_sched_{os.getpid()}"
    yield pg_database_url(name)
    drop_pg_database(name)


def start_scheduler(url, instance):
    env = dict(os.environ, TIMEBANK_DATABASE_URL=url, TIMEBANK_INSTANCE_PATH=str(instance),
               TIMEBANK_SECRET_KEY="scheduler-test", TIMEBANK_DATA_KEY=TEST_KEY,
               TIMEBANK_JOB_SCHEDULES=f"scheduler_selftest=every {EVERY}s; {OFF}",
               TIMEBANK_SCHEDULER_POLL_SECONDS=str(POLL), TIMEBANK_SELFTEST_STEPS=str(STEPS),
               TIMEBANK_SELFTEST_PAUSE_MS=str(PAUSE_MS))
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "timebank", "scheduler", "run"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def as_utc(value) -> datetime:
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def read(engine):
    with engine.connect() as conn:
        runs = conn.execute(sa.text("SELECT scheduled_for, owner, outcome FROM job_run "
                                    "WHERE job_id = 'scheduler_selftest' ORDER BY scheduled_for")).all()
        beats = conn.execute(sa.text("SELECT scheduled_for, COUNT(*) FROM job_heartbeat GROUP BY scheduled_for")).all()
    runs = [(as_utc(slot), owner, outcome) for slot, owner, outcome in runs]
    return runs, {as_utc(slot): count for slot, count in beats}


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_one_leader_runs_each_trigger_once_and_a_killed_leader_is_replaced(database, tmp_path):
    migrated = create_app(base_config(database))
    upgrade(migrated)
    with migrated.app_context():
        from timebank.extensions import db

        db.engine.dispose()
    engine = sa.create_engine(database)
    first, second = start_scheduler(database, tmp_path / "a"), start_scheduler(database, tmp_path / "b")
    processes = {first.pid: first, second.pid: second}
    try:
        assert wait_for(lambda: len(read(engine)[0]) >= 4, timeout=40), "the scheduler never ran"
        runs, beats = read(engine)
        owners = {owner for _slot, owner, _outcome in runs}
        assert len(owners) == 1, owners  # only the leader ran jobs
        slots = [slot for slot, _owner, _outcome in runs]
        assert len(slots) == len(set(slots))  # once per trigger
        assert all(outcome == "ok" for *_rest, outcome in runs)
        assert all(count == STEPS for count in beats.values())

        leader_pid = int(next(iter(owners)).rsplit(":", 1)[1])
        follower_pid = next(pid for pid in processes if pid != leader_pid)
        # kill the leader in the middle of a run: just after the next trigger time
        now = time.time()
        next_trigger = (int(now) // EVERY + 1) * EVERY
        time.sleep(next_trigger - now + PAUSE_MS / 1000 * 1.5)
        killed_at = datetime.now(UTC)
        os.kill(leader_pid, signal.SIGKILL)
        processes[leader_pid].wait(timeout=10)

        def follower_ran():
            return any(owner.endswith(f":{follower_pid}") for _s, owner, _o in read(engine)[0])

        assert wait_for(follower_ran, timeout=POLL + 3 * EVERY + 10), "the follower did not take over"
        runs, beats = read(engine)
        first_follower = min(slot for slot, owner, _o in runs if owner.endswith(f":{follower_pid}"))
        assert first_follower - killed_at < timedelta(seconds=POLL + 2 * EVERY + 2)
        interrupted = datetime.fromtimestamp(next_trigger, UTC)
        logged = {slot for slot, _owner, _o in runs}
        assert interrupted not in logged  # the interrupted run left no log row ...
        assert all(count == STEPS for count in beats.values())  # ... and no partial heartbeat rows
        assert len(beats) == len(runs)
        assert Counter(slot for slot, *_rest in runs).most_common(1)[0][1] == 1
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        engine.dispose()
