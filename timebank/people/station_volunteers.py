"""Station work on volunteers and relatives: register a volunteer who has no smartphone (paper consent, approved
in the same step, a login only if wanted), minors with a guardian, reopening a wrong rejection, and unlinking a
wrongly registered relative (the row stays as history and carries no right any more)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts import service as accounts
from timebank.accounts.domain import IdentityError, age_on, normalize_phone
from timebank.accounts.models import OrgNode, Person, User
from timebank.accounts.scope import require_node
from timebank.audit import service as audit
from timebank.errors import Duplicate, InvalidTransition, NotFound, ValidationFailed
from timebank.notify.service import notify
from timebank.people import minors
from timebank.people.models import Availability, Relative, VolunteerProfile
from timebank.people.service import _skills, load_resident, load_volunteer


@dataclass(frozen=True)
class GuardianInput:
    name: str
    id_number: str
    phone: str | None


@dataclass(frozen=True)
class StationVolunteerInput:
    person: accounts.PersonInput  # phone may be None: many older volunteers have no mobile phone
    skill_ids: tuple[int, ...]
    weekly: tuple[tuple[int, int, int], ...]  # (weekday, start minute, end minute), local time
    emergency_contact_name: str
    emergency_contact_phone: str
    consent_form_ref: str
    login_password: str | None = None
    guardian: GuardianInput | None = None
    guardian_consent_ref: str | None = None


def _station_name(actor: User) -> str:
    if actor.station is not None:
        return actor.station.name
    return actor.node.name if actor.node is not None else ""


def _refuse_existing(session, raw_id_number: str, today: date) -> None:
    existing = accounts.find_person_by_id_number(session, raw_id_number, today)
    if existing is not None:
        raise Duplicate(_l("身份证号码 %(masked)s 已经登记过，请在已有记录上操作，不要重复登记。",
                           masked=existing.id_number_masked), field="id_number")


def _guardian(session, data: StationVolunteerInput, node: OrgNode, today: date) -> Person:
    if data.guardian is None or not (data.guardian.id_number or "").strip():
        raise ValidationFailed(_l("未成年人须由监护人陪同登记，请填写监护人身份证号码"), field="guardian_id_number")
    if not (data.guardian_consent_ref or "").strip():
        raise ValidationFailed(_l("请填写监护人书面同意书编号"), field="guardian_consent_ref")
    try:
        guardian = accounts.find_person_by_id_number(session, data.guardian.id_number, today)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="guardian_id_number") from None
    if guardian is None:
        try:
            guardian = accounts.create_person(session, accounts.PersonInput(
                name=data.guardian.name, id_number=data.guardian.id_number, phone=data.guardian.phone,
                address=None, node_id=node.id), today)
        except ValidationFailed as error:
            raise ValidationFailed(error.message, field=f"guardian_{error.field}") from None
    if age_on(guardian.birth_date, today) < minors.GUARDIAN_MIN_AGE:
        raise ValidationFailed(_l("监护人须年满18周岁"), field="guardian_id_number")
    return guardian


def _emergency_phone(raw: str, own_phone: str | None) -> str:
    try:
        phone = normalize_phone(raw)
    except IdentityError:
        raise ValidationFailed(_l("请填写紧急联系人的11位手机号码"), field="emergency_contact_phone") from None
    if own_phone and phone == own_phone:
        raise ValidationFailed(_l("紧急联系人不能是本人"), field="emergency_contact_phone")
    return phone


def register_volunteer(session, actor: User, data: StationVolunteerInput, *, today: date,
                       now: datetime) -> VolunteerProfile:
    """A station registers a volunteer in its subtree from a paper form: approved at once, by this station."""
    node = session.get(OrgNode, data.person.node_id)
    require_node(actor, node)
    id_number, phone = accounts.parse_person(data.person, today)
    _refuse_existing(session, id_number.value, today)
    consent = (data.consent_form_ref or "").strip()
    if not consent:
        raise ValidationFailed(_l("请填写纸质知情同意书编号"), field="consent_form_ref")
    if not (data.emergency_contact_name or "").strip():
        raise ValidationFailed(_l("请填写紧急联系人姓名"), field="emergency_contact_name")
    emergency = _emergency_phone(data.emergency_contact_phone, phone)
    for weekday, start, end in data.weekly:
        if not (0 <= weekday <= 6 and 0 <= start < end <= 1440):
            raise ValidationFailed(_l("可服务时间的结束须晚于开始"), field="weekly")
    if data.login_password:
        if phone is None:
            raise ValidationFailed(_l("开通登录需要本人的手机号"), field="phone")
        accounts.check_password(data.login_password, phone, id_number.value)
    skills = _skills(session, data.skill_ids)
    guardian = None
    if minors.is_minor(id_number.birth_date, today, minors.depositor_min_age(session)):
        guardian = _guardian(session, data, node, today)
        if guardian.id_number_hash == accounts.crypto.lookup_hash(id_number.value):
            raise ValidationFailed(_l("监护人不能是本人"), field="guardian_id_number")
    person = accounts.create_person(session, data.person, today)
    profile = VolunteerProfile(
        person=person, status="approved", skills=skills, emergency_contact_name=data.emergency_contact_name.strip(),
        emergency_contact_phone=emergency, reviewed_by_id=actor.id, reviewed_at=now, registered_by_id=actor.id,
        consent_form_ref=consent[:60], guardian_person_id=guardian.id if guardian else None,
        guardian_consent_ref=(data.guardian_consent_ref or "").strip()[:60] or None if guardian else None,
        availability=[Availability(weekday=w, start_minute=s, end_minute=e) for w, s, e in sorted(data.weekly)],
    )
    session.add(profile)
    if data.login_password:
        accounts.create_user(session, password=data.login_password, roles=("volunteer",), phone=phone,
                             person=person)
    session.flush()
    from timebank.people.volunteer_record import assign_number

    assign_number(session, profile, now=now)
    audit.record(session, "volunteer_register_station", actor_id=actor.id, target=f"person:{person.id}",
                 detail="minor" if guardian else None)
    return profile


def reopen_volunteer(session, actor: User, person_id: int, *, reason: str, now: datetime) -> VolunteerProfile:
    """A wrongly rejected volunteer goes back to pending for a normal review; the volunteer is told."""
    profile = load_volunteer(session, actor, person_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("请填写重新审核的原因"), field="reason")
    if profile.status != "rejected":
        raise InvalidTransition(_l("只有未通过审核的志愿者可以重新审核"))
    before = (profile.status, profile.review_reason)
    profile.status, profile.review_reason = "pending", None
    profile.reviewed_by_id, profile.reviewed_at = None, None
    audit.record(session, "volunteer_reopen", actor_id=actor.id, target=f"person:{person_id}", detail=reason[:300],
                 changes={"status": (before[0], "pending"), "review_reason": (before[1], None)})
    user = profile.person.user
    if user is not None:
        notify(session, user.id, "volunteer_reopened", {"station": _station_name(actor), "reason": reason[:200]},
               link="/me", now=now)
    session.flush()
    return profile


def unlink_relative(session, actor: User, resident_id: int, link_id: int, *, reason: str,
                    now: datetime) -> Relative:
    """A wrong relative link stops carrying rights (gifts, proxy posting, confirming); the row stays as history."""
    load_resident(session, actor, resident_id)
    link = session.get(Relative, link_id)
    if link is None or link.resident_id != resident_id:
        raise NotFound()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("请填写解除关系的原因"), field="reason")
    if link.unlinked_at is not None:
        raise InvalidTransition(_l("该家属关系已解除"))
    before_verified = link.verified
    link.unlinked_at, link.unlinked_by_id, link.unlink_reason = now, actor.id, reason[:300]
    link.verified, link.verified_by_id, link.verified_at = False, None, None  # relinking needs a new check
    audit.record(session, "relative_unlink", actor_id=actor.id, target=f"person:{resident_id}",
                 detail=reason[:300], changes={"relative_person_id": (link.relative_id, link.relative_id),
                                               "verified": (before_verified, False),
                                               "unlinked": (False, True)})
    session.flush()
    return link


def relink(session, link: Relative, kinship: str) -> Relative:
    """The same person linked again: the old row is reactivated and must be verified again."""
    if link.unlinked_at is None:
        raise Duplicate(_l("该家属已登记"), field="id_number")
    link.unlinked_at, link.unlinked_by_id, link.unlink_reason = None, None, None
    link.verified, link.verified_by_id, link.verified_at = False, None, None
    link.kinship = kinship
    return link


def active_links():
    """WHERE clause: relative links that still carry rights (verified and not unlinked)."""
    return Relative.verified.is_(True) & Relative.unlinked_at.is_(None)


def guardian_of(session, profile: VolunteerProfile) -> Person | None:
    if profile.guardian_person_id is None:
        return None
    return session.scalar(select(Person).where(Person.id == profile.guardian_person_id))
