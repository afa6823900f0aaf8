"""The equity page (village by village: need, requests, service, days since the last visit; a sortable table
and an SVG grid) and its .xlsx download. County admin sees the county, a station its subtree."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from timebank import clock, exports
from timebank.equity import domain, queries
from timebank.extensions import db
from timebank.i18n import labels
from timebank.web import roles_required

bp = Blueprint("equity", __name__, url_prefix="/equity")
STAFF = ("station", "admin")


def _args() -> tuple[int, str]:
    raw = request.args.get("days", "")
    days = int(raw) if raw.isdigit() and len(raw) < 5 else domain.DEFAULT_PERIOD
    order = request.args.get("sort", "gap")
    return days, order if order in domain.SORTS else "gap"


def _load(order: str | None = None):
    days, sort = _args()
    return queries.equity(db.session, current_user, period_days=days, today=clock.today(), now=clock.now(),
                          tz=current_app.config["TIMEBANK_TIMEZONE"], order=order or sort), sort


def bucket_names() -> dict[str, str]:
    return {"recent": _("30天内"), "month": _("31至90天"), "quarter": _("91至180天"), "long": _("超过180天"),
            "never": _("从未服务")}


@bp.get("/")
@roles_required(*STAFF)
def index():
    report, sort = _load()
    return render_template("equity/index.html", report=report, sort=sort, buckets=bucket_names(),
                           grid=domain.grid(domain.group_by_township(report.villages)), periods=domain.PERIODS,
                           colours=COLOURS, days=report.period_days)


# fill and text colour per bucket (text contrast >= 4.5:1); the label in every cell says the same in words
COLOURS = {"recent": ("#1b5e20", "#ffffff"), "month": ("#aed581", "#1a1a1a"), "quarter": ("#ffd54f", "#1a1a1a"),
           "long": ("#f4a261", "#1a1a1a"), "never": ("#8e1b1b", "#ffffff")}


def headers() -> list[str]:
    names = labels()["priority_group"]
    return ([_("乡镇（街道）"), _("村（社区）"), _("困难群众人数"), _("其中一、二级优先")]
            + [names.get(key, key) for key in queries.Equity([], [], 0, clock.today()).groups]
            + [_("期间内需求数"), _("待服务需求"), _("期间内上门次数"), _("期间内服务分钟"), _("距上次服务天数"),
               _("本村有站点"),
               _("有需求无服务")])


def rows(report) -> list[list]:
    out = []
    for v in report.villages:
        out.append([v.township, v.name, v.in_need, v.tier_top]
                   + [v.need_by_group.get(key, 0) for key in report.groups]
                   + [v.requests, v.open_requests, v.visits, v.served_minutes,
                      v.days_since if v.days_since is not None else _("从未服务"),
                      _("是") if v.has_station else _("否"), _("是") if v.gap else _("否")])
    return out


@bp.get("/villages.xlsx")
@roles_required(*STAFF)
def xlsx():
    report, _sort = _load()
    title = _("服务均衡（近%(n)s天）", n=report.period_days)
    return exports.xlsx_response(headers(), rows(report), f"equity-{report.period_days}.xlsx", title=title,
                                 widths=[14, 14] + [10] * (len(headers()) - 2),
                                 preamble=[[title], [_("统计起始日期"), report.since.isoformat()]])
