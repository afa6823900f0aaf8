"""Volunteer organisations and their members: register (a station, or a volunteer with the station's
approval), approve or reject, change the leader, retire (history stays); members request to join and the
leader (or the station) approves or declines. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import OrgNode, Person, User
from timebank.accounts.scope import scope_path
from timebank.audit import service as audit
from timebank.errors import Duplicate, Forbidden, InvalidTransition, NotInScope, ValidationFailed
from timebank.orgs import domain
from timebank.orgs.models import OrgMembership, VolunteerOrg
from timebank.people.models import VolunteerProfile

MESSAGES = {
    "end_before_start": _l("结束时间必须晚于开始时间"),
    "too_long": _l("一次活动最长24小时"),
    "capacity_range": _l("人数上限应在1到1000之间"),
    "full": _l("名额已满，不能再报名"),
    "already_out": _l("已经签退过了"),
    "already_in": _l("已经签到过了，如需修改请使用更正"),
    "out_before_checkin": _l("还没有签到，不能签退"),
    "out_before_in": _l("签退时间不能早于签到时间"),
    "too_early": _l("活动开始前一小时起才能扫码签到"),
    "ended": _l("活动已结束，不能再签到"),
    "too_late": _l("已超过签退时限，请联系负责人更正"),
    "reason": _l("请填写更正原因"),
    "action": _l("请选择签到或签退"),
}


def rule_error(error: domain.RuleBroken, field: str | None = None) -> ValidationFailed:
    message = MESSAGES.get(error.reason, _l("输入有误"))
    return ValidationFailed(message, field=field, reason=error.reason, **error.details)


class AlreadyMember(Duplicate):
    code = "already_member"
    message = _l("已经申请或已是该组织成员，不能重复加入")


def kind_labels() -> dict[str, str]:
    return {"school": _l("学校"), "company": _l("企业"), "elder_association": _l("老年协会"),
            "village_team": _l("村（社区）志愿服务队"), "other": _l("其他")}


# ---------------------------------------------------------------------------------------------------------
# who may do what


def is_staff_for(actor: User | None, node: OrgNode) -> bool:
    path = scope_path(actor) if actor is not None else None
    return path is not None and node.path.startswith(path)


def is_leader(actor: User | None, org: VolunteerOrg) -> bool:
    return (actor is not None and actor.person_id is not None and org.status == "approved"
            and org.leader_person_id == actor.person_id)


def membership_of(session, org_id: int, person_id: int | None) -> OrgMembership | None:
    if person_id is None:
        return None
    return session.scalar(select(OrgMembership).where(OrgMembership.org_id == org_id,
                                                      OrgMembership.person_id == person_id))


def is_member(session, org_id: int, person_id: int | None) -> bool:
    row = membership_of(session, org_id, person_id)
    return row is not None and row.status == "approved"


def may_see(session, actor: User, org: VolunteerOrg) -> bool:
    """Staff of the org's subtree, its leader and members; volunteers see approved organisations."""
    if is_staff_for(actor, org.node):
        return True
    if actor.person_id is not None and (org.leader_person_id == actor.person_id
                                        or membership_of(session, org.id, actor.person_id) is not None):
        return True
    return org.status == "approved" and actor.has_role("volunteer", "social_worker")


def load(session, actor: User, org_id: int, *, lock: bool = False) -> VolunteerOrg:
    stmt = select(VolunteerOrg).where(VolunteerOrg.id == org_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    org = session.scalar(stmt) if isinstance(org_id, int) else None
    if org is None or not may_see(session, actor, org):
        raise NotInScope()
    return org


def require_staff(actor: User, org: VolunteerOrg) -> None:
    if not is_staff_for(actor, org.node):
        if actor.has_role("station", "admin"):
            raise NotInScope()
        raise Forbidden(_l("只有本辖区社工站可以执行此操作"))


def require_leader_or_staff(actor: User, org: VolunteerOrg) -> None:
    if not (is_leader(actor, org) or is_staff_for(actor, org.node)):
        raise Forbidden(_l("只有组织负责人或社工站可以执行此操作"))


def _approved_volunteer(session, person_id: int, field: str = "person_id") -> VolunteerProfile:
    profile = session.get(VolunteerProfile, person_id) if isinstance(person_id, int) else None
    if profile is None or profile.status != "approved":
        raise ValidationFailed(_l("只有审核通过的志愿者才能加入志愿服务组织"), field=field, reason="not_volunteer")
    if profile.person.status != "active":
        raise ValidationFailed(_l("该志愿者已迁出或已故，不能加入"), field=field, reason="person_inactive")
    return profile


def _eligibility_problem(session, person_id: int, *, category_id: int | None, on: date) -> str | None:
    """The single place where joining an organisation or signing up for an activity asks whether the person
    may serve at all on `on` (for `category_id`, when the activity has one). Returns a message or None.
    The per-category "requires valid insurance" rule is the same one take-seat applies."""
    if category_id is None:
        return None
    from timebank.people.volunteer_record import insurance_problem

    return insurance_problem(session, person_id, category_id, on)


def check_eligible(session, person_id: int, *, category_id: int | None, on: date, field: str = "person_id") -> None:
    problem = _eligibility_problem(session, person_id, category_id=category_id, on=on)
    if problem:
        raise ValidationFailed(problem, field=field, reason="not_eligible")


# ---------------------------------------------------------------------------------------------------------
# organisations


@dataclass(frozen=True)
class OrgInput:
    name: str
    kind: str
    node_id: int | None = None  # staff: a node in their subtree; a volunteer: their own village by default
    leader_person_id: int | None = None  # staff: an approved volunteer; a volunteer leads what they register
    contact_phone: str | None = None
    description: str | None = None


def register(session, actor: User, data: OrgInput, *, now: datetime, today: date) -> VolunteerOrg:
    """A station registers an organisation in its subtree (approved at once); a volunteer registers one
    they will lead, which waits for the station's approval."""
    name = (data.name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed(_l("请填写组织名称（不超过80字）"), field="name")
    if data.kind not in domain.ORG_KINDS:
        raise ValidationFailed(_l("请选择组织类型"), field="kind")
    staff = actor.has_role("station", "admin")
    if staff:
        node = session.get(OrgNode, data.node_id) if isinstance(data.node_id, int) else actor.node
        if node is None or not is_staff_for(actor, node):
            raise ValidationFailed(_l("请选择本辖区内的村（社区）或乡镇"), field="node_id")
        if data.leader_person_id is None:
            raise ValidationFailed(_l("请选择组织负责人"), field="leader_person_id")
        leader = _approved_volunteer(session, data.leader_person_id, "leader_person_id")
        if not is_staff_for(actor, leader.person.node):
            raise ValidationFailed(_l("负责人须是本辖区的志愿者"), field="leader_person_id")
        status = "approved"
    elif actor.person_id is not None and actor.has_role("volunteer", "social_worker"):
        leader = _approved_volunteer(session, actor.person_id)
        node = leader.person.node
        status = "pending"
    else:
        raise Forbidden()
    if session.scalar(select(VolunteerOrg.id).where(VolunteerOrg.node_id == node.id,
                                                    VolunteerOrg.name == name)) is not None:
        raise Duplicate(_l("本地已有同名的志愿服务组织"), field="name")
    org = VolunteerOrg(name=name, kind=data.kind, node_id=node.id, status=status, leader_person_id=leader.person_id,
                       contact_phone=(data.contact_phone or "").strip()[:20] or None,
                       description=(data.description or "").strip()[:300] or None, registered_by_id=actor.id,
                       reviewed_by_id=actor.id if staff else None, reviewed_at=now if staff else None, created_at=now)
    session.add(org)
    session.flush()
    session.add(OrgMembership(org_id=org.id, person_id=leader.person_id, status="approved", decided_by_id=actor.id,
                              decided_at=now, created_at=now))
    audit.record(session, "org_register", actor_id=actor.id, target=f"org:{org.id}", detail=status)
    session.flush()
    return org


def decide(session, actor: User, org_id: int, *, approve: bool, reason: str | None, now: datetime) -> VolunteerOrg:
    """The station approves or rejects (with a reason) a self-registered organisation."""
    org = load(session, actor, org_id, lock=True)
    require_staff(actor, org)
    if org.status != "pending":
        raise InvalidTransition(_l("该组织已经审核过了"), reason="decided")
    text = (reason or "").strip()[:300] or None
    if not approve and not text:
        raise ValidationFailed(_l("请填写不通过的原因"), field="reason")
    org.status = "approved" if approve else "rejected"
    org.reviewed_by_id, org.reviewed_at, org.review_reason = actor.id, now, text
    audit.record(session, "org_decide", actor_id=actor.id, target=f"org:{org.id}", detail=org.status)
    session.flush()
    return org


def change_leader(session, actor: User, org_id: int, person_id: int, *, now: datetime) -> VolunteerOrg:
    """The station hands the organisation to another approved volunteer (made a member if not one yet)."""
    org = load(session, actor, org_id, lock=True)
    require_staff(actor, org)
    if org.status != "approved":
        raise InvalidTransition(_l("只有已批准的组织可以更换负责人"), reason="status")
    _approved_volunteer(session, person_id)
    if person_id == org.leader_person_id:
        raise ValidationFailed(_l("此人已经是负责人"), field="person_id")
    before = org.leader_person_id
    org.leader_person_id = person_id
    row = membership_of(session, org.id, person_id)
    if row is None:
        session.add(OrgMembership(org_id=org.id, person_id=person_id, status="approved", decided_by_id=actor.id,
                                  decided_at=now, created_at=now))
    else:
        row.status, row.decided_by_id, row.decided_at = "approved", actor.id, now
    audit.record(session, "org_leader", actor_id=actor.id, target=f"org:{org.id}",
                 changes={"leader_person_id": (before, person_id)})
    session.flush()
    return org


def retire(session, actor: User, org_id: int, *, reason: str | None, now: datetime) -> VolunteerOrg:
    """The station retires an organisation: no new members or activities; members and history stay."""
    org = load(session, actor, org_id, lock=True)
    require_staff(actor, org)
    if org.status == "retired":
        raise InvalidTransition(_l("该组织已经撤销"), reason="retired")
    text = (reason or "").strip()[:300]
    if not text:
        raise ValidationFailed(_l("请填写撤销原因"), field="reason")
    org.status, org.retired_at, org.retire_reason = "retired", now, text
    audit.record(session, "org_retire", actor_id=actor.id, target=f"org:{org.id}", detail=text)
    session.flush()
    return org


# ---------------------------------------------------------------------------------------------------------
# members


def request_join(session, actor: User, org_id: int, *, now: datetime, today: date) -> OrgMembership:
    """A volunteer asks to join an approved organisation; the leader decides. Twice is refused."""
    org = load(session, actor, org_id, lock=True)
    if actor.person_id is None:
        raise Forbidden(_l("您的登录账号没有关联个人信息"))
    if org.status != "approved":
        raise InvalidTransition(_l("该组织尚未批准或已撤销，暂不能加入"), reason="org_status")
    _approved_volunteer(session, actor.person_id)
    row = membership_of(session, org.id, actor.person_id)
    if row is not None and row.status in ("pending", "approved"):
        raise AlreadyMember(field="org_id")
    check_eligible(session, actor.person_id, category_id=None, on=today)
    if row is None:
        row = OrgMembership(org_id=org.id, person_id=actor.person_id, status="pending", created_at=now)
        session.add(row)
    else:  # declined or left before: a new request on the same row
        row.status, row.decided_by_id, row.decided_at = "pending", None, None
    session.flush()
    return row


def add_member(session, actor: User, org_id: int, person_id: int, *, now: datetime, today: date) -> OrgMembership:
    """The station adds a volunteer directly (e.g. a minor it registered with a guardian's consent)."""
    org = load(session, actor, org_id, lock=True)
    require_staff(actor, org)
    if org.status != "approved":
        raise InvalidTransition(_l("该组织尚未批准或已撤销，暂不能加入"), reason="org_status")
    profile = _approved_volunteer(session, person_id)
    if not is_staff_for(actor, profile.person.node):
        raise NotInScope(field="person_id")
    row = membership_of(session, org.id, person_id)
    if row is not None and row.status == "approved":
        raise AlreadyMember(field="person_id")
    check_eligible(session, person_id, category_id=None, on=today)
    if row is None:
        row = OrgMembership(org_id=org.id, person_id=person_id, created_at=now)
        session.add(row)
    row.status, row.decided_by_id, row.decided_at = "approved", actor.id, now
    session.flush()
    return row


def decide_member(session, actor: User, membership_id: int, *, approve: bool, now: datetime) -> OrgMembership:
    """The leader (or the station) approves or declines a pending request."""
    row = session.get(OrgMembership, membership_id) if isinstance(membership_id, int) else None
    if row is None:
        raise NotInScope()
    org = load(session, actor, row.org_id, lock=True)
    require_leader_or_staff(actor, org)
    if row.status != "pending":
        raise InvalidTransition(_l("该申请已经处理过了"), reason="decided")
    row.status, row.decided_by_id, row.decided_at = ("approved" if approve else "declined"), actor.id, now
    session.flush()
    return row


def leave(session, actor: User, org_id: int, *, now: datetime) -> OrgMembership:
    """A member leaves (the leader cannot: the station changes the leader first). History stays."""
    org = load(session, actor, org_id, lock=True)
    row = membership_of(session, org.id, actor.person_id)
    if row is None or row.status != "approved":
        raise InvalidTransition(_l("您不是该组织成员"), reason="not_member")
    if org.leader_person_id == actor.person_id:
        raise InvalidTransition(_l("负责人不能退出，请先由社工站更换负责人"), reason="leader")
    row.status, row.decided_by_id, row.decided_at = "left", actor.id, now
    session.flush()
    return row


def person_name(session, person_id: int) -> str:
    return session.scalar(select(Person.name).where(Person.id == person_id)) or ""
