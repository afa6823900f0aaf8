"""Web shell shared by every area: session loading, role checks, safe redirects, headers."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from timebank.extensions import db, login_manager
from timebank.i18n import ELDER_COOKIE, LANG_COOKIE


def load_user_from_session(token: str):
    """Session value is "<id>:<version>"; a stale version (logout, password change, deactivation) fails."""
    from timebank.accounts.models import User

    try:
        user_id, version = (int(part) for part in token.split(":", 1))
    except (ValueError, AttributeError):
        return None
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def roles_required(*roles: str):
    """Function-level access: logged in and holding one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def client_ip() -> str | None:
    return request.remote_addr


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


HSTS = "max-age=31536000; includeSubDomains"


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # API answers (personal data behind a token, errors) and every page of a logged-in user: never cached.
    if (getattr(g, "no_store", False) or request.path.startswith("/api/")
            or (current_user and current_user.is_authenticated)):
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("SESSION_COOKIE_SECURE"):  # served over HTTPS only: browsers must stay on it
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _template_context():
    return {
        "elder_mode": request.cookies.get(ELDER_COOKIE) == "1",
        "current_lang": request.cookies.get(LANG_COOKIE) or "",
        "unread_count": _unread,
    }


def _unread() -> int:
    """Unread inbox items of the logged-in user (called from the header, one query per page)."""
    if not current_user.is_authenticated:
        return 0
    from timebank.notify.service import unread_count

    return unread_count(db.session, current_user.id)


def init_app(app) -> None:
    login_manager.user_loader(load_user_from_session)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("请先登录")
    login_manager.session_protection = None  # revocation is the session version, not the IP hash
    app.after_request(_security_headers)
    app.context_processor(_template_context)


def attach_error(form, error) -> None:
    """Show a DomainError beside its field, or at the top of the form."""
    from wtforms import Field

    field = getattr(form, error.field or "", None)
    if isinstance(field, Field):
        field.errors = list(field.errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))
