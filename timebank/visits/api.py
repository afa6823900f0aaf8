"""/api/v1 visit routes: post, read, take, give back, scan, record by hand, confirm, dispute, resolve, cancel.
Each calls the same service as the pages."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.extensions import db
from timebank.visits import disclosure, elder_confirm, onsite, queries, review, settle, take_options
from timebank.visits import rules as visit_rules
from timebank.visits import service as visits
from timebank.visits.schemas import (
    ConfirmSchema,
    ElderConfirmSchema,
    ErrorBodySchema,
    ExclusionCreateSchema,
    ExclusionListSchema,
    ExclusionSchema,
    PageArgsSchema,
    PhoneConfirmSchema,
    ReasonSchema,
    RecordSchema,
    RequestCreateSchema,
    RequestListSchema,
    RequestSchema,
    ResolveSchema,
    ReviewQueueSchema,
    ReviewSchema,
    ScanSchema,
    StartOptionsSchema,
    TakeSchema,
    VolunteerRefSchema,
)

blp = Blueprint("api_visits", __name__, url_prefix="/api/v1", description="Service requests and visits")
DOC = {"security": [BEARER]}


def _done(request_id: int):
    db.session.commit()
    return _shown(visits.load(db.session, g.api_user, request_id))


def _shown(req):
    """Every request leaves the API through least disclosure, like the pages."""
    return disclosure.as_dict(db.session, g.api_user, req)


@blp.post("/visits")
@blp.doc(**DOC)
@token_required()
@blp.arguments(RequestCreateSchema)
@blp.response(201, RequestListSchema)
@blp.alt_response(422, schema=ErrorBodySchema, description="refused, nothing created: bad input, a pool the "
                  "resident may not use, the redemption rule (age, spouse, relative) or the balance")
def request_create(args):
    """Post a request (a weekly series returns one request per occurrence).

    Who pays is checked here: with payer `own` the paying account (the resident's, or with
    `paid_by_person_id` the caller's own for a verified spouse or direct relative) must meet the redemption
    rule in force and hold enough minutes. A post by anyone but station staff paid by the government
    backstop or a charity's pool is created in status `review` and opens only after station review.
    """
    data = visits.RequestInput(**{**args, "skill_ids": tuple(args["skill_ids"]) if args["skill_ids"] else None})
    created = visits.post_request(db.session, g.api_user, data, now=clock.now(), today=clock.today())
    db.session.commit()
    return {"items": [_shown(req) for req in created]}


@blp.get("/visits/<int:request_id>")
@blp.doc(**DOC)
@token_required()
@blp.response(200, RequestSchema)
def request_get(request_id):
    return _shown(visits.load(db.session, g.api_user, request_id))


@blp.get("/me/tasks")
@blp.doc(**DOC)
@token_required("volunteer", "social_worker")
@blp.response(200, RequestListSchema)
def my_tasks():
    """The caller's seats' requests: to check in now, upcoming, to be confirmed, recently settled."""
    tolerance = visit_rules.current(db.session).checkin_tolerance_minutes
    groups = queries.my_tasks(db.session, g.api_user, now=clock.now(), tolerance=tolerance)
    return {"items": [_shown(req) for group in groups.values() for _seat, req in group]}


@blp.post("/visits/<int:request_id>/take")
@blp.doc(**DOC)
@token_required()
@blp.arguments(TakeSchema)
@blp.response(200, RequestSchema)
def take(args, request_id):
    """Take a seat (a volunteer for themselves; station staff pass volunteer_id to assign)."""
    visits.take_seat(db.session, g.api_user, request_id, volunteer_id=args["volunteer_id"], start=args["start"],
                     now=clock.now(), today=clock.today())
    return _done(request_id)


@blp.get("/visits/<int:request_id>/start-options")
@blp.doc(**DOC)
@token_required()
@blp.response(200, StartOptionsSchema)
def start_options(request_id):
    """When the caller could come: every start in the window that fits them, earliest first (take with one)."""
    req = visits.load(db.session, g.api_user, request_id)
    if g.api_user.person_id is None:
        return {"items": [], "reason": None, "message": None}
    items, reason = take_options.start_options(db.session, g.api_user.person_id, req)
    return {"items": items, "reason": reason, "message": str(visits.MESSAGES[reason]) if reason else None}


@blp.post("/visits/<int:request_id>/give-back")
@blp.doc(**DOC)
@token_required()
@blp.arguments(VolunteerRefSchema)
@blp.response(200, RequestSchema)
def give_back(args, request_id):
    visits.give_back(db.session, g.api_user, request_id, volunteer_id=args["volunteer_id"], now=clock.now())
    return _done(request_id)


@blp.post("/visits/<int:request_id>/no-show")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(VolunteerRefSchema)
@blp.response(200, RequestSchema)
def no_show(args, request_id):
    visits.no_show(db.session, g.api_user, request_id, args["volunteer_id"] or 0, now=clock.now())
    return _done(request_id)


@blp.post("/visits/scan")
@blp.doc(**DOC)
@token_required()
@blp.arguments(ScanSchema)
@blp.response(200, RequestSchema)
def scan(args):
    """The volunteer scanned a resident's card: check in or out now."""
    found = onsite.scan_record(db.session, g.api_user, args["token"], now=clock.now())
    return _done(found.request.id)


@blp.post("/visits/<int:request_id>/record")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(RecordSchema)
@blp.response(200, RequestSchema)
def record(args, request_id):
    """Station staff record a check-in or check-out by hand, with a reason."""
    onsite.record(db.session, g.api_user, request_id, args["volunteer_id"], args["action"], at=args["at"],
                  reason=args["reason"], now=clock.now())
    return _done(request_id)


@blp.post("/visits/<int:request_id>/confirm")
@blp.doc(**DOC)
@token_required()
@blp.arguments(ConfirmSchema)
@blp.response(200, RequestSchema)
def confirm(args, request_id):
    settle.confirm(db.session, g.api_user, request_id, rating=args["rating"], comment=args["comment"],
                   now=clock.now(), today=clock.today())
    return _done(request_id)


@blp.post("/visits/<int:request_id>/elder-confirm")
@blp.doc(**DOC)
@token_required("volunteer", "social_worker")
@blp.arguments(ElderConfirmSchema)
@blp.response(200, RequestSchema)
def elder_confirm_(args, request_id):
    """The person served confirms on the phone of a volunteer holding a seat, with the code printed on their
    service card or a drawn signature. satisfied=false opens a dispute. A wrong code answers 422
    (wrong_card_code, details.tries_left); after five wrong codes, 403 too_many_tries."""
    answer = elder_confirm.ElderAnswer(satisfied=args["satisfied"], code=args["code"], signature=args["signature"],
                                       note=args["note"])
    try:
        elder_confirm.confirm_on_phone(db.session, g.api_user, request_id, answer, now=clock.now(),
                                       today=clock.today())
    except (elder_confirm.WrongCardCode, elder_confirm.TooManyTries):
        db.session.commit()  # the wrong try stays counted
        raise
    return _done(request_id)


@blp.post("/visits/<int:request_id>/phone-confirm")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(PhoneConfirmSchema)
@blp.response(200, RequestSchema)
def phone_confirm(args, request_id):
    """The station phoned the person served (or their family): who answered, satisfied or not."""
    elder_confirm.confirm_by_phone(db.session, g.api_user, request_id, answered_by=args["answered_by"],
                                   satisfied=args["satisfied"], note=args["note"], now=clock.now(),
                                   today=clock.today())
    return _done(request_id)


@blp.post("/visits/<int:request_id>/dispute")
@blp.doc(**DOC)
@token_required()
@blp.arguments(ReasonSchema)
@blp.response(200, RequestSchema)
def dispute(args, request_id):
    settle.dispute(db.session, g.api_user, request_id, reason=args["reason"], now=clock.now())
    return _done(request_id)


@blp.post("/visits/<int:request_id>/resolve")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(ResolveSchema)
@blp.response(200, RequestSchema)
def resolve(args, request_id):
    settle.resolve(db.session, g.api_user, request_id, outcome=args["outcome"], minutes=args["minutes"],
                   reason=args["reason"], now=clock.now(), today=clock.today())
    return _done(request_id)


@blp.post("/visits/<int:request_id>/cancel")
@blp.doc(**DOC)
@token_required()
@blp.arguments(ReasonSchema)
@blp.response(200, RequestSchema)
def cancel(args, request_id):
    visits.cancel(db.session, g.api_user, request_id, reason=args["reason"], now=clock.now())
    return _done(request_id)


@blp.get("/visits/review")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ReviewQueueSchema)
def awaiting(args):
    """Requests waiting for station review in the caller's subtree (30 a page, oldest first)."""
    rows, total = review.queue(db.session, g.api_user, page=args["page"])
    return {"items": [_shown(req) for req in rows], "total": total, "page": args["page"]}


@blp.post("/visits/<int:request_id>/approve")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(ReviewSchema)
@blp.response(200, RequestSchema)
def approve(args, request_id):
    """Approve a request in review: it opens for volunteers and matching."""
    review.approve(db.session, g.api_user, request_id, reason=args["reason"], now=clock.now())
    return _done(request_id)


@blp.post("/visits/<int:request_id>/reject")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.arguments(ReviewSchema)
@blp.response(200, RequestSchema)
@blp.alt_response(422, schema=ErrorBodySchema, description="a reason is required")
def reject(args, request_id):
    """Reject a request in review with a reason: it is cancelled and the poster is notified."""
    review.reject(db.session, g.api_user, request_id, reason=args["reason"] or "", now=clock.now())
    return _done(request_id)


@blp.get("/residents/<int:resident_id>/exclusions")
@blp.doc(**DOC)
@token_required()
@blp.response(200, ExclusionListSchema)
def exclusions(resident_id):
    """Volunteers no longer sent to this resident (station staff, the resident, verified relatives)."""
    return {"items": visits.exclusions_for(db.session, g.api_user, resident_id)}


@blp.post("/residents/<int:resident_id>/exclusions")
@blp.doc(**DOC)
@token_required()
@blp.arguments(ExclusionCreateSchema)
@blp.response(201, ExclusionSchema)
@blp.alt_response(422, schema=ErrorBodySchema, description="a reason is required")
def exclusion_create(args, resident_id):
    """换人: stop sending this volunteer to this resident (station staff; the resident or a verified
    relative after the volunteer served them). Take-seat and matching respect it."""
    row = visits.add_exclusion(db.session, g.api_user, resident_id, args["volunteer_id"], reason=args["reason"],
                               now=clock.now())
    db.session.commit()
    return row


@blp.delete("/residents/<int:resident_id>/exclusions/<int:exclusion_id>")
@blp.doc(**DOC)
@token_required("station", "admin")
@blp.response(204)
def exclusion_delete(resident_id, exclusion_id):
    """Station staff lift an exclusion."""
    visits.remove_exclusion(db.session, g.api_user, exclusion_id, resident_id=resident_id)
    db.session.commit()
