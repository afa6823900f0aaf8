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


@charity_cli.command("open")
@click.option("--name", required=True, help="the charity's registered name")
@click.option("--credit-code", required=True, help="统一社会信用代码 (18 characters, GB 32100-2015 check)")
@click.option("--registration", default="charity", show_default=True,
              type=click.Choice(["charity", "public_fundraising", "enterprise", "social_org"]))
@click.option("--registration-number", default=None, help="慈善组织 registration number (required for charities)")
@click.option("--contact-name", required=True)
@click.option("--contact-phone", required=True)
@click.option("--contact-email", default=None)
@click.option("--address", default=None)
@click.option("--username", required=True, help="the owner's login")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="the owner's initial password (changed at the first sign-in)")
@click.option("--admin", "admin_login", default=None, help="the admin acting (default: the system actor)")
def open_command(name, credit_code, registration, registration_number, contact_name, contact_phone, contact_email,
                 address, username, password, admin_login):
    """Open an approved charity with its owner login (written to the audit log). Errors are one line."""
    from timebank.accounts import service as accounts
    from timebank.charity import onboarding
    from timebank.errors import DomainError

    actor = accounts.find_login(db.session, admin_login) if admin_login else accounts.system_user(db.session)
    if actor is None or not actor.has_role("admin"):
        raise click.ClickException(f"no admin login {admin_login!r}")
    data = onboarding.ApplicationInput(
        charity=service.CharityInput(name=name, credit_code=credit_code, registration=registration,
                                     contact_name=contact_name, contact_phone=contact_phone, address=address),
        registration_number=registration_number, contact_email=contact_email,
        login=onboarding.LoginInput(username=username, password=password, name=contact_name))
    try:
        charity = onboarding.open_charity(db.session, actor, data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        field = f"{error.field}: " if error.field else ""
        raise click.ClickException(f"{field}{error.message}") from None
    db.session.commit()
    click.echo(f"charity {charity.id} {charity.name} opened; owner {username} changes the password at first sign-in")
