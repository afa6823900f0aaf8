"""/api/v1/me/notifications: the inbox over the API (same services as the page)."""

from __future__ import annotations

from flask import g
from flask_babel import get_locale
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.extensions import db
from timebank.notify import queries, service
from timebank.notify.texts import render

blp = Blueprint("api_notify", __name__, url_prefix="/api/v1", description="The caller's notifications")


class NotificationSchema(Schema):
    id = fields.Integer()
    event = fields.String()
    title = fields.String()
    body = fields.String()
    link = fields.String(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    unread = fields.Boolean(load_default=False)


class PageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    page = fields.Integer()
    more = fields.Boolean()
    unread = fields.Integer()


@blp.get("/me/notifications")
@blp.doc(security=[BEARER])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, PageSchema)
def notification_list(args):
    """Newest first, 20 a page, in the language of the request."""
    rows, more = queries.inbox(db.session, g.api_user.id, page=args["page"], unread_only=args["unread"])
    locale = str(get_locale())
    items = []
    for note in rows:
        text = render(note.event, note.params, locale)
        items.append({"id": note.id, "event": note.event, "title": text.title, "body": text.body,
                      "link": note.link, "created_at": note.created_at, "read_at": note.read_at})
    return {"items": items, "page": args["page"], "more": more,
            "unread": service.unread_count(db.session, g.api_user.id)}


@blp.post("/me/notifications/<int:notification_id>/read")
@blp.doc(security=[BEARER])
@token_required()
@blp.response(204)
def notification_read(notification_id: int):
    """Mark one notification read (404 if it is not the caller's)."""
    service.mark_read(db.session, g.api_user.id, notification_id, now=clock.now())
    db.session.commit()
