"""/api/v1 routes for charity onboarding: the public application, the county's list, approval, rejection,
direct opening, deactivation and reactivation, and an owner's members; the same services as the pages."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from timebank import clock
from timebank.accounts import throttle
from timebank.api_auth import BEARER, token_required
from timebank.charity import onboarding, queries, service
from timebank.charity.schemas import (
    CharityApplicationInSchema,
    CharityListArgsSchema,
    CharityMemberInSchema,
    CharityMemberSchema,
    CharityPageSchema,
    CharityReasonInSchema,
    CharityReviewInSchema,
    CharitySchema,
)
from timebank.extensions import db
from timebank.web import client_ip

blp = Blueprint("api_charities", __name__, url_prefix="/api/v1",
                description="Charity onboarding: applications, approval, members, deactivation")


def _input(body: dict) -> onboarding.ApplicationInput:
    return onboarding.ApplicationInput(
        charity=service.CharityInput(name=body["name"], credit_code=body["credit_code"],
                                     registration=body["registration"], contact_name=body["contact_name"],
                                     contact_phone=body["contact_phone"], address=body["address"],
                                     description=body["description"]),
        registration_number=body["registration_number"], contact_email=body["contact_email"],
        login=onboarding.LoginInput(username=body["username"], password=body["password"],
                                    name=body["contact_name"]))


@blp.post("/charities/applications")
@throttle.signup_per_client
@blp.arguments(CharityApplicationInSchema)
@blp.response(201, CharitySchema)
def application_create(body):
    """Public: a charity applies with its first login (the owner); it waits for the county's approval.
    A wrong credit-code checksum is 422; the same credit code or name as another charity is 409."""
    charity = onboarding.apply(db.session, _input(body), now=clock.now(), ip=client_ip())
    db.session.commit()
    return charity


@blp.get("/charities")
@blp.doc(security=[BEARER])
@token_required("admin")
@blp.arguments(CharityListArgsSchema, location="query")
@blp.response(200, CharityPageSchema)
def charity_list(args):
    """Charities in the admin's subtree, pending applications first, 20 a page."""
    rows, more = queries.charities_for_admin(db.session, g.api_user, status=args["status"], page=args["page"])
    return {"items": rows, "page": args["page"], "more": more}


@blp.post("/charities")
@blp.doc(security=[BEARER])
@token_required("admin")
@blp.arguments(CharityApplicationInSchema)
@blp.response(201, CharitySchema)
def charity_open(body):
    """The county opens a charity directly: approved at once; the owner changes the initial password at the
    first sign-in."""
    charity = onboarding.open_charity(db.session, g.api_user, _input(body), now=clock.now())
    db.session.commit()
    return charity


@blp.get("/charities/<int:charity_id>")
@blp.doc(security=[BEARER])
@token_required("admin", "charity")
@blp.response(200, CharitySchema)
def charity_get(charity_id: int):
    """One charity: an admin in scope, or a member of this charity (any other charity: 404)."""
    return onboarding.load_visible(db.session, g.api_user, charity_id)


@blp.post("/charities/<int:charity_id>/approve")
@blp.doc(security=[BEARER])
@token_required("admin")
@blp.response(200, CharitySchema)
def charity_approve(charity_id: int):
    """Approve a pending (or earlier rejected) application: its hour pool opens; the applicant is told."""
    onboarding.load_for_admin(db.session, g.api_user, charity_id)
    charity = service.review_charity(db.session, g.api_user, charity_id, approve=True, reason=None, now=clock.now())
    db.session.commit()
    return charity


@blp.post("/charities/<int:charity_id>/reject")
@blp.doc(security=[BEARER])
@token_required("admin")
@blp.arguments(CharityReviewInSchema)
@blp.response(200, CharitySchema)
def charity_reject(body, charity_id: int):
    """Reject a pending application with a reason; the applicant is told."""
    onboarding.load_for_admin(db.session, g.api_user, charity_id)
    charity = service.review_charity(db.session, g.api_user, charity_id, approve=False, reason=body["reason"],
                                     now=clock.now())
    db.session.commit()
    return charity


@blp.post("/charities/<int:charity_id>/deactivate")
@blp.doc(security=[BEARER])
@token_required("admin")
@blp.arguments(CharityReasonInSchema)
@blp.response(200, CharitySchema)
def charity_deactivate(body, charity_id: int):
    """Stop a charity: every member's sessions and tokens end, nobody of it can sign in, its pool pays no
    new request. History stays."""
    charity = onboarding.deactivate(db.session, g.api_user, charity_id, reason=body["reason"], now=clock.now())
    db.session.commit()
    return charity


@blp.post("/charities/<int:charity_id>/reactivate")
@blp.doc(security=[BEARER])
@token_required("admin")
@blp.response(200, CharitySchema)
def charity_reactivate(charity_id: int):
    charity = onboarding.reactivate(db.session, g.api_user, charity_id, now=clock.now())
    db.session.commit()
    return charity


@blp.get("/charities/<int:charity_id>/members")
@blp.doc(security=[BEARER])
@token_required("admin", "charity")
@blp.response(200, CharityMemberSchema(many=True))
def member_list(charity_id: int):
    """The charity's logins, removed ones last (kept for history)."""
    return onboarding.members(db.session, g.api_user, charity_id)


@blp.post("/charities/<int:charity_id>/members")
@blp.doc(security=[BEARER])
@token_required("admin", "charity")
@blp.arguments(CharityMemberInSchema)
@blp.response(201, CharityMemberSchema)
def member_add(body, charity_id: int):
    """An owner adds a login; its password is an initial one, changed at the first sign-in."""
    member = onboarding.add_member(db.session, g.api_user, charity_id, onboarding.LoginInput(
        username=body["username"], password=body["password"], name=body["name"], email=body["email"]),
        role=body["role"], now=clock.now())
    db.session.commit()
    return member


@blp.post("/charities/<int:charity_id>/members/<int:user_id>/remove")
@blp.doc(security=[BEARER])
@token_required("admin", "charity")
@blp.response(200, CharityMemberSchema)
def member_remove(charity_id: int, user_id: int):
    """An owner removes a member: its login stops at once. The last owner cannot be removed (409)."""
    member = onboarding.remove_member(db.session, g.api_user, charity_id, user_id, now=clock.now())
    db.session.commit()
    return member
