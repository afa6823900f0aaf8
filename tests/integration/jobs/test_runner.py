"""The job runner: once per trigger time, failures roll back and are logged, schedules are validated."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from timebank.jobs import registry
from timebank.jobs.models import JobHeartbeat, JobIdleCount, JobRun
from timebank.jobs.runner import run_job
from timebank.jobs.schedule import ScheduleError
from timebank.reports.models import StatsSnapshot

SLOT = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def runs(session, job_id):
    return list(session.scalars(select(JobRun).where(JobRun.job_id == job_id)))


def test_a_trigger_time_runs_once(session, county):
    first = run_job("monthly_stats", scheduled_for=SLOT)
    again = run_job("monthly_stats", scheduled_for=SLOT)
    assert first.outcome == "ok" and first.counts == {"created": 1}
    assert again is None
    assert len(runs(session, "monthly_stats")) == 1
    assert session.scalar(select(func.count()).select_from(StatsSnapshot)) == 1


def test_the_next_trigger_is_idempotent_in_its_effects(session, county):
    run_job("monthly_stats", scheduled_for=SLOT)
    second = run_job("monthly_stats", scheduled_for=datetime(2026, 11, 29, 3, 0, tzinfo=UTC))
    assert second.counts == {"created": 0}
    assert session.scalar(select(func.count()).select_from(StatsSnapshot)) == 1


def test_idle_runs_leave_a_counter_not_a_row_each(session, county):
    run_job("monthly_stats", scheduled_for=SLOT)
    for hour in (3, 4, 5):
        idle = run_job("monthly_stats", scheduled_for=datetime(2026, 11, 29, hour, 0, tzinfo=UTC))
        assert idle.outcome == "ok" and idle.counts == {"created": 0}
    assert len(runs(session, "monthly_stats")) == 1  # only the run that did something is a row
    counter = session.get(JobIdleCount, "monthly_stats")
    assert counter.idle_runs == 3
    assert counter.last_slot == datetime(2026, 11, 29, 5, 0, tzinfo=UTC)
    run_job("ledger_check", scheduled_for=SLOT)  # a nightly check always reports what it checked: a row
    assert len(runs(session, "ledger_check")) == 1 and session.get(JobIdleCount, "ledger_check") is None


def test_a_failing_job_leaves_no_partial_effects_and_is_logged(app, session, monkeypatch):
    def explode(session, now, *, slot=None, owner="?"):
        session.add(JobHeartbeat(scheduled_for=SLOT, step=0, owner="x"))
        session.flush()
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(registry.JOBS, "scheduler_selftest",
                        registry.JobSpec("scheduler_selftest", explode, "off", "t"))
    run = run_job("scheduler_selftest", scheduled_for=SLOT)
    assert run.outcome == "failed" and "disk on fire" in run.error
    assert session.scalar(select(func.count()).select_from(JobHeartbeat)) == 0
    retry = run_job("scheduler_selftest", scheduled_for=datetime(2026, 11, 29, 2, 1, tzinfo=UTC))
    assert retry.outcome == "failed"  # tried again at its next trigger


def test_ledger_check_job_records_a_clean_run(session, county):
    run = run_job("ledger_check", scheduled_for=SLOT)
    assert run.outcome == "ok" and run.counts["ok"] == 1


def test_malformed_schedule_settings_are_refused(app):
    saved = app.config["TIMEBANK_JOB_SCHEDULES"]
    try:
        for bad, message in (("ledger_check=every 0s", "interval must be positive"),
                             ("no_such_job=every 1m", "unknown jobs"),
                             ("ledger_check=sometimes", "write 'every")):
            app.config["TIMEBANK_JOB_SCHEDULES"] = bad
            with pytest.raises(ScheduleError) as error:
                registry.schedules(app.config)
            assert message in str(error.value)
    finally:
        app.config["TIMEBANK_JOB_SCHEDULES"] = saved


def test_cli_refuses_malformed_schedules_with_one_line(app):
    saved = app.config["TIMEBANK_JOB_SCHEDULES"]
    app.config["TIMEBANK_JOB_SCHEDULES"] = "ledger_check=every 0s"
    try:
        result = app.test_cli_runner().invoke(args=["jobs", "list"])
    finally:
        app.config["TIMEBANK_JOB_SCHEDULES"] = saved
    assert result.exit_code != 0
    assert "interval must be positive" in result.output and "Traceback" not in result.output


def test_every_registered_job_runs_cleanly_on_an_empty_county(session, county):
    """Each job's one-line shell reaches its service and logs an ok run (selftest excluded)."""
    for job_id in registry.JOBS:
        if job_id == "scheduler_selftest":
            continue
        run = run_job(job_id, scheduled_for=SLOT)
        assert run is not None and run.outcome == "ok", (job_id, run and run.error)
