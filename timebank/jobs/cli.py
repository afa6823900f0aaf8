"""`flask --app timebank scheduler run` (production: one process of its own), `jobs list|run`, and
`serve` (the development server with the scheduler in a background thread when TIMEBANK_RUN_SCHEDULER)."""

from __future__ import annotations

import signal
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from timebank.jobs import registry
from timebank.jobs.schedule import ScheduleError

scheduler_cli = AppGroup("scheduler", help="The job scheduler.")
jobs_cli = AppGroup("jobs", help="Scheduled jobs.")


def _service():
    from timebank.jobs.scheduler import SchedulerService

    try:
        return SchedulerService(current_app._get_current_object())
    except ScheduleError as error:
        raise click.ClickException(str(error)) from None


@scheduler_cli.command("run")
def scheduler_run():
    """Wait to become the leader, then run every job on its schedule until SIGTERM or Ctrl-C."""
    stopping = []  # a SIGTERM can arrive while the app is still starting: stop quietly then too
    service = None

    def on_sigterm(*_args):
        stopping.append(True)
        if service is not None:
            service.stop()

    signal.signal(signal.SIGTERM, on_sigterm)
    service = _service()
    if stopping:
        return
    click.echo("scheduler started; waiting for leadership", err=True)
    try:
        service.run()
    except KeyboardInterrupt:
        service.stop()


@jobs_cli.command("list")
@with_appcontext
def jobs_list():
    """Each job and its schedule."""
    try:
        schedules = registry.schedules(current_app.config)
    except ScheduleError as error:
        raise click.ClickException(str(error)) from None
    for job_id, text in schedules.items():
        click.echo(f"{job_id:24} {text}")


@jobs_cli.command("run")
@click.argument("job_id")
@with_appcontext
def jobs_run(job_id: str):
    """Run one job now (outside the scheduler), logged like a scheduled run."""
    from timebank import clock
    from timebank.jobs.runner import run_job

    if job_id not in registry.JOBS:
        raise click.ClickException(f"unknown job {job_id!r}; known: {', '.join(registry.JOBS)}")
    run = run_job(job_id, scheduled_for=clock.now().replace(microsecond=0))
    if run is None:
        click.echo(f"{job_id}: already ran for this trigger time")
        return
    click.echo(f"{job_id}: {run.outcome} {run.counts}" + (f" {run.error}" if run.error else ""))
    if run.outcome != "ok":
        sys.exit(1)


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve_command(host: str, port: int):
    """The development server; with TIMEBANK_RUN_SCHEDULER the jobs run in a background thread."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    if app.config["TIMEBANK_RUN_SCHEDULER"]:
        service = _service()
        service.start_in_thread()
        click.echo("scheduler running in this process", err=True)
    from timebank.limits import QuietRequestHandler

    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False,
               request_handler=QuietRequestHandler)
