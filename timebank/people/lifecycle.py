"""A person over time: moves between townships, moving away, death and the balance left behind.

Everything that touches other areas goes through their services: requests are cancelled and seats given back
by the visits service (holds voided there), proposals withdrawn by the dispatch service, hours moved by the
ledger (timebank.ledger.estate), logins ended by the accounts service. Services flush; the shell commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from timebank.accounts import service as accounts
from timebank.accounts.models import OrgNode, Person, User, UserRole
from timebank.accounts.scope import load_scoped, scope_path
from timebank.audit import service as audit
from timebank.errors import Duplicate, Forbidden, InvalidTransition, NotInScope, ValidationFailed
from timebank.notify.service import notify
from timebank.people import lifecycle_rules as rules
from timebank.people.estate_models import EstateDisposition
from timebank.people.models import Relative
from timebank.policy import service as policy_service
from timebank.policy.domain import DIRECT_KINSHIPS

MESSAGES = {
    "deceased": _l("该人员已登记为已故，不能再办理此项业务。"),
    "moved_away": _l("该人员已迁出本县，不能再办理此项业务。"),
    "already_deceased": _l("已登记为已故"),
    "died_on_missing": _l("请填写去世日期"),
    "died_on_future": _l("去世日期不能晚于今天"),
    "died_on_before_birth": _l("去世日期不能早于出生日期"),
    "same_township": _l("同一乡镇内的搬迁请在“编辑资料”中修改所在村/社区。"),
    "not_village": _l("请选择要迁往的村或社区"),
    "reason": _l("请填写原因"),
    "not_relative": _l("继承人必须是已登记的直系亲属。"),
    "not_verified": _l("继承人与已故者的亲属关系尚未经社工站核实。"),
    "not_direct": _l("继承人必须是直系亲属（配偶、父母、子女、祖父母、孙子女）。"),
    "heirs": _l("请至少选择一位继承人，且不要重复。"),
    "heir_inactive": _l("继承人已故或已迁出本县。"),
    "not_heirs_policy": _l("本县规定已故人员的余额不由亲属继承，无需指定继承人。"),
    "no_proposal": _l("还没有待批准的继承方案。"),
    "done": _l("继承方案已批准，余额已转出。"),
    "same_person": _l("继承方案须由另一位工作人员（或县民政局管理员）批准，不能由提出人本人批准。"),
}


def error(reason: str, field: str | None = None, cls=ValidationFailed):
    return cls(MESSAGES[reason], field=field, reason=reason)


def load_person(session, actor: User, person_id: int) -> Person:
    """A person whose village lies in the actor's subtree, else NotInScope (a 404)."""
    if not isinstance(person_id, int):
        raise NotInScope()
    return load_scoped(session, select(Person).where(Person.id == person_id), actor, Person.node_id)


def _require_active(person: Person) -> None:
    try:
        rules.check_active(person.status)
    except rules.RuleBroken as broken:
        raise error(broken.reason, cls=InvalidTransition) from None


def _actor_for(session, actor: User, node: OrgNode) -> User:
    """The actor when the record lies in their subtree, else the system actor (county-wide automatic work):
    a person's request or seat may lie in another township than the person's station."""
    path = scope_path(actor)
    if path is not None and node.path.startswith(path):
        return actor
    return accounts.system_user(session)


@dataclass
class Cascade:
    """What a move, a move away or a death undid, for the flash message and the API."""

    cancelled: list[int] = field(default_factory=list)
    seats_given_back: list[int] = field(default_factory=list)
    proposals_withdrawn: list[int] = field(default_factory=list)
    balance_action: str | None = None
    balance_minutes: int = 0


def _cancel_requests(session, actor: User, person: Person, reason: str, now: datetime, out: Cascade) -> None:
    """Unstarted requests for this person (as the one served) are cancelled through the visits service."""
    from timebank.visits import domain as visit_domain
    from timebank.visits import service as visits
    from timebank.visits.models import ServiceRequest

    rows = session.scalars(select(ServiceRequest).where(
        ServiceRequest.resident_id == person.id,
        ServiceRequest.status.in_(rules.UNSTARTED_REQUEST_STATUSES)).order_by(ServiceRequest.id)).all()
    for req in rows:
        if not visit_domain.allowed(req.status, "cancel", "staff"):
            continue
        visits.cancel(session, _actor_for(session, actor, req.node), req.id, reason=reason, now=now)
        out.cancelled.append(req.id)


def _give_back_seats(session, actor: User, person: Person, now: datetime, out: Cascade) -> None:
    from timebank.visits import service as visits
    from timebank.visits.models import Seat, ServiceRequest

    rows = session.execute(select(Seat.request_id, ServiceRequest.node_id).join(ServiceRequest).where(
        Seat.volunteer_id == person.id, Seat.status == "active",
        ServiceRequest.status.in_(("open", "matched"))).order_by(Seat.request_id)).all()
    for request_id, node_id in rows:
        visits.give_back(session, _actor_for(session, actor, session.get(OrgNode, node_id)), request_id,
                         volunteer_id=person.id, now=now)
        out.seats_given_back.append(request_id)


def _withdraw_proposals(session, actor: User, person: Person, reason: str, now: datetime, out: Cascade) -> None:
    from timebank.dispatch import service as dispatch
    from timebank.dispatch.models import Proposal
    from timebank.visits.models import ServiceRequest

    rows = session.scalars(select(Proposal).join(ServiceRequest, Proposal.request_id == ServiceRequest.id).where(
        Proposal.status == "offered",
        or_(Proposal.volunteer_id == person.id, ServiceRequest.resident_id == person.id)).order_by(Proposal.id)).all()
    for proposal in rows:
        dispatch.withdraw(session, _actor_for(session, actor, proposal.request.node), proposal.id, reason=reason,
                          now=now)
        out.proposals_withdrawn.append(proposal.id)


def _end_login(session, actor: User, person: Person, now: datetime) -> None:
    user = person.user
    if user is not None and user.active:
        accounts.set_active(session, _actor_for(session, actor, person.node), user.id, False, now=now)


def _people_to_tell(session, person: Person) -> list[int]:
    """The person's own login, else the logins of their verified relatives (still linked, still active)."""
    if person.user is not None and person.user.active:
        return [person.user.id]
    return list(session.scalars(select(User.id).join(Relative, Relative.relative_id == User.person_id).where(
        Relative.resident_id == person.id, Relative.verified.is_(True), Relative.unlinked_at.is_(None),
        User.active.is_(True)).order_by(User.id)))


def _station_staff(session, village: OrgNode) -> list[int]:
    """Station logins whose subtree holds the village (the station that now looks after the person)."""
    ids = []
    for user_id, path in session.execute(select(User.id, OrgNode.path).join(OrgNode, User.node_id == OrgNode.id)
                                         .join(UserRole, UserRole.user_id == User.id)
                                         .where(UserRole.role == "station", User.active.is_(True))
                                         .order_by(User.id)):
        if village.path.startswith(path):
            ids.append(user_id)
    return ids


# ---------------------------------------------------------------------------------------------------------
# moves


def move_person(session, actor: User, person_id: int, *, village_id: int, reason: str | None,
                now: datetime, address: str | None = None) -> Cascade:
    """Hand the person to the station of another township: their village changes, unstarted requests are
    cancelled (holds voided), the person (or their verified relatives) and the new station are told.
    The balance stays: the county has one ledger."""
    person = load_person(session, actor, person_id)
    _require_active(person)
    target = session.get(OrgNode, village_id) if isinstance(village_id, int) else None
    if target is None or target.kind != "village":
        raise error("not_village", "village_id")
    if not rules.is_other_township(person.node.path, target.path):
        raise error("same_township", "village_id")
    reason = (reason or "").strip()
    old_node = person.node
    out = Cascade()
    cancel_reason = str(_l("迁往%(village)s，原社工站的服务已取消", village=target.name))
    if reason:
        cancel_reason = f"{cancel_reason}：{reason}"
    _cancel_requests(session, actor, person, cancel_reason, now, out)
    _withdraw_proposals(session, actor, person, cancel_reason, now, out)
    person.node_id, person.node = target.id, target
    person.latitude, person.longitude = target.latitude, target.longitude
    changes = {"village": (old_node.name, target.name), "cancelled": (None, len(out.cancelled))}
    address = (address or "").strip()[:200]
    if address and address != person.address:
        changes["address"] = (person.address, address)
        person.address = address
    session.flush()
    audit.record(session, "person_move", actor_id=actor.id, target=f"person:{person.id}", detail=reason or None,
                 changes=changes)
    for user_id in _people_to_tell(session, person):
        notify(session, user_id, "person_moved", {"name": person.name, "village": target.name,
                                                  "cancelled": len(out.cancelled)}, link="/me", now=now)
    for user_id in _station_staff(session, target):
        notify(session, user_id, "person_arrived", {"name": person.name, "village": target.name,
                                                    "from": old_node.name},
               link=f"/station/people/{person.id}", now=now)
    return out


def move_away(session, actor: User, person_id: int, *, reason: str | None, now: datetime) -> Cascade:
    """The person left the county: kept for history, no new work, login ended, balance kept."""
    person = load_person(session, actor, person_id)
    _require_active(person)
    reason = (reason or "").strip()
    if not reason:
        raise error("reason", "reason")
    out = Cascade()
    cancel_reason = str(_l("已迁出本县")) + f"：{reason}"
    _cancel_requests(session, actor, person, cancel_reason, now, out)
    _give_back_seats(session, actor, person, now, out)
    _withdraw_proposals(session, actor, person, cancel_reason, now, out)
    for user_id in _people_to_tell(session, person):
        notify(session, user_id, "person_moved_away", {"name": person.name, "cancelled": len(out.cancelled)},
               now=now)
    _end_login(session, actor, person, now)
    person.status = "moved"
    session.flush()
    audit.record(session, "person_move_away", actor_id=actor.id, target=f"person:{person.id}", detail=reason,
                 changes={"status": ("active", "moved")})
    return out


# ---------------------------------------------------------------------------------------------------------
# death


def mark_deceased(session, actor: User, person_id: int, *, died_on: date | None, today: date,
                  now: datetime) -> Cascade:
    """In one unit of work: the person is deceased from `died_on`; unstarted requests for them cancelled,
    their seats given back, offered proposals withdrawn, their login ended, and the balance handled by the
    policy in force (county pool now; heirs after a proposal and its approval; frozen stays)."""
    from timebank.ledger import estate

    person = load_person(session, actor, person_id)
    try:
        rules.check_death(person.status, died_on, person.birth_date, today)
    except rules.RuleBroken as broken:
        cls = Duplicate if broken.reason == "already_deceased" else ValidationFailed
        raise error(broken.reason, broken.field or "died_on", cls=cls) from None
    out = Cascade()
    reason = str(_l("服务对象已故"))
    _cancel_requests(session, actor, person, reason, now, out)
    _give_back_seats(session, actor, person, now, out)
    _withdraw_proposals(session, actor, person, str(_l("志愿者已故")), now, out)
    _end_login(session, actor, person, now)
    before = person.status
    person.status, person.died_on = "deceased", died_on
    session.flush()
    _version, policy = policy_service.current(session)
    out.balance_action = policy.death_balance
    if policy.death_balance == "county_pool":
        outcome = estate.to_pool(session, person_id=person.id, actor_id=actor.id, now=now)
        out.balance_minutes = outcome.transfer.minutes if outcome is not None else 0
    else:
        out.balance_minutes = estate.spendable_of(session, person.id)
    audit.record(session, "person_deceased", actor_id=actor.id, target=f"person:{person.id}",
                 detail=f"balance:{policy.death_balance}:{out.balance_minutes}",
                 changes={"status": (before, "deceased"), "died_on": (None, died_on.isoformat())})
    return out


def heir_candidates(session, person_id: int) -> list[tuple[Person, str]]:
    """Verified, still-linked direct relatives (either direction of the link) with their kinship."""
    links = session.execute(select(Relative).where(
        or_(Relative.resident_id == person_id, Relative.relative_id == person_id),
        Relative.verified.is_(True), Relative.unlinked_at.is_(None),
        Relative.kinship.in_(DIRECT_KINSHIPS)).order_by(Relative.id)).scalars().all()
    out, seen = [], set()
    for link in links:
        other = link.relative if link.resident_id == person_id else link.resident
        if other.id not in seen and other.status == "active":
            seen.add(other.id)
            out.append((other, _kinship_from(link, person_id)))
    return out


_INVERSE = {"parent": "child", "child": "parent", "grandparent": "grandchild", "grandchild": "grandparent"}


def _kinship_from(link: Relative, person_id: int) -> str:
    """The other person's kinship *to* the deceased (a link is stored from the resident's side)."""
    return link.kinship if link.resident_id == person_id else _INVERSE.get(link.kinship, link.kinship)


def _check_heir(session, person_id: int, heir_id: int) -> None:
    links = session.execute(select(Relative.kinship, Relative.verified, Relative.unlinked_at.is_not(None)).where(
        or_((Relative.resident_id == person_id) & (Relative.relative_id == heir_id),
            (Relative.resident_id == heir_id) & (Relative.relative_id == person_id)))).all()
    problem = rules.heir_problem([(k, bool(v), bool(u)) for k, v, u in links], DIRECT_KINSHIPS)
    if problem is not None:
        raise error(problem, "heirs")
    heir = session.get(Person, heir_id)
    if heir is None or heir.status != "active":
        raise error("heir_inactive", "heirs")


def propose_heirs(session, actor: User, person_id: int, heir_ids, *, now: datetime) -> EstateDisposition:
    """Under the 'heirs' policy the station names the heirs (verified direct relatives); shares are equal."""
    person = load_person(session, actor, person_id)
    if person.status != "deceased":
        raise InvalidTransition(_l("该人员尚未登记为已故"))
    if policy_service.current(session)[1].death_balance != "heirs":
        raise error("not_heirs_policy", "heirs", cls=InvalidTransition)
    heirs = [h for h in (heir_ids or []) if isinstance(h, int) and not isinstance(h, bool)]
    if not heirs or len(heirs) != len(heir_ids) or len(set(heirs)) != len(heirs):
        raise error("heirs", "heirs")
    for heir_id in heirs:
        _check_heir(session, person.id, heir_id)
    row = session.get(EstateDisposition, person.id)
    if row is not None and row.status == "approved":
        raise error("done", "heirs", cls=InvalidTransition)
    before = list(row.heir_ids) if row is not None else None
    if row is None:
        row = EstateDisposition(person_id=person.id, status="proposed", heir_ids=heirs, proposed_by_id=actor.id,
                                proposed_at=now)
        session.add(row)
    else:
        row.heir_ids, row.proposed_by_id, row.proposed_at = heirs, actor.id, now
    session.flush()
    audit.record(session, "estate_propose", actor_id=actor.id, target=f"person:{person.id}",
                 changes={"heirs": (before, heirs)})
    return row


def approve_heirs(session, actor: User, person_id: int, *, now: datetime) -> EstateDisposition:
    """A second staff member (or the county admin) approves; the balance is shared out by ledger transfers."""
    from timebank.ledger import estate

    person = load_person(session, actor, person_id)
    if not actor.has_role("station", "admin"):
        raise Forbidden()
    row = session.scalar(select(EstateDisposition).where(EstateDisposition.person_id == person.id)
                         .with_for_update())
    if row is None:
        raise error("no_proposal", cls=InvalidTransition)
    if row.status == "approved":
        raise error("done", cls=InvalidTransition)
    if not rules.may_approve(row.proposed_by_id, actor.id):
        raise error("same_person", cls=Forbidden)
    for heir_id in row.heir_ids:
        _check_heir(session, person.id, heir_id)
    minutes = estate.spendable_of(session, person.id)
    shares = rules.split_equally(minutes, list(row.heir_ids))
    for heir_id, share in shares:
        estate.to_heir(session, person_id=person.id, heir_id=heir_id, minutes=share, actor_id=actor.id, now=now)
    row.status, row.approved_by_id, row.approved_at, row.minutes = "approved", actor.id, now, minutes
    session.flush()
    audit.record(session, "estate_approve", actor_id=actor.id, target=f"person:{person.id}",
                 detail=",".join(f"{h}:{m}" for h, m in shares))
    return row


def disposition_of(session, person_id: int) -> EstateDisposition | None:
    return session.get(EstateDisposition, person_id)

