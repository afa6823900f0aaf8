"""Abuse limits: per-client request limits (Flask-Limiter) and per (client, account) sign-in back-off.

Everything here runs before a password is hashed, so a flood of guesses costs the server almost nothing.
Limits are strings from config ("10 per minute;60 per hour"); storage is memory:// for one process and
Redis for several workers (TIMEBANK_RATELIMIT_STORAGE_URI).
"""

from __future__ import annotations

import logging

from flask import current_app, request
from flask_login import current_user
from limits import parse

from timebank.accounts.domain import canonical_login
from timebank.extensions import limiter

log = logging.getLogger(__name__)


def client_key() -> str:
    return request.remote_addr or "unknown"


def login_tried() -> str:
    """The login (phone or username) a sign-in or token request names, lower-cased; form or JSON."""
    value = request.form.get("login")
    if value is None and request.is_json:
        body = request.get_json(silent=True)
        value = body.get("login") if isinstance(body, dict) else None
    return canonical_login(str(value or ""))


def account_key() -> str:
    return "account:" + login_tried()


def _config(name: str):
    return lambda: current_app.config[name]


def _is_post() -> bool:
    return request.method == "POST"


# Decorators for views: each counts only POSTs (GET shows the form).
login_per_client = limiter.limit(_config("TIMEBANK_RATELIMIT_LOGIN"), key_func=client_key,
                                 exempt_when=lambda: not _is_post(), scope="login-client")
login_per_account = limiter.limit(_config("TIMEBANK_RATELIMIT_LOGIN_ACCOUNT"), key_func=account_key,
                                  exempt_when=lambda: not _is_post(), scope="login-account")
signup_per_client = limiter.limit(_config("TIMEBANK_RATELIMIT_SIGNUP"), key_func=client_key,
                                  exempt_when=lambda: not _is_post(), scope="signup")
password_per_client = limiter.limit(_config("TIMEBANK_RATELIMIT_PASSWORD"), key_func=client_key,
                                    exempt_when=lambda: not _is_post(), scope="password")


def _anonymous_post_exempt() -> bool:
    if request.method != "POST":
        return True
    if request.headers.get("Authorization"):  # API calls with a token: limited by their own routes
        return True
    return bool(current_user and current_user.is_authenticated)


def init_app(app) -> None:
    """Every anonymous POST shares one per-client budget on top of the per-route limits."""
    app.config.setdefault("RATELIMIT_APPLICATION", _config("TIMEBANK_RATELIMIT_ANONYMOUS_POST"))
    app.config.setdefault("RATELIMIT_APPLICATION_EXEMPT_WHEN", _anonymous_post_exempt)
    if _limits_off not in limiter._request_filters:  # noqa: SLF001 (one filter, however many apps)
        limiter.request_filter(_limits_off)
    limiter.init_app(app)


def _limits_off() -> bool:
    """The limiter object is shared by every app in the process and always hooked in (Flask allows no new
    hooks after the first request); each app's own TIMEBANK_RATELIMIT_ENABLED decides per request."""
    return not current_app.config.get("TIMEBANK_RATELIMIT_ENABLED")


def _active() -> bool:
    return bool(limiter.enabled and limiter.initialized and not _limits_off())


def _pair_item():
    config = current_app.config
    return parse(f"{config['TIMEBANK_LOGIN_PAIR_FAILURES']} per {config['TIMEBANK_LOGIN_LOCK_MINUTES']} minutes")


def _pair_ids(client: str | None, login: str) -> tuple[str, ...]:
    return (current_app.config["TIMEBANK_RATELIMIT_KEY_PREFIX"], "login-pair", client or "unknown",
            canonical_login(login))


def _storage_call(method: str, client: str | None, login: str):
    """Call the limit storage; if it is unreachable, log it and let the sign-in through this check (the
    per-account lock in the database and the per-client limits, counted in memory meanwhile, still hold)."""
    if not _active():
        return None
    try:
        return getattr(limiter.limiter, method)(_pair_item(), *_pair_ids(client, login))
    except Exception:  # noqa: BLE001 (a storage outage must not turn into refused sign-ins)
        log.warning("rate-limit storage unavailable for sign-in back-off", exc_info=True)
        return None


def pair_blocked(client: str | None, login: str) -> bool:
    """True while this client has failed too often for this login (the account stays open to others)."""
    return _storage_call("test", client, login) is False


def pair_failed(client: str | None, login: str) -> None:
    _storage_call("hit", client, login)


def pair_reset(client: str | None, login: str) -> None:
    _storage_call("clear", client, login)
