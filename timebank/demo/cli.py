"""`flask --app timebank demo seed`: load the demo county (idempotent)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from timebank import clock
from timebank.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
def seed_command():
    """Load the fictional demo county 示范县 (does nothing if it is already loaded)."""
    from timebank.demo.seed import DEMO_LOGINS, seed_demo

    result = seed_demo(db.session, today=clock.today())
    db.session.commit()
    if not result.created:
        click.echo("demo county already loaded; nothing changed")
        return
    click.echo(
        f"demo county loaded: {result.townships} townships, {result.villages} villages, {result.stations} "
        f"stations, {result.volunteers} volunteers, {result.social_workers} social workers, "
        f"{result.residents} residents, {result.relatives} relatives, {result.charities} charities"
    )
    for login, password, role, what in DEMO_LOGINS:
        click.echo(f"  {role:14} {login:12} {password}   ({what})")
