"""/api/v1 station people routes: register a volunteer by a station, reopen a rejection, unlink a relative,
reveal a masked field (logged), and download a person's statement. Same services as the pages."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from timebank import clock
from timebank.accounts import service as accounts
from timebank.api_auth import BEARER, token_required
from timebank.extensions import db
from timebank.ledger import passbook
from timebank.people import disclosure
from timebank.people import station_volunteers as station
from timebank.people.schemas import (
    PeopleReasonSchema,
    RelativeLinkSchema,
    RevealedSchema,
    RevealRequestSchema,
    StatementFormatSchema,
    StationVolunteerSchema,
    VolunteerStateSchema,
)
from timebank.web import client_ip

blp = Blueprint("api_people", __name__, url_prefix="/api/v1",
                description="Station work on people: registration, reopening, unlinking, reveals, statements")
DOC = {"security": [BEARER]}
STAFF = ("station", "admin")


@blp.post("/station/volunteers")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(StationVolunteerSchema)
@blp.response(201, VolunteerStateSchema)
def volunteer_register(args):
    """Register a volunteer from a paper form (no smartphone needed); approved in the same step. Under the
    policy's depositor age a guardian (by ID number) and the guardian's consent reference are required."""
    guardian = args["guardian"]
    data = station.StationVolunteerInput(
        person=accounts.PersonInput(name=args["name"], id_number=args["id_number"], phone=args["phone"],
                                    address=args["address"], node_id=args["village_id"]),
        skill_ids=tuple(args["skill_ids"]),
        weekly=tuple((s["weekday"], s["start_minute"], s["end_minute"]) for s in args["weekly"]),
        emergency_contact_name=args["emergency_contact_name"],
        emergency_contact_phone=args["emergency_contact_phone"], consent_form_ref=args["consent_form_ref"],
        login_password=args["login_password"],
        guardian=station.GuardianInput(**guardian) if guardian else None,
        guardian_consent_ref=args["guardian_consent_ref"])
    profile = station.register_volunteer(db.session, g.api_user, data, today=clock.today(), now=clock.now())
    db.session.commit()
    return profile


@blp.post("/station/volunteers/<int:person_id>/reopen")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(PeopleReasonSchema)
@blp.response(200, VolunteerStateSchema)
def volunteer_reopen(args, person_id: int):
    """Send a rejected volunteer back to pending review (a reason is required; the volunteer is told)."""
    profile = station.reopen_volunteer(db.session, g.api_user, person_id, reason=args["reason"], now=clock.now())
    db.session.commit()
    return profile


@blp.post("/station/residents/<int:resident_id>/relatives/<int:link_id>/unlink")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(PeopleReasonSchema)
@blp.response(200, RelativeLinkSchema)
def relative_unlink(args, resident_id: int, link_id: int):
    """Unlink a wrongly registered relative: the link stays as history and carries no right any more."""
    link = station.unlink_relative(db.session, g.api_user, resident_id, link_id, reason=args["reason"],
                                   now=clock.now())
    db.session.commit()
    return link


@blp.post("/people/<int:person_id>/reveal")
@blp.doc(**DOC)
@token_required()
@blp.arguments(RevealRequestSchema)
@blp.response(200, RevealedSchema)
def person_reveal(args, person_id: int):
    """Show a masked phone or emergency contact in full; writes one access event (who, whose, when, why).
    Staff in scope; a volunteer only the phone of a resident they hold an active seat for."""
    shown = disclosure.reveal(db.session, g.api_user, person_id, args["field"], reason=args["reason"],
                              ip=client_ip())
    db.session.commit()
    g.no_store = True  # the full value must not be cached anywhere
    return shown


@blp.get("/station/accounts/<int:person_id>/statement")
@blp.doc(**DOC, responses={"200": {"description": "the statement file", "content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
    "text/csv": {}}}})
@token_required(*STAFF)
@blp.arguments(StatementFormatSchema, location="query")
def statement_download(args, person_id: int):
    """Download a person's statement as .xlsx (default) or CSV; logged as an export."""
    from timebank.ledger.passbook_views import download

    book = passbook.load(db.session, g.api_user, person_id)
    response = download(book, args["format"])
    passbook.log_access(db.session, g.api_user, book.person.id, "export", field=f"statement_{args['format']}",
                        ip=client_ip())
    db.session.commit()
    return response
