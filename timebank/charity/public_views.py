"""公开透明: the county page and one page per charity, with CSV export. No login; aggregates only (item,
township, month): never a resident's name, id, village or any other identity."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, render_template
from flask_babel import gettext as _

from timebank import exports
from timebank.charity import queries
from timebank.charity.models import Charity
from timebank.errors import NotFound
from timebank.extensions import db

bp = Blueprint("transparency", __name__, url_prefix="/public/charity")


def _charity(charity_id: int) -> Charity:
    charity = db.session.get(Charity, charity_id)
    if charity is None or charity.status != "approved":
        raise NotFound()
    return charity


def _report(charity_id: int | None):
    g.no_store = False
    return queries.transparency(db.session, charity_id=charity_id, tz=current_app.config["TIMEBANK_TIMEZONE"])


@bp.get("/")
def county():
    return render_template("charity/public.html", report=_report(None), charity=None,
                           charities=queries.approved_charities(db.session))


@bp.get("/<int:charity_id>")
def charity_page(charity_id: int):
    charity = _charity(charity_id)
    return render_template("charity/public.html", report=_report(charity.id), charity=charity, charities=[])


@bp.get("/county.csv")
def county_csv():
    return _csv(_report(None), "county")


@bp.get("/<int:charity_id>.csv")
def charity_csv(charity_id: int):
    return _csv(_report(_charity(charity_id).id), f"charity-{charity_id}")


def _csv(report, name: str) -> Response:
    dims = {"item": _("物资"), "township": _("乡镇"), "month": _("月份")}
    rows = [[dims[dim], key, t.received, t.allocated, t.delivered, t.returned, t.gone,
             t.in_stock if dim == "item" else ""] for dim, key, t in report.rows()]
    rows.append([_("合计"), "", report.total.received, report.total.allocated, report.total.delivered,
                 report.total.returned, report.total.gone, report.total.in_stock])
    rows.append([_("捐赠时长（分钟）"), "", report.hours_donated, "", "", "", "", ""])
    rows.append([_("支付服务时长（分钟）"), "", report.hours_paid, "", "", "", "", ""])
    return exports.csv_response([_("维度"), _("名称"), _("捐赠入库"), _("已分配"), _("已送达"), _("退回"),
                                 _("过期或报损"), _("库存")], rows, f"transparency-{name}.csv")
