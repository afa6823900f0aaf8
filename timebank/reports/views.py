"""Report pages for staff: the dashboard (any period, the user's subtree), its .xlsx, the frozen monthly
reports, and the county admin's liability page with the forecast's assumptions."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank import clock, exports
from timebank.extensions import db
from timebank.i18n import is_english
from timebank.reports import charts, labels, liability, pages
from timebank.reports import service as reports
from timebank.web import roles_required

bp = Blueprint("reports", __name__, url_prefix="/reports")
STAFF = ("station", "admin")


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])


def _locale() -> str:
    return "en" if is_english() else "zh"


@bp.get("/")
@roles_required(*STAFF)
def dashboard():
    choice = pages.choose(db.session, current_user, request.args, today=clock.today())
    if choice.error:
        return render_template("reports/dashboard.html", choice=choice, figures=None), 400
    figures = pages.figures(db.session, choice, _tz(), _locale())
    return render_template("reports/dashboard.html", choice=choice, figures=figures,
                           sections=labels.sections(figures, charts))


@bp.get("/dashboard.xlsx")
@roles_required(*STAFF)
def dashboard_xlsx():
    choice = pages.choose(db.session, current_user, request.args, today=clock.today())
    if choice.error:
        return render_template("reports/dashboard.html", choice=choice, figures=None), 400
    figures = pages.figures(db.session, choice, _tz(), _locale())
    name = f"dashboard-{choice.period.start}-{choice.period.end}.xlsx"
    return labels.xlsx(figures, name, title=f"{choice.node.name} {choice.period.start} ~ {choice.period.end}")


@bp.get("/monthly")
@roles_required(*STAFF)
def monthly_list():
    page = pages.page_number(request.args)
    rows, more = pages.monthly_reports(db.session, current_user, page=page)
    return render_template("reports/monthly_list.html", rows=rows, more=more, page=page)


@bp.get("/monthly/<int:report_id>")
@roles_required(*STAFF)
def monthly_detail(report_id: int):
    row = pages.monthly_report(db.session, current_user, report_id)
    return render_template("reports/monthly.html", report=row,
                           sections=labels.sections(row.figures, charts))


@bp.get("/monthly/<int:report_id>.xlsx")
@roles_required(*STAFF)
def monthly_xlsx(report_id: int):
    row = pages.monthly_report(db.session, current_user, report_id)
    name = f"monthly-{row.month:%Y-%m}-{row.node_id}.xlsx"
    return labels.xlsx(row.figures, name, title=f"{row.node.name} {row.month:%Y-%m}")


@bp.get("/liability")
@roles_required("admin")
def liability_page():
    return _liability_page(form_values=None, error=None)


def _liability_page(*, form_values: dict | None, error: str | None, status: int = 200):
    from timebank.policy import service as policy

    _version, rules = policy.current(db.session)
    data = liability.report(db.session, today=clock.today(), tz=_tz(), redemption_age=rules.redeem_min_age)
    years = data["years"]
    chart = charts.columns(_("未来二十年：存入与兑换需求（小时）"), [str(y["year"]) for y in years],
                           (_("预计存入"), [y["deposits"] // 60 for y in years]),
                           (_("兑换需求"), [y["demand"] // 60 for y in years]))
    cohorts = charts.bars(_("按存入人年龄段的应付时长（小时）"),
                          [(labels.cohort_label(r["key"]), r["value"] // 60) for r in data["by_cohort"]])
    return render_template("reports/liability.html", data=data, chart=chart, cohorts=cohorts,
                           values=form_values or data["assumptions"], error=error,
                           policy_age=rules.redeem_min_age, cohort_label=labels.cohort_label), status


@bp.post("/liability")
@roles_required("admin")
def liability_save():
    from timebank.errors import DomainError
    from timebank.policy import service as policy

    values = {}
    for name in ("redemption_age", "redemption_rate_pct", "lapse_rate_pct", "deposit_growth_pct"):
        text = (request.form.get(name) or "").strip()
        values[name] = int(text) if text.lstrip("-").isdigit() and len(text) < 6 else text
    _version, rules = policy.current(db.session)
    try:
        reports.save_assumptions(db.session, current_user, values, policy_redemption_age=rules.redeem_min_age,
                                 now=clock.now())
    except DomainError as error:
        db.session.rollback()
        return _liability_page(form_values=values, error=error.field or "", status=error.status)
    db.session.commit()
    flash(_("已保存预测假设"))
    return redirect(url_for("reports.liability_page"))


@bp.get("/liability.xlsx")
@roles_required("admin")
def liability_xlsx():
    from timebank.policy import service as policy

    _version, rules = policy.current(db.session)
    data = liability.report(db.session, today=clock.today(), tz=_tz(), redemption_age=rules.redeem_min_age)
    headers = [_("年份"), _("预计存入（分钟）"), _("兑换需求（分钟）"), _("失效（分钟）"), _("年末应付（分钟）"),
               _("存入足以覆盖需求")]
    rows = [[y["year"], y["deposits"], y["demand"], y["lapsed"], y["liability"], _("是") if y["covered"] else _("否")]
            for y in data["years"]]
    preamble = [[_("应付个人时长（分钟）"), data["owed_to_people"]], [_("时间池结余（分钟）"), data["held_in_pools"]],
                [_("日期"), clock.today()]]
    return exports.xlsx_download(headers, rows, f"liability-{date.isoformat(clock.today())}.xlsx",
                                 title=_("负债预测"), widths=[10, 18, 18, 16, 18, 18], preamble=preamble)
