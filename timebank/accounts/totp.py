"""Second factor for staff: TOTP (RFC 6238, 30-second steps, 6 digits) and single-use recovery codes.

The secret is stored encrypted; a code is accepted once (the step is remembered), one step of clock drift
either way is allowed; recovery codes are random and stored as SHA-256 hashes. Never commits.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from flask import current_app
from sqlalchemy import select

from timebank.accounts import crypto
from timebank.accounts.models import RecoveryCode, User
from timebank.audit import service as audit

RECOVERY_CODES = 10
ISSUER = "Timebank"


def required_for(user: User) -> bool:
    return bool(current_app.config["TIMEBANK_STAFF_TOTP_REQUIRED"]) and user.is_staff


def pending_secret(session, user: User) -> str:
    """The secret being enrolled: made on first visit, kept until a code confirms it."""
    if user.totp_secret_encrypted is None or user.totp_confirmed_at is not None:
        if user.totp_confirmed_at is not None:
            raise ValueError("already enrolled")
        user.totp_secret_encrypted = crypto.encrypt(pyotp.random_base32())
        session.flush()
    return crypto.decrypt(user.totp_secret_encrypted)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username or user.phone or str(user.id),
                                               issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code of the otpauth:// address for an authenticator app to scan."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join((code or "").split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def _use_totp(user: User, secret: str, code: str, now: datetime) -> bool:
    step = _matching_step(secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False  # wrong, or a code already used (replay)
    user.totp_last_step = step
    return True


def confirm_enrolment(session, user: User, code: str, *, now: datetime) -> list[str] | None:
    """Turn the second factor on with a first code; returns the recovery codes (shown once), or None."""
    if user.totp_secret_encrypted is None or user.totp_confirmed_at is not None:
        return None
    if not _use_totp(user, crypto.decrypt(user.totp_secret_encrypted), code, now):
        audit.record(session, "totp_enrol", actor_id=user.id, target=f"user:{user.id}", result="failed")
        return None
    user.totp_confirmed_at = now
    codes = new_recovery_codes(session, user)
    audit.record(session, "totp_enrol", actor_id=user.id, target=f"user:{user.id}")
    return codes


def new_recovery_codes(session, user: User) -> list[str]:
    for row in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(row)
    session.flush()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=crypto.token_hash(code)))
    session.flush()
    return codes


def verify(session, user: User, code: str, *, now: datetime, ip: str | None = None) -> bool:
    """A current TOTP code (once) or an unused recovery code (then spent). Audited either way."""
    ok = False
    method = "totp"
    if user.totp_confirmed_at is not None:
        secret = crypto.decrypt(user.totp_secret_encrypted)
        ok = _use_totp(user, secret, code, now)
        if not ok:
            digest = crypto.token_hash("".join((code or "").split()).lower())
            row = session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                            RecoveryCode.code_hash == digest,
                                                            RecoveryCode.used_at.is_(None)))
            if row is not None:
                row.used_at = now
                ok, method = True, "recovery code"
    audit.record(session, "login_second_factor", actor_id=user.id, result="ok" if ok else "failed", ip=ip,
                 detail=method)
    return ok


def reset(session, actor: User, user: User) -> None:
    """Staff reset a colleague's second factor (a lost phone): they enrol again at the next sign-in."""
    user.totp_secret_encrypted = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    for row in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(row)
    audit.record(session, "totp_reset", actor_id=actor.id, target=f"user:{user.id}")
