"""Marshmallow schemas for the accounts API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class TokenRequestSchema(Schema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=60))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    name = fields.String(load_default="api", validate=validate.Length(max=60))
    code = fields.String(load_default=None, allow_none=True, load_only=True, validate=validate.Length(max=20),
                         metadata={"description": "staff: the current authenticator code (or a recovery code)"})


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "shown once; store it safely"})


class MeSchema(Schema):
    id = fields.Integer()
    username = fields.String(allow_none=True)
    phone_masked = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    name = fields.String()
    node = fields.String(allow_none=True)
    volunteer_status = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
