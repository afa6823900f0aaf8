"""Policy versions: admins save, every change recorded with who and when, defaults until then."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from timebank.errors import Forbidden, ValidationFailed
from timebank.policy import service
from timebank.policy.domain import DEFAULT_POLICY

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


@pytest.fixture
def ctx(app, session, county):
    with app.test_request_context():
        yield county


def test_defaults_until_an_admin_saves_a_version(session, ctx):
    version, policy = service.current(session)
    assert version is None and policy == DEFAULT_POLICY
    row = service.save(session, ctx["admin"], {"balance_cap_minutes": 1000 * 60}, note="县政府通知", now=NOW)
    session.commit()
    version, policy = service.current(session)
    assert version == row.id and policy.balance_cap_minutes == 60_000
    assert policy.redeem_min_age == 60  # unchanged settings carry over
    history = service.history(session)
    assert history[0].created_by_id == ctx["admin"].id and history[0].created_at == NOW


def test_only_admins_save_and_bad_values_are_refused(session, ctx, make_staff):
    with pytest.raises(Forbidden):
        service.save(session, make_staff("zhen"), {"redeem_min_age": 65}, note=None, now=NOW)
    for changes in ({"redeem_min_age": 10}, {"balance_cap_minutes": 0}, {"minor_mode": "anything"},
                    {"gift_kinships": ["friend"]}, {"cash_allowed": True}, {"redeem_min_age": "60"}):
        with pytest.raises(ValidationFailed):
            service.save(session, ctx["admin"], changes, note=None, now=NOW)
    assert service.current(session)[0] is None
