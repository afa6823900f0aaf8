"""/api/v1 station people routes: register a volunteer by a station, reopen a rejection, unlink a relative,
reveal a masked field (logged), and download a person's statement. Same services as the pages."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from timebank import clock
from timebank.accounts import service as accounts
from timebank.api_auth import BEARER, token_required
from timebank.errors import NotFound
from timebank.extensions import db
from timebank.ledger import passbook
from timebank.people import disclosure, review_service
from timebank.people import service as people
from timebank.people import station_volunteers as station
from timebank.people.models import Relative
from timebank.people.schemas import (
    HardshipAddSchema,
    HardshipRenewSchema,
    HardshipStatusSchema,
    PeopleReasonSchema,
    RelativeAddSchema,
    RelativeLinkSchema,
    RelativeRowSchema,
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


@blp.get("/station/residents/<int:resident_id>/relatives")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.response(200, RelativeRowSchema(many=True))
def relative_list(resident_id: int):
    """A resident's relatives, unlinked ones included (with unlinked_at); ID numbers and phones masked."""
    people.load_resident(db.session, g.api_user, resident_id)
    return db.session.scalars(select(Relative).where(Relative.resident_id == resident_id)
                              .order_by(Relative.id)).all()


@blp.post("/station/residents/<int:resident_id>/relatives")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(RelativeAddSchema)
@blp.response(201, RelativeRowSchema)
def relative_add(args, resident_id: int):
    """Link a family member (an existing person by ID number, or a new one); unverified until verified.
    With login_password the relative gets a login (needs a phone)."""
    data = people.RelativeInput(name=args["name"], id_number=args["id_number"], phone=args["phone"] or None,
                                kinship=args["kinship"], login_password=args["login_password"] or None,
                                consent_form_ref=args["consent_form_ref"])
    link = people.add_relative(db.session, g.api_user, resident_id, data, today=clock.today())
    db.session.commit()
    return link


@blp.post("/station/residents/<int:resident_id>/relatives/<int:link_id>/verify")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.response(200, RelativeRowSchema)
def relative_verify(resident_id: int, link_id: int):
    """Verify a relative link after checking the kinship; only then it carries rights."""
    link = people.verify_relative(db.session, g.api_user, resident_id, link_id, now=clock.now())
    db.session.commit()
    return link


@blp.get("/station/residents/<int:resident_id>/statuses")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.response(200, HardshipStatusSchema(many=True))
def status_list(resident_id: int):
    """A resident's hardship statuses with their evidence numbers and review dates."""
    return list(people.load_resident(db.session, g.api_user, resident_id).statuses)


@blp.post("/station/residents/<int:resident_id>/statuses")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(HardshipAddSchema)
@blp.response(201, HardshipStatusSchema)
def status_add(args, resident_id: int):
    """Record a hardship status (one per kind) with its evidence number and review date."""
    status = people.add_hardship_status(db.session, g.api_user, resident_id, kind=args["kind"],
                                        evidence_no=args["evidence_no"], review_date=args["review_date"],
                                        today=clock.today())
    db.session.commit()
    return status


@blp.delete("/station/residents/<int:resident_id>/statuses/<int:status_id>")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.response(204)
def status_delete(resident_id: int, status_id: int):
    """Remove a hardship status that no longer holds."""
    people.remove_hardship_status(db.session, g.api_user, resident_id, status_id, today=clock.today())
    db.session.commit()


@blp.post("/station/residents/<int:resident_id>/statuses/<int:status_id>/renew")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(HardshipRenewSchema)
@blp.response(200, HardshipStatusSchema)
def status_renew(args, resident_id: int, status_id: int):
    """Record a review (复核): the status still holds; sets the next review date (after today)."""
    if review_service.load_status(db.session, g.api_user, status_id).person_id != resident_id:
        raise NotFound()
    status = review_service.renew(db.session, g.api_user, status_id, review_date=args["review_date"],
                                  today=clock.today())
    db.session.commit()
    return status


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
