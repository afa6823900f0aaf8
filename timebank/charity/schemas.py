"""Marshmallow schemas for the charity and goods API (quantities are integers, dates ISO)."""

from __future__ import annotations

from marshmallow import Schema, fields


class CharityDonationInSchema(Schema):
    item_id = fields.Integer(required=True)
    quantity = fields.Raw(required=True, metadata={"description": "whole units, 1..100000"})
    station_id = fields.Integer(load_default=None)
    node_id = fields.Integer(load_default=None)
    statuses = fields.List(fields.String(), load_default=list)
    min_age = fields.Integer(load_default=None)
    max_age = fields.Integer(load_default=None)
    township_ids = fields.List(fields.Integer(), load_default=list)
    use_by = fields.Date(load_default=None)
    delivery = fields.String(load_default="both")
    note = fields.String(load_default=None)


class CharityMovementSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    quantity = fields.Integer()
    reason = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CharityDonationSchema(Schema):
    id = fields.Integer()
    item = fields.Function(lambda d: d.item.code)
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
    resident_id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    quantity = fields.Raw(required=True)
    reason = fields.String(required=True)


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
    item = fields.Function(lambda r: r.item.code)
    quantity = fields.Integer()
    reason = fields.String()
    status = fields.String()
    allocations = fields.List(fields.Nested(CharityAllocationSchema))


class CharityAllocateInSchema(Schema):
    donation_id = fields.Integer(required=True)
    method = fields.String(required=True)
    quantity = fields.Raw(load_default=None)


class CharityReasonInSchema(Schema):
    reason = fields.String(required=True)
