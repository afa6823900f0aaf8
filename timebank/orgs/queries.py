"""Reads for the organisation pages and API: every list pages (hundreds of members and attendees)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import OrgNode, Person, User
from timebank.accounts.scope import in_scope, scope_path
from timebank.orgs.models import ActivitySignup, AttendanceEvent, GroupActivity, OrgMembership, VolunteerOrg

PER_PAGE = 20
MAX_PER_PAGE = 100


def _page(stmt, session, page: int, per_page: int = PER_PAGE):
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    rows = list(session.scalars(stmt.offset((max(page, 1) - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def orgs_for(session, actor: User, *, page: int, status: str | None = None, per_page: int = PER_PAGE):
    """Staff: organisations of their subtree. Others: those they lead or belong to, then approved ones."""
    stmt = select(VolunteerOrg).options(selectinload(VolunteerOrg.node), selectinload(VolunteerOrg.leader))
    if scope_path(actor) is not None:
        stmt = stmt.where(in_scope(VolunteerOrg.node_id, actor))
    else:
        mine = select(OrgMembership.org_id).where(OrgMembership.person_id == actor.person_id)
        stmt = stmt.where(or_(VolunteerOrg.id.in_(mine), VolunteerOrg.leader_person_id == actor.person_id,
                              VolunteerOrg.status == "approved"))
    if status:
        stmt = stmt.where(VolunteerOrg.status == status)
    return _page(stmt.order_by(VolunteerOrg.status != "pending", VolunteerOrg.name, VolunteerOrg.id),
                 session, page, per_page)


def my_memberships(session, person_id: int | None) -> dict[int, str]:
    if person_id is None:
        return {}
    return dict(session.execute(select(OrgMembership.org_id, OrgMembership.status)
                                .where(OrgMembership.person_id == person_id)).all())


def members(session, org_id: int, *, page: int, status: str | None = "approved", per_page: int = PER_PAGE):
    """Members (or requests) with each one's minutes credited in this organisation's activities."""
    minutes = (select(func.coalesce(func.sum(ActivitySignup.credited_minutes), 0))
               .join(GroupActivity, GroupActivity.id == ActivitySignup.activity_id)
               .where(GroupActivity.org_id == org_id, ActivitySignup.person_id == OrgMembership.person_id)
               .scalar_subquery())
    stmt = (select(OrgMembership, Person.name, minutes.label("minutes"))
            .join(Person, Person.id == OrgMembership.person_id)
            .where(OrgMembership.org_id == org_id))
    if status:
        stmt = stmt.where(OrgMembership.status == status)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    rows = session.execute(stmt.order_by(Person.name, OrgMembership.id)
                           .offset((max(page, 1) - 1) * per_page).limit(per_page + 1)).all()
    return [(m, name, int(mins or 0)) for m, name, mins in rows[:per_page]], len(rows) > per_page


def member_count(session, org_id: int) -> int:
    return session.scalar(select(func.count()).select_from(OrgMembership).where(
        OrgMembership.org_id == org_id, OrgMembership.status == "approved")) or 0


def pending_count(session, org_id: int) -> int:
    return session.scalar(select(func.count()).select_from(OrgMembership).where(
        OrgMembership.org_id == org_id, OrgMembership.status == "pending")) or 0


def activities_for(session, actor: User, *, page: int, org_id: int | None = None, per_page: int = PER_PAGE):
    """Staff: activities of their subtree. Others: of organisations they lead or belong to, station
    activities open to every volunteer, and those they signed up for. Upcoming first."""
    stmt = select(GroupActivity).options(selectinload(GroupActivity.org), selectinload(GroupActivity.node))
    if scope_path(actor) is not None:
        stmt = stmt.where(in_scope(GroupActivity.node_id, actor))
    else:
        person = actor.person_id
        member_of = select(OrgMembership.org_id).where(OrgMembership.person_id == person,
                                                       OrgMembership.status == "approved")
        led = select(VolunteerOrg.id).where(VolunteerOrg.leader_person_id == person,
                                            VolunteerOrg.status == "approved")
        signed = select(ActivitySignup.activity_id).where(ActivitySignup.person_id == person)
        visible = GroupActivity.status.in_(("open", "confirmed"))
        clauses = [GroupActivity.id.in_(signed), GroupActivity.org_id.in_(led),
                   visible & GroupActivity.org_id.in_(member_of)]
        if actor.has_role("volunteer", "social_worker"):
            clauses.append(visible & GroupActivity.org_id.is_(None))
        stmt = stmt.where(or_(*clauses))
    if org_id is not None:
        stmt = stmt.where(GroupActivity.org_id == org_id)
    return _page(stmt.order_by(GroupActivity.starts_at.desc(), GroupActivity.id.desc()), session, page, per_page)


def attendees(session, activity_id: int, *, page: int, per_page: int = 50):
    stmt = (select(ActivitySignup).options(selectinload(ActivitySignup.person))
            .join(Person, Person.id == ActivitySignup.person_id)
            .where(ActivitySignup.activity_id == activity_id).order_by(Person.name, ActivitySignup.id))
    return _page(stmt, session, page, per_page)


def signup_of(session, activity_id: int, person_id: int | None) -> ActivitySignup | None:
    if person_id is None:
        return None
    return session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                       ActivitySignup.person_id == person_id))


def attendance_counts(session, activity_id: int) -> dict[str, int]:
    row = session.execute(select(func.count(), func.count(ActivitySignup.check_in_at),
                                 func.count(ActivitySignup.check_out_at),
                                 func.coalesce(func.sum(ActivitySignup.credited_minutes), 0))
                          .where(ActivitySignup.activity_id == activity_id)).one()
    return {"signed_up": row[0], "checked_in": row[1], "checked_out": row[2], "credited_minutes": int(row[3])}


def corrections(session, activity_id: int, *, limit: int = 50) -> list[tuple[AttendanceEvent, str]]:
    return list(session.execute(
        select(AttendanceEvent, Person.name).join(ActivitySignup, ActivitySignup.id == AttendanceEvent.signup_id)
        .join(Person, Person.id == ActivitySignup.person_id)
        .where(ActivitySignup.activity_id == activity_id, AttendanceEvent.action == "correct")
        .order_by(AttendanceEvent.id.desc()).limit(limit)).tuples())


def nodes_in_scope(session, actor: User) -> list[OrgNode]:
    if scope_path(actor) is None:
        return []
    return list(session.scalars(select(OrgNode).where(in_scope(OrgNode.id, actor)).order_by(OrgNode.path)
                                .limit(500)))
