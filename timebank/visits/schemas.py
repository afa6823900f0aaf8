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
    paid_by_person_id = Id(
        load_default=None, allow_none=True,
        metadata={"description": "with payer own: whose time account pays (omit for the resident's own; the "
                                 "caller's own person id to pay for a verified spouse or direct relative)"})
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
    """A request as the caller may see it (visits/disclosure.py): hidden fields are null."""

    id = fields.Integer()
    status = fields.String()
    resident_id = fields.Integer(allow_none=True, metadata={"description": "null unless staff, family or seat holder"})
    resident_name = fields.String(metadata={"description": "full name, or surname with the given name masked"})
    village = fields.String()
    address = fields.String(allow_none=True, metadata={"description": "street address: staff, family, live seat"})
    phone = fields.String(allow_none=True, metadata={"description": "resident's phone: staff, family, live seat"})
    disclosure = fields.String(metadata={"description": "full, seat or village"})
    skill_ids = fields.List(fields.Integer())
    category_id = fields.Integer()
    earliest_start = fields.DateTime()
    latest_end = fields.DateTime()
    scheduled_start = fields.DateTime(allow_none=True)
    duration_minutes = fields.Integer()
    priority_tier = fields.Integer(allow_none=True, metadata={"description": "null unless staff or family"})
    urgent = fields.Boolean()
    safety = fields.Boolean()
    payer = fields.String(allow_none=True, metadata={"description": "null unless staff or family"})
    paid_by_person_id = fields.Integer(allow_none=True, metadata={"description": "null unless staff or family"})
    review_reason = fields.String(allow_none=True, metadata={"description": "null unless staff or family"})
    seats_volunteer = fields.Integer()
    seats_social_worker = fields.Integer()
    rating = fields.Integer(allow_none=True)
    confirmation_method = fields.String(allow_none=True, metadata={
        "description": "How the visit was confirmed (or answered): resident, relative, station, station_phone, "
                       "elder_code, elder_signature or auto; null while unconfirmed.",
        "enum": ["resident", "relative", "station", "station_phone", "elder_code", "elder_signature", "auto"]})
    satisfied = fields.Boolean(allow_none=True, metadata={"description": "The person served said satisfied "
                                                                         "(true) or not (false, a dispute)."})
    has_signature = fields.Boolean(metadata={"description": "The person served signed on the screen."})
    seats = fields.List(fields.Nested(SeatSchema))


class RequestListSchema(Schema):
    items = fields.List(fields.Nested(RequestSchema))


class ReviewQueueSchema(Schema):
    items = fields.List(fields.Nested(RequestSchema))
    total = fields.Integer()
    page = fields.Integer()


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


class ReviewSchema(Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=300))


class ExclusionCreateSchema(Schema):
    volunteer_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class ExclusionSchema(Schema):
    id = fields.Integer()
    resident_id = fields.Integer()
    volunteer_id = fields.Integer()
    reason = fields.String()
    created_at = fields.DateTime()


class ExclusionListSchema(Schema):
    items = fields.List(fields.Nested(ExclusionSchema))


class ErrorBodySchema(Schema):
    """The error body of every refused call (422: bad input or a rule, e.g. the redemption age)."""

    error = fields.String(metadata={"description": "validation_failed, policy_violation, insufficient_balance..."})
    message = fields.String(metadata={"description": "the reason, translated, e.g. 本人年满60周岁才能使用自己的时长"})
    field = fields.String(metadata={"description": "the input the message belongs to, e.g. payer"})
    details = fields.Dict(metadata={"description": "e.g. reason (age, hardship_age, spouse_off, relative_off, "
                                                   "not_relative) and the age of the person served"})


class TakeSchema(Schema):
    volunteer_id = Id(load_default=None, allow_none=True)
    start = AwareDateTime(load_default=None, allow_none=True)


class StartOptionsSchema(Schema):
    items = fields.List(fields.AwareDateTime(), metadata={"description": "starts that fit, earliest first"})
    reason = fields.String(allow_none=True, validate=validate.OneOf(["capacity", "overlap", "unavailable"]),
                           metadata={"description": "why none fits (null when some do)"})
    message = fields.String(allow_none=True)


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


class ElderConfirmSchema(Schema):
    """The person served answers on the volunteer's phone: the card code or a drawn signature (SVG path data)."""

    satisfied = fields.Boolean(required=True)
    code = fields.String(load_default=None, validate=validate.Length(max=20),
                         metadata={"description": "The six digits printed on the resident's service card."})
    signature = fields.String(load_default=None, validate=validate.Length(max=20_000),
                              metadata={"description": "SVG path data (M/L/... commands and numbers only) in a "
                                                       "600 x 300 box; give this or code, not both."})
    note = fields.String(load_default=None, validate=validate.Length(max=300))


class PhoneConfirmSchema(Schema):
    answered_by = fields.String(required=True, validate=validate.Length(min=1, max=50))
    satisfied = fields.Boolean(required=True)
    note = fields.String(load_default=None, validate=validate.Length(max=240))


class ReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ResolveSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(("all", "part", "none")))
    minutes = Count(0, 720, load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("blank")
