"""Marshmallow schemas for the equity API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.equity.domain import DEFAULT_PERIOD, PERIODS, SORTS


class EquityQuerySchema(Schema):
    days = fields.Integer(load_default=DEFAULT_PERIOD, validate=validate.OneOf(PERIODS))
    sort = fields.String(load_default="gap", validate=validate.OneOf(SORTS))


class EquityGroupCountSchema(Schema):
    group = fields.String()
    people = fields.Integer()


class EquityVillageSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    township = fields.String()
    in_need = fields.Integer()
    tier_top = fields.Integer()
    need_by_group = fields.List(fields.Nested(EquityGroupCountSchema))
    requests = fields.Integer()
    open_requests = fields.Integer()
    visits = fields.Integer()
    served_minutes = fields.Integer()
    days_since_last_service = fields.Integer(allow_none=True)
    has_station = fields.Boolean()
    need_without_service = fields.Boolean()


class EquityStationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    place = fields.String()
    kind = fields.String()
    villages = fields.Integer()
    social_workers = fields.Integer()


class EquitySchema(Schema):
    period_days = fields.Integer()
    since = fields.Date()
    villages = fields.List(fields.Nested(EquityVillageSchema))
    stations = fields.List(fields.Nested(EquityStationSchema))
