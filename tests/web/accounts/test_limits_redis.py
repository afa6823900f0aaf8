"""The limits against a real Redis (the production storage): counts are shared through Redis, so a second
worker process would see them, and the keys carry this run's prefix (cleaned up afterwards)."""

import redis

from tests.web.accounts.conftest import REDIS_URI

BAD = "Wrong-pass-2026"


def attempt(web, login, password):
    return web.post("/login", {"login": login, "password": password}, token_from="/login")


def test_login_limit_and_back_off_are_kept_in_redis(redis_limits, from_address, make_volunteer):
    volunteer = make_volunteer()
    attacker = from_address("203.0.113.90")
    statuses = [attempt(attacker, volunteer.phone, BAD).status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    client = redis.Redis.from_url(REDIS_URI)
    keys = [key.decode() for key in client.scan_iter(match=f"*{redis_limits.prefix}*")]
    client.close()
    assert any("login-client" in key for key in keys), keys
    assert any("login-pair" in key and volunteer.phone in key for key in keys), keys
    # the owner, elsewhere, still gets in
    owner = from_address("198.51.100.90")
    assert attempt(owner, volunteer.phone, "Volunteer-pass-2026").status_code == 302


def test_redis_keys_are_removed_after_the_test(app, session):
    from tests.web.accounts.conftest import Limits, redis_or_skip

    with Limits(app, redis_or_skip()) as on:
        web_client = app.test_client()
        web_client.post("/api/v1/auth/tokens", json={"login": "13800003333", "password": BAD})
        prefix = on.prefix
        client = redis.Redis.from_url(REDIS_URI)
        assert list(client.scan_iter(match=f"*{prefix}*"))  # written while the limits were on
        client.close()
    client = redis.Redis.from_url(REDIS_URI)
    assert list(client.scan_iter(match=f"*{prefix}*")) == []
    client.close()


def test_an_unreachable_redis_does_not_stop_sign_ins(app, session, from_address, make_volunteer):
    """Storage down: counts fall back to this process's memory; nobody is refused because of the outage."""
    from tests.web.accounts.conftest import Limits

    volunteer = make_volunteer()
    with Limits(app, "redis://127.0.0.1:1/0", clean_up=False):  # nothing listens on port 1
        web = from_address("198.51.100.99")
        assert attempt(web, volunteer.phone, BAD).status_code == 401
        assert attempt(web, volunteer.phone, "Volunteer-pass-2026").status_code == 302
