"""The monthly report job: on the 1st (county time) it freezes last month for the county and each township,
once; the frozen figures equal independent SQL for that month and do not change when data changes later."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from tests.integration.reports import independent
from timebank.accounts.models import OrgNode
from timebank.jobs.runner import run_job
from timebank.reports.models import MonthlyReport

# 1 December 2026, 01:30 in the county (UTC+8) is 30 November 17:30 UTC
SLOT = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)


def test_the_job_freezes_last_month_once_per_township_and_county(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "TIMEBANK_FIXED_NOW", SLOT)
    demo.execute(MonthlyReport.__table__.delete())  # the demo froze October; this test freezes November
    demo.commit()
    first = run_job("monthly_reports", scheduled_for=SLOT)
    again = run_job("monthly_reports", scheduled_for=SLOT)
    nodes = demo.scalar(select(func.count()).select_from(OrgNode).where(OrgNode.kind.in_(("county", "township"))))
    assert first.counts == {"created": nodes}
    assert again is None or again.counts in (None, {"created": 0}, first.counts)
    rows = list(demo.scalars(select(MonthlyReport)))
    assert len(rows) == nodes and {row.month for row in rows} == {date(2026, 11, 1)}
    for row in rows:
        node = demo.get(OrgNode, row.node_id)
        want = independent.figures(demo, node.path, date(2026, 11, 1), date(2026, 11, 30))
        assert row.figures["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
        assert row.figures["minutes_total"] == want["minutes_total"]
        assert row.figures["requests"]["posted"] == want["posted"]
        assert row.figures["satisfaction"]["disputes"] == want["disputes"]
        assert {r["key"]: r["value"] for r in row.figures["minutes_by_category"]} == want["by_category"]


def test_a_second_run_of_the_service_changes_nothing(demo):
    from zoneinfo import ZoneInfo

    from timebank.reports.service import freeze_monthly_reports

    before = {r.id: r.figures for r in demo.scalars(select(MonthlyReport))}
    assert before  # the demo froze October 2026
    result = freeze_monthly_reports(demo, today=date(2026, 11, 29), tz=ZoneInfo("Asia/Shanghai"))
    assert result == {"created": 0}
    assert {r.id: r.figures for r in demo.scalars(select(MonthlyReport))} == before
