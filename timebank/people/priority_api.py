"""/api/v1 priority routes: one person's priority (groups, tier, counting statuses) and the review-due list.
Same services as the pages; outside the caller's subtree is 404."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.extensions import db
from timebank.people import review_service

blp = Blueprint("api_priority", __name__, url_prefix="/api/v1", description="Priority groups and status reviews")
DOC = {"security": [BEARER]}


class PrioritySchema(Schema):
    person_id = fields.Integer()
    groups = fields.List(fields.String(), metadata={"description": "priority groups the person belongs to"})
    tier = fields.Integer(metadata={"description": "1 most vulnerable .. 5 other"})
    backstop = fields.Boolean(metadata={"description": "the government backstop pool may pay"})
    county_pool = fields.Boolean(metadata={"description": "the county donation pool may pay"})
    grant = fields.Boolean(metadata={"description": "may receive granted hours"})
    watch_groups = fields.List(fields.String(), metadata={"description": "proactive-care watch groups"})
    counting = fields.List(fields.String(), metadata={"description": "hardship statuses that count today"})
    lapsed = fields.List(fields.String(), metadata={"description": "statuses past review date + grace days"})


class ReviewItemSchema(Schema):
    status_id = fields.Integer()
    person_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    review_date = fields.Date()
    lapses_on = fields.Date(metadata={"description": "first day the status no longer counts"})
    state = fields.String(metadata={"description": "due or lapsed"})


class ReviewListSchema(Schema):
    items = fields.List(fields.Nested(ReviewItemSchema))
    total = fields.Integer()
    page = fields.Integer()


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


@blp.get("/persons/<int:person_id>/priority")
@blp.doc(**DOC)
@token_required()
@blp.response(200, PrioritySchema)
def person_priority(person_id):
    """A person's priority today: staff of their subtree, or the person themself."""
    person, standing = review_service.person_priority(db.session, g.api_user, person_id, today=clock.today())
    return {"person_id": person.id, **standing.__dict__}


@blp.get("/hardship-reviews")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(PageArgs, location="query")
@blp.response(200, ReviewListSchema)
def recheck_due_list(args):
    """Hardship statuses in the caller's subtree due for review (within the notice days) or lapsed."""
    rows, total = review_service.due_list(db.session, g.api_user, today=clock.today(), page=args["page"])
    return {"items": [{"status_id": r.status.id, "person_id": r.person.id, "name": r.person.name,
                       "kind": r.status.kind, "review_date": r.status.review_date, "lapses_on": r.lapses_on,
                       "state": r.state} for r in rows], "total": total, "page": args["page"]}
