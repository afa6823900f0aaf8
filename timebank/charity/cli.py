"""`flask --app timebank charity ...`: the stock check, use-by expiry and delivery-visit sync."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from timebank import clock
from timebank.charity import allocation, queries, service
from timebank.extensions import db

charity_cli = AppGroup("charity", help="Charity goods and stock.")


@charity_cli.command("check")
def check_command():
    """Recompute every donation's stock from its movements; exit 1 naming each mismatch."""
    report = queries.check_stock(db.session)
    db.session.rollback()
    if report.ok:
        click.echo(report.summary())
        return
    click.echo(report.summary(), err=True)
    for m in report.mismatches:
        recomputed = f"stock={m.recomputed[0]} reserved={m.recomputed[1]}" if m.recomputed else m.reason
        click.echo(f"  donation {m.donation_id}: stored stock={m.stored[0]} reserved={m.stored[1]}, "
                   f"movements give {recomputed}", err=True)
    sys.exit(1)


@charity_cli.command("expire")
def expire_command():
    """Free stock past its use-by date becomes expired (idempotent)."""
    done = service.expire_due(db.session, today=clock.today(), now=clock.now())
    db.session.commit()
    click.echo(f"expired stock of {len(done)} donations")


@charity_cli.command("sync-deliveries")
def sync_command():
    """Confirmed 送物资 visits deliver their goods; cancelled or expired ones return them (idempotent)."""
    delivered, returned = allocation.sync_delivery_visits(db.session, now=clock.now())
    db.session.commit()
    click.echo(f"delivered {delivered}, returned {returned}")
