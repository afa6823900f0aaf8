"""The audit and access log pages: the county admin reads everything, a station reads its subtree."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from timebank import clock
from timebank.audit import queries
from timebank.audit.service import record_access
from timebank.extensions import db
from timebank.i18n import once_per_request
from timebank.web import client_ip, roles_required

bp = Blueprint("audit", __name__)
LOGS = ("access", "audit")


def _day(name: str, *, end: bool = False) -> datetime | None:
    """A date filter as the start (or the end) of that day in the county's time zone."""
    try:
        day = date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"]))


def _filters() -> queries.LogFilters:
    person = request.args.get("person", "")
    return queries.LogFilters(since=_day("since"), until=_day("until", end=True),
                              actor=(request.args.get("actor") or "").strip()[:60] or None,
                              person_id=int(person) if person.isdigit() and len(person) < 10 else None,
                              action=(request.args.get("action") or "").strip()[:60] or None)


def _log() -> str:
    return request.args.get("log") if request.args.get("log") in LOGS else "access"


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


def _rows(log: str, **kwargs):
    read = queries.access_events if log == "access" else queries.audit_events
    return read(db.session, current_user, _filters(), **kwargs)


def _page_view(area: str):
    log, page = _log(), _page()
    rows, more = _rows(log, page=page)
    return render_template("audit/log.html", rows=rows, more=more, page=page, log=log, area=area,
                           actions=queries.actions(db.session, log))


@bp.get("/admin/audit")
@roles_required("admin")
def admin_log():
    return _page_view("admin")


@bp.get("/station/audit")
@roles_required("station", "admin")
def station_log():
    return _page_view("station")


@once_per_request
def access_labels() -> dict[str, str]:
    return {"read": _("查看"), "reveal": _("查看完整信息"), "export": _("导出"), "print": _("打印")}


@once_per_request
def audit_labels() -> dict[str, str]:
    """Names of audit actions; an action without a name here is shown as its code."""
    return {
        "api_token_issue": _("签发访问令牌"), "api_token_revoke": _("撤销访问令牌"), "catalog_change": _("修改服务目录"),
        "charity_donation": _("慈善捐赠"), "charity_register": _("机构登记"), "charity_review": _("审核机构"),
        "charity_write_off": _("物资报损"), "goods_allocate": _("分配物资"), "goods_receipt": _("物资签收"),
        "goods_request": _("物资申请"), "hardship_add": _("登记困难类别"), "hardship_remove": _("删除困难类别"),
        "ledger_donate": _("捐赠时长"), "ledger_gift": _("转赠时长"), "ledger_grant": _("拨付时长"),
        "ledger_grant_approve": _("批准拨付"), "ledger_grant_request": _("申请拨付"), "ledger_reversal": _("冲正"),
        "login": _("登录"), "match_run": _("运行匹配"), "org_node_add": _("新增组织"), "org_node_edit": _("修改组织"),
        "password_change": _("修改密码"), "policy_change": _("修改规则"), "proposal_withdraw": _("撤回推荐"),
        "relative_add": _("登记家属"), "relative_verify": _("核实家属"), "resident_register": _("登记服务对象"),
        "social_worker_verified": _("认证社工"), "staff_user_add": _("新增工作人员"), "station_add": _("新增社工站"),
        "user_activate": _("启用或停用账号"), "visit_rules_change": _("修改服务规则"),
        "volunteer_approve": _("审核志愿者"), "volunteer_signup": _("志愿者注册"),
        "correction_request": _("申请更正"), "correction_decide": _("处理更正申请"),
        "closure_request": _("申请注销"), "closure_decide": _("处理注销申请"), "person_closed": _("注销账号"),
    }


@bp.app_context_processor
def _audit_labels():
    return {"access_labels": access_labels, "audit_labels": audit_labels}


def neutralise(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (= + - @, tab, carriage return)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(area: str) -> Response:
    log = _log()
    rows, _more = _rows(log, limit=queries.EXPORT_LIMIT)
    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    out = io.StringIO()
    writer = csv.writer(out)
    if log == "access":
        writer.writerow([_("时间"), _("操作人"), _("操作"), _("个人信息"), _("对象"), _("原因"), "IP"])
        for event, who, person in rows:
            writer.writerow([neutralise(v) for v in (
                event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), who.display_name if who else "",
                access_labels().get(event.action, event.action), event.field or "",
                f"{person.name}#{person.id}" if person else "", event.reason or "", event.ip or "")])
    else:
        writer.writerow([_("时间"), _("操作人"), _("操作"), _("对象"), _("结果"), _("说明"), _("修改前后"), "IP"])
        for event, who, _none in rows:
            writer.writerow([neutralise(v) for v in (
                event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), who.display_name if who else "",
                audit_labels().get(event.action, event.action), event.target or "", event.result, event.detail or "", event.changes or "",
                event.ip or "")])
    record_access(db.session, "export", actor_id=current_user.id, person_id=None, field=f"{log}_log",
                  reason=area, ip=client_ip()).at = clock.now()
    db.session.commit()
    body = "\ufeff" + out.getvalue()  # a BOM so that Excel opens UTF-8 Chinese correctly
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={log}-log.csv"})


@bp.get("/admin/audit.csv")
@roles_required("admin")
def admin_log_csv():
    return _csv("admin")


@bp.get("/station/audit.csv")
@roles_required("station", "admin")
def station_log_csv():
    return _csv("station")
