"""Marshmallow schemas for the certificate API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.limits import Id


class CertificateIssueSchema(Schema):
    person_id = Id(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)


class CertificateRevokeSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class CertificateSchema(Schema):
    id = fields.Integer()
    serial = fields.String()
    name = fields.String()
    volunteer_number = fields.String()
    id_masked = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    total_minutes = fields.Integer()
    record_count = fields.Integer()
    issuer_name = fields.String()
    issued_on = fields.Date()
    status = fields.String()
    revoke_reason = fields.String(allow_none=True)
    verify_url = fields.String()


class CertificateStatusSchema(Schema):
    serial = fields.String()
    status = fields.String(metadata={"description": "valid or revoked"})
    name = fields.String()
    id_masked = fields.String()
