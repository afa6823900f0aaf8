"""People lifecycle fixtures: the visits world (ledger funding, requests, seats) on both databases."""

from __future__ import annotations

import pytest

from tests.integration.visits.world import VisitWorld


@pytest.fixture
def vw(app, session, county, make_volunteer, make_resident):
    with app.test_request_context():  # translated error messages need a locale
        yield VisitWorld(session, county, make_volunteer, make_resident)
