"""Demo paperwork (issue 14): a valid and a revoked 志愿服务记录证明 for the volunteers with the most settled
service, a volunteer's pending request, and a checked import file with a few row errors for the 城关镇 station.
Written through the real services. Deterministic; flushes, never commits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from timebank.accounts.models import User
from timebank.certificates import service as certificates
from timebank.errors import DomainError
from timebank.imports import service as imports
from timebank.visits.models import ServiceRecord


def seed_paperwork(session, admin: User, *, today: date) -> None:
    with current_app.test_request_context():
        _seed(session, admin, today=today)


def _seed(session, admin: User, *, today: date) -> None:
    tz = current_app.config["TIMEBANK_TIMEZONE"]
    now = datetime.combine(today, time(2, 0), tzinfo=UTC)
    start = today - timedelta(days=365)
    top = session.execute(select(ServiceRecord.volunteer_id).group_by(ServiceRecord.volunteer_id)
                          .order_by(func.sum(ServiceRecord.credited_minutes).desc(), ServiceRecord.volunteer_id)
                          .limit(3)).scalars().all()
    issued = []
    for person_id in top[:2]:
        try:
            issued.append(certificates.issue(session, admin, certificates.IssueInput(person_id, start, today),
                                             today=today, now=now, tz=tz))
        except DomainError:
            continue
    if len(issued) == 2:
        certificates.revoke(session, admin, issued[1].id, reason="服务期间填写有误，已重新出具", now=now)
    volunteer = session.scalar(select(User).where(User.person_id == top[2])) if len(top) > 2 else None
    if volunteer is not None:
        try:
            certificates.request_certificate(session, volunteer, period_start=start, period_end=today,
                                             purpose="求职", today=today, tz=tz)
        except DomainError:
            pass
    station = session.scalar(select(User).where(User.username == "chengguan"))
    if station is not None:
        imports.dry_run(session, station, "residents", filename="城关镇困难群众名单.xlsx",
                        content=_demo_file(session, station), today=today, max_bytes=10 * 1024 * 1024,
                        max_rows=20000)
    session.flush()


def _demo_file(session, station: User) -> bytes:
    import io

    from openpyxl import Workbook

    from timebank.accounts.domain import make_id_number
    from timebank.imports.domain import HEADERS

    villages = sorted(imports._villages(session, station))
    township, village = villages[0]
    rows = []
    for index in range(6):
        id_number = make_id_number("420102", date(1938 + index, 3, 1), 901 + 2 * index)
        if index == 2:
            id_number = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")  # a wrong check digit
        cells = {"姓名": f"导入示例{index + 1}", "公民身份号码": id_number, "所属乡镇（街道）": township,
                 "所属村（社区）": "无此村" if index == 4 else village, "居住情况": "独居", "困难类型": "特困",
                 "认定文书编号": f"TK-{index + 1:03d}", "复核日期": "2099-12-31", "知情同意书编号": "ZQ-D"}
        rows.append([cells.get(header, "") for header in HEADERS["residents"]])
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS["residents"]))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
