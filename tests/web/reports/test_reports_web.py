"""Report pages, downloads and API on a seeded demo county: what each role sees, the .xlsx files holding the
page's numbers, backwards periods refused with a message, and every denial (another township is 404, a
volunteer is 403, the liability page is the county admin's)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import Browserless
from timebank.accounts.models import OrgNode, User
from timebank.audit.models import AccessEvent
from timebank.reports import domain, queries
from timebank.reports.models import ForecastAssumptions, MonthlyReport
from timebank.visits.models import ServiceRecord

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
PERIOD = {"from": "2026-10-01", "to": "2026-11-29"}


@pytest.fixture
def demo(app, session):
    from timebank.demo.seed import seed_demo

    with app.test_request_context():
        seed_demo(session, today=NOW.date(), volunteers=40, residents=80)
    session.commit()
    return session


def _book(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data)).active


def _values(sheet) -> dict:
    """(section, item) -> value from a report sheet (after its two preamble lines and the header)."""
    return {(row[0], row[1]): row[2] for row in sheet.iter_rows(min_row=4, values_only=True)}


def test_admin_dashboard_downloads_monthly_and_liability(client, demo):
    web = Browserless(client)
    web.login("admin", "Demo-admin-2026")
    page = client.get("/reports/", query_string=PERIOD).get_data(as_text=True)
    assert page.count('role="img"') >= 8 and "<title id=" in page and 'data-test="table-minutes-village"' in page
    root = demo.scalar(select(OrgNode).where(OrgNode.kind == "county"))
    figures = queries.dashboard(demo, root.path, domain.period(date(2026, 10, 1), date(2026, 11, 29)), TZ)
    assert f'data-value="{figures["requests"]["posted"]}"' in page and figures["minutes_total"] > 0

    backwards = client.get("/reports/", query_string={"from": "2026-11-29", "to": "2026-10-01"})
    assert backwards.status_code == 400 and "结束日期早于开始日期" in backwards.get_data(as_text=True)
    assert client.get("/reports/dashboard.xlsx", query_string={"from": "x", "to": "2026-10-01"}).status_code == 400

    sheet = _book(client.get("/reports/dashboard.xlsx", query_string=PERIOD))
    values = _values(sheet)
    assert sheet.cell(row=3, column=1).value == "分类"
    assert values[("服务需求", "发布")] == figures["requests"]["posted"]
    assert values[("服务需求", "已完成")] == figures["requests"]["completed"]
    assert values[("满意度", "提出异议")] == figures["satisfaction"]["disputes"]
    by_category = {row["label"]: row["value"] for row in figures["minutes_by_category"]}
    assert {k[1]: v for k, v in values.items() if k[0] == "服务时长：按类别（分钟）"} == by_category
    assert sum(v for k, v in values.items() if k[0] == "服务时长：按乡镇（分钟）") == figures["minutes_total"]
    assert sheet.column_dimensions["A"].width == 30

    # monthly reports: the demo froze October for the county and each township
    listing = client.get("/reports/monthly").get_data(as_text=True)
    reports = list(demo.scalars(select(MonthlyReport).order_by(MonthlyReport.id)))
    assert reports and listing.count('data-test="monthly-row"') == len(reports)
    county_report = next(r for r in reports if r.node_id == root.id)
    assert client.get(f"/reports/monthly/{county_report.id}").status_code == 200
    monthly = _values(_book(client.get(f"/reports/monthly/{county_report.id}.xlsx")))
    assert monthly[("服务需求", "发布")] == county_report.figures["requests"]["posted"]

    # every staff list downloads, with Chinese headers, and the export is in the access log
    before = demo.scalar(select(func.count()).select_from(AccessEvent).where(AccessEvent.action == "export"))
    for kind, first_header in (("residents", "编号"), ("volunteers", "编号"), ("requests", "编号"),
                               ("records", "编号"), ("goods", "编号")):
        sheet = _book(client.get(f"/reports/lists/{kind}.xlsx"))
        assert sheet.cell(row=1, column=1).value == first_header and sheet.max_row > 1, kind
    records = _book(client.get("/reports/lists/records.xlsx"))
    assert sum(row[7] for row in records.iter_rows(min_row=2, values_only=True)) == demo.scalar(
        select(func.sum(ServiceRecord.credited_minutes)))
    started = records.cell(row=2, column=6).value
    assert isinstance(started, datetime) and started.tzinfo is None  # county time, as Excel holds it
    after = demo.scalar(select(func.count()).select_from(AccessEvent).where(AccessEvent.action == "export"))
    assert after - before == 6

    # liability: totals, forecast, assumptions saved, a bad one refused with nothing stored
    page = client.get("/reports/liability").get_data(as_text=True)
    assert 'data-test="forecast-table"' in page and page.count("<tr>") >= 20
    good = {"redemption_age": "65", "redemption_rate_pct": "20", "lapse_rate_pct": "1", "deposit_growth_pct": "-5"}
    response = web.post("/reports/liability", good, token_from="/reports/liability")
    assert response.status_code == 302
    saved = demo.scalar(select(ForecastAssumptions).order_by(ForecastAssumptions.id.desc()))
    assert saved.settings == {"redemption_age": 65, "redemption_rate_pct": 20, "lapse_rate_pct": 1,
                              "deposit_growth_pct": -5}
    bad = web.post("/reports/liability", dict(good, redemption_age="99"), token_from="/reports/liability")
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    assert demo.scalar(select(func.count()).select_from(ForecastAssumptions)) == 1
    sheet = _book(client.get("/reports/liability.xlsx"))
    assert sheet.max_row == 3 + 1 + 20


def test_station_sees_its_subtree_only_and_volunteers_see_nothing(client, demo):
    from timebank.accounts import service as accounts

    chengguan = demo.scalar(select(User).where(User.username == "chengguan"))
    donghu = demo.scalar(select(User).where(User.username == "donghu"))
    web = Browserless(client)
    web.login("chengguan", "Demo-station-2026")
    page = client.get("/reports/", query_string=PERIOD).get_data(as_text=True)
    assert chengguan.node.name in page and donghu.node.name not in page
    assert client.get("/reports/", query_string={"node_id": donghu.node_id}).status_code == 404
    assert client.get("/reports/dashboard.xlsx", query_string={"node_id": donghu.node_id}).status_code == 404
    other = demo.scalar(select(MonthlyReport).where(MonthlyReport.node_id == donghu.node_id))
    own = demo.scalar(select(MonthlyReport).where(MonthlyReport.node_id == chengguan.node_id))
    assert client.get(f"/reports/monthly/{other.id}").status_code == 404
    assert client.get(f"/reports/monthly/{other.id}.xlsx").status_code == 404
    assert client.get(f"/reports/monthly/{own.id}").status_code == 200
    assert client.get("/reports/monthly").get_data(as_text=True).count('data-test="monthly-row"') == 1
    assert client.get("/reports/liability").status_code == 403
    residents = _book(client.get("/reports/lists/residents.xlsx"))
    villages = {row[4] for row in residents.iter_rows(min_row=2, values_only=True)}
    inside = set(demo.scalars(select(OrgNode.name).where(OrgNode.path.startswith(chengguan.node.path))))
    assert villages and villages <= inside
    web.logout()

    web.login("13900000001", "Demo-volunteer-2026")
    for path in ("/reports/", "/reports/dashboard.xlsx", "/reports/monthly", f"/reports/monthly/{own.id}",
                 "/reports/liability", "/reports/lists/residents.xlsx"):
        assert client.get(path).status_code == 403, path
    web.logout()

    # the API: same figures, same scope, same denials
    tokens = {}
    for login in ("admin", "chengguan", "13900000001"):
        user = demo.scalar(select(User).where((User.username == login) | (User.phone == login)))
        tokens[login] = {"Authorization": f"Bearer {accounts.issue_api_token(demo, user, 't', now=NOW)[0]}"}
    demo.commit()
    answer = client.get("/api/v1/reports/dashboard", query_string=PERIOD, headers=tokens["chengguan"])
    assert answer.status_code == 200
    want = queries.dashboard(demo, chengguan.node.path, domain.period(date(2026, 10, 1), date(2026, 11, 29)), TZ)
    assert answer.get_json()["figures"]["minutes_total"] == want["minutes_total"]
    assert answer.get_json()["figures"]["requests"] == want["requests"]
    assert client.get("/api/v1/reports/dashboard", query_string={"node_id": donghu.node_id},
                      headers=tokens["chengguan"]).status_code == 404
    backwards = client.get("/api/v1/reports/dashboard", query_string={"from": "2026-11-02", "to": "2026-11-01"},
                           headers=tokens["admin"])
    assert backwards.status_code == 422 and backwards.get_json()["error"] == "validation_failed"
    assert client.get("/api/v1/reports/dashboard", headers=tokens["13900000001"]).status_code == 403
    assert client.get("/api/v1/reports/liability", headers=tokens["chengguan"]).status_code == 403
    liability = client.get("/api/v1/reports/liability", headers=tokens["admin"]).get_json()
    assert len(liability["years"]) == 20 and liability["owed_to_people"] + liability["held_in_pools"] == \
        liability["issued"]
    listing = client.get("/api/v1/reports/monthly", headers=tokens["chengguan"]).get_json()
    assert [item["node_id"] for item in listing["items"]] == [chengguan.node_id]
    assert client.get(f"/api/v1/reports/monthly/{other.id}", headers=tokens["chengguan"]).status_code == 404
