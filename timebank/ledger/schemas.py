"""Marshmallow schemas for the ledger API (minutes stay integers; clients format them)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.ledger.domain import MAX_TRANSFER_MINUTES
from timebank.limits import Count, Id


class AccountSchema(Schema):
    id = fields.Integer()
    balance = fields.Integer(metadata={"description": "posted minutes"})
    pending = fields.Integer(attribute="pending_debits", metadata={"description": "minutes reserved by holds"})
    spendable = fields.Integer(metadata={"description": "balance minus pending"})


class TransferRowSchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    kind = fields.String()
    phase = fields.String()
    minutes = fields.Integer()
    signed = fields.Integer(metadata={"description": "change of the posted balance"})
    incoming = fields.Boolean()
    counterparty = fields.String(allow_none=True)
    memo = fields.String(allow_none=True)
    resolved = fields.String(allow_none=True)


class TransferPageSchema(Schema):
    items = fields.List(fields.Nested(TransferRowSchema))
    page = fields.Integer()
    more = fields.Boolean()


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=30, validate=validate.Range(min=1, max=100))
    kind = fields.String(load_default=None, validate=validate.Length(max=12))


class GiftSchema(Schema):
    to_person_id = Id(required=True)
    minutes = Count(1, MAX_TRANSFER_MINUTES, required=True, metadata={"description": "whole minutes"})
    memo = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class DonationSchema(Schema):
    pool = fields.String(required=True, validate=[validate.Length(min=1, max=40), validate.Regexp(
        r"^(county_donation|charity:[1-9][0-9]{0,9})$")], metadata={"description": "county_donation, or charity:<id>"})
    minutes = Count(1, MAX_TRANSFER_MINUTES, required=True, metadata={"description": "whole minutes"})
    memo = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class TransferResultSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    minutes = fields.Integer()
    created_at = fields.DateTime()
    replayed = fields.Boolean()
    overflow_minutes = fields.Integer()
