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


def _login(login: str):
    user = accounts.find_login(db.session, login)
    if user is None:
        raise click.ClickException(f"no login {login!r}")
    return user


@users_cli.command("unlock")
@click.argument("login")
def unlock(login: str):
    """Lift the sign-in lock of a login (phone or username); written to the audit log."""
    user = _login(login)
    accounts.unlock_user(db.session, accounts.system_user(db.session), user.id)
    db.session.commit()
    click.echo(f"{login} unlocked")


@users_cli.command("reset-2fa")
@click.argument("login")
def reset_2fa(login: str):
    """Reset a staff login's two-step verification (a lost phone and no recovery code left, e.g. the only
    admin): they enrol again at the next sign-in. Written to the audit log."""
    user = _login(login)
    accounts.reset_second_factor(db.session, accounts.system_user(db.session), user.id)
    db.session.commit()
    click.echo(f"two-step verification of {login} reset; they set it up again at the next sign-in")


org_cli = AppGroup("org", help="The org tree.")


@org_cli.command("init")
@click.argument("name")
@click.argument("code")
@click.option("--lat", type=float, default=None, help="latitude of the county seat")
@click.option("--lon", type=float, default=None, help="longitude of the county seat")
def org_init(name: str, code: str, lat: float | None, lon: float | None):
    """Create the county (the root of the org tree) on a new deployment."""
    if db.session.scalar(select(OrgNode.id).where(OrgNode.parent_id.is_(None))) is not None:
        raise click.ClickException("a county already exists; add townships and villages on the admin pages")
    if (lat is None) != (lon is None):
        raise click.ClickException("give both --lat and --lon, or neither")
    accounts.create_root(db.session, name=name, code=code, latitude=lat, longitude=lon)
    db.session.commit()
    click.echo(f"county {name} ({code}) created; next: flask --app timebank users create-admin NAME")
