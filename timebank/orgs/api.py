"""/api/v1 organisation routes: organisations, memberships, group activities, sign-up, attendance (bulk),
corrections, QR scans and confirmation, through the same services as the pages."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.extensions import db
from timebank.ledger.retry import committed
from timebank.orgs import activities, attendance, queries, service
from timebank.orgs import schemas as s

blp = Blueprint("api_orgs", __name__, url_prefix="/api/v1", description="Volunteer organisations and group activities")
DOC = {"security": [BEARER]}
SERVING = ("station", "admin", "volunteer", "social_worker")


def _org(org) -> dict:
    return {"id": org.id, "name": org.name, "kind": org.kind, "node_id": org.node_id, "status": org.status,
            "leader_person_id": org.leader_person_id, "leader_name": org.leader.name,
            "member_count": queries.member_count(db.session, org.id), "description": org.description,
            "review_reason": org.review_reason, "retired_at": org.retired_at}


def _activity(act) -> dict:
    counts = queries.attendance_counts(db.session, act.id)
    return {"id": act.id, "org_id": act.org_id, "node_id": act.node_id, "title": act.title, "place": act.place,
            "starts_at": act.starts_at, "ends_at": act.ends_at, "capacity": act.capacity,
            "category_id": act.category_id, "beneficiary_count": act.beneficiary_count, "status": act.status,
            "credited_to": act.credited_to, **counts}


def _signup(row) -> dict:
    return {"id": row.id, "activity_id": row.activity_id, "person_id": row.person_id, "name": row.person.name,
            "source": row.source, "check_in_at": row.check_in_at, "check_out_at": row.check_out_at,
            "credited_minutes": row.credited_minutes}


def _membership(row, name: str, minutes: int = 0) -> dict:
    return {"id": row.id, "org_id": row.org_id, "person_id": row.person_id, "name": name, "status": row.status,
            "minutes": minutes}


# ---------------------------------------------------------------------------------------------------------
# organisations


@blp.get("/orgs")
@blp.doc(**DOC)
@token_required(*SERVING)
@blp.arguments(s.OrgsOrgListArgs, location="query")
@blp.response(200, s.OrgsOrgPage)
def org_list(args):
    """Staff: organisations of their area. Volunteers: those they lead or belong to, and approved ones."""
    rows, more = queries.orgs_for(db.session, g.api_user, page=args["page"], status=args["status"],
                                  per_page=args["per_page"])
    return {"items": [_org(o) for o in rows], "page": args["page"], "more": more}


@blp.post("/orgs")
@blp.doc(**DOC)
@token_required(*SERVING)
@blp.arguments(s.OrgsOrgCreate)
@blp.response(201, s.OrgsOrg)
def org_create(args):
    """A station registers an organisation (approved at once); a volunteer registers one they lead (pending)."""
    org = service.register(db.session, g.api_user, service.OrgInput(**args), now=clock.now(), today=clock.today())
    db.session.commit()
    return _org(org)


@blp.get("/orgs/<int:org_id>")
@blp.doc(**DOC)
@token_required()
@blp.response(200, s.OrgsOrg)
def org_get(org_id: int):
    return _org(service.load(db.session, g.api_user, org_id))


@blp.post("/orgs/<int:org_id>/decision")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(s.OrgsDecision)
@blp.response(200, s.OrgsOrg)
def org_decide(args, org_id: int):
    """The station approves or rejects (with a reason) a self-registered organisation."""
    org = service.decide(db.session, g.api_user, org_id, approve=args["approve"], reason=args["reason"],
                         now=clock.now())
    db.session.commit()
    return _org(org)


@blp.post("/orgs/<int:org_id>/leader")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(s.OrgsPersonRef)
@blp.response(200, s.OrgsOrg)
def org_leader(args, org_id: int):
    org = service.change_leader(db.session, g.api_user, org_id, args["person_id"], now=clock.now())
    db.session.commit()
    return _org(org)


@blp.post("/orgs/<int:org_id>/retire")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(s.OrgsReason)
@blp.response(200, s.OrgsOrg)
def org_retire(args, org_id: int):
    """Retire an organisation: no new members or activities; history stays."""
    org = service.retire(db.session, g.api_user, org_id, reason=args["reason"], now=clock.now())
    db.session.commit()
    return _org(org)


@blp.post("/orgs/<int:org_id>/join")
@blp.doc(**DOC)
@token_required("volunteer", "social_worker")
@blp.response(201, s.OrgsMembership)
def org_join(org_id: int):
    """Ask to join; the leader decides. A second request is refused (409 already_member)."""
    row = service.request_join(db.session, g.api_user, org_id, now=clock.now(), today=clock.today())
    db.session.commit()
    return _membership(row, row.person.name)


@blp.post("/orgs/<int:org_id>/members")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(s.OrgsPersonRef)
@blp.response(201, s.OrgsMembership)
def org_member_add(args, org_id: int):
    """The station adds a volunteer of its area directly (e.g. a minor it registered)."""
    row = service.add_member(db.session, g.api_user, org_id, args["person_id"], now=clock.now(), today=clock.today())
    db.session.commit()
    return _membership(row, row.person.name)


@blp.get("/orgs/<int:org_id>/members")
@blp.doc(**DOC)
@token_required()
@blp.arguments(s.OrgsMemberListArgs, location="query")
@blp.response(200, s.OrgsMembershipPage)
def org_members(args, org_id: int):
    """Members (or requests) with the minutes each was credited in this organisation's activities."""
    org = service.load(db.session, g.api_user, org_id)
    service.require_leader_or_staff(g.api_user, org)
    rows, more = queries.members(db.session, org.id, page=args["page"], status=args["status"],
                                 per_page=args["per_page"])
    return {"items": [_membership(m, name, minutes) for m, name, minutes in rows], "page": args["page"],
            "more": more}


@blp.post("/orgs/memberships/<int:membership_id>/decision")
@blp.doc(**DOC)
@token_required()
@blp.arguments(s.OrgsMemberDecision)
@blp.response(200, s.OrgsMembership)
def member_decide(args, membership_id: int):
    """The leader (or the station) approves or declines a join request."""
    row = service.decide_member(db.session, g.api_user, membership_id, approve=args["approve"], now=clock.now())
    db.session.commit()
    return _membership(row, row.person.name)


# ---------------------------------------------------------------------------------------------------------
# activities


@blp.get("/activities")
@blp.doc(**DOC)
@token_required(*SERVING)
@blp.arguments(s.OrgsPageArgs, location="query")
@blp.response(200, s.OrgsActivityPage)
def activity_list(args):
    rows, more = queries.activities_for(db.session, g.api_user, page=args["page"], per_page=args["per_page"])
    return {"items": [_activity(a) for a in rows], "page": args["page"], "more": more}


@blp.post("/activities")
@blp.doc(**DOC)
@token_required(*SERVING)
@blp.arguments(s.OrgsActivityCreate)
@blp.response(201, s.OrgsActivity)
def activity_create(args):
    """A station posts (open at once); the leader of an approved organisation posts (the station approves)."""
    data = activities.ActivityInput(**{**args, "beneficiary_ids": tuple(args["beneficiary_ids"] or ())})
    act = activities.post(db.session, g.api_user, data, now=clock.now())
    db.session.commit()
    return _activity(act)


@blp.get("/activities/<int:activity_id>")
@blp.doc(**DOC)
@token_required()
@blp.response(200, s.OrgsActivity)
def activity_get(activity_id: int):
    return _activity(activities.load(db.session, g.api_user, activity_id))


def _done(activity_id: int):
    db.session.commit()
    return _activity(activities.load(db.session, g.api_user, activity_id))


@blp.post("/activities/<int:activity_id>/approve")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.response(200, s.OrgsActivity)
def activity_approve(activity_id: int):
    activities.approve(db.session, g.api_user, activity_id, now=clock.now())
    return _done(activity_id)


@blp.post("/activities/<int:activity_id>/signup")
@blp.doc(**DOC)
@token_required("volunteer", "social_worker")
@blp.response(201, s.OrgsSignup)
def activity_signup(activity_id: int):
    """Sign up (members only for an organisation's activity; minors only there; within the capacity)."""
    row = activities.sign_up(db.session, g.api_user, activity_id, now=clock.now(), today=clock.today())
    db.session.commit()
    return _signup(row)


@blp.post("/activities/<int:activity_id>/enrol")
@blp.doc(**DOC)
@token_required()
@blp.arguments(s.OrgsEnrol)
@blp.response(200, s.OrgsTickResult)
def activity_enrol(args, activity_id: int):
    """The leader (or the station) enrols members at once: all or nothing, within the capacity."""
    rows = activities.enrol(db.session, g.api_user, activity_id, args["person_ids"], now=clock.now(),
                            today=clock.today())
    db.session.commit()
    return {"count": len(rows)}


@blp.get("/activities/<int:activity_id>/attendees")
@blp.doc(**DOC)
@token_required()
@blp.arguments(s.OrgsPageArgs, location="query")
@blp.response(200, s.OrgsSignupPage)
def activity_attendees(args, activity_id: int):
    act = activities.load(db.session, g.api_user, activity_id)
    activities.require_runner(g.api_user, act)
    rows, more = queries.attendees(db.session, act.id, page=args["page"], per_page=args["per_page"])
    return {"items": [_signup(r) for r in rows], "page": args["page"], "more": more}


@blp.post("/activities/<int:activity_id>/attendance")
@blp.doc(**DOC)
@token_required()
@blp.arguments(s.OrgsTick)
@blp.response(200, s.OrgsTickResult)
def activity_tick(args, activity_id: int):
    """Bulk check-in or check-out; all or nothing (someone not signed up, a check-out before a check-in)."""
    count = attendance.tick(db.session, g.api_user, activity_id, args["person_ids"], args["action"], at=args["at"],
                            now=clock.now())
    db.session.commit()
    return {"count": count}


@blp.post("/activities/<int:activity_id>/attendees/<int:signup_id>/correction")
@blp.doc(**DOC)
@token_required()
@blp.arguments(s.OrgsCorrection)
@blp.response(200, s.OrgsSignup)
def activity_correct(args, activity_id: int, signup_id: int):
    """Set one attendee's times with a reason; the times before stay in the history."""
    row = attendance.correct(db.session, g.api_user, activity_id, signup_id, now=clock.now(), **args)
    db.session.commit()
    return _signup(row)


@blp.post("/activities/scan")
@blp.doc(**DOC)
@token_required("volunteer", "social_worker")
@blp.arguments(s.OrgsScanArgs)
@blp.response(200, s.OrgsScanResult)
def activity_scan(args):
    """The token of the activity's QR code: checks the signed-up caller in, then out."""
    found = attendance.scan_record(db.session, g.api_user, args["token"], now=clock.now())
    db.session.commit()
    return {"activity_id": found.activity.id, "action": found.action, "at": clock.now()}


@blp.post("/activities/<int:activity_id>/confirm")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.response(200, s.OrgsConfirmResult)
def activity_confirm(activity_id: int):
    """Credit every attendee in one transaction (ledger keys activity:<id>:<person>); twice is a 409."""
    done = committed(db.session, lambda: attendance.confirm(db.session, g.api_user, activity_id, now=clock.now(),
                                                            today=clock.today()))
    return {"activity": _activity(done.activity), "attendees": done.attendees, "minutes": done.minutes,
            "credited_to": done.credited_to}
