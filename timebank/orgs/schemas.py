"""Marshmallow schemas for the organisations API (times ISO 8601 with a zone; minutes are integers)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.limits import Count, Id
from timebank.orgs import domain


class AwareDateTime(fields.AwareDateTime):
    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)


class OrgsPageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class OrgsOrgListArgs(OrgsPageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(domain.ORG_STATUSES))


class OrgsMemberListArgs(OrgsPageArgs):
    status = fields.String(load_default="approved", validate=validate.OneOf(domain.MEMBER_STATUSES))


class OrgsOrgCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    kind = fields.String(required=True, validate=validate.OneOf(domain.ORG_KINDS))
    node_id = Id(load_default=None, allow_none=True, metadata={"description": "staff: a node in their subtree"})
    leader_person_id = Id(load_default=None, allow_none=True,
                          metadata={"description": "staff: an approved volunteer; a volunteer leads their own"})
    contact_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class OrgsDecision(Schema):
    approve = fields.Boolean(required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class OrgsMemberDecision(Schema):
    approve = fields.Boolean(required=True)


class OrgsReason(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class OrgsPersonRef(Schema):
    person_id = Id(required=True)


class OrgsOrg(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    node_id = fields.Integer()
    status = fields.String()
    leader_person_id = fields.Integer()
    leader_name = fields.String()
    member_count = fields.Integer()
    description = fields.String(allow_none=True)
    review_reason = fields.String(allow_none=True)
    retired_at = fields.DateTime(allow_none=True)


class OrgsOrgPage(Schema):
    items = fields.List(fields.Nested(OrgsOrg))
    page = fields.Integer()
    more = fields.Boolean()


class OrgsMembership(Schema):
    id = fields.Integer()
    org_id = fields.Integer()
    person_id = fields.Integer()
    name = fields.String()
    status = fields.String()
    minutes = fields.Integer(metadata={"description": "minutes credited in this organisation's activities"})


class OrgsMembershipPage(Schema):
    items = fields.List(fields.Nested(OrgsMembership))
    page = fields.Integer()
    more = fields.Boolean()


class OrgsActivityCreate(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    place = fields.String(required=True, validate=validate.Length(min=1, max=200))
    starts_at = AwareDateTime(required=True)
    ends_at = AwareDateTime(required=True)
    capacity = Count(1, domain.MAX_CAPACITY, required=True)
    org_id = Id(load_default=None, allow_none=True, metadata={"description": "a leader: their organisation"})
    node_id = Id(load_default=None, allow_none=True, metadata={"description": "staff without org_id"})
    category_id = Id(load_default=None, allow_none=True)
    beneficiary_count = Count(0, 100000, load_default=None, allow_none=True)
    beneficiary_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=200))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class OrgsActivity(Schema):
    id = fields.Integer()
    org_id = fields.Integer(allow_none=True)
    node_id = fields.Integer()
    title = fields.String()
    place = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    capacity = fields.Integer()
    category_id = fields.Integer(allow_none=True)
    beneficiary_count = fields.Integer(allow_none=True)
    status = fields.String()
    credited_to = fields.String(allow_none=True, metadata={"description": "volunteer or county_pool, once confirmed"})
    signed_up = fields.Integer()
    checked_in = fields.Integer()
    checked_out = fields.Integer()
    credited_minutes = fields.Integer()


class OrgsActivityPage(Schema):
    items = fields.List(fields.Nested(OrgsActivity))
    page = fields.Integer()
    more = fields.Boolean()


class OrgsEnrol(Schema):
    person_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=500))


class OrgsTick(Schema):
    action = fields.String(required=True, validate=validate.OneOf(("check_in", "check_out")))
    person_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=1000))
    at = AwareDateTime(load_default=None, allow_none=True, metadata={"description": "default: now"})


class OrgsCorrection(Schema):
    check_in_at = AwareDateTime(load_default=None, allow_none=True)
    check_out_at = AwareDateTime(load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class OrgsScanArgs(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class OrgsSignup(Schema):
    id = fields.Integer()
    activity_id = fields.Integer()
    person_id = fields.Integer()
    name = fields.String()
    source = fields.String()
    check_in_at = fields.DateTime(allow_none=True)
    check_out_at = fields.DateTime(allow_none=True)
    credited_minutes = fields.Integer(allow_none=True)


class OrgsSignupPage(Schema):
    items = fields.List(fields.Nested(OrgsSignup))
    page = fields.Integer()
    more = fields.Boolean()


class OrgsTickResult(Schema):
    count = fields.Integer()


class OrgsScanResult(Schema):
    activity_id = fields.Integer()
    action = fields.String()
    at = fields.DateTime()


class OrgsConfirmResult(Schema):
    activity = fields.Nested(OrgsActivity)
    attendees = fields.Integer()
    minutes = fields.Integer()
    credited_to = fields.String()
