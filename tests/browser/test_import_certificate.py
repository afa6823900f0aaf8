"""Must show (issue 14), in real Chromium against a live server: the 城关镇 station imports 200 residents (the dry
run lists the rows with errors, the worker uploads a corrected file, then commits), issues a volunteer service
record certificate, and the public verification page says valid, then revoked."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from tests.browser.conftest import shot
from tests.browser.test_visit_chain import login
from timebank.accounts.domain import make_id_number
from timebank.extensions import db
from timebank.imports.domain import HEADERS


def _villages(app):
    from timebank.accounts.models import OrgNode, User

    with app.app_context():
        station = db.session.scalar(select(User).where(User.username == "chengguan"))
        township = db.session.get(OrgNode, station.node_id)
        villages = [v.name for v in db.session.scalars(select(OrgNode).where(OrgNode.parent_id == township.id)
                                                       .order_by(OrgNode.code))]
        return township.name, villages


def _file(path, township: str, villages: list[str], *, broken: bool) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS["residents"]))
    for index in range(200):
        id_number = make_id_number("420102", date(1935 + index % 30, 1 + index % 12, 1 + index % 28),
                                   701 + 2 * (index // 360))
        cells = {"姓名": f"导入老人{index + 1:03d}", "公民身份号码": id_number, "所属乡镇（街道）": township,
                 "所属村（社区）": villages[index % len(villages)], "居住情况": "独居",
                 "困难类型": ("特困", "低保", "")[index % 3], "认定文书编号": f"MZ-{index}" if index % 3 != 2 else "",
                 "复核日期": "2027-12-31" if index % 3 != 2 else "", "知情同意书编号": "ZQ-200"}
        if broken and index == 10:
            cells["公民身份号码"] = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")
        if broken and index == 20:
            cells["所属村（社区）"] = "没有这个村"
        if broken and index == 30:
            cells["姓名"] = ""
        sheet.append([cells.get(header, "") for header in HEADERS["residents"]])
    book.save(path)


def _service_record(app) -> int:
    """A settled service record for the demo 城关镇 volunteer (13900000001), so a certificate can be issued."""
    from timebank.accounts.models import User
    from timebank.visits.models import ServiceRecord, ServiceRequest

    with app.app_context():
        volunteer = db.session.scalar(select(User).where(User.phone == "13900000001"))
        request = db.session.scalar(select(ServiceRequest).order_by(ServiceRequest.id))
        ended = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
        db.session.add(ServiceRecord(request_id=request.id, volunteer_id=volunteer.person_id,
                                     category_id=request.category_id, content="陪伴聊天：陪老人散步",
                                     started_at=ended - timedelta(minutes=90), ended_at=ended, credited_minutes=90,
                                     node_id=volunteer.person.node_id))
        db.session.commit()
        return volunteer.person_id


def test_station_imports_200_residents_then_issues_and_revokes_a_certificate(live, page_factory, tmp_path):
    from timebank.people.models import ResidentProfile

    base, app = live.url, live.server.app
    township, villages = _villages(app)
    with app.app_context():
        residents_before = db.session.scalar(select(func.count()).select_from(ResidentProfile))
    page = page_factory()
    login(page, base, "chengguan", "Demo-station-2026")
    page.click("[data-test=nav-imports]")

    broken = tmp_path / "名单.xlsx"
    _file(broken, township, villages, broken=True)
    page.set_input_files("#residents-file", str(broken))
    page.click("[data-test=upload-residents]")
    assert page.inner_text("[data-test=import-rows]") == "200"
    assert page.inner_text("[data-test=import-errors]") == "3"
    report = page.inner_text("[data-test=import-report]")
    assert "校验位" in report and "没有这个村" in report and "姓名" in report
    assert page.locator("[data-test=import-commit]").count() == 0
    shot(page, "paper-import-dry-run")

    fixed = tmp_path / "名单-改正.xlsx"
    _file(fixed, township, villages, broken=False)
    page.click("[data-test=import-reupload]")
    page.set_input_files("#residents-file", str(fixed))
    page.click("[data-test=upload-residents]")
    assert page.inner_text("[data-test=import-errors]") == "0"
    page.click("[data-test=import-commit]")
    assert "200" in page.inner_text("[data-test=import-done]")
    shot(page, "paper-import-done")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResidentProfile)) == residents_before + 200

    person_id = _service_record(app)
    page.goto(f"{base}/station/volunteers/{person_id}")
    page.click("[data-test=certificate-issue-link]")
    page.fill("#period_start", "2026-11-01")
    page.fill("#period_end", "2026-11-28")
    page.click("[data-test=certificate-issue]")
    serial = page.inner_text("[data-test=certificate-serial]")
    assert serial.startswith("DEMO-2026-")
    pdf = page.request.get(base + page.get_attribute("[data-test=certificate-pdf]", "href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    (tmp_path / "certificate.pdf").write_bytes(pdf.body())
    if shutil.which("pdftoppm"):  # the PDF's first page as an image, beside the screenshots
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                        str(tmp_path / "certificate.pdf"), str(shot(page, "paper-certificate-page"))[:-4] + "-pdf"],
                       check=True)
    public_url = page.get_attribute("[data-test=certificate-public-link]", "href")

    visitor = page_factory()  # not logged in: the page the QR code opens
    visitor.goto(public_url)
    assert "此证明有效" in visitor.inner_text("[data-test=public-status]")
    assert visitor.locator("text=90").count() == 0  # name and masked number only, no hours
    shot(visitor, "paper-certificate-valid")

    page.fill("#reason", "服务期间填写有误")
    page.click("[data-test=certificate-revoke]")
    assert "已撤销" in page.inner_text("[data-test=certificate-status]")
    visitor.reload()
    assert "已撤销" in visitor.inner_text("[data-test=public-status]")
    shot(visitor, "paper-certificate-revoked")
