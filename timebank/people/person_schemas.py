"""Marshmallow schemas for the person API: one person with every role, corrections, moves, death, heirs."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.people.lifecycle_rules import ADL_LEVELS, DISABILITY_TYPES


class LinkSchema(Schema):
    person_id = fields.Integer()
    name = fields.String()
    kinship = fields.String()
    verified = fields.Boolean()
    is_resident = fields.Boolean()


class RolesSchema(Schema):
    volunteer_status = fields.String(allow_none=True)
    social_worker = fields.Boolean()
    resident = fields.Boolean()
    relative_of = fields.List(fields.Nested(LinkSchema))
    relatives = fields.List(fields.Nested(LinkSchema))
    login_roles = fields.List(fields.String())
    login_active = fields.Boolean(allow_none=True)


class VillageSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    id_number_masked = fields.String()
    gender = fields.String()
    birth_date = fields.Date()
    status = fields.String()
    died_on = fields.Date(allow_none=True)
    village = fields.Nested(VillageSchema, attribute="node")
    roles = fields.Nested(RolesSchema)


class PersonPatchSchema(Schema):
    """Only the fields sent are changed. `name` and `id_number` (county admin only) need a `reason`."""

    phone = fields.String(allow_none=True)
    address = fields.String(allow_none=True, validate=validate.Length(max=200))
    village_id = fields.Integer()
    living_situation = fields.String()
    disability_grade = fields.Integer()
    disability_type = fields.String(allow_none=True, validate=validate.OneOf(DISABILITY_TYPES))
    adl_level = fields.Integer(allow_none=True, validate=validate.OneOf(ADL_LEVELS))
    adl_assessed_on = fields.Date(allow_none=True)
    emergency_contact_name = fields.String(allow_none=True, validate=validate.Length(max=50))
    emergency_contact_phone = fields.String(allow_none=True)
    volunteer_emergency_contact_name = fields.String(allow_none=True, validate=validate.Length(max=50))
    volunteer_emergency_contact_phone = fields.String(allow_none=True)
    name = fields.String(validate=validate.Length(max=50))
    id_number = fields.String()
    reason = fields.String(validate=validate.Length(max=300))


class MoveSchema(Schema):
    """Either `village_id` (a village in another township) or `left_county: true` with a reason."""

    village_id = fields.Integer(load_default=None)
    left_county = fields.Boolean(load_default=False)
    address = fields.String(load_default=None, validate=validate.Length(max=200))
    reason = fields.String(load_default=None, validate=validate.Length(max=200))


class DeathSchema(Schema):
    died_on = fields.Date(required=True)


class HeirsSchema(Schema):
    heir_ids = fields.List(fields.Integer(), required=True)


class CascadeSchema(Schema):
    cancelled = fields.List(fields.Integer())
    seats_given_back = fields.List(fields.Integer())
    proposals_withdrawn = fields.List(fields.Integer())
    balance_action = fields.String(allow_none=True)
    balance_minutes = fields.Integer()


class DispositionSchema(Schema):
    person_id = fields.Integer()
    status = fields.String()
    heir_ids = fields.List(fields.Integer())
    proposed_by_id = fields.Integer()
    approved_by_id = fields.Integer(allow_none=True)
    minutes = fields.Integer(allow_none=True)
