"""Policy tests reuse the visits test world."""

import pytest

from tests.integration.visits.world import VisitWorld


@pytest.fixture
def vw(app, session, county, make_volunteer, make_resident):
    with app.test_request_context():
        yield VisitWorld(session, county, make_volunteer, make_resident)
