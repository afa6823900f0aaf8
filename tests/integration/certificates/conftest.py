"""Certificate fixtures: the visits world (real post, take, serve, confirm) gives volunteers service records."""

from __future__ import annotations

import pytest

from tests.integration.visits.world import VisitWorld


@pytest.fixture
def vw(app, session, county, make_volunteer, make_resident):
    with app.test_request_context():
        yield VisitWorld(session, county, make_volunteer, make_resident)


@pytest.fixture
def served(vw):
    """A volunteer with two settled visits (50 and 30 minutes) in November 2026."""
    vw.backstop(600)
    elder = vw.resident(kinds=("tekun",))
    volunteer = vw.volunteer(name="陈静")
    for minutes in (50, 30):
        req = vw.post(vw.admin, elder, payer="backstop", duration=60)
        vw.take(volunteer, req)
        vw.serve(volunteer, req, minutes=minutes)
        vw.confirm(vw.admin, req)
    return volunteer
