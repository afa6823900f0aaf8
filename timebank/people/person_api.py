"""/api/v1 person routes for station staff: read with every role, correct, move, record a death, heirs.
They call the same services as the pages (scoped: outside the caller's subtree is 404)."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from timebank import clock
from timebank.accounts import service as accounts
from timebank.api_auth import BEARER, token_required
from timebank.extensions import db
from timebank.people import corrections, lifecycle, person_queries
from timebank.people.person_schemas import (
    CascadeSchema,
    DeathSchema,
    DispositionSchema,
    HeirsSchema,
    MoveSchema,
    PersonPatchSchema,
    PersonSchema,
)

blp = Blueprint("api_persons", __name__, url_prefix="/api/v1", description="People: roles, corrections, moves, death")
DOC = {"security": [BEARER]}
STAFF = ("station", "admin")
IDENTITY = ("name", "id_number", "reason")


def _person(person_id: int) -> dict:
    person = lifecycle.load_person(db.session, g.api_user, person_id)
    return {"id": person.id, "name": person.name, "id_number_masked": person.id_number_masked,
            "gender": person.gender, "birth_date": person.birth_date, "status": person.status,
            "died_on": person.died_on, "node": person.node, "roles": person_queries.roles_of(db.session, person.id)}


@blp.get("/people/<int:person_id>")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.response(200, PersonSchema)
def person_get(person_id):
    """A person in the caller's subtree with status and every role (volunteer, resident, relative, login)."""
    return _person(person_id)


@blp.patch("/people/<int:person_id>")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(PersonPatchSchema)
@blp.response(200, PersonSchema)
def person_patch(args, person_id):
    """Correct a record (audited before/after). Name and ID number: county admin only, with a reason."""
    fields = {k: v for k, v in args.items() if k not in IDENTITY}
    if fields:
        corrections.edit_person(db.session, g.api_user, person_id, fields, today=clock.today())
    if "name" in args or "id_number" in args:
        accounts.correct_identity(db.session, g.api_user, person_id, name=args.get("name"),
                                  id_number=args.get("id_number"), reason=args.get("reason", ""),
                                  today=clock.today())
    db.session.commit()
    return _person(person_id)


@blp.post("/people/<int:person_id>/move")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(MoveSchema)
@blp.response(200, CascadeSchema)
def person_move(args, person_id):
    """Move to a village in another township (the record goes to that station), or out of the county."""
    if args["left_county"]:
        out = lifecycle.move_away(db.session, g.api_user, person_id, reason=args["reason"], now=clock.now())
    else:
        out = lifecycle.move_person(db.session, g.api_user, person_id, village_id=args["village_id"],
                                    reason=args["reason"], address=args["address"], now=clock.now())
    db.session.commit()
    return out


@blp.post("/people/<int:person_id>/death")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(DeathSchema)
@blp.response(200, CascadeSchema)
def person_death(args, person_id):
    """Record a death (not in the future; once): requests cancelled, seats given back, balance by policy."""
    out = lifecycle.mark_deceased(db.session, g.api_user, person_id, died_on=args["died_on"],
                                  today=clock.today(), now=clock.now())
    db.session.commit()
    return out


@blp.post("/people/<int:person_id>/heirs")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(HeirsSchema)
@blp.response(200, DispositionSchema)
def heirs_propose(args, person_id):
    """Under the 'heirs' policy: name the heirs (verified direct relatives; equal shares)."""
    row = lifecycle.propose_heirs(db.session, g.api_user, person_id, args["heir_ids"], now=clock.now())
    db.session.commit()
    return row


@blp.post("/people/<int:person_id>/heirs/approve")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.response(200, DispositionSchema)
def heirs_approve(person_id):
    """A second staff member (not the proposer) approves; the balance moves to the heirs by ledger transfers."""
    row = lifecycle.approve_heirs(db.session, g.api_user, person_id, now=clock.now())
    db.session.commit()
    return row
