"""The volunteer record (志愿服务记录) read side and its rules used elsewhere: the volunteer number given on
approval, the star level from cumulative service hours, and whether insurance covers a risky category.

`insurance_problem` is the one check for 需要有效保险; take-seat calls it, and so must anything else that
puts a volunteer on a service (group activities)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import OrgNode
from timebank.catalog.models import ServiceCategory, Skill
from timebank.people import record_domain
from timebank.people.models import VolunteerProfile
from timebank.people.record_models import (
    AwardRecord,
    EvaluationRecord,
    InsuranceRecord,
    SkillCertificate,
    TrainingRecord,
)
from timebank.people.skills import counted_skills
from timebank.policy import service as policy_service

MODELS = {"training": TrainingRecord, "award": AwardRecord, "evaluation": EvaluationRecord,
          "insurance": InsuranceRecord, "certificate": SkillCertificate}


def insurance_problem(session, person_id: int, category_id: int, on: date) -> str | None:
    """None unless the category requires valid insurance and no insurance record of this volunteer covers
    `on` (the county date of the service); then what is wrong, in plain words."""
    category = session.get(ServiceCategory, category_id)
    if category is None or not category.requires_insurance:
        return None
    rows = list(session.scalars(select(InsuranceRecord).where(InsuranceRecord.person_id == person_id,
                                                              InsuranceRecord.retired_at.is_(None))))
    if any(record_domain.insurance_covers(r.valid_from, r.valid_to, False, on) for r in rows):
        return None
    from timebank.i18n import is_english

    name = category.name("en" if is_english() else "zh")
    ended = [r.valid_to for r in rows if r.valid_to < on]
    if ended:
        return _("这项服务（%(category)s）要求志愿者在服务当天有有效的保险，该志愿者的保险已于%(day)s到期。"
                 "请到社工站登记新的保险后再接。", category=name, day=max(ended).isoformat())
    return _("这项服务（%(category)s）要求志愿者在服务当天有有效的保险，该志愿者没有覆盖%(day)s的保险记录。"
             "请到社工站登记保险后再接。", category=name, day=on.isoformat())


def insurance_check(session, person_ids) -> Callable[[int, date], bool]:
    """For many volunteers at once (matching): a function (person id, day) -> covered by insurance that day."""
    spans: dict[int, list[tuple[date, date]]] = {}
    ids = sorted(set(person_ids))
    if ids:
        for pid, start, end in session.execute(select(InsuranceRecord.person_id, InsuranceRecord.valid_from,
                                                      InsuranceRecord.valid_to)
                                               .where(InsuranceRecord.person_id.in_(ids),
                                                      InsuranceRecord.retired_at.is_(None))):
            spans.setdefault(pid, []).append((start, end))
    return lambda pid, day: any(record_domain.insurance_covers(a, b, False, day) for a, b in spans.get(pid, ()))


def assign_number(session, profile: VolunteerProfile, *, now: datetime) -> str:
    """Give the volunteer their 志愿者编号 once (on approval); an existing number never changes."""
    if profile.volunteer_no is None:
        county = session.scalar(select(OrgNode.code).where(OrgNode.parent_id.is_(None)).order_by(OrgNode.id)
                                .limit(1)) or "TB"
        year = now.astimezone(ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])).year
        profile.volunteer_no = record_domain.volunteer_number(county, year, profile.person_id)
        session.flush()
    return profile.volunteer_no


def assign_missing_numbers(session, *, now: datetime) -> int:
    """Numbers for approved volunteers that have none (volunteers written directly, e.g. by the demo seed)."""
    rows = list(session.scalars(select(VolunteerProfile).where(VolunteerProfile.status == "approved",
                                                               VolunteerProfile.volunteer_no.is_(None))
                                .order_by(VolunteerProfile.person_id)))
    for profile in rows:
        assign_number(session, profile, now=now)
    return len(rows)


def served(session, person_id: int) -> tuple[int, int]:
    """(cumulative credited minutes, number of services) from the volunteer's service records and the group
    activities a station confirmed (group minutes count as service even when policy donates them on)."""
    from timebank.orgs.models import ActivitySignup, GroupActivity
    from timebank.visits.models import ServiceRecord

    minutes, count = session.execute(select(func.coalesce(func.sum(ServiceRecord.credited_minutes), 0),
                                            func.count(ServiceRecord.id))
                                     .where(ServiceRecord.volunteer_id == person_id)).one()
    group_minutes, group_count = session.execute(
        select(func.coalesce(func.sum(ActivitySignup.credited_minutes), 0), func.count(ActivitySignup.id))
        .join(GroupActivity, GroupActivity.id == ActivitySignup.activity_id)
        .where(ActivitySignup.person_id == person_id, GroupActivity.status == "confirmed",
               ActivitySignup.credited_minutes > 0)).one()
    return int(minutes) + int(group_minutes), int(count) + int(group_count)


def ratings(session, person_id: int) -> tuple[int, float | None]:
    """(how many rated visits, average rating) from the residents' ratings of settled visits."""
    from timebank.visits.models import ServiceRecord

    count, average = session.execute(select(func.count(ServiceRecord.rating), func.avg(ServiceRecord.rating))
                                     .where(ServiceRecord.volunteer_id == person_id,
                                            ServiceRecord.rating.is_not(None))).one()
    return int(count), (round(float(average), 1) if average is not None else None)


@dataclass
class SkillClaim:
    """A declared skill that needs a certificate: 'verified' (counts), 'expired', or 'pending' (待核验)."""

    skill: Skill
    state: str
    certificate: SkillCertificate | None = None


@dataclass
class Record:
    profile: VolunteerProfile
    served_minutes: int
    services: int
    stars: int
    to_next_star: int | None
    thresholds: tuple[int, ...]
    rated: int
    average_rating: float | None
    training_minutes: int
    entries: dict[str, list] = field(default_factory=dict)
    claims: list[SkillClaim] = field(default_factory=list)
    counted_skill_ids: set[int] = field(default_factory=set)
    insured_today: bool = False


def record_of(session, profile: VolunteerProfile, *, today: date) -> Record:
    """Everything on the record page; retired entries are included (marked) so staff see the history."""
    thresholds = policy_service.current(session)[1].star_thresholds_hours
    minutes, count = served(session, profile.person_id)
    rated, average = ratings(session, profile.person_id)
    entries = {}
    for kind, model in MODELS.items():
        stmt = select(model).where(model.person_id == profile.person_id).order_by(model.retired_at.is_not(None),
                                                                                  model.id.desc())
        if kind == "certificate":
            stmt = stmt.options(selectinload(SkillCertificate.skill))
        entries[kind] = list(session.scalars(stmt))
    live = [r for r in entries["certificate"] if r.retired_at is None]
    claims = []
    for skill in profile.skills:
        if not skill.needs_certificate:
            continue
        mine = [c for c in live if c.skill_id == skill.id]
        good = [c for c in mine if record_domain.certificate_counts(c.status, c.valid_until, False, today)]
        expired = [c for c in mine if c.status == "verified" and c.valid_until < today]
        if good:
            claims.append(SkillClaim(skill, "verified", good[0]))
        elif expired and not [c for c in mine if c.status == "pending"]:
            claims.append(SkillClaim(skill, "expired", max(expired, key=lambda c: c.valid_until)))
        else:
            claims.append(SkillClaim(skill, "pending", next((c for c in mine if c.status == "pending"), None)))
    insured = any(record_domain.insurance_covers(r.valid_from, r.valid_to, r.retired_at is not None, today)
                  for r in entries["insurance"])
    return Record(
        profile=profile, served_minutes=minutes, services=count,
        stars=record_domain.star_level(minutes, thresholds),
        to_next_star=record_domain.next_star_minutes(minutes, thresholds), thresholds=thresholds,
        rated=rated, average_rating=average,
        training_minutes=sum(r.minutes for r in entries["training"] if r.retired_at is None),
        entries=entries, claims=claims,
        counted_skill_ids=counted_skills(session, [profile.person_id], today)[profile.person_id],
        insured_today=insured)
