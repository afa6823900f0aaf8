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
    return {"read": _("查看"), "reveal": _("查看完整信息"), "export": _("导出"), "print": _("打印"),
            "passbook": _("打印时间存折")}


def target_words(target: str | None) -> str:
    """"transfer:379" -> "转账 379号": what an audit row is about, in words."""
    if not target:
        return ""
    kind, _sep, ident = target.partition(":")
    names = {"transfer": _("转账"), "person": _("人员"), "user": _("账号"), "charity": _("慈善组织"),
             "donation": _("捐赠"), "goods_request": _("物资申请"), "goods_allocation": _("物资分配"),
             "request": _("服务需求"), "visit": _("服务"), "node": _("组织节点"), "station": _("社工站"),
             "policy": _("规则"), "grant": _("拨付申请"), "token": _("访问令牌"), "category": _("服务类别")}
    if kind in names and ident.isdigit():
        return _("%(kind)s %(n)s号", kind=names[kind], n=ident)
    return names.get(kind, _("其他记录"))


def field_words(field: str | None) -> str:
    """The personal data a read touched, in words where it has a name (statement_csv -> 时间账户明细)."""
    if not field:
        return ""
    names = {"passbook": _("时间存折"), "phone": _("电话"), "address": _("住址"), "id_number": _("身份证号码"),
             "name": _("姓名"), "emergency_contact": _("紧急联系人"), "statement_csv": _("时间账户明细"),
             "statement_xlsx": _("时间账户明细"), "statement_pdf": _("时间账户明细"),
             "self": _("本人全部信息")}
    return names.get(field, _("其他个人信息"))


def result_words(result: str) -> str:
    return {"ok": _("成功"), "failed": _("失败"), "refused": _("被拒绝"), "denied": _("被拒绝")}.get(result, result)


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
        "password_reset_code_issued": _("发放密码重置码"), "password_reset_code_failed": _("重置码输错"),
        "password_reset_by_code": _("用重置码重设密码"), "password_reset_link_sent": _("发送密码重设邮件"),
        "password_reset_by_email": _("用邮件重设密码"), "email_verified": _("验证电子邮箱"),
        "availability_opened_for_visit": _("为接单增加当天可服务时间"),
        "certificate_decline": _("拒绝出具服务证明"), "certificate_issue": _("出具服务证明"),
        "certificate_request": _("申请服务证明"), "certificate_revoke": _("撤销服务证明"),
        "import_check": _("检查导入文件"), "import_commit": _("确认导入"),
        "record_certificate_claim": _("提交技能证书"), "record_certificate_verify": _("核验技能证书"),
        "activity_cancel": _("取消团体活动"), "activity_confirm": _("确认团体活动并记入时长"),
        "activity_post": _("发布团体活动"), "charity_apply": _("慈善组织申请登记"),
        "charity_deactivate": _("停用慈善组织"), "charity_member_add": _("添加机构成员"),
        "charity_member_remove": _("移除机构成员"), "charity_open": _("开通慈善组织"),
        "charity_reactivate": _("恢复慈善组织"), "charity_resubmit": _("慈善组织重新提交申请"),
        "estate_approve": _("批准继承方案"), "estate_propose": _("提出继承方案"), "hardship_review": _("复核困难认定"),
        "login_lock": _("登录被锁定"), "login_second_factor": _("两步验证登录"), "logout_everywhere": _("在所有设备上退出"),
        "org_decide": _("审核志愿服务组织"), "org_leader": _("更换组织负责人"), "org_register": _("登记志愿服务组织"),
        "org_retire": _("撤销志愿服务组织"), "person_deceased": _("登记去世"), "person_edit": _("修改人员资料"),
        "person_identity_correct": _("更正姓名或身份证号码"), "person_move": _("迁往其他乡镇"),
        "person_move_away": _("迁出本县"), "relative_unlink": _("解除家属关系"), "signup_duplicate": _("重复注册"),
        "totp_enrol": _("设置两步验证"), "totp_reset": _("重置两步验证"), "user_unlock": _("解除登录锁定"),
        "visit_exclusion_add": _("不再安排某志愿者"), "visit_exclusion_remove": _("取消不再安排"),
        "volunteer_register_station": _("社工站代为登记志愿者"), "volunteer_reopen": _("志愿者重新审核"),
    }


@bp.app_context_processor
def _audit_labels():
    return {"access_labels": access_labels, "audit_labels": audit_labels, "target_words": target_words, "field_words": field_words,
            "result_words": result_words}


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
