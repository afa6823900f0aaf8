"""Marshmallow schemas for the visits API (times are ISO 8601 with a zone; minutes are integers)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from timebank.limits import Count, Id
from timebank.visits.domain import PAYERS


class AwareDateTime(fields.AwareDateTime):
    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)


class RequestCreateSchema(Schema):
    resident_id = Id(required=True)
    category_id = Id(required=True)
    earliest_start = AwareDateTime(required=True)
    latest_end = AwareDateTime(required=True)
    duration_minutes = Count(1, 720, load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    seats_volunteer = Count(0, 10, load_default=1)
    seats_social_worker = Count(0, 10, load_default=None, allow_none=True)
    skill_ids = fields.List(Id(), load_default=None, allow_none=True, validate=validate.Length(max=50))
    repeat_weeks = Count(1, 26, load_default=1)
    payer = fields.String(load_default="own", validate=validate.OneOf(PAYERS))
    charity_id = Id(load_default=None, allow_none=True)
    urgent = fields.Boolean(load_default=False)
    safety = fields.Boolean(load_default=False)


class SeatSchema(Schema):
    id = fields.Integer()
    volunteer_id = fields.Integer()
    role = fields.String()
    status = fields.String()
    check_in_at = fields.DateTime(allow_none=True)
    check_out_at = fields.DateTime(allow_none=True)
    credited_minutes = fields.Integer(allow_none=True)


class RequestSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    resident_id = fields.Integer()
    category_id = fields.Integer()
    earliest_start = fields.DateTime()
    latest_end = fields.DateTime()
    scheduled_start = fields.DateTime(allow_none=True)
    duration_minutes = fields.Integer()
    priority_tier = fields.Integer()
    urgent = fields.Boolean()
    safety = fields.Boolean()
    payer = fields.String()
    seats_volunteer = fields.Integer()
    seats_social_worker = fields.Integer()
    rating = fields.Integer(allow_none=True)
    seats = fields.List(fields.Nested(SeatSchema))


class RequestListSchema(Schema):
    items = fields.List(fields.Nested(RequestSchema))


class TakeSchema(Schema):
    volunteer_id = Id(load_default=None, allow_none=True)
    start = AwareDateTime(load_default=None, allow_none=True)


class VolunteerRefSchema(Schema):
    volunteer_id = Id(load_default=None, allow_none=True)


class ScanSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=400))


class RecordSchema(Schema):
    volunteer_id = Id(required=True)
    action = fields.String(required=True, validate=validate.OneOf(("check_in", "check_out")))
    at = AwareDateTime(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class ConfirmSchema(Schema):
    rating = Count(1, 5, required=True)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ResolveSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(("all", "part", "none")))
    minutes = Count(0, 720, load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("blank")
