"""Hardship statuses that lapse: the review-due list, 复核 (a new review date), removal, and the daily job
that tells station staff, tells the person when a status stops counting, and recomputes open requests'
tiers. Never commits.

Idempotency without extra tables: each notice carries a link naming the status and its review date, and
a notice is written only when no notice with that event and link exists for that user. A renewed status
has a new review date, so its next review is announced again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import OrgNode, Person, User, UserRole
from timebank.accounts.scope import in_scope, load_scoped
from timebank.audit import service as audit
from timebank.errors import ValidationFailed
from timebank.notify.models import Notification
from timebank.notify.service import notify
from timebank.people import priority_facts
from timebank.people.models import HardshipStatus, Relative
from timebank.policy import priority as rules
from timebank.visits import domain as visit_domain
from timebank.visits.models import ServiceRequest

OPEN = ("open", "matched", "review")
PAGE_SIZE = 20


@dataclass(frozen=True)
class DueStatus:
    status: HardshipStatus
    person: Person
    state: str  # 'due' or 'lapsed' (see policy.priority.status_state)
    lapses_on: date


def _due_stmt(table: rules.Table, today: date):
    return (select(HardshipStatus, Person).join(Person, Person.id == HardshipStatus.person_id)
            .where(Person.status == "active",
                   HardshipStatus.review_date <= today + timedelta(days=table.notice_days)))


def due_list(session, actor: User, *, today: date, page: int = 1) -> tuple[list[DueStatus], int]:
    """Statuses in the actor's subtree whose review date is within the notice days (or past), soonest
    first, one page at a time; with the total count."""
    table = priority_facts.table(session)
    stmt = _due_stmt(table, today).where(in_scope(Person.node_id, actor))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.execute(stmt.options(selectinload(Person.node))
                           .order_by(HardshipStatus.review_date, HardshipStatus.id)
                           .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    return [DueStatus(s, p, rules.status_state(s.review_date, today, table), rules.lapses_on(s.review_date, table))
            for s, p in rows], total


def load_status(session, actor: User, status_id: int) -> HardshipStatus:
    """A status of a resident in the actor's subtree (else 404)."""
    stmt = (select(HardshipStatus).join(Person, Person.id == HardshipStatus.person_id)
            .where(HardshipStatus.id == status_id))
    return load_scoped(session, stmt, actor, Person.node_id)


def renew(session, actor: User, status_id: int, *, review_date: date | None, today: date) -> HardshipStatus:
    """复核: the station checked the status again and sets the next review date (after today)."""
    status = load_status(session, actor, status_id)
    if not isinstance(review_date, date):
        raise ValidationFailed(_l("请填写下次复核日期"), field="review_date")
    if review_date <= today:
        raise ValidationFailed(_l("下次复核日期必须晚于今天"), field="review_date")
    before = status.review_date
    status.review_date = review_date
    status.verified_by_id = actor.id
    session.flush()
    audit.record(session, "hardship_review", actor_id=actor.id, target=f"person:{status.person_id}",
                 detail=status.kind, changes={"review_date": (before.isoformat(), review_date.isoformat())})
    recompute_tiers(session, today=today, person_ids=[status.person_id])
    return status


def remove(session, actor: User, status_id: int, *, today: date) -> int:
    """The station removes a status that no longer holds; returns the person's id."""
    status = load_status(session, actor, status_id)
    person_id, kind = status.person_id, status.kind
    session.delete(status)
    session.flush()
    audit.record(session, "hardship_remove", actor_id=actor.id, target=f"person:{person_id}", detail=kind)
    recompute_tiers(session, today=today, person_ids=[person_id])
    return person_id


def recompute_tiers(session, *, today: date, person_ids=None) -> int:
    """Open service and goods requests take their resident's tier today (a status lapsed or was renewed);
    returns how many changed."""
    from timebank.charity.models import GoodsRequest

    service = select(ServiceRequest).where(ServiceRequest.status.in_(OPEN))
    goods = select(GoodsRequest).where(GoodsRequest.status == "open")
    if person_ids is not None:
        service = service.where(ServiceRequest.resident_id.in_(list(person_ids)))
        goods = goods.where(GoodsRequest.resident_id.in_(list(person_ids)))
    requests = list(session.scalars(service)) + list(session.scalars(goods))
    standing = priority_facts.priorities(session, {r.resident_id for r in requests}, today)
    changed = 0
    for req in requests:
        tier = standing[req.resident_id].tier
        if tier != req.priority_tier:
            req.priority_tier = tier
            if isinstance(req, ServiceRequest):
                req.priority_score = visit_domain.priority_score(tier, bool(req.urgent))
            changed += 1
    session.flush()
    return changed


def _sent_links(session, events: tuple[str, ...]) -> set[tuple[int, str, str]]:
    """(user, event, link) of every notice of these events already written."""
    return set(session.execute(select(Notification.user_id, Notification.event, Notification.link)
                               .where(Notification.event.in_(events), Notification.link.is_not(None))).all())


def _once(session, sent: set, user_ids, event: str, params: dict, link: str, now: datetime) -> int:
    count = 0
    for user_id in sorted(set(user_ids)):
        if (user_id, event, link) not in sent:
            notify(session, user_id, event, params, link=link, now=now)
            sent.add((user_id, event, link))
            count += 1
    return count


def _station_staff(session) -> list[tuple[int, str]]:
    """(user id, subtree path) of every active station login."""
    return list(session.execute(select(User.id, OrgNode.path).join(UserRole, UserRole.user_id == User.id)
                                .join(OrgNode, OrgNode.id == User.node_id)
                                .where(UserRole.role == "station", User.active.is_(True))).all())


def _told_for(session, person: Person) -> list[int]:
    """The person's own login, else the logins of their verified relatives."""
    if person.user is not None and person.user.active:
        return [person.user.id]
    return list(session.scalars(
        select(User.id).join(Relative, Relative.relative_id == User.person_id)
        .where(Relative.resident_id == person.id, Relative.verified.is_(True), Relative.unlinked_at.is_(None),
               User.active.is_(True))))


def daily_review(session, *, now: datetime, today: date) -> dict:
    """Tell station staff of each status due for review (once per status and review date), tell the person
    (or their relatives) once when a status stops counting, and recompute open requests' tiers."""
    table = priority_facts.table(session)
    rows = session.execute(_due_stmt(table, today).options(
        selectinload(Person.node), selectinload(Person.user))).all()
    staff = _station_staff(session)
    sent = _sent_links(session, ("status_review_due", "status_lapsed"))
    lapsed_people = {p.id for s, p in rows if rules.status_state(s.review_date, today, table) == "lapsed"}
    standing = priority_facts.priorities(session, lapsed_people, today, table)
    staff_notices = lapse_notices = 0
    for status, person in rows:
        review = status.review_date.isoformat()
        params = {"name": person.name, "kind": status.kind, "review_date": review,
                  "lapses_on": rules.lapses_on(status.review_date, table).isoformat()}
        staff_ids = [uid for uid, path in staff if person.node.path.startswith(path)]
        staff_notices += _once(session, sent, staff_ids, "status_review_due", params,
                               f"/station/reviews/?status={status.id}&review={review}", now)
        if person.id in lapsed_people and rules.status_state(status.review_date, today, table) == "lapsed":
            lapse_notices += _once(session, sent, _told_for(session, person), "status_lapsed",
                                   {**params, "tier": standing[person.id].tier},
                                   f"/inbox?status={status.id}&review={review}", now)
    changed = recompute_tiers(session, today=today)
    return {"due": len(rows), "staff_notices": staff_notices, "lapse_notices": lapse_notices,
            "tiers_changed": changed}


def person_priority(session, actor: User, person_id: int, *, today: date) -> tuple[Person, rules.Priority]:
    """A resident's priority as staff of their subtree (or the person themself) may read it; else 404."""
    person = session.get(Person, person_id) if isinstance(person_id, int) else None
    if person is None or actor.person_id != person.id:
        person = load_scoped(session, select(Person).where(Person.id == person_id), actor, Person.node_id)
    return person, priority_facts.priority_of(session, person.id, today)
