"""Marshmallow schemas for the station people API (registration by a station, reopen, unlink, reveal)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.people.disclosure import FIELDS
from timebank.people.domain import HARDSHIP_KINDS, RELATIONSHIPS


class StationWeeklySlotSchema(Schema):
    weekday = fields.Integer(required=True, validate=validate.Range(min=0, max=6), metadata={"description": "0 = Monday"})
    start_minute = fields.Integer(required=True, validate=validate.Range(min=0, max=1440))
    end_minute = fields.Integer(required=True, validate=validate.Range(min=0, max=1440))


class StationGuardianSchema(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=50))
    id_number = fields.String(required=True)
    phone = fields.String(load_default=None, allow_none=True)


class StationVolunteerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(max=50))
    id_number = fields.String(required=True)
    phone = fields.String(load_default=None, allow_none=True, metadata={"description": "may be missing"})
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    village_id = fields.Integer(required=True)
    skill_ids = fields.List(fields.Integer(), load_default=list)
    weekly = fields.List(fields.Nested(StationWeeklySlotSchema), load_default=list)
    emergency_contact_name = fields.String(required=True, validate=validate.Length(max=50))
    emergency_contact_phone = fields.String(required=True)
    consent_form_ref = fields.String(required=True, validate=validate.Length(max=60),
                                     metadata={"description": "number of the signed paper consent form"})
    login_password = fields.String(load_default=None, allow_none=True, load_only=True)
    guardian = fields.Nested(StationGuardianSchema, load_default=None, allow_none=True,
                             metadata={"description": "required when under the policy's depositor age"})
    guardian_consent_ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))


class VolunteerStateSchema(Schema):
    person_id = fields.Integer()
    name = fields.Function(lambda p: p.person.name, metadata={"type": "string"})
    id_number_masked = fields.Function(lambda p: p.person.id_number_masked, metadata={"type": "string"})
    status = fields.String()
    registered_by_id = fields.Integer(allow_none=True)
    consent_form_ref = fields.String(allow_none=True)
    guardian_person_id = fields.Integer(allow_none=True)
    has_login = fields.Function(lambda p: p.person.user is not None, metadata={"type": "boolean"})


class PeopleReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class RelativeLinkSchema(Schema):
    id = fields.Integer()
    resident_id = fields.Integer()
    relative_id = fields.Integer()
    kinship = fields.String()
    verified = fields.Boolean()
    unlinked_at = fields.DateTime(allow_none=True)
    unlink_reason = fields.String(allow_none=True)


class RevealRequestSchema(Schema):
    field = fields.String(required=True, validate=validate.OneOf(FIELDS))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class RevealedSchema(Schema):
    person_id = fields.Integer()
    field = fields.String()
    value = fields.String()


class StatementFormatSchema(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))


def _masked_phone(link) -> str | None:
    from timebank.accounts.domain import mask_phone

    phone = link.relative.phone
    return mask_phone(phone) if phone else None


class RelativeRowSchema(Schema):
    id = fields.Integer()
    relative_id = fields.Integer()
    name = fields.Function(lambda link: link.relative.name, metadata={"type": "string"})
    id_number_masked = fields.Function(lambda link: link.relative.id_number_masked, metadata={"type": "string"})
    phone_masked = fields.Function(_masked_phone, metadata={"type": "string", "nullable": True})
    kinship = fields.String()
    verified = fields.Boolean()
    consent_form_ref = fields.String(allow_none=True)
    unlinked_at = fields.DateTime(allow_none=True)


class RelativeAddSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    id_number = fields.String(required=True, validate=validate.Length(min=1, max=18))
    phone = fields.String(required=True, allow_none=True, validate=validate.Length(max=11))
    kinship = fields.String(required=True, validate=validate.OneOf(RELATIONSHIPS))
    consent_form_ref = fields.String(required=True, validate=validate.Length(min=1, max=60),
                                     metadata={"description": "number of the relative's signed consent form"})
    login_password = fields.String(load_default=None, allow_none=True, load_only=True,
                                   validate=validate.Length(max=128))


class HardshipStatusSchema(Schema):
    id = fields.Integer()
    person_id = fields.Integer()
    kind = fields.String()
    evidence_no = fields.String()
    review_date = fields.Date()
    verified_by_id = fields.Integer(allow_none=True)


class HardshipAddSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(HARDSHIP_KINDS))
    evidence_no = fields.String(required=True, validate=validate.Length(min=1, max=60))
    review_date = fields.Date(required=True)


class HardshipRenewSchema(Schema):
    review_date = fields.Date(required=True, metadata={"description": "the next review date, after today"})
