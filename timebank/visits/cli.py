"""`flask --app timebank visits ...`: the job shells for automatic confirmation and expiry (the scheduler
issue decides when they run)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from timebank import clock
from timebank.extensions import db
from timebank.visits import service, settle

visits_cli = AppGroup("visits", help="Service requests and visits.")


@visits_cli.command("auto-confirm")
def auto_confirm_command():
    """Confirm and settle visits done N days ago without a dispute (idempotent)."""
    ids = settle.auto_confirm_due(db.session, now=clock.now(), today=clock.today())
    db.session.commit()
    click.echo(f"auto-confirmed {len(ids)} visits")


@visits_cli.command("expire")
def expire_command():
    """Expire open or matched requests whose time window has closed (holds released)."""
    ids = service.expire_due(db.session, now=clock.now())
    db.session.commit()
    click.echo(f"expired {len(ids)} requests")
