"""/api/v1/equity: the equity figures village by village (the same queries as the page)."""

from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.equity import queries
from timebank.equity.schemas import EquityQuerySchema, EquitySchema
from timebank.extensions import db

blp = Blueprint("api_equity", __name__, url_prefix="/api/v1", description="Equity: service village by village")


@blp.get("/equity")
@blp.doc(security=[BEARER])
@token_required("station", "admin")
@blp.arguments(EquityQuerySchema, location="query")
@blp.response(200, EquitySchema)
def equity_get(args):
    """Every village in the caller's subtree: people in need by priority group, requests, served minutes, days
    since the last service, the need-without-service flag; and the stations with their social workers."""
    report = queries.equity(db.session, g.api_user, period_days=args["days"], today=clock.today(),
                            now=clock.now(), tz=current_app.config["TIMEBANK_TIMEZONE"], order=args["sort"])
    return {"period_days": report.period_days, "since": report.since, "stations": report.stations,
            "villages": [{"id": v.id, "name": v.name, "township": v.township, "in_need": v.in_need,
                          "tier_top": v.tier_top, "requests": v.requests, "open_requests": v.open_requests,
                          "need_by_group": [{"group": k, "people": n} for k, n in sorted(v.need_by_group.items())],
                          "visits": v.visits, "served_minutes": v.served_minutes, "days_since_last_service": v.days_since,
                          "has_station": v.has_station, "need_without_service": v.gap}
                         for v in report.villages]}
