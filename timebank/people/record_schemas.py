"""Marshmallow schemas for the volunteer record API: the whole record, and each kind of entry (input, partial
correction, output). Built from record_domain.FIELDS so the API, the pages and the service agree."""

from __future__ import annotations

from marshmallow import Schema, fields, missing, validate

from timebank.limits import Count, Id
from timebank.people.record_domain import AWARD_LEVELS, FIELDS

KINDS = {"training": "Training", "award": "Award", "evaluation": "Evaluation", "insurance": "Insurance",
         "certificate": "Certificate"}


def _field(kind_of: str, required: bool, bound):
    options = {"required": True} if required else {"load_default": None, "allow_none": True}
    if kind_of == "text":
        return fields.String(validate=validate.Length(min=1, max=bound), **options)
    if kind_of == "int":
        return Count(bound[0], bound[1], **options)
    if kind_of == "choice":
        return fields.String(validate=validate.OneOf(bound), **options)
    if kind_of == "id":
        return Id(**options)
    return fields.Date(**options)


def _schemas(kind: str, name: str) -> tuple[type, type, type]:
    spec = FIELDS[kind]
    add = type(f"Record{name}InputSchema", (Schema,), {k: _field(*v) for k, v in spec.items()})
    patch = type(f"Record{name}PatchSchema", (Schema,), {k: _patch(*v) for k, v in spec.items()})
    out_fields = {k: (fields.Integer() if v[0] in ("int", "id") else fields.Date(allow_none=True)
                      if v[0] in ("date", "past_date") else fields.String(allow_none=True))
                  for k, v in spec.items()}
    out_fields.update(id=fields.Integer(), person_id=fields.Integer(), created_at=fields.DateTime(),
                      corrected_at=fields.DateTime(allow_none=True), retired_at=fields.DateTime(allow_none=True),
                      retire_reason=fields.String(allow_none=True))
    if kind == "certificate":
        out_fields.update(status=fields.String(), verified_at=fields.DateTime(allow_none=True),
                          skill_code=fields.Function(lambda row: row.skill.code, metadata={"type": "string"}))
    out = type(f"Record{name}Schema", (Schema,), out_fields)
    return add, patch, out


def _patch(kind_of: str, required: bool, bound):
    """The same field, optional and without a default: only the fields sent are corrected."""
    field = _field(kind_of, False, bound)
    field.load_default = missing
    return field


INPUT, PATCH, OUTPUT = {}, {}, {}
for _kind, _name in KINDS.items():
    INPUT[_kind], PATCH[_kind], OUTPUT[_kind] = _schemas(_kind, _name)


class RecordRetireSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class RecordSkillStateSchema(Schema):
    skill_code = fields.String()
    state = fields.String(metadata={"description": "verified (counts), expired, or pending (待核验, does not count)"})
    valid_until = fields.Date(allow_none=True)


class VolunteerRecordSchema(Schema):
    person_id = fields.Integer()
    name = fields.String()
    volunteer_no = fields.String(allow_none=True)
    stars = Count(0, 5)
    star_thresholds_hours = fields.List(Count(1, 100_000))
    served_minutes = fields.Integer()
    services = fields.Integer()
    to_next_star_minutes = fields.Integer(allow_none=True)
    rated_visits = fields.Integer()
    average_rating = fields.Float(allow_none=True)
    training_minutes = fields.Integer()
    insured_today = fields.Boolean()
    counted_skills = fields.List(fields.String())
    certified_skills = fields.List(fields.Nested(RecordSkillStateSchema))
    trainings = fields.List(fields.Nested(OUTPUT["training"]))
    awards = fields.List(fields.Nested(OUTPUT["award"]))
    evaluations = fields.List(fields.Nested(OUTPUT["evaluation"]))
    insurance = fields.List(fields.Nested(OUTPUT["insurance"]))
    certificates = fields.List(fields.Nested(OUTPUT["certificate"]))


__all__ = ["AWARD_LEVELS", "INPUT", "KINDS", "OUTPUT", "PATCH", "VolunteerRecordSchema", "RecordRetireSchema"]
