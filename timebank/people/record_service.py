"""Writes on the volunteer record: staff (station in subtree, county admin) add, correct and retire training,
awards, evaluations, insurance and skill certificates, and verify certificates; a volunteer may submit their
own certificate for checking (it stays 待核验). Services flush; the shell commits. Bad input changes nothing."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import Person, User
from timebank.accounts.scope import load_scoped
from timebank.audit import service as audit
from timebank.catalog.models import Skill
from timebank.errors import Conflict, Forbidden, NotFound, NotInScope, ValidationFailed
from timebank.people import record_domain
from timebank.people.models import VolunteerProfile
from timebank.people.volunteer_record import MODELS

STAFF = ("station", "admin")
MESSAGES = {
    "required": _l("请填写此项"),
    "length": _l("内容太长"),
    "range": _l("数值超出范围"),
    "choice": _l("请从列表中选择"),
    "date": _l("请填写日期"),
    "future": _l("日期不能晚于今天"),
    "span": _l("保险止期不能早于起期"),
    "skill": _l("请选择需要证书的技能"),
    "expired": _l("证书已过有效期，不能核验"),
    "retired": _l("该记录已撤销，不能再修改"),
    "verified": _l("该证书已核验"),
    "reason": _l("请填写撤销原因"),
    "own": _l("不能核验或修改自己的记录"),
}
FIELD_MESSAGES = {("minutes", "range"): _l("培训时长应在1到60000分钟之间"),
                  ("rating", "range"): _l("评分应为1到5分")}


def _invalid(field: str, reason: str) -> ValidationFailed:
    return ValidationFailed(FIELD_MESSAGES.get((field, reason), MESSAGES[reason]), field=field, reason=reason)


def load_profile_for_staff(session, actor: User, person_id: int) -> VolunteerProfile:
    """The volunteer in the staff member's subtree (outside it: 404); other roles: 403."""
    if not actor.has_role(*STAFF):
        raise Forbidden()
    stmt = select(VolunteerProfile).join(VolunteerProfile.person).where(VolunteerProfile.person_id == person_id)
    return load_scoped(session, stmt, actor, Person.node_id)


def load_profile_for(session, actor: User, person_id: int | None) -> VolunteerProfile:
    """The record a person may read: their own (person_id None or their own id), or one in a staff subtree."""
    if person_id is None or person_id == actor.person_id:
        profile = session.get(VolunteerProfile, actor.person_id) if actor.person_id else None
        if profile is None:
            raise NotFound(_l("您还没有志愿者资料"))
        return profile
    return load_profile_for_staff(session, actor, person_id)


def _check_skill(session, kind: str, values: dict) -> None:
    if kind == "certificate":
        skill = session.get(Skill, values["skill_id"])
        if skill is None or not skill.needs_certificate:
            raise _invalid("skill_id", "skill")


def add_entry(session, actor: User, person_id: int, kind: str, data: dict, *, now: datetime, today: date):
    """Staff add an entry (a certificate added by staff still needs the verify step)."""
    profile = load_profile_for_staff(session, actor, person_id)
    if profile.person_id == actor.person_id:
        raise Forbidden(MESSAGES["own"])
    values, problem = record_domain.clean_entry(kind, data, today)
    if problem:
        raise _invalid(*problem)
    _check_skill(session, kind, values)
    row = MODELS[kind](person_id=profile.person_id, created_by_id=actor.id, created_at=now, **values)
    session.add(row)
    session.flush()
    audit.record(session, f"record_{kind}_add", actor_id=actor.id, target=f"volunteer_record:{person_id}",
                 detail=f"{kind}:{row.id}")
    return row


def claim_certificate(session, actor: User, data: dict, *, now: datetime, today: date):
    """A volunteer submits their own certificate for a skill that needs one: it stays 待核验 until staff check it."""
    profile = load_profile_for(session, actor, None)
    values, problem = record_domain.clean_entry("certificate", data, today)
    if problem:
        raise _invalid(*problem)
    _check_skill(session, "certificate", values)
    row = MODELS["certificate"](person_id=profile.person_id, created_by_id=actor.id, created_at=now, **values)
    session.add(row)
    session.flush()
    audit.record(session, "record_certificate_claim", actor_id=actor.id,
                 target=f"volunteer_record:{profile.person_id}", detail=f"certificate:{row.id}")
    return row


def load_entry(session, actor: User, kind: str, entry_id: int):
    """An entry of a volunteer in the staff member's subtree (outside it, or missing: 404)."""
    row = session.get(MODELS[kind], entry_id)
    if row is None:
        raise NotInScope()
    load_profile_for_staff(session, actor, row.person_id)
    if row.person_id == actor.person_id:
        raise Forbidden(MESSAGES["own"])
    return row


def correct_entry(session, actor: User, kind: str, entry_id: int, data: dict, *, now: datetime, today: date):
    """Staff correct an entry: the fields sent replace the old values (checked as a whole); audited."""
    row = load_entry(session, actor, kind, entry_id)
    if row.retired_at is not None:
        raise Conflict(MESSAGES["retired"], reason="retired")
    merged = {name: getattr(row, name) for name in record_domain.FIELDS[kind]}
    merged.update({k: v for k, v in data.items() if k in record_domain.FIELDS[kind]})
    values, problem = record_domain.clean_entry(kind, merged, today)
    if problem:
        raise _invalid(*problem)
    _check_skill(session, kind, values)
    changes = {k: (getattr(row, k), v) for k, v in values.items() if getattr(row, k) != v}
    for name, (_before, after) in changes.items():
        setattr(row, name, after)
    if changes:
        row.corrected_by_id, row.corrected_at = actor.id, now
        audit.record(session, f"record_{kind}_correct", actor_id=actor.id,
                     target=f"volunteer_record:{row.person_id}", detail=f"{kind}:{row.id}", changes=changes)
    session.flush()
    return row


def retire_entry(session, actor: User, kind: str, entry_id: int, reason: str | None, *, now: datetime):
    """Staff retire a wrong or ended entry with a reason: it stops counting, and stays on the record."""
    row = load_entry(session, actor, kind, entry_id)
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise _invalid("reason", "reason")
    if row.retired_at is not None:
        raise Conflict(MESSAGES["retired"], reason="retired")
    row.retired_by_id, row.retired_at, row.retire_reason = actor.id, now, reason
    audit.record(session, f"record_{kind}_retire", actor_id=actor.id, target=f"volunteer_record:{row.person_id}",
                 detail=f"{kind}:{row.id}")
    session.flush()
    return row


def verify_certificate(session, actor: User, certificate_id: int, *, now: datetime, today: date):
    """Staff checked the certificate itself (number, issuer, valid until): from now on its skill counts."""
    row = load_entry(session, actor, "certificate", certificate_id)
    if row.retired_at is not None:
        raise Conflict(MESSAGES["retired"], reason="retired")
    if row.status == "verified":
        raise Conflict(MESSAGES["verified"], reason="verified")
    if row.valid_until < today:
        raise _invalid("valid_until", "expired")
    row.status, row.verified_by_id, row.verified_at = "verified", actor.id, now
    row.expiry_notified_on = None
    audit.record(session, "record_certificate_verify", actor_id=actor.id,
                 target=f"volunteer_record:{row.person_id}", detail=f"certificate:{row.id}")
    session.flush()
    return row


def notify_expired_certificates(session, *, now: datetime, today: date) -> int:
    """Tell each volunteer once that a verified certificate has expired (the daily job; idempotent)."""
    from timebank.notify.service import notify
    from timebank.people.record_models import SkillCertificate

    rows = list(session.scalars(select(SkillCertificate).where(
        SkillCertificate.status == "verified", SkillCertificate.retired_at.is_(None),
        SkillCertificate.valid_until < today, SkillCertificate.expiry_notified_on.is_(None))
        .order_by(SkillCertificate.id)))
    told = 0
    for row in rows:
        user = session.scalar(select(User).where(User.person_id == row.person_id))
        if user is not None and user.active:
            notify(session, user.id, "certificate_expired",
                   {"skill": row.skill.name_zh, "skill_en": row.skill.name_en, "number": row.certificate_no,
                    "day": row.valid_until.isoformat()}, link="/me/record", now=now)
            told += 1
        row.expiry_notified_on = today
    session.flush()
    return told
