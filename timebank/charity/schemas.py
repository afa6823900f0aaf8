"""Marshmallow schemas for the charity and goods API (quantities are integers, dates ISO)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.charity.domain import MAX_QUANTITY
from timebank.limits import Count, Id

HARDSHIP_CODE = validate.Length(min=1, max=40)


class CharityDonationInSchema(Schema):
    item_id = Id(required=True)
    quantity = Count(1, MAX_QUANTITY, required=True, metadata={"description": "whole units"})
    station_id = Id(load_default=None, allow_none=True)
    node_id = Id(load_default=None, allow_none=True)
    statuses = fields.List(fields.String(validate=HARDSHIP_CODE), load_default=list,
                           validate=validate.Length(max=20))
    min_age = Count(0, 150, load_default=None, allow_none=True)
    max_age = Count(0, 150, load_default=None, allow_none=True)
    township_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=50))
    use_by = fields.Date(load_default=None, allow_none=True)
    delivery = fields.String(load_default="both", validate=validate.OneOf(("both", "pickup", "delivery")))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class CharityMovementSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    quantity = fields.Integer()
    reason = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CharityDonationSchema(Schema):
    id = fields.Integer()
    item = fields.String(attribute="item.code", dump_only=True)
    quantity = fields.Integer()
    stock = fields.Integer()
    reserved = fields.Integer()
    node_id = fields.Integer()
    statuses = fields.List(fields.String(), attribute="status_codes")
    township_ids = fields.List(fields.Integer())
    min_age = fields.Integer(allow_none=True)
    max_age = fields.Integer(allow_none=True)
    use_by = fields.Date(allow_none=True)
    delivery = fields.String()


class CharityDonationDetailSchema(CharityDonationSchema):
    movements = fields.List(fields.Nested(CharityMovementSchema))


class CharityTotalsSchema(Schema):
    received = fields.Integer()
    allocated = fields.Integer()
    delivered = fields.Integer()
    returned = fields.Integer()
    gone = fields.Integer()
    in_stock = fields.Integer()


class CharityTransparencySchema(Schema):
    total = fields.Nested(CharityTotalsSchema)
    by_item = fields.Dict(keys=fields.String(), values=fields.Nested(CharityTotalsSchema))
    by_township = fields.Dict(keys=fields.String(), values=fields.Nested(CharityTotalsSchema))
    by_month = fields.Dict(keys=fields.String(), values=fields.Nested(CharityTotalsSchema))
    hours_donated = fields.Integer()
    hours_paid = fields.Integer()


class CharityGoodsRequestInSchema(Schema):
    resident_id = Id(required=True)
    item_id = Id(required=True)
    quantity = Count(1, MAX_QUANTITY, required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class CharityAllocationSchema(Schema):
    id = fields.Integer()
    request_id = fields.Integer()
    donation_id = fields.Integer()
    quantity = fields.Integer()
    status = fields.String()
    method = fields.String()
    source = fields.String()
    visit_request_id = fields.Integer(allow_none=True)
    received_at = fields.DateTime(allow_none=True)


class CharityGoodsRequestSchema(Schema):
    id = fields.Integer()
    resident_id = fields.Integer()
    item = fields.String(attribute="item.code", dump_only=True)
    quantity = fields.Integer()
    reason = fields.String()
    status = fields.String()
    allocations = fields.List(fields.Nested(CharityAllocationSchema))


class CharityAllocateInSchema(Schema):
    donation_id = Id(required=True)
    method = fields.String(required=True, validate=validate.OneOf(("pickup", "delivery")))
    quantity = Count(1, MAX_QUANTITY, load_default=None, allow_none=True,
                     metadata={"description": "default: what the request still needs"})


class CharityReasonInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


# ---------------------------------------------------------------------------------------------------------
# onboarding: applications, approval, members, deactivation

REGISTRATIONS = ("charity", "public_fundraising", "enterprise", "social_org")


class CharityApplicationInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    credit_code = fields.String(required=True, validate=validate.Length(min=1, max=40),
                                metadata={"description": "统一社会信用代码, 18 characters with its GB 32100-2015 check"})
    registration = fields.String(load_default="charity", validate=validate.OneOf(REGISTRATIONS))
    registration_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                                        metadata={"description": "required for charity and public_fundraising"})
    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    contact_phone = fields.String(required=True, validate=validate.Length(min=1, max=20))
    contact_email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    username = fields.String(required=True, validate=validate.Length(min=3, max=40),
                             metadata={"description": "the owner's login"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class CharitySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    credit_code = fields.String()
    registration = fields.String()
    registration_number = fields.String(allow_none=True)
    contact_name = fields.String()
    status = fields.String(metadata={"description": "pending, approved or rejected"})
    review_reason = fields.String(allow_none=True)
    active = fields.Boolean(metadata={"description": "false once the county deactivated it"})
    deactivation_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CharityListArgsSchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(
        ("pending", "approved", "rejected", "deactivated")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


class CharityPageSchema(Schema):
    items = fields.List(fields.Nested(CharitySchema))
    page = fields.Integer()
    more = fields.Boolean()


class CharityReviewInSchema(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300),
                           metadata={"description": "required to reject"})


class CharityMemberInSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=3, max=40))
    name = fields.String(required=True, validate=validate.Length(min=2, max=50))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200),
                             metadata={"description": "an initial password, changed at the first sign-in"})
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    role = fields.String(load_default="member", validate=validate.OneOf(("member", "owner")))


class CharityMemberSchema(Schema):
    user_id = fields.Integer()
    username = fields.String(attribute="user.username")
    name = fields.String(allow_none=True)
    role = fields.String()
    removed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
