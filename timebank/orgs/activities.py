"""Group activities: posted by a station, or by the leader of an approved organisation (the station of its
subtree approves); volunteers sign up or the leader enrols members in bulk, within the capacity. Minors
take part only in activities of an organisation they belong to. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from timebank.accounts.models import OrgNode, Person, User
from timebank.audit import service as audit
from timebank.catalog.models import ServiceCategory
from timebank.errors import Duplicate, Forbidden, InvalidTransition, NotInScope, ValidationFailed
from timebank.orgs import domain
from timebank.orgs import service as orgs
from timebank.orgs.models import (
    ActivityBeneficiary,
    ActivitySignup,
    GroupActivity,
    OrgMembership,
)
from timebank.people import minors
from timebank.people.models import VolunteerProfile

MAX_ENROL = 500
MAX_BENEFICIARIES = 200


class MinorOutsideOrg(ValidationFailed):
    code = "minor_outside_org"
    message = _l("未成年志愿者只能参加其所在志愿服务组织的团体活动")


class AlreadySignedUp(Duplicate):
    code = "already_signed_up"
    message = _l("已经报名了该活动")


@dataclass(frozen=True)
class ActivityInput:
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    org_id: int | None = None
    node_id: int | None = None
    category_id: int | None = None
    beneficiary_count: int | None = None
    beneficiary_ids: tuple[int, ...] = ()
    description: str | None = None


def may_see(session, actor: User, act: GroupActivity) -> bool:
    if orgs.is_staff_for(actor, act.node):
        return True
    if actor.person_id is None:
        return False
    if session.scalar(select(ActivitySignup.id).where(ActivitySignup.activity_id == act.id,
                                                      ActivitySignup.person_id == actor.person_id)):
        return True
    if act.status not in ("open", "confirmed") and not (act.org is not None and orgs.is_leader(actor, act.org)):
        return False
    if act.org is None:
        return actor.has_role("volunteer", "social_worker")
    return orgs.is_leader(actor, act.org) or orgs.is_member(session, act.org_id, actor.person_id)


def load(session, actor: User, activity_id: int, *, lock: bool = False) -> GroupActivity:
    stmt = select(GroupActivity).where(GroupActivity.id == activity_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    act = session.scalar(stmt) if isinstance(activity_id, int) else None
    if act is None or not may_see(session, actor, act):
        raise NotInScope()
    return act


def may_run(actor: User, act: GroupActivity) -> bool:
    """Station staff of the subtree, or the leader of the activity's organisation (its attendance list)."""
    return orgs.is_staff_for(actor, act.node) or (act.org is not None and orgs.is_leader(actor, act.org))


def require_runner(actor: User, act: GroupActivity) -> None:
    if not may_run(actor, act):
        raise NotInScope() if actor.has_role("station", "admin") else Forbidden(
            _l("只有本活动所属组织的负责人或社工站可以执行此操作"))


def post(session, actor: User, data: ActivityInput, *, now: datetime) -> GroupActivity:
    """A station posts (open at once) in its subtree; a leader posts for their organisation (pending)."""
    title, place = (data.title or "").strip(), (data.place or "").strip()
    if not title or len(title) > 100:
        raise ValidationFailed(_l("请填写活动名称（不超过100字）"), field="title")
    if not place or len(place) > 200:
        raise ValidationFailed(_l("请填写活动地点"), field="place")
    try:
        domain.check_window(data.starts_at, data.ends_at)
    except domain.RuleBroken as error:
        raise orgs.rule_error(error, "ends_at") from None
    if data.starts_at < now:
        raise ValidationFailed(_l("开始时间不能早于现在"), field="starts_at")
    try:
        domain.check_capacity(data.capacity)
    except domain.RuleBroken as error:
        raise orgs.rule_error(error, "capacity") from None
    if data.beneficiary_count is not None and not 0 <= data.beneficiary_count <= 100000:
        raise ValidationFailed(_l("服务对象人数应在0到100000之间"), field="beneficiary_count")
    org = None
    if data.org_id is not None:
        org = orgs.load(session, actor, data.org_id)
        if org.status != "approved":
            raise InvalidTransition(_l("只有已批准的组织可以发布活动"), reason="org_status")
        orgs.require_leader_or_staff(actor, org)
        node = org.node
    elif actor.has_role("station", "admin"):
        node = session.get(OrgNode, data.node_id) if isinstance(data.node_id, int) else actor.node
        if node is None or not orgs.is_staff_for(actor, node):
            raise ValidationFailed(_l("请选择本辖区内的村（社区）或乡镇"), field="node_id")
    else:
        raise Forbidden(_l("只有社工站或志愿服务组织负责人可以发布活动"))
    if data.category_id is not None and session.get(ServiceCategory, data.category_id) is None:
        raise ValidationFailed(_l("请选择服务类别"), field="category_id")
    ids = tuple(dict.fromkeys(data.beneficiary_ids or ()))
    if len(ids) > MAX_BENEFICIARIES:
        raise ValidationFailed(_l("指定的服务对象太多"), field="beneficiary_ids")
    if ids:
        found = list(session.scalars(select(Person).where(Person.id.in_(ids))))
        if len(found) != len(ids) or any(not p.node.path.startswith(node.path) for p in found):
            raise ValidationFailed(_l("服务对象须是本地登记的居民"), field="beneficiary_ids")
    staff = orgs.is_staff_for(actor, node)
    act = GroupActivity(org_id=org.id if org else None, node_id=node.id, title=title, place=place,
                        starts_at=data.starts_at, ends_at=data.ends_at, capacity=data.capacity,
                        category_id=data.category_id, beneficiary_count=data.beneficiary_count,
                        description=(data.description or "").strip()[:500] or None,
                        status="open" if staff else "pending", posted_by_id=actor.id,
                        approved_by_id=actor.id if staff else None, approved_at=now if staff else None,
                        created_at=now)
    session.add(act)
    session.flush()
    for person_id in ids:
        session.add(ActivityBeneficiary(activity_id=act.id, person_id=person_id))
    audit.record(session, "activity_post", actor_id=actor.id, target=f"activity:{act.id}", detail=act.status)
    session.flush()
    return act


def approve(session, actor: User, activity_id: int, *, now: datetime) -> GroupActivity:
    """The station of the organisation's subtree approves a leader's activity; then volunteers can sign up."""
    act = load(session, actor, activity_id, lock=True)
    if not orgs.is_staff_for(actor, act.node):
        raise Forbidden(_l("只有本辖区社工站可以执行此操作"))
    if act.status != "pending":
        raise InvalidTransition(_l("该活动不在待审核状态"), reason="status")
    act.status, act.approved_by_id, act.approved_at = "open", actor.id, now
    session.flush()
    return act


def cancel(session, actor: User, activity_id: int, *, now: datetime) -> GroupActivity:
    act = load(session, actor, activity_id, lock=True)
    require_runner(actor, act)
    if act.status not in ("pending", "open"):
        raise InvalidTransition(_l("该活动已确认或已取消"), reason="status")
    act.status = "cancelled"
    audit.record(session, "activity_cancel", actor_id=actor.id, target=f"activity:{act.id}")
    session.flush()
    return act


def signed_up_count(session, activity_id: int) -> int:
    return session.scalar(select(func.count()).select_from(ActivitySignup)
                          .where(ActivitySignup.activity_id == activity_id)) or 0


def _check_person(session, act: GroupActivity, person_id: int, *, today: date, min_age: int) -> None:
    profile = session.get(VolunteerProfile, person_id) if isinstance(person_id, int) else None
    if profile is None or profile.status != "approved" or profile.person.status != "active":
        raise ValidationFailed(_l("只有审核通过的志愿者才能报名（%(name)s）",
                                  name=profile.person.name if profile else person_id),
                               field="person_ids", reason="not_volunteer")
    member = act.org_id is not None and orgs.is_member(session, act.org_id, person_id)
    if minors.is_minor(profile.person.birth_date, today, min_age) and not member:
        raise MinorOutsideOrg(field="person_ids", reason="minor", person_id=person_id)
    if act.org_id is not None and not member:
        raise ValidationFailed(_l("这是志愿服务组织的活动，只有该组织成员可以报名（%(name)s）",
                                  name=profile.person.name), field="person_ids", reason="not_member")
    service_day = act.starts_at.astimezone(ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])).date()
    orgs.check_eligible(session, person_id, category_id=act.category_id, on=service_day, field="person_ids")


def _open_for_signup(act: GroupActivity, now: datetime) -> None:
    if act.status != "open":
        raise InvalidTransition(_l("该活动尚未开放报名或已结束"), reason="status")
    if now >= act.ends_at:
        raise InvalidTransition(_l("活动已结束，不能再报名"), reason="ended")


def sign_up(session, actor: User, activity_id: int, *, now: datetime, today: date) -> ActivitySignup:
    """A volunteer signs up for an open activity (members only for an organisation's activity)."""
    act = load(session, actor, activity_id, lock=True)
    if actor.person_id is None or not actor.has_role("volunteer", "social_worker"):
        raise Forbidden(_l("只有志愿者可以报名"))
    _open_for_signup(act, now)
    if session.scalar(select(ActivitySignup.id).where(ActivitySignup.activity_id == act.id,
                                                      ActivitySignup.person_id == actor.person_id)):
        raise AlreadySignedUp(field="activity_id")
    _check_person(session, act, actor.person_id, today=today, min_age=minors.depositor_min_age(session))
    try:
        domain.check_room(act.capacity, signed_up_count(session, act.id), 1)
    except domain.RuleBroken as error:
        raise orgs.rule_error(error, "activity_id") from None
    row = ActivitySignup(activity_id=act.id, person_id=actor.person_id, source="self", created_at=now)
    session.add(row)
    session.flush()
    return row


def enrol(session, actor: User, activity_id: int, person_ids, *, now: datetime, today: date) -> list[ActivitySignup]:
    """The leader (or the station) enrols several people at once; all or nothing, within the capacity.
    People already signed up are skipped."""
    act = load(session, actor, activity_id, lock=True)
    require_runner(actor, act)
    _open_for_signup(act, now)
    ids = list(dict.fromkeys(p for p in person_ids or () if isinstance(p, int)))
    if not ids or len(ids) > MAX_ENROL:
        raise ValidationFailed(_l("请选择要报名的成员"), field="person_ids")
    existing = set(session.scalars(select(ActivitySignup.person_id).where(ActivitySignup.activity_id == act.id,
                                                                          ActivitySignup.person_id.in_(ids))))
    new = [p for p in ids if p not in existing]
    min_age = minors.depositor_min_age(session)
    for person_id in new:
        _check_person(session, act, person_id, today=today, min_age=min_age)
    try:
        domain.check_room(act.capacity, signed_up_count(session, act.id), len(new))
    except domain.RuleBroken as error:
        raise orgs.rule_error(error, "person_ids") from None
    source = "station" if orgs.is_staff_for(actor, act.node) else "leader"
    rows = [ActivitySignup(activity_id=act.id, person_id=p, source=source, created_at=now) for p in new]
    session.add_all(rows)
    session.flush()
    return rows


def withdraw(session, actor: User, activity_id: int, *, now: datetime) -> None:
    """A volunteer withdraws before checking in (the seat returns)."""
    act = load(session, actor, activity_id, lock=True)
    row = session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == act.id,
                                                      ActivitySignup.person_id == actor.person_id))
    if row is None:
        raise InvalidTransition(_l("您没有报名该活动"), reason="not_signed_up")
    if row.check_in_at is not None or act.status != "open":
        raise InvalidTransition(_l("已签到或活动已确认，不能取消报名"), reason="checked_in")
    session.delete(row)
    session.flush()


def members_to_enrol(session, act: GroupActivity) -> list[tuple[int, str]]:
    """Approved members of the activity's organisation not yet signed up (id, name), for the enrol form."""
    if act.org_id is None:
        return []
    signed = select(ActivitySignup.person_id).where(ActivitySignup.activity_id == act.id)
    rows = session.execute(select(Person.id, Person.name).join(OrgMembership, OrgMembership.person_id == Person.id)
                           .where(OrgMembership.org_id == act.org_id, OrgMembership.status == "approved",
                                  Person.id.not_in(signed)).order_by(Person.name, Person.id).limit(MAX_ENROL))
    return [(r.id, r.name) for r in rows]
