"""Demo volunteer organisation, written through the real services: a village team in 城关 led by the demo
volunteer (13900000001) with members, one pending join request, one past group activity (attended and
confirmed: minutes credited through the ledger per policy) and one upcoming activity with sign-ups.
Idempotent (skipped when the team exists); flushes, never commits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from timebank.accounts.models import OrgNode, Person, User
from timebank.orgs import activities, attendance
from timebank.orgs import service as orgs
from timebank.orgs.models import VolunteerOrg
from timebank.people.models import VolunteerProfile

ORG_NAME = "城关阳光志愿服务队"


def seed_orgs(session, *, today: date) -> VolunteerOrg | None:
    with current_app.test_request_context():
        return _seed(session, today=today)


def _seed(session, *, today: date) -> VolunteerOrg | None:
    if session.scalar(select(VolunteerOrg.id).where(VolunteerOrg.name == ORG_NAME)) is not None:
        return None
    station = session.scalar(select(User).where(User.username == "chengguan"))
    leader = session.scalar(select(User).where(User.phone == "13900000001"))
    if station is None or leader is None:
        return None
    now = datetime.combine(today, time(2, 0), tzinfo=UTC)
    past = now - timedelta(days=14)
    township = station.node
    village = leader.person.node
    org = orgs.register(session, station, orgs.OrgInput(
        name=ORG_NAME, kind="village_team", node_id=village.id, leader_person_id=leader.person_id,
        contact_phone="0700-8000100", description="城关镇的村民志愿服务队，重阳节、春节走访敬老院和独居老人。"),
        now=past - timedelta(days=10), today=today)
    volunteers = list(session.scalars(
        select(VolunteerProfile.person_id).join(Person, Person.id == VolunteerProfile.person_id)
        .join(OrgNode, OrgNode.id == Person.node_id)
        .where(VolunteerProfile.status == "approved", VolunteerProfile.is_social_worker.is_(False),
               OrgNode.path.startswith(township.path), VolunteerProfile.person_id != leader.person_id)
        .order_by(VolunteerProfile.person_id).limit(9)))
    members, applicant = volunteers[:8], volunteers[8:9]
    for person_id in members:
        orgs.add_member(session, station, org.id, person_id, now=past - timedelta(days=9), today=today)
    for person_id in applicant:  # a request waiting for the leader
        user = session.scalar(select(User).where(User.person_id == person_id))
        if user is not None:
            orgs.request_join(session, user, org.id, now=now - timedelta(days=1), today=today)
    done = activities.post(session, leader, activities.ActivityInput(
        title="重阳节敬老院探访", place="城关镇敬老院", starts_at=past, ends_at=past + timedelta(hours=3), capacity=30,
        org_id=org.id, beneficiary_count=40, description="陪老人聊天、包饺子、理发。"), now=past - timedelta(days=7))
    activities.approve(session, station, done.id, now=past - timedelta(days=6))
    attendees = [leader.person_id, *members]
    activities.enrol(session, leader, done.id, attendees, now=past - timedelta(days=5), today=today)
    came = attendees[:-1] or attendees  # one member stayed away (when there are members)
    attendance.tick(session, leader, done.id, came, "check_in", at=past, now=past)
    attendance.tick(session, leader, done.id, came, "check_out", at=past + timedelta(hours=3),
                    now=past + timedelta(hours=3))
    attendance.confirm(session, station, done.id, now=past + timedelta(hours=5), today=today)
    upcoming = activities.post(session, station, activities.ActivityInput(
        title="冬至包饺子送独居老人", place="城关镇社区食堂", starts_at=now + timedelta(days=3, hours=1),
        ends_at=now + timedelta(days=3, hours=4), capacity=50, org_id=org.id, beneficiary_count=25), now=now)
    activities.enrol(session, station, upcoming.id, attendees[:5], now=now, today=today)
    session.flush()
    return org
