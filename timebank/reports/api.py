"""/api/v1 reports: the dashboard for any period, the frozen monthly reports and the liability forecast, as
JSON from the same queries as the pages (staff tokens; a station sees its subtree only)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, g
from flask_babel import get_locale
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.extensions import db
from timebank.limits import INT_MAX
from timebank.reports import liability, pages

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1", description="Dashboards, monthly reports, liability")
STAFF = ("station", "admin")


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])


class DashboardArgs(Schema):
    start = fields.Date(data_key="from", load_default=None, metadata={"description": "first day (county time)"})
    end = fields.Date(data_key="to", load_default=None, metadata={"description": "last day, included"})
    node_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=INT_MAX))


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))


class NodeRow(Schema):
    key = fields.Integer(metadata={"description": "org node id; 0 = recorded at county level"})
    label = fields.String(allow_none=True)
    value = fields.Integer()


class CodeRow(Schema):
    key = fields.String()
    value = fields.Integer()


class NumberRow(Schema):
    key = fields.Integer()
    value = fields.Integer()


class CategoryRow(Schema):
    key = fields.Integer()
    label = fields.String()
    value = fields.Integer()


class PoolRow(Schema):
    key = fields.String()
    label = fields.String(allow_none=True)
    minutes_in = fields.Integer(data_key="in", attribute="in", allow_none=True)
    out = fields.Integer()


class PeriodSchema(Schema):
    start = fields.String(data_key="from", attribute="from")
    end = fields.String(data_key="to", attribute="to")


class VolunteerTotals(Schema):
    new = fields.Integer()
    active = fields.Integer()
    approved = fields.Integer()


class RequestTotals(Schema):
    posted = fields.Integer()
    matched = fields.Integer()
    completed = fields.Integer()
    unmatched = fields.Integer()
    cancelled = fields.Integer()
    median_hours_to_match = fields.Float(allow_none=True)


class Satisfaction(Schema):
    ratings = fields.Integer()
    average = fields.Float(allow_none=True)
    disputes = fields.Integer()


class Goods(Schema):
    received = fields.Integer()
    allocated = fields.Integer()
    delivered = fields.Integer()


class DashboardSchema(Schema):
    period = fields.Nested(PeriodSchema)
    volunteers = fields.Nested(VolunteerTotals)
    volunteers_by_age = fields.List(fields.Nested(CodeRow))
    volunteers_by_township = fields.List(fields.Nested(NodeRow))
    served_by_tier = fields.List(fields.Nested(NumberRow))
    requests = fields.Nested(RequestTotals)
    minutes_total = fields.Integer()
    minutes_by_category = fields.List(fields.Nested(CategoryRow))
    minutes_by_township = fields.List(fields.Nested(NodeRow))
    minutes_by_village = fields.List(fields.Nested(NodeRow))
    satisfaction = fields.Nested(Satisfaction)
    ratings = fields.List(fields.Nested(NumberRow))
    pools = fields.List(fields.Nested(PoolRow))
    goods = fields.Nested(Goods)


class DashboardAnswer(Schema):
    node_id = fields.Integer()
    node_name = fields.String()
    figures = fields.Nested(DashboardSchema)


class MonthlySchema(Schema):
    id = fields.Integer()
    month = fields.Date()
    node_id = fields.Integer()
    node_name = fields.String()
    created_at = fields.DateTime()
    figures = fields.Nested(DashboardSchema)


class MonthlyPage(Schema):
    items = fields.List(fields.Nested(MonthlySchema))
    page = fields.Integer()
    more = fields.Boolean()


class Assumptions(Schema):
    redemption_age = fields.Integer()
    redemption_rate_pct = fields.Integer()
    lapse_rate_pct = fields.Integer()
    deposit_growth_pct = fields.Integer()


class ForecastYear(Schema):
    year = fields.Integer()
    deposits = fields.Integer()
    demand = fields.Integer()
    lapsed = fields.Integer()
    liability = fields.Integer()
    covered = fields.Boolean()


class LiabilitySchema(Schema):
    owed_to_people = fields.Integer(metadata={"description": "minutes: positive balances of personal accounts"})
    held_in_pools = fields.Integer()
    issued = fields.Integer(metadata={"description": "minus the issuance account's balance"})
    depositors = fields.Integer()
    by_cohort = fields.List(fields.Nested(CodeRow))
    deposits_by_cohort = fields.List(fields.Nested(CodeRow))
    assumptions = fields.Nested(Assumptions)
    assumptions_saved_at = fields.DateTime(allow_none=True)
    first_shortfall_year = fields.Integer(allow_none=True)
    years = fields.List(fields.Nested(ForecastYear))


def _monthly(row) -> dict:
    return {"id": row.id, "month": row.month, "node_id": row.node_id, "node_name": row.node.name,
            "created_at": row.created_at, "figures": row.figures}


@blp.get("/reports/dashboard")
@blp.doc(security=[BEARER])
@token_required(*STAFF)
@blp.arguments(DashboardArgs, location="query")
@blp.response(200, DashboardAnswer)
def dashboard(args):
    """Every dashboard figure for a period (default: this month so far) and an org node in the caller's area
    (default: the caller's own). A backwards period is 422."""
    node = pages.node_for(db.session, g.api_user, args["node_id"])
    start, end = args["start"], args["end"]
    period = pages.parse_period(start.isoformat() if start else "", end.isoformat() if end else "", clock.today())
    from timebank.reports import queries

    locale = "en" if str(get_locale()).startswith("en") else "zh"
    return {"node_id": node.id, "node_name": node.name,
            "figures": queries.dashboard(db.session, node.path, period, _tz(), locale)}


@blp.get("/reports/monthly")
@blp.doc(security=[BEARER])
@token_required(*STAFF)
@blp.arguments(PageArgs, location="query")
@blp.response(200, MonthlyPage)
def monthly_list(args):
    """Frozen monthly reports of the caller's area, newest month first, 30 a page."""
    rows, more = pages.monthly_reports(db.session, g.api_user, page=args["page"])
    return {"items": [_monthly(row) for row in rows], "page": args["page"], "more": more}


@blp.get("/reports/monthly/<int:report_id>")
@blp.doc(security=[BEARER])
@token_required(*STAFF)
@blp.response(200, MonthlySchema)
def monthly_detail(report_id: int):
    """One frozen monthly report (404 outside the caller's area)."""
    return _monthly(pages.monthly_report(db.session, g.api_user, report_id))


@blp.get("/reports/liability")
@blp.doc(security=[BEARER])
@token_required("admin")
@blp.response(200, LiabilitySchema)
def liability_report():
    """The hours owed by depositor age cohort and the 20-year forecast under the saved assumptions."""
    from timebank.policy import service as policy

    _version, rules = policy.current(db.session)
    return liability.report(db.session, today=clock.today(), tz=_tz(), redemption_age=rules.redeem_min_age)
