"""Every dashboard figure equals the same figure computed by hand-written SQL (tests/.../independent.py), for
the whole county and for one township, over a period holding the demo's two months of visits."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.integration.reports import independent
from timebank.accounts.models import OrgNode
from timebank.reports import domain, queries

TZ = ZoneInfo("Asia/Shanghai")
START, END = date(2026, 9, 1), date(2026, 12, 31)


def _nonzero(rows: list[dict]) -> dict:
    return {row["key"]: row["value"] for row in rows if row["value"]}


def check(session, path: str, *, county: bool) -> dict:
    got = queries.dashboard(session, path, domain.period(START, END), TZ)
    want = independent.figures(session, path, START, END)
    v, r, s = got["volunteers"], got["requests"], got["satisfaction"]
    assert (v["new"], v["active"]) == (want["new"], want["active"])
    assert {row["key"]: row["value"] for row in got["volunteers_by_age"]} == want["by_age"]
    assert v["approved"] == sum(want["by_age"].values())
    assert _nonzero(got["volunteers_by_township"]) == want["volunteers_by_township"]
    assert _nonzero(got["served_by_tier"]) == want["served_by_tier"]
    for key in ("posted", "matched", "completed", "unmatched", "cancelled"):
        assert r[key] == want[key], key
    assert r["median_hours_to_match"] == want["median_hours"]
    assert _nonzero(got["minutes_by_category"]) == want["by_category"]
    assert _nonzero(got["minutes_by_township"]) == want["by_township"]
    assert _nonzero(got["minutes_by_village"]) == want["by_village"]
    assert got["minutes_total"] == want["minutes_total"]
    assert _nonzero(got["ratings"]) == want["ratings"]
    assert s["ratings"] == sum(want["ratings"].values())
    if s["ratings"]:
        mean = sum(k * n for k, n in want["ratings"].items()) / s["ratings"]
        assert s["average"] == pytest.approx(round(mean, 2))
    assert s["disputes"] == want["disputes"]
    if county:
        assert {row["key"]: row["in"] for row in got["pools"] if row["in"]} == want["pool_in"]
        assert {row["key"]: row["out"] for row in got["pools"] if row["out"]} == want["pool_out"]
    else:
        assert {row["key"]: row["out"] for row in got["pools"] if row["out"]} == want["paid_by_payer"]
    assert {k: n for k, n in got["goods"].items() if n} == {
        k: n for k, n in want["goods"].items() if k in ("received", "allocated", "delivered") and n}
    return got


def test_county_dashboard_matches_independent_sql(demo):
    root = demo.scalar(select(OrgNode).where(OrgNode.kind == "county"))
    got = check(demo, root.path, county=True)
    # the seeded county has something in every section, so the comparisons above compare real numbers
    assert got["minutes_total"] > 0 and got["requests"]["posted"] > 0 and got["satisfaction"]["ratings"] > 0
    assert got["satisfaction"]["disputes"] > 0 and got["goods"]["received"] > 0
    assert any(row["in"] for row in got["pools"]) and sum(row["value"] for row in got["served_by_tier"]) > 0
    assert got["requests"]["median_hours_to_match"] is not None


def test_township_dashboard_matches_independent_sql_and_stays_inside(demo):
    township = demo.scalar(select(OrgNode).where(OrgNode.kind == "township").order_by(OrgNode.code).limit(1))
    got = check(demo, township.path, county=False)
    assert [row["key"] for row in got["volunteers_by_township"]] == [township.id]
    villages = set(demo.scalars(select(OrgNode.id).where(OrgNode.parent_id == township.id)))
    assert {row["key"] for row in got["minutes_by_village"]} <= villages
    assert got["minutes_total"] > 0


def test_an_empty_period_is_all_zero(demo):
    root = demo.scalar(select(OrgNode).where(OrgNode.kind == "county"))
    got = queries.dashboard(demo, root.path, domain.period(date(2001, 1, 1), date(2001, 1, 31)), TZ)
    assert got["minutes_total"] == 0 and got["requests"]["posted"] == 0
    assert got["requests"]["median_hours_to_match"] is None and got["satisfaction"]["average"] is None


def test_the_dashboard_is_a_fixed_number_of_statements(demo):
    """No N+1: the statements issued do not grow with the county (counted on a township and the county)."""
    from sqlalchemy import event

    counts = []
    for path in [demo.scalar(select(OrgNode.path).where(OrgNode.kind == "township").limit(1)),
                 demo.scalar(select(OrgNode.path).where(OrgNode.kind == "county"))]:
        seen = []
        engine = demo.get_bind().engine

        def count(*_args, seen=seen, **_kwargs):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            queries.dashboard(demo, path, domain.period(START, END), TZ)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(seen))
    assert max(counts) <= 20
