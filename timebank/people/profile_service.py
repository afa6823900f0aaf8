"""Volunteers edit their own profile: skills, weekly availability, one-off exceptions, weekly cap, travel
radius, exact home point, and a social-worker certificate that counts only once station staff verify it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import Person, User, UserRole
from timebank.accounts.scope import load_scoped
from timebank.audit import service as audit
from timebank.errors import Forbidden, NotFound, ValidationFailed
from timebank.people.availability import AvailabilityException, SocialWorkerCertificate
from timebank.people.models import Availability, VolunteerProfile
from timebank.people.service import _skills


@dataclass(frozen=True)
class ProfileInput:
    skill_ids: tuple[int, ...]
    weekly: tuple[tuple[int, int, int], ...]  # (weekday, start minute, end minute), local time
    max_minutes_per_week: int
    travel_radius_km: int
    latitude: float | None = None
    longitude: float | None = None


def my_profile(session, actor: User) -> VolunteerProfile:
    profile = session.get(VolunteerProfile, actor.person_id) if actor.person_id else None
    if profile is None:
        raise NotFound(_l("您还没有志愿者资料"))
    return profile


def update_profile(session, actor: User, data: ProfileInput) -> VolunteerProfile:
    profile = my_profile(session, actor)
    if not 0 <= data.max_minutes_per_week <= 40 * 60:
        raise ValidationFailed(_l("每周最多服务时长应在0到40小时之间"), field="max_hours")
    if not 1 <= data.travel_radius_km <= 50:
        raise ValidationFailed(_l("服务半径应在1到50公里之间"), field="travel_radius_km")
    for weekday, start, end in data.weekly:
        if not (0 <= weekday <= 6 and 0 <= start < end <= 1440):
            raise ValidationFailed(_l("可服务时间的结束须晚于开始"), field="weekly")
    if (data.latitude is None) != (data.longitude is None):
        raise ValidationFailed(_l("请同时填写纬度和经度，或都不填"), field="latitude")
    if data.latitude is not None and not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180):
        raise ValidationFailed(_l("坐标超出范围"), field="latitude")
    profile.skills = _skills(session, data.skill_ids)
    profile.availability = [Availability(weekday=w, start_minute=s, end_minute=e) for w, s, e in sorted(data.weekly)]
    profile.max_minutes_per_week = data.max_minutes_per_week
    profile.travel_radius_km = data.travel_radius_km
    person = session.get(Person, profile.person_id)
    person.latitude, person.longitude = data.latitude, data.longitude
    session.flush()
    return profile


def add_exception(session, actor: User, *, day: date, available: bool, start: int, end: int,
                  today: date) -> AvailabilityException:
    profile = my_profile(session, actor)
    if day < today:
        raise ValidationFailed(_l("日期不能早于今天"), field="day")
    if not 0 <= start < end <= 1440:
        raise ValidationFailed(_l("结束时间须晚于开始时间"), field="end")
    row = AvailabilityException(person_id=profile.person_id, day=day, available=available, start_minute=start,
                                end_minute=end)
    session.add(row)
    session.flush()
    return row


def remove_exception(session, actor: User, exception_id: int) -> None:
    row = session.get(AvailabilityException, exception_id)
    if row is None or row.person_id != actor.person_id:
        raise NotFound()
    session.delete(row)
    session.flush()


def exceptions(session, person_id: int, today: date) -> list[AvailabilityException]:
    return list(session.scalars(select(AvailabilityException).where(
        AvailabilityException.person_id == person_id, AvailabilityException.day >= today)
        .order_by(AvailabilityException.day, AvailabilityException.start_minute)))


def claim_social_worker(session, actor: User, certificate_no: str) -> SocialWorkerCertificate:
    profile = my_profile(session, actor)
    number = (certificate_no or "").strip()
    if not 4 <= len(number) <= 60:
        raise ValidationFailed(_l("请填写社工职业资格证书编号"), field="certificate_no")
    row = session.get(SocialWorkerCertificate, profile.person_id)
    if row is None:
        row = SocialWorkerCertificate(person_id=profile.person_id, certificate_no=number)
        session.add(row)
    elif row.verified_at is None:
        row.certificate_no = number
    session.flush()
    return row


def verify_social_worker(session, actor: User, person_id: int, *, now: datetime) -> VolunteerProfile:
    """Station staff (in scope) verify the certificate: the volunteer becomes a social worker of that station."""
    if not actor.has_role("station", "admin"):
        raise Forbidden()
    profile = load_scoped(session, select(VolunteerProfile).join(VolunteerProfile.person).where(VolunteerProfile.person_id == person_id),
                          actor, Person.node_id)
    claim = session.get(SocialWorkerCertificate, person_id)
    if claim is None:
        raise ValidationFailed(_l("该志愿者没有提交社工证书"), field="certificate_no")
    claim.verified_by_id, claim.verified_at = actor.id, now
    profile.is_social_worker = True
    user = session.scalar(select(User).where(User.person_id == person_id))
    if user is not None:
        if "social_worker" not in user.roles:
            user.role_rows.append(UserRole(role="social_worker"))
        if user.station_id is None:
            user.station_id = actor.station_id
    audit.record(session, "social_worker_verified", actor_id=actor.id, target=f"person:{person_id}")
    session.flush()
    return profile
