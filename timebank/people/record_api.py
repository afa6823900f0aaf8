"""/api/v1 volunteer record: read (the volunteer their own, staff in their subtree), and for staff the
training, awards, evaluations, insurance and certificates: add, correct, retire; certificate verification.
A volunteer submits their own certificate for checking. Same services as the pages."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.audit.access import log_read
from timebank.extensions import db
from timebank.people import record_service, volunteer_record
from timebank.people.record_schemas import INPUT, OUTPUT, PATCH, RecordRetireSchema, VolunteerRecordSchema

blp = Blueprint("api_record", __name__, url_prefix="/api/v1",
                description="The volunteer record: number, star level, training, awards, evaluations, insurance, "
                            "certificates")
DOC = {"security": [BEARER]}
STAFF = ("station", "admin")
PLURAL = {"training": "trainings", "award": "awards", "evaluation": "evaluations", "insurance": "insurance",
          "certificate": "certificates"}


def _record(profile) -> dict:
    record = volunteer_record.record_of(db.session, profile, today=clock.today())
    codes = {s.id: s.code for s in profile.skills}
    return {
        "person_id": profile.person_id, "name": profile.person.name, "volunteer_no": profile.volunteer_no,
        "stars": record.stars, "star_thresholds_hours": list(record.thresholds),
        "served_minutes": record.served_minutes, "services": record.services,
        "to_next_star_minutes": record.to_next_star, "rated_visits": record.rated,
        "average_rating": record.average_rating, "training_minutes": record.training_minutes,
        "insured_today": record.insured_today,
        "counted_skills": sorted(codes[i] for i in record.counted_skill_ids if i in codes),
        "certified_skills": [{"skill_code": c.skill.code, "state": c.state,
                              "valid_until": c.certificate.valid_until if c.certificate else None}
                             for c in record.claims],
        **{PLURAL[kind]: rows for kind, rows in record.entries.items()},
    }


@blp.get("/me/record")
@blp.doc(**DOC)
@token_required("volunteer", "social_worker")
@blp.response(200, VolunteerRecordSchema)
def record_mine():
    """The caller's own volunteer record (志愿服务记录)."""
    return _record(record_service.load_profile_for(db.session, g.api_user, None))


@blp.get("/volunteers/<int:person_id>/record")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.response(200, VolunteerRecordSchema)
def record_get(person_id):
    """A volunteer's record, for staff of a station whose subtree holds them (outside it: 404); logged."""
    out = _record(record_service.load_profile_for_staff(db.session, g.api_user, person_id))
    log_read(person_id, actor=g.api_user)
    return out


@blp.post("/me/record/certificates")
@blp.doc(**DOC)
@token_required("volunteer", "social_worker")
@blp.arguments(INPUT["certificate"])
@blp.response(201, OUTPUT["certificate"])
def certificate_claim(args):
    """Submit one's own certificate for a skill that needs one; it stays pending (待核验) until staff verify it."""
    row = record_service.claim_certificate(db.session, g.api_user, args, now=clock.now(), today=clock.today())
    db.session.commit()
    return row


@blp.post("/record/certificates/<int:entry_id>/verify")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.response(200, OUTPUT["certificate"])
def certificate_verify(entry_id):
    """Staff checked the certificate (number, issuer, valid until): its skill counts from now until it expires.
    Never one's own; an expired certificate is refused (422); a second verification is 409."""
    row = record_service.verify_certificate(db.session, g.api_user, entry_id, now=clock.now(), today=clock.today())
    db.session.commit()
    return row


def _routes(kind: str) -> None:
    plural = PLURAL[kind]

    def add(args, person_id):
        row = record_service.add_entry(db.session, g.api_user, person_id, kind, args, now=clock.now(),
                                       today=clock.today())
        db.session.commit()
        return row

    def correct(args, entry_id):
        row = record_service.correct_entry(db.session, g.api_user, kind, entry_id, args, now=clock.now(),
                                           today=clock.today())
        db.session.commit()
        return row

    def retire(args, entry_id):
        row = record_service.retire_entry(db.session, g.api_user, kind, entry_id, args["reason"], now=clock.now())
        db.session.commit()
        return row

    add.__doc__ = f"Staff add a {kind} entry to a volunteer's record (in their subtree)."
    correct.__doc__ = f"Staff correct a {kind} entry: only the fields sent change; the whole entry is checked again."
    retire.__doc__ = f"Staff retire a {kind} entry with a reason: it stops counting and stays on the record."
    for func, name in ((add, "add"), (correct, "correct"), (retire, "retire")):
        func.__name__ = f"{kind}_{name}"
    blp.post(f"/volunteers/<int:person_id>/record/{plural}", endpoint=f"{kind}_add")(
        blp.doc(**DOC)(token_required(*STAFF)(blp.arguments(INPUT[kind])(blp.response(201, OUTPUT[kind])(add)))))
    blp.patch(f"/record/{plural}/<int:entry_id>", endpoint=f"{kind}_correct")(
        blp.doc(**DOC)(token_required(*STAFF)(blp.arguments(PATCH[kind])(blp.response(200, OUTPUT[kind])(correct)))))
    blp.post(f"/record/{plural}/<int:entry_id>/retire", endpoint=f"{kind}_retire")(
        blp.doc(**DOC)(token_required(*STAFF)(blp.arguments(RecordRetireSchema)(blp.response(200, OUTPUT[kind])(retire)))))


for _kind in PLURAL:
    _routes(_kind)
