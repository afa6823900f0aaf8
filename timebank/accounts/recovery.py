"""Getting back into an account without the password: a one-time code a station issues in person (logged),
or a link mailed to an address the person has verified. Both end every session and clear the sign-in lock.
Services flush; the views commit and mail after the commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from timebank.accounts import service as accounts
from timebank.accounts.models import User
from timebank.accounts.recovery_models import AccountToken
from timebank.audit import service as audit
from timebank.errors import ValidationFailed

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by elders
CODE_LIFETIME = timedelta(hours=24)
LINK_LIFETIME = timedelta(minutes=30)
VERIFY_LIFETIME = timedelta(hours=48)
MAX_CODE_ATTEMPTS = 5

BAD_CODE = _l("账号或重置码不正确，或重置码已过期。请核对后再试，或请社工站重新发放。")
BAD_LINK = _l("这个重置链接无效或已过期，请重新申请。")
BAD_VERIFY = _l("这个验证链接无效或已过期，请在通知设置里重新发送验证邮件。")


class WrongResetCode(ValidationFailed):
    """Raised after the failed attempt was counted and logged: the caller commits, as a failed sign-in does."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def _void_open(session, user_id: int, purpose: str, now: datetime) -> None:
    session.execute(update(AccountToken).where(
        AccountToken.user_id == user_id, AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None), AccountToken.voided_at.is_(None)).values(voided_at=now))


def _open_token(session, token: str, purpose: str, now: datetime) -> AccountToken | None:
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == _hash(token),
                                                    AccountToken.purpose == purpose))
    if row is None or row.used_at or row.voided_at or row.expires_at <= now:
        return None
    return row


def issue_reset_code(session, actor: User, user_id: int, *, now: datetime, ip: str | None = None) -> str:
    """A new code for a login in the actor's subtree (earlier open codes stop working); shown once."""
    user = accounts._load_user_in_scope(session, actor, user_id)  # noqa: SLF001 - the accounts scope rule
    _void_open(session, user.id, "reset_code", now)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    session.add(AccountToken(user_id=user.id, purpose="reset_code", token_hash=_hash(raw), issued_by_id=actor.id,
                             created_at=now, expires_at=now + CODE_LIFETIME, attempts=0))
    audit.record(session, "password_reset_code_issued", actor_id=actor.id, target=f"user:{user.id}", ip=ip)
    session.flush()
    return f"{raw[:4]}-{raw[4:]}"


def reset_with_code(session, login: str, code: str, new_password: str, *, now: datetime,
                    ip: str | None = None) -> User:
    """Set a new password with a station's code. A wrong code counts against the login's open code."""
    user = accounts.find_login(session, login)
    row = None
    if user is not None and user.active:
        row = session.scalar(select(AccountToken).where(
            AccountToken.user_id == user.id, AccountToken.purpose == "reset_code",
            AccountToken.used_at.is_(None), AccountToken.voided_at.is_(None), AccountToken.expires_at > now))
    if row is None or not secrets.compare_digest(row.token_hash, _hash(normalize_code(code))):
        if row is not None:
            row.attempts += 1
            if row.attempts >= MAX_CODE_ATTEMPTS:
                row.voided_at = now
        audit.record(session, "password_reset_code_failed", actor_id=user.id if user else None,
                     target=f"user:{user.id}" if user else None, result="refused", ip=ip)
        session.flush()
        raise WrongResetCode(BAD_CODE, field="code")
    _finish(session, user, row, new_password, now=now)
    audit.record(session, "password_reset_by_code", actor_id=user.id, target=f"user:{user.id}", ip=ip)
    return user


def email_verified(session, user: User) -> bool:
    """The user's current address was proven by a verification link sent to that same address."""
    if not user.email:
        return False
    return session.scalar(select(AccountToken.id).where(
        AccountToken.user_id == user.id, AccountToken.purpose == "verify_email",
        AccountToken.email == user.email, AccountToken.used_at.is_not(None)).limit(1)) is not None


def request_reset_link(session, login: str, *, now: datetime) -> tuple[User, str] | None:
    """A reset link for a login with a verified address; None otherwise (the page says the same either way)."""
    user = accounts.find_login(session, login)
    if user is None or not user.active or not email_verified(session, user):
        return None
    _void_open(session, user.id, "reset_link", now)
    raw = secrets.token_urlsafe(32)
    session.add(AccountToken(user_id=user.id, purpose="reset_link", token_hash=_hash(raw), created_at=now,
                             expires_at=now + LINK_LIFETIME, attempts=0))
    audit.record(session, "password_reset_link_sent", actor_id=user.id, target=f"user:{user.id}")
    session.flush()
    return user, raw


def link_is_open(session, token: str, *, now: datetime) -> bool:
    return _open_token(session, token, "reset_link", now) is not None


def reset_with_link(session, token: str, new_password: str, *, now: datetime, ip: str | None = None) -> User:
    row = _open_token(session, token, "reset_link", now)
    if row is None:
        raise ValidationFailed(BAD_LINK, field="new_password")
    user = session.get(User, row.user_id)
    _finish(session, user, row, new_password, now=now)
    audit.record(session, "password_reset_by_email", actor_id=user.id, target=f"user:{user.id}", ip=ip)
    return user


def _finish(session, user: User, row: AccountToken, new_password: str, *, now: datetime) -> None:
    accounts.set_password(session, user, new_password, now=now)  # policy and history; ends every session
    row.used_at = now
    user.failed_logins = 0
    user.locked_until = None
    session.flush()


def start_email_verification(session, user: User, *, now: datetime) -> str | None:
    """A link proving the user's current address (earlier open links stop working); None without one."""
    if not user.email:
        return None
    _void_open(session, user.id, "verify_email", now)
    raw = secrets.token_urlsafe(32)
    session.add(AccountToken(user_id=user.id, purpose="verify_email", token_hash=_hash(raw), email=user.email,
                             created_at=now, expires_at=now + VERIFY_LIFETIME, attempts=0))
    session.flush()
    return raw


def verification_is_open(session, token: str, *, now: datetime) -> bool:
    return _open_token(session, token, "verify_email", now) is not None


def confirm_email(session, token: str, *, now: datetime) -> User:
    row = _open_token(session, token, "verify_email", now)
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or user.email != row.email:
        raise ValidationFailed(BAD_VERIFY, field="token")
    row.used_at = now
    audit.record(session, "email_verified", actor_id=user.id, target=f"user:{user.id}")
    session.flush()
    return user
