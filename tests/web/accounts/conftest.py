"""Fixtures for the sign-in security tests: abuse limits switched on (memory or a real Redis), staff TOTP."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import Browserless

REDIS_URI = os.environ.get("TIMEBANK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LIMIT_KEYS = ("RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX", "TIMEBANK_RATELIMIT_ENABLED",
              "TIMEBANK_RATELIMIT_KEY_PREFIX", "TIMEBANK_RATELIMIT_LOGIN", "TIMEBANK_RATELIMIT_SIGNUP",
              "TIMEBANK_RATELIMIT_ANONYMOUS_POST")
# the numbers these tests count against (the defaults may change)
TEST_LIMITS = {"TIMEBANK_RATELIMIT_LOGIN": "10 per minute", "TIMEBANK_RATELIMIT_SIGNUP": "5 per hour",
               "TIMEBANK_RATELIMIT_ANONYMOUS_POST": "30 per minute"}


def _ci() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("TIMEBANK_REQUIRE_BROWSER") == "1"


def redis_or_skip() -> str:
    """The test Redis; a missing one skips with the reason, except on CI where it fails."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1).ping()
    except Exception as error:  # noqa: BLE001 (any failure means "no Redis here")
        if _ci():
            pytest.fail(f"Redis at {REDIS_URI} is required on CI: {error}")
        pytest.skip(f"Redis at {REDIS_URI} not reachable ({error}); set TIMEBANK_TEST_REDIS_URL")
    return REDIS_URI


class Limits:
    """Switch the abuse limits on for the session app, with a key prefix of this test alone."""

    def __init__(self, app, storage_uri: str, *, clean_up: bool = True):
        self.app = app
        self.clean_up = clean_up
        self.storage_uri = storage_uri
        self.prefix = f"timebank-test-{uuid.uuid4().hex[:12]}"
        self.saved = {key: app.config.get(key) for key in LIMIT_KEYS}

    def __enter__(self):
        from timebank.extensions import limiter

        self.app.config.update(RATELIMIT_STORAGE_URI=self.storage_uri,
                               RATELIMIT_KEY_PREFIX=self.prefix, TIMEBANK_RATELIMIT_ENABLED=True,
                               TIMEBANK_RATELIMIT_KEY_PREFIX=self.prefix, **TEST_LIMITS)
        limiter._key_prefix = ""  # noqa: SLF001 (taken from the config again)
        limiter._storage_dead = False  # noqa: SLF001 (an outage simulated by an earlier test is over)
        limiter.init_app(self.app)  # the hooks exist since create_app; this only points at the storage
        return self

    def __exit__(self, *exc):
        from timebank.extensions import limiter

        if self.clean_up and self.storage_uri.startswith("redis://"):
            import redis

            client = redis.Redis.from_url(self.storage_uri)
            keys = list(client.scan_iter(match=f"*{self.prefix}*"))
            if keys:
                client.delete(*keys)
            client.close()
        self.app.config.update(self.saved)
        limiter._key_prefix = ""  # noqa: SLF001
        limiter._storage_dead = False  # noqa: SLF001
        limiter.init_app(self.app)  # back to the app's own storage (limits off again by its config)


@pytest.fixture
def limits(app, session):
    with Limits(app, "memory://") as on:
        yield on


@pytest.fixture
def redis_limits(app, session):
    with Limits(app, redis_or_skip()) as on:
        yield on


@pytest.fixture
def staff_totp(app):
    app.config["TIMEBANK_STAFF_TOTP_REQUIRED"] = True
    yield
    app.config["TIMEBANK_STAFF_TOTP_REQUIRED"] = False


@pytest.fixture
def from_address(app, client):
    """A client whose requests come from a given address (as ProxyFix would set it)."""

    def make(address: str) -> Browserless:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return Browserless(client)

    return make


@pytest.fixture
def session_limits(app):
    """The production session limits (the suite's base config lifts them)."""
    keys = {"TIMEBANK_SESSION_IDLE_MINUTES": 120, "TIMEBANK_SESSION_IDLE_MINUTES_STAFF": 30,
            "TIMEBANK_SESSION_HOURS": 12}
    saved = {key: app.config[key] for key in keys}
    app.config.update(keys)
    yield
    app.config.update(saved)
