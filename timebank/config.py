"""Configuration, later sources winning: defaults, then instance/config.py, then TIMEBANK_* environment
variables, then the mapping passed in code (create_app(test_config), the bench's config). A test or a
benchmark that names its database therefore never lands in the database an exported variable names."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    "TIMEBANK_DATA_KEY": None,
    "TIMEBANK_DATABASE_URL": None,  # None: sqlite file in the instance folder
    "TIMEBANK_DEFAULT_LOCALE": "zh_CN",
    "TIMEBANK_LOCALES": ["zh_CN", "en"],
    "TIMEBANK_TIMEZONE": "Asia/Shanghai",
    "TIMEBANK_PRIVACY_NOTICE_VERSION": "2026-12",
    "TIMEBANK_SESSION_HOURS": 12,
    "TIMEBANK_COOKIE_SECURE": False,  # set True behind HTTPS in production
    "TIMEBANK_API_TOKEN_DAYS": 90,
    # sign-in security (docs/en/auth-security.md)
    "TIMEBANK_LOGIN_FAILURES_BEFORE_LOCK": 50,  # failures from ALL clients before an account waits (high)
    "TIMEBANK_LOGIN_LOCK_MINUTES": 15,
    "TIMEBANK_LOGIN_PAIR_FAILURES": 5,  # failures from one client for one account before that pair waits
    "TIMEBANK_RATELIMIT_ENABLED": True,
    "TIMEBANK_RATELIMIT_STORAGE_URI": "memory://",  # production: redis://127.0.0.1:6379/0
    "TIMEBANK_RATELIMIT_KEY_PREFIX": "timebank",
    # per client address; mobile carriers put many phones behind one address, so these are not tight
    "TIMEBANK_RATELIMIT_LOGIN": "20 per minute;200 per hour",  # login, code step and token requests
    "TIMEBANK_RATELIMIT_LOGIN_ACCOUNT": "30 per minute",  # per account tried, from any client
    "TIMEBANK_RATELIMIT_SIGNUP": "10 per hour;50 per day",
    "TIMEBANK_RATELIMIT_PASSWORD": "10 per hour",  # per client, password change
    "TIMEBANK_RATELIMIT_ANONYMOUS_POST": "60 per minute",  # every POST without a session, together
    "TIMEBANK_STAFF_TOTP_REQUIRED": True,  # admins and station staff sign in with a one-time code
    "TIMEBANK_SESSION_IDLE_MINUTES": 120,  # signed out after this long without a request ...
    "TIMEBANK_SESSION_IDLE_MINUTES_STAFF": 30,  # ... shorter for admins and station staff
    "TIMEBANK_RUN_SCHEDULER": False,
    "TIMEBANK_PROXY_COUNT": 0,
    "TIMEBANK_SMTP_HOST": "",  # empty: no email channel
    "TIMEBANK_SMTP_PORT": 25,
    "TIMEBANK_SMTP_USERNAME": "",
    "TIMEBANK_SMTP_PASSWORD": "",
    "TIMEBANK_SMTP_STARTTLS": False,
    "TIMEBANK_SMTP_SSL": False,
    "TIMEBANK_SMTP_TIMEOUT": 10,
    "TIMEBANK_MAIL_FROM": "timebank@localhost",
    "TIMEBANK_NOTIFY_MAX_ATTEMPTS": 12,
    "TIMEBANK_JOB_SCHEDULES": "",  # overrides, e.g. "deliver_notifications=every 30s; ledger_check=cron 0 2 * * *"
    "TIMEBANK_SCHEDULER_POLL_SECONDS": 5,  # how often a waiting scheduler tries to take over
    "TIMEBANK_MATCH_HORIZON_DAYS": 7,  # matching plans this many days ahead
    "TIMEBANK_MATCH_TIME_LIMIT": 5,  # seconds per solve from the pages and the job
    "TIMEBANK_MATCH_MAX_TRAVEL_KM": 10,
    "TIMEBANK_UPLOAD_MAX_BYTES": 10 * 1024 * 1024,  # one .xlsx to import; a larger upload is a 413 with a message
    "TIMEBANK_IMPORT_MAX_ROWS": 20000,  # rows per import file
    "TIMEBANK_RATELIMIT_CERTIFICATE_STATUS": "60 per minute;600 per hour",  # the public certificate page, per client
    "TIMEBANK_PROPOSAL_HOURS": 24,  # a proposal must be answered within this many hours (and 1 h before the visit)
    "TIMEBANK_CARE_DAYS": 30,  # proactive care: a watched resident with no visit for this many days ...
    "TIMEBANK_SELFTEST_STEPS": 3,  # the scheduler self-test job writes this many rows ...
    "TIMEBANK_SELFTEST_PAUSE_MS": 0,  # ... pausing this long between them  # reverse proxies in front (nginx = 1): client IPs come from X-Forwarded-For
}

_INSTANCE_TEMPLATE = '''"""Per-deployment settings, written on first start. Never commit this file.

See instance/config.example.py for every setting and what it does.
"""

SECRET_KEY = {secret!r}
TIMEBANK_DATA_KEY = {data_key!r}
'''


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def ensure_instance_config(instance_path: str) -> Path:
    """Write instance/config.py with fresh random keys if it does not exist yet."""
    path = Path(instance_path) / "config.py"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = _INSTANCE_TEMPLATE.format(
            secret=secrets.token_urlsafe(48),
            data_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    return path


def load(app, test_config: dict | None) -> None:
    """Fill app.config in order: defaults, instance file (skipped when a mapping is passed), environment,
    the passed mapping (it wins: explicit configuration in code is never overridden by the environment)."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        ensure_instance_config(app.instance_path)
        app.config.from_pyfile("config.py", silent=False)
    for key, default in DEFAULTS.items():
        if key.startswith("TIMEBANK_") and key in os.environ:
            app.config[key] = _coerce(os.environ[key], default)
    if "TIMEBANK_SECRET_KEY" in os.environ:
        app.config["SECRET_KEY"] = os.environ["TIMEBANK_SECRET_KEY"]
    if test_config is not None:
        app.config.from_mapping(test_config)
    url = app.config["TIMEBANK_DATABASE_URL"] or "sqlite:///" + os.path.join(app.instance_path, "timebank.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    if not app.config.get("SECRET_KEY") or not app.config.get("TIMEBANK_DATA_KEY"):
        raise RuntimeError("SECRET_KEY and TIMEBANK_DATA_KEY must be set (instance/config.py)")
    secure = app.config["TIMEBANK_COOKIE_SECURE"]
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME="__Host-timebank" if secure else "timebank_session",
        PERMANENT_SESSION_LIFETIME=app.config["TIMEBANK_SESSION_HOURS"] * 3600,
        BABEL_DEFAULT_LOCALE=app.config["TIMEBANK_DEFAULT_LOCALE"],
        BABEL_DEFAULT_TIMEZONE="UTC",
        WTF_CSRF_TIME_LIMIT=None if app.config.get("TESTING") else 3600 * 8,
        API_TITLE="Timebank API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        RATELIMIT_STORAGE_URI=app.config["TIMEBANK_RATELIMIT_STORAGE_URI"],
        RATELIMIT_KEY_PREFIX=app.config["TIMEBANK_RATELIMIT_KEY_PREFIX"],
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_STRATEGY="moving-window",  # no burst at the turn of a fixed window
        # Redis down: count in this process's memory meanwhile instead of failing every sign-in
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
    )
