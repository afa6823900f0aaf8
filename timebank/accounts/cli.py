"""`flask --app timebank users ...`: create the first admin and manage logins from the shell."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from timebank.accounts import service as accounts
from timebank.accounts.models import OrgNode
from timebank.errors import DomainError
from timebank.extensions import db

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create-admin")
@click.argument("username")
@click.password_option()
def create_admin(username: str, password: str):
    """Create a county admin (the county root node must exist)."""
    root = db.session.scalar(select(OrgNode).where(OrgNode.parent_id.is_(None)))
    if root is None:
        raise click.ClickException("no county exists yet; run `flask --app timebank demo seed` or add one first")
    try:
        accounts.create_user(db.session, password=password, roles=("admin",), username=username, node_id=root.id)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"admin {username} created")
