"""Writes for volunteers and residents: sign-up, review, registration, statuses, relatives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts import service as accounts
from timebank.accounts.models import OrgNode, Person, User, UserRole
from timebank.accounts.scope import load_scoped, require_node, scope_path
from timebank.audit import service as audit
from timebank.catalog.models import Skill
from timebank.errors import Duplicate, InvalidTransition, NotFound, ValidationFailed
from timebank.notify.service import notify
from timebank.people import domain, minors
from timebank.people.models import Availability, HardshipStatus, Relative, ResidentProfile, VolunteerProfile
from timebank.privacy.consent import consent_fields


@dataclass(frozen=True)
class SignupInput:
    person: accounts.PersonInput
    password: str
    skill_ids: tuple[int, ...]
    emergency_contact_name: str
    emergency_contact_phone: str
    privacy_consent: bool
    weekly: tuple[tuple[int, int, int], ...] = ()  # (weekday, start minute, end minute), county time


def signup_volunteer(session, data: SignupInput, *, today: date, now: datetime, ip: str | None = None) -> User | None:
    """A resident signs up: person + login + pending volunteer profile, all or nothing. When the ID number
    or phone is already registered nothing is created (None) and the registered person is told instead."""
    if not data.privacy_consent:
        raise ValidationFailed(_l("请阅读并同意隐私声明"), field="privacy_consent")
    id_number, phone = accounts.parse_person(data.person, today)
    if phone is None:
        raise accounts.identity_error("phone_format", "phone")
    min_age = minors.depositor_min_age(session)
    if domain.signup_problem(id_number.birth_date, today, min_age):
        raise ValidationFailed(
            _l("年满%(age)s周岁才能独立注册志愿者。未满%(age)s周岁的请由监护人陪同到所在社工站登记，"
               "参加集体志愿活动。", age=min_age),
            field="id_number",
        )
    try:
        emergency_phone = accounts.domain.normalize_phone(data.emergency_contact_phone)
    except accounts.domain.IdentityError:
        raise ValidationFailed(_l("请填写紧急联系人的11位手机号码"), field="emergency_contact_phone") from None
    if emergency_phone == phone:
        raise ValidationFailed(_l("紧急联系人不能是本人"), field="emergency_contact_phone")
    if not (data.emergency_contact_name or "").strip():
        raise ValidationFailed(_l("请填写紧急联系人姓名"), field="emergency_contact_name")
    accounts.check_password(data.password, phone, id_number.value)
    for weekday, start, end in data.weekly:
        if not (0 <= weekday <= 6 and 0 <= start < end <= 1440):
            raise ValidationFailed(_l("可服务时间的结束须晚于开始"), field="weekly")
    skills = _skills(session, data.skill_ids)
    if accounts.handle_duplicate_signup(session, id_number.value, phone, data.password, now=now, ip=ip):
        return None
    person = accounts.create_person(session, data.person, today)
    user = accounts.create_user(session, password=data.password, roles=("volunteer",), phone=phone,
                                person=person)
    user.privacy_version = current_app.config["TIMEBANK_PRIVACY_NOTICE_VERSION"]
    user.privacy_accepted_at = now
    profile = VolunteerProfile(person=person, status="pending", skills=skills,
                               emergency_contact_name=data.emergency_contact_name.strip(),
                               emergency_contact_phone=emergency_phone,
                               availability=[Availability(weekday=w, start_minute=s, end_minute=e)
                                             for w, s, e in sorted(data.weekly)])
    session.add(profile)
    session.flush()
    audit.record(session, "volunteer_signup", actor_id=user.id, target=f"person:{person.id}")
    return user


def _skills(session, skill_ids) -> list[Skill]:
    ids = sorted(set(skill_ids))
    skills = list(session.scalars(select(Skill).where(Skill.id.in_(ids)))) if ids else []
    if len(skills) != len(ids):
        raise ValidationFailed(_l("所选技能不存在"), field="skills")
    return skills


def load_volunteer(session, actor: User, person_id: int) -> VolunteerProfile:
    stmt = select(VolunteerProfile).join(VolunteerProfile.person).where(VolunteerProfile.person_id == person_id)
    return load_scoped(session, stmt, actor, Person.node_id)


def review_volunteer(session, actor: User, person_id: int, *, approve: bool, reason: str | None,
                     now: datetime) -> VolunteerProfile:
    """A station user in scope approves or rejects a pending volunteer (a reason is required to reject)."""
    profile = load_volunteer(session, actor, person_id)
    if profile.status != "pending":
        raise InvalidTransition(_l("该志愿者已审核过"))
    reason = (reason or "").strip() or None
    if not approve and not reason:
        raise ValidationFailed(_l("不通过时请填写原因"), field="reason")
    profile.status = "approved" if approve else "rejected"
    profile.review_reason = reason
    profile.reviewed_by_id = actor.id
    profile.reviewed_at = now
    if approve:
        from timebank.people.volunteer_record import assign_number

        assign_number(session, profile, now=now)
    audit.record(session, "volunteer_approve" if approve else "volunteer_reject", actor_id=actor.id,
                 target=f"person:{person_id}")
    user = profile.person.user
    if user is not None:
        station = actor.station.name if actor.station is not None else (actor.node.name if actor.node else "")
        notify(session, user.id, "volunteer_approved" if approve else "volunteer_rejected",
               {"station": station, "reason": reason or ""}, link="/me", now=now)
    return profile


@dataclass(frozen=True)
class ResidentInput:
    person: accounts.PersonInput
    living_situation: str
    disability_grade: int
    consent_form_ref: str | None
    notes: str | None = None


class PersonExists(Duplicate):
    """The ID number belongs to a person in the actor's subtree: the station confirms it is the same person."""

    code = "person_exists"


def register_resident(session, actor: User, data: ResidentInput, *, today: date,
                      confirm_person_id: int | None = None) -> ResidentProfile:
    """Register a resident. When the ID number is already a person (a volunteer, a relative) in the actor's
    subtree, the station confirms it is the same person (`confirm_person_id`) and the resident profile is
    added to that person: one person, one ledger account, many roles."""
    node = session.get(OrgNode, data.person.node_id)
    require_node(actor, node)
    if data.living_situation not in domain.LIVING_SITUATIONS:
        raise ValidationFailed(_l("请选择居住情况"), field="living_situation")
    if data.disability_grade not in domain.DISABILITY_GRADES:
        raise ValidationFailed(_l("残疾等级无效"), field="disability_grade")
    accounts.parse_person(data.person, today)
    person = accounts.find_person_by_id_number(session, data.person.id_number, today)
    if person is None:
        person = accounts.create_person(session, data.person, today)
        detail = None
    else:
        _check_existing(session, actor, person, data, confirm_person_id)
        detail = "existing person"
        if person.user is not None and not person.user.has_role("resident"):
            person.user.role_rows.append(UserRole(role="resident"))
    profile = ResidentProfile(person=person, living_situation=data.living_situation,
                              disability_grade=data.disability_grade,
                              consent_form_ref=(data.consent_form_ref or "").strip() or None,
                              registered_by_id=actor.id, notes=(data.notes or "").strip() or None)
    session.add(profile)
    session.flush()
    audit.record(session, "resident_register", actor_id=actor.id, target=f"person:{person.id}", detail=detail)
    return profile


def _check_existing(session, actor: User, person: Person, data: ResidentInput, confirm_person_id) -> None:
    """Refusals and the confirmation step when the ID number is already registered (nothing is written)."""
    masked = person.id_number_masked
    if not is_in_scope(actor, person.node):
        raise Duplicate(_l("身份证号码为%(id)s的%(name)s已在其他乡镇登记，本站不能直接添加。请联系对方社工站"
                           "或县民政局办理迁入后再登记。", id=masked, name=person.name), field="id_number")
    if (data.person.name or "").strip() != person.name:
        raise ValidationFailed(_l("该身份证号码已登记，但填写的姓名与登记的不一致，请核对后再提交。"),
                               field="name")
    if person.status != "active":
        raise Duplicate(_l("该人员已登记为已故或已迁出，不能登记为服务对象。"), field="id_number")
    if session.get(ResidentProfile, person.id) is not None:
        raise Duplicate(_l("此人已是本站的服务对象，无需重复登记。"), field="id_number")
    if confirm_person_id != person.id:
        raise PersonExists(_l("该身份证号码已登记。请核对是否为同一人。"), field="id_number",
                           person_id=person.id, name=person.name, id_masked=masked, village=person.node.name)


def is_in_scope(actor: User, node: OrgNode) -> bool:
    path = scope_path(actor)
    return path is not None and node.path.startswith(path)


def load_resident(session, actor: User, person_id: int) -> ResidentProfile:
    stmt = select(ResidentProfile).join(Person).where(ResidentProfile.person_id == person_id)
    return load_scoped(session, stmt, actor, Person.node_id)


def add_hardship_status(session, actor: User, person_id: int, *, kind: str, evidence_no: str,
                        review_date: date | None, today: date | None = None) -> HardshipStatus:
    """Record a verified status; with `today`, a review date not after today is refused and the person's
    open requests take their new tier at once."""
    profile = load_resident(session, actor, person_id)
    if kind not in domain.HARDSHIP_KINDS:
        raise ValidationFailed(_l("请选择困难类别"), field="kind")
    if not (evidence_no or "").strip():
        raise ValidationFailed(_l("请填写认定文书编号"), field="evidence_no")
    if review_date is None:
        raise ValidationFailed(_l("请填写复核日期"), field="review_date")
    if today is not None and review_date <= today:
        raise ValidationFailed(_l("下次复核日期应晚于今天"), field="review_date")
    if any(status.kind == kind for status in profile.statuses):
        raise Duplicate(_l("该类别已登记，请先删除旧记录"), field="kind")
    status = HardshipStatus(kind=kind, evidence_no=evidence_no.strip(), review_date=review_date,
                            verified_by_id=actor.id)
    profile.statuses.append(status)
    session.flush()
    audit.record(session, "hardship_add", actor_id=actor.id, target=f"person:{person_id}", detail=kind)
    if today is not None:
        _recompute(session, person_id, today)
    return status


def _recompute(session, person_id: int, today: date) -> None:
    from timebank.people import review_service

    review_service.recompute_tiers(session, today=today, person_ids=[person_id])


def remove_hardship_status(session, actor: User, person_id: int, status_id: int, *,
                           today: date | None = None) -> None:
    """Remove a status; with `today`, the person's open requests take their new tier at once."""
    profile = load_resident(session, actor, person_id)
    status = next((s for s in profile.statuses if s.id == status_id), None)
    if status is None:
        raise NotFound()
    profile.statuses.remove(status)
    audit.record(session, "hardship_remove", actor_id=actor.id, target=f"person:{person_id}",
                 detail=status.kind)
    if today is not None:
        session.flush()
        _recompute(session, person_id, today)


@dataclass(frozen=True)
class RelativeInput:
    name: str
    id_number: str
    phone: str | None
    kinship: str
    login_password: str | None = None  # set to create a login for the relative
    consent_form_ref: str | None = None  # the relative's signed paper consent (required on the station form)


def add_relative(session, actor: User, resident_id: int, data: RelativeInput, *, today: date) -> Relative:
    """Link a family member (an existing person by ID number, or a new one in the resident's village)."""
    profile = load_resident(session, actor, resident_id)
    if data.kinship not in domain.RELATIONSHIPS:
        raise ValidationFailed(_l("请选择与老人的关系"), field="kinship")
    person = accounts.find_person_by_id_number(session, data.id_number, today)
    if person is None:
        person = accounts.create_person(
            session,
            accounts.PersonInput(name=data.name, id_number=data.id_number, phone=data.phone,
                                 address=None, node_id=profile.person.node_id),
            today,
        )
    if person.id == resident_id:
        raise ValidationFailed(_l("不能把本人登记为家属"), field="id_number")
    exists = session.scalar(select(Relative).where(Relative.resident_id == resident_id,
                                                   Relative.relative_id == person.id))
    if exists is not None:
        from timebank.people.station_volunteers import relink

        link = relink(session, exists, data.kinship)  # an unlinked row comes back, unverified
        for key, value in consent_fields(actor, data.consent_form_ref).items():
            setattr(link, key, value)
    else:
        link = Relative(resident_id=resident_id, relative_id=person.id, kinship=data.kinship, verified=False,
                        **consent_fields(actor, data.consent_form_ref))
        session.add(link)
    if data.login_password:
        if not person.phone:
            raise ValidationFailed(_l("开通登录需要家属的手机号"), field="phone")
        if person.user is None:
            accounts.create_user(session, password=data.login_password, roles=("relative",),
                                 phone=person.phone, person=person, must_change_password=True)
        elif not person.user.has_role("relative"):
            person.user.role_rows.append(UserRole(role="relative"))
    session.flush()
    audit.record(session, "relative_add", actor_id=actor.id, target=f"person:{resident_id}")
    return link


def verify_relative(session, actor: User, resident_id: int, link_id: int, *, now: datetime) -> Relative:
    load_resident(session, actor, resident_id)
    link = session.get(Relative, link_id)
    if link is None or link.resident_id != resident_id:
        raise NotFound()
    if link.unlinked_at is not None:
        raise InvalidTransition(_l("该家属关系已解除"))
    if link.verified:
        raise InvalidTransition(_l("该家属关系已核实"))
    link.verified, link.verified_by_id, link.verified_at = True, actor.id, now
    audit.record(session, "relative_verify", actor_id=actor.id, target=f"person:{resident_id}")
    return link
