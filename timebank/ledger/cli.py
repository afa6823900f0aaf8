"""`flask --app timebank ledger ...`: reconcile the ledger and expire overdue holds."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from timebank import clock
from timebank.extensions import db
from timebank.ledger import holds, reconcile
from timebank.ledger.errors import AlreadyResolved
from timebank.ledger.retry import committed

ledger_cli = AppGroup("ledger", help="Time-bank ledger.")


@ledger_cli.command("check")
@click.option("--no-record", is_flag=True, help="Do not store the result (read-only check).")
def check_command(no_record: bool):
    """Recompute every balance from the transfers and verify the invariants; exit 1 on any violation."""
    report = reconcile.run_check(db.session, now=clock.now(), record=not no_record)
    db.session.commit()
    click.echo(report.summary())
    if not report.ok:
        for violation in report.violations:
            click.echo(f"  VIOLATION: {violation}", err=True)
        sys.exit(1)


@ledger_cli.command("expire-holds")
def expire_command():
    """Release every hold whose expiry has passed (idempotent; run it from the scheduler)."""
    now = clock.now()
    count = 0
    for hold_id in holds.due_holds(db.session, now):
        try:
            committed(db.session, lambda hold_id=hold_id: holds.expire(db.session, hold_id=hold_id, now=now))
        except AlreadyResolved:
            continue  # settled or voided meanwhile
        count += 1
    click.echo(f"expired {count} holds")
