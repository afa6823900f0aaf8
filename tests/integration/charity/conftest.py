"""Charity fixtures (helpers live in world.py so the web tests share them)."""

from __future__ import annotations

import pytest

from tests.integration.charity.world import CharityWorld


@pytest.fixture
def cw(app, session, county, make_volunteer, make_resident):
    with app.test_request_context():  # translated error messages need a locale
        yield CharityWorld(session, county, make_volunteer, make_resident)
