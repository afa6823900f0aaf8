"""Marshmallow schemas for the import API (the file travels as base64 in JSON)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.limits import INT_MAX, UPLOAD_MAX_BYTES


class ImportCheckSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["residents", "volunteers"]))
    filename = fields.String(load_default="upload.xlsx", validate=validate.Length(max=200))
    content_base64 = fields.String(required=True, validate=validate.Length(min=1, max=UPLOAD_MAX_BYTES * 4 // 3 + 4),
                                   metadata={"description": "the .xlsx file, base64-encoded"})


class ImportChoiceSchema(Schema):
    row = fields.Integer(required=True, strict=True, validate=validate.Range(min=2, max=INT_MAX))
    action = fields.String(required=True, validate=validate.OneOf(["link", "skip"]))


class ImportCommitSchema(Schema):
    choices = fields.List(fields.Nested(ImportChoiceSchema), load_default=list, validate=validate.Length(max=50000))


class ImportExistingSchema(Schema):
    person_id = fields.Integer()
    village = fields.String()
    resident = fields.Boolean()
    volunteer = fields.Boolean()


class ImportLineSchema(Schema):
    row = fields.Integer()
    name = fields.String()
    messages = fields.List(fields.String())
    existing = fields.Nested(ImportExistingSchema, allow_none=True)


class ImportBatchSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    filename = fields.String()
    rows = fields.Integer()
    errors = fields.Integer()
    duplicates = fields.Integer()
    created = fields.Integer()
    linked = fields.Integer()
    lines = fields.List(fields.Nested(ImportLineSchema))
