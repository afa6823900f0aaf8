"""/api/v1 personal-data routes: the access and audit logs (staff, scoped), own data export, correction and
closure requests. Same services and queries as the pages."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.audit import queries as log_queries
from timebank.extensions import db
from timebank.privacy import queries
from timebank.privacy import service as privacy
from timebank.privacy.models import CORRECTION_FIELDS
from timebank.web import client_ip

blp = Blueprint("api_privacy", __name__, url_prefix="/api/v1",
                description="Personal data: access log, own data export, corrections, account closure")
DOC = {"security": [BEARER]}
STAFF = ("station", "admin")


class LogArgs(Schema):
    since = fields.Date(load_default=None, metadata={"description": "first day (county time), inclusive"})
    until = fields.Date(load_default=None, metadata={"description": "last day (county time), inclusive"})
    actor = fields.String(load_default=None, validate=validate.Length(max=60))
    person_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    action = fields.String(load_default=None, validate=validate.Length(max=60))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))


class AccessEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String(allow_none=True)
    person_id = fields.Integer(allow_none=True)
    action = fields.String()
    field = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String(allow_none=True)
    action = fields.String()
    target = fields.String(allow_none=True)
    result = fields.String()
    detail = fields.String(allow_none=True)
    changes = fields.String(allow_none=True)


class AccessPageSchema(Schema):
    items = fields.List(fields.Nested(AccessEventSchema))
    more = fields.Boolean()


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema))
    more = fields.Boolean()


class CorrectionCreateSchema(Schema):
    field = fields.String(required=True, validate=validate.OneOf(CORRECTION_FIELDS))
    new_value = fields.String(load_default=None, validate=validate.Length(max=200))
    note = fields.String(load_default=None, validate=validate.Length(max=300))


class CorrectionSchema(Schema):
    id = fields.Integer()
    person_id = fields.Integer()
    field = fields.String()
    new_value = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    status = fields.String()
    decision_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class ClosureCreateSchema(Schema):
    note = fields.String(load_default=None, validate=validate.Length(max=300))


class ClosureSchema(Schema):
    id = fields.Integer()
    person_id = fields.Integer()
    note = fields.String(allow_none=True)
    status = fields.String()
    decision_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class CorrectionDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("done", "rejected")))
    reason = fields.String(load_default=None, validate=validate.Length(max=300))


class ClosureDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    reason = fields.String(load_default=None, validate=validate.Length(max=300))


class PersonalDataSchema(Schema):
    """Everything held about the caller; the ID number masked."""

    format_version = fields.Integer()
    login = fields.Dict()
    person = fields.Dict()
    volunteer_profile = fields.Dict()
    resident_profile = fields.Dict()
    relatives = fields.List(fields.Dict())
    requests = fields.List(fields.Dict())
    seats = fields.List(fields.Dict())
    account = fields.Dict(allow_none=True)
    statement = fields.List(fields.Dict())
    notifications = fields.List(fields.Dict())
    consent = fields.Dict()
    correction_requests = fields.List(fields.Dict())
    closure_requests = fields.List(fields.Dict())


class StatusArgs(Schema):
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "done", "rejected")))


def _filters(args) -> log_queries.LogFilters:
    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    since = datetime.combine(args["since"], time(), tzinfo=tz) if args["since"] else None
    until = datetime.combine(args["until"] + timedelta(days=1), time(), tzinfo=tz) if args["until"] else None
    return log_queries.LogFilters(since=since, until=until, actor=args["actor"], person_id=args["person_id"],
                                  action=args["action"])


@blp.get("/audit/access")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(LogArgs, location="query")
@blp.response(200, AccessPageSchema)
def access_log(args):
    """The access log (reads, reveals, exports, prints of personal data): all for the county admin, a
    station's subtree and its own staff otherwise. Newest first, 50 a page."""
    rows, more = log_queries.access_events(db.session, g.api_user, _filters(args), page=args["page"])
    return {"items": [{"id": e.id, "at": e.at, "actor_id": e.actor_id, "actor": who.display_name if who else None,
                       "person_id": e.person_id, "action": e.action, "field": e.field, "reason": e.reason}
                      for e, who, _person in rows], "more": more}


@blp.get("/audit/events")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(LogArgs, location="query")
@blp.response(200, AuditPageSchema)
def audit_log(args):
    """The audit trail (every write), scoped like the access log."""
    rows, more = log_queries.audit_events(db.session, g.api_user, _filters(args), page=args["page"])
    return {"items": [{"id": e.id, "at": e.at, "actor_id": e.actor_id, "actor": who.display_name if who else None,
                       "action": e.action, "target": e.target, "result": e.result, "detail": e.detail,
                       "changes": e.changes} for e, who, _none in rows], "more": more}


@blp.get("/me/data")
@blp.doc(**DOC)
@token_required()
@blp.response(200, PersonalDataSchema)
def my_data():
    """Everything held about the caller (the same content as the page's download); logged as an export."""
    data = privacy.export_self(db.session, g.api_user, now=clock.now(), ip=client_ip())
    db.session.commit()
    return data


@blp.get("/me/corrections")
@blp.doc(**DOC)
@token_required()
@blp.response(200, CorrectionSchema(many=True))
def my_corrections():
    return queries.mine(db.session, g.api_user)[0]


@blp.post("/me/corrections")
@blp.doc(**DOC)
@token_required()
@blp.arguments(CorrectionCreateSchema)
@blp.response(201, CorrectionSchema)
def correction_create(args):
    """Ask the station to correct a field (it edits the record, then marks the request done)."""
    row = privacy.submit_correction(db.session, g.api_user, field=args["field"], new_value=args["new_value"],
                                    note=args["note"], now=clock.now())
    db.session.commit()
    return row


@blp.get("/me/closure")
@blp.doc(**DOC)
@token_required()
@blp.response(200, ClosureSchema(many=True))
def my_closures():
    return queries.mine(db.session, g.api_user)[1]


@blp.post("/me/closure")
@blp.doc(**DOC)
@token_required()
@blp.arguments(ClosureCreateSchema)
@blp.response(201, ClosureSchema)
def closure_create(args):
    """Ask to close the account: refused (409) while the time account holds hours, has reserved hours, or a
    service is in progress."""
    row = privacy.submit_closure(db.session, g.api_user, note=args["note"], now=clock.now())
    db.session.commit()
    return row


@blp.get("/station/corrections")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(StatusArgs, location="query")
@blp.response(200, CorrectionSchema(many=True))
def station_corrections(args):
    return queries.for_station(db.session, g.api_user, status=args["status"])[0]


@blp.post("/station/corrections/<int:correction_id>/decision")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(CorrectionDecisionSchema)
@blp.response(200, CorrectionSchema)
def correction_decide(args, correction_id: int):
    row = privacy.decide_correction(db.session, g.api_user, correction_id, done=args["decision"] == "done",
                                    reason=args["reason"], now=clock.now())
    db.session.commit()
    return row


@blp.get("/station/closures")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(StatusArgs, location="query")
@blp.response(200, ClosureSchema(many=True))
def station_closures(args):
    return queries.for_station(db.session, g.api_user, status=args["status"])[1]


@blp.post("/station/closures/<int:closure_id>/decision")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(ClosureDecisionSchema)
@blp.response(200, ClosureSchema)
def closure_decide(args, closure_id: int):
    """Approve (the person is anonymised now; the ledger stays) or reject with a reason."""
    row = privacy.decide_closure(db.session, g.api_user, closure_id, approve=args["decision"] == "approve",
                                 reason=args["reason"], now=clock.now())
    db.session.commit()
    return row
