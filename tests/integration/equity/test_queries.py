"""Equity figures against independent SQL on a seeded county (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from tests.integration.visits.world import VisitWorld
from timebank.equity import queries
from timebank.errors import Forbidden

TODAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def world(app, session, county, make_volunteer, make_resident):
    with app.test_request_context():
        vw = VisitWorld(session, county, make_volunteer, make_resident)
        vw.backstop(600)
        served = vw.resident(kinds=("tekun",), village="village00")
        vw.resident(kinds=("dibao",), village="village01")  # need, never visited
        vw.resident(village="village10", birth=date(1990, 1, 1), living="with_family")  # no priority group
        volunteer = vw.volunteer()
        req = vw.post(vw.admin, served, payer="backstop", duration=60)
        vw.take(volunteer, req)
        vw.serve(volunteer, req, minutes=40)
        vw.confirm(vw.admin, req)
        vw.post(vw.admin, served, payer="backstop", duration=30)  # still open
        yield vw


def test_figures_match_independent_sql(world, session, county):
    report = queries.equity(session, county["admin"], period_days=365, today=TODAY, now=NOW, tz="Asia/Shanghai")
    by_id = {v.id: v for v in report.villages}
    assert len(by_id) == 4
    minutes = dict(session.execute(text(
        "SELECT node_id, SUM(credited_minutes) FROM service_record GROUP BY node_id")).all())
    posted = dict(session.execute(text("SELECT node_id, COUNT(*) FROM visit_request GROUP BY node_id")).all())
    waiting = dict(session.execute(text(
        "SELECT node_id, COUNT(*) FROM visit_request WHERE status IN ('review', 'open', 'matched') "
        "GROUP BY node_id")).all())
    visited = dict(session.execute(text(
        "SELECT r.node_id, COUNT(DISTINCT r.id) FROM visit_request r JOIN visit_seat s ON s.request_id = r.id "
        "WHERE s.check_out_at IS NOT NULL GROUP BY r.node_id")).all())
    for village_id, village in by_id.items():
        assert village.served_minutes == (minutes.get(village_id) or 0)
        assert village.requests == posted.get(village_id, 0)
        assert village.open_requests == waiting.get(village_id, 0)
        assert village.visits == visited.get(village_id, 0)
    v00, v01, v10 = (by_id[county[k].id] for k in ("village00", "village01", "village10"))
    assert (v00.in_need, v00.need_by_group.get("tekun"), v00.gap, v00.served_minutes) == (1, 1, False, 40)
    assert (v01.in_need, v01.gap, v01.days_since) == (1, True, None)
    assert (v10.in_need, v10.gap) == (0, False)
    assert report.gaps == [v01]
    assert [s.villages for s in report.stations] == [2, 2]


def test_a_station_sees_its_township_only(world, session, county, make_staff):
    report = queries.equity(session, make_staff("zhenB", township_index=1), period_days=90, today=TODAY, now=NOW,
                            tz="Asia/Shanghai")
    assert {v.name for v in report.villages} == {"乙镇0村", "乙镇1村"}


def test_non_staff_are_refused(world, session, make_volunteer):
    with pytest.raises(Forbidden):
        queries.equity(session, make_volunteer(status="approved"), period_days=90, today=TODAY, now=NOW,
                       tz="Asia/Shanghai")
