"""A leader whose lock connection is cut (pg_terminate_backend) starts no job after the cut, and a job
that was running when it happened does not commit: the follower takes over and runs each trigger once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_KEY, base_config, drop_pg_database, pg_database_url, postgres_url, upgrade
from tests.integration.jobs.test_leader import OFF, ROOT, as_utc, wait_for
from timebank import create_app
from timebank.jobs.leader import ADVISORY_KEY

pytestmark = pytest.mark.postgres
STEPS, PAUSE_MS = 3, 150


@pytest.fixture
def database():
    if postgres_url() is None:
        pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
    name = f"timebank_lockloss_{os.getpid()}"
    yield pg_database_url(name)
    drop_pg_database(name)


def start(url, instance, poll, stderr):
    env = dict(os.environ, TIMEBANK_DATABASE_URL=url, TIMEBANK_INSTANCE_PATH=str(instance),
               TIMEBANK_SECRET_KEY="scheduler-test", TIMEBANK_DATA_KEY=TEST_KEY,
               TIMEBANK_JOB_SCHEDULES=f"scheduler_selftest=every 1s; {OFF}",
               TIMEBANK_SCHEDULER_POLL_SECONDS=str(poll), TIMEBANK_SELFTEST_STEPS=str(STEPS),
               TIMEBANK_SELFTEST_PAUSE_MS=str(PAUSE_MS))
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "timebank", "scheduler", "run"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def runs(engine):
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT scheduled_for, started_at, owner FROM job_run "
                                    "WHERE job_id = 'scheduler_selftest' AND outcome = 'ok'")).all()
        beats = dict(conn.execute(sa.text("SELECT scheduled_for, COUNT(*) FROM job_heartbeat "
                                          "GROUP BY scheduled_for")).all())
    return [(as_utc(slot), as_utc(started), owner) for slot, started, owner in rows], beats


def lock_holder(engine):
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :k "
                                    "AND granted"), {"k": ADVISORY_KEY}).scalar()


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_leader_that_loses_its_lock_starts_nothing_after_and_commits_nothing_in_flight(database, tmp_path):
    migrated = create_app(base_config(database))
    upgrade(migrated)
    with migrated.app_context():
        from timebank.extensions import db

        db.engine.dispose()
    engine = sa.create_engine(database)
    # the leader polls its lock only every 60 s: only the check before each job can stop it in time
    log_a, log_b = open(tmp_path / "a.log", "w+"), open(tmp_path / "b.log", "w+")
    leader = start(database, tmp_path / "a", poll=60, stderr=log_a)
    follower = None
    try:
        assert wait_for(lambda: len(runs(engine)[0]) >= 2, timeout=40), "the leader never ran"
        leader_owner = runs(engine)[0][0][2]
        follower = start(database, tmp_path / "b", poll=1, stderr=log_b)
        time.sleep(2)
        assert {owner for *_r, owner in runs(engine)[0]} == {leader_owner}  # the follower waits
        # cut the lock connection in the middle of a run
        now = time.time()
        time.sleep(int(now) + 1 - now + PAUSE_MS * 1.5 / 1000)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": lock_holder(engine)})
        cut_at = datetime.now(UTC)

        def follower_ran():
            return any(owner != leader_owner for *_r, owner in runs(engine)[0])

        if not wait_for(follower_ran, timeout=15):
            for handle in (log_a, log_b):
                handle.seek(0)
            pytest.fail(f"the follower did not take over; holder {lock_holder(engine)}\n"
                        f"A: {log_a.read()}\nB: {log_b.read()}")
        time.sleep(4)
        rows, beats = runs(engine)
        late = [(slot, started) for slot, started, owner in rows if owner == leader_owner and started >= cut_at]
        assert late == []  # nothing started (or committed a start) after the cut
        slots = [slot for slot, *_r in rows]
        assert len(slots) == len(set(slots))  # each trigger once
        assert all(beats.get(slot) == STEPS for slot in slots)  # runs whole ...
        assert set(beats) == set(slots)  # ... and no heartbeat rows from a fenced run
        assert leader.poll() is None  # the old leader stepped down, it did not crash
    finally:
        stop(leader)
        if follower is not None:
            stop(follower)
        engine.dispose()
        for handle in (log_a, log_b):
            handle.close()
    for name in ("a.log", "b.log"):
        text = (tmp_path / name).read_text()
        assert "Traceback" not in text and "ERROR" not in text, text  # SIGTERM and step-down are quiet
