"""`flask imports commit BATCH_ID`: commit a checked import outside a web request (a county's first 10,000-row
roll can take longer than a request may), as the person who uploaded it, through the same service."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from timebank import clock
from timebank.errors import DomainError
from timebank.extensions import db

imports_cli = AppGroup("imports", help="Spreadsheet imports.")


@imports_cli.command("commit")
@click.argument("batch_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--skip-duplicates/--link-duplicates", default=True,
              help="What to do with rows of people already registered (default: skip).")
def commit_command(batch_id: int, skip_duplicates: bool):
    """Import a checked file: every row or none, with an audit entry."""
    from timebank import limits
    from timebank.accounts.models import User
    from timebank.imports import service
    from timebank.imports.models import ImportBatch

    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise click.ClickException(f"no import {batch_id}")
    actor = db.session.get(User, batch.actor_id)
    with current_app.test_request_context():
        report = service.report_of(batch)
        action = "skip" if skip_duplicates else "link"
        choices = {line["row"]: action for line in report.get("lines", ()) if line.get("existing")}
        try:
            done = service.commit(db.session, actor, batch_id, choices, today=clock.today(), now=clock.now(),
                                  max_bytes=limits.upload_max_bytes(),
                                  max_rows=int(current_app.config["TIMEBANK_IMPORT_MAX_ROWS"]))
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(str(error.message)) from None
        db.session.commit()
        click.echo(f"import {batch_id}: {done.created_count} new, {done.linked_count} linked")
