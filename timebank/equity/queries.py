"""The equity figures, village by village in the actor's subtree: bounded statements (one per figure, each
grouped by village in SQL); priority groups come from the one priority rule (timebank.policy.priority)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from timebank.accounts.domain import age_on
from timebank.accounts.models import OrgNode, Person, Station, User
from timebank.accounts.scope import in_scope, scope_path
from timebank.equity import domain
from timebank.errors import Forbidden
from timebank.people.models import HardshipStatus, ResidentProfile, VolunteerProfile
from timebank.people.priority_facts import table as priority_table
from timebank.policy import priority as rules
from timebank.visits.models import Seat, ServiceRecord, ServiceRequest


@dataclass
class StationRow:
    id: int
    name: str
    place: str
    kind: str
    villages: int
    social_workers: int


@dataclass
class Equity:
    villages: list[domain.Village]
    stations: list[StationRow]
    period_days: int
    since: date

    @property
    def gaps(self) -> list[domain.Village]:
        return [v for v in self.villages if v.gap]

    @property
    def groups(self) -> list[str]:
        return [g.key for g in rules.DEFAULT_GROUPS]


def _villages(session, actor: User) -> dict[int, domain.Village]:
    township = OrgNode.__table__.alias("township")
    rows = session.execute(
        select(OrgNode.id, OrgNode.name, township.c.id, township.c.name)
        .join(township, township.c.id == OrgNode.parent_id)
        .where(OrgNode.kind == "village", in_scope(OrgNode.id, actor)).order_by(township.c.name, OrgNode.name))
    return {vid: domain.Village(vid, name, tid, tname) for vid, name, tid, tname in rows}


def _need(session, actor: User, villages: dict[int, domain.Village], today: date) -> None:
    """Residents in scope through the priority rule: two statements (profiles, statuses), scope-bounded."""
    table = priority_table(session)
    people = session.execute(
        select(Person.id, Person.node_id, Person.birth_date, ResidentProfile.living_situation,
               ResidentProfile.disability_grade, ResidentProfile.adl_level)
        .join(ResidentProfile, ResidentProfile.person_id == Person.id)
        .where(Person.status == "active", in_scope(Person.node_id, actor))).all()
    statuses: dict[int, list[rules.Status]] = defaultdict(list)
    for person_id, kind, review in session.execute(
            select(HardshipStatus.person_id, HardshipStatus.kind, HardshipStatus.review_date)
            .join(Person, Person.id == HardshipStatus.person_id)
            .where(Person.status == "active", in_scope(Person.node_id, actor))):
        statuses[person_id].append(rules.Status(kind, review))
    counts: dict[int, Counter] = defaultdict(Counter)
    for pid, node_id, birth, living, grade, adl in people:
        village = villages.get(node_id)
        if village is None:
            continue
        facts = rules.Facts(age=age_on(birth, today), living=living, statuses=tuple(sorted(
            statuses.get(pid, ()), key=lambda s: s.kind)), disability_grade=grade or 0, adl_level=adl)
        priority = rules.evaluate(facts, table, today)
        if priority.groups:
            village.in_need += 1
            village.tier_top += priority.tier <= 2
            counts[node_id].update(priority.groups)
    for node_id, counter in counts.items():
        villages[node_id].need_by_group = dict(counter)


def _service(session, actor: User, villages: dict[int, domain.Village], since_utc: datetime,
             now: datetime) -> None:
    for node_id, posted in session.execute(
            select(ServiceRequest.node_id, func.count()).where(
                ServiceRequest.created_at >= since_utc, in_scope(ServiceRequest.node_id, actor))
            .group_by(ServiceRequest.node_id)):
        if node_id in villages:
            villages[node_id].requests = posted
    for node_id, waiting in session.execute(
            select(ServiceRequest.node_id, func.count()).where(
                ServiceRequest.status.in_(("review", "open", "matched")), in_scope(ServiceRequest.node_id, actor))
            .group_by(ServiceRequest.node_id)):
        if node_id in villages:
            villages[node_id].open_requests = waiting
    for node_id, minutes in session.execute(
            select(ServiceRecord.node_id, func.sum(ServiceRecord.credited_minutes))
            .where(ServiceRecord.ended_at >= since_utc, in_scope(ServiceRecord.node_id, actor))
            .group_by(ServiceRecord.node_id)):
        if node_id in villages:
            villages[node_id].served_minutes = int(minutes or 0)
    # a visit is a check-out on a request in the village (settled or still to be confirmed)
    for node_id, last, recent in session.execute(
            select(ServiceRequest.node_id, func.max(Seat.check_out_at),
                   func.count(func.distinct(ServiceRequest.id)).filter(Seat.check_out_at >= since_utc))
            .join(Seat, Seat.request_id == ServiceRequest.id)
            .where(Seat.check_out_at.is_not(None), in_scope(ServiceRequest.node_id, actor))
            .group_by(ServiceRequest.node_id)):
        village = villages.get(node_id)
        if village is None or last is None:
            continue
        last = last if last.tzinfo else last.replace(tzinfo=UTC)
        village.days_since = max(0, (now - last).days)
        village.visits = int(recent or 0)


def _stations(session, actor: User, villages: dict[int, domain.Village]) -> list[StationRow]:
    stations = session.execute(
        select(Station.id, Station.name, Station.kind, OrgNode.name, OrgNode.path, OrgNode.id)
        .join(OrgNode, OrgNode.id == Station.node_id).where(in_scope(Station.node_id, actor))
        .order_by(OrgNode.path, Station.name)).all()
    workers = dict(session.execute(
        select(User.station_id, func.count(func.distinct(User.person_id)))
        .join(VolunteerProfile, and_(VolunteerProfile.person_id == User.person_id,
                                     VolunteerProfile.is_social_worker.is_(True),
                                     VolunteerProfile.status == "approved"))
        .where(User.station_id.in_([s[0] for s in stations] or [0]), User.active.is_(True))
        .group_by(User.station_id)).all())
    paths = dict(session.execute(select(OrgNode.id, OrgNode.path).where(OrgNode.id.in_(list(villages) or [0]))).all())
    out = []
    for sid, name, kind, place, path, node_id in stations:
        covered = [vid for vid, vpath in paths.items() if vpath.startswith(path)]
        if node_id in villages:
            villages[node_id].has_station = True
        out.append(StationRow(sid, name, place, kind, len(covered), int(workers.get(sid, 0))))
    return out


def equity(session, actor: User, *, period_days: int, today: date, now: datetime, tz: str,
           order: str = "gap") -> Equity:
    if scope_path(actor) is None:
        raise Forbidden()
    period_days = period_days if period_days in domain.PERIODS else domain.DEFAULT_PERIOD
    since = today - timedelta(days=period_days)
    since_utc = datetime.combine(since, datetime.min.time(), ZoneInfo(tz)).astimezone(UTC)
    villages = _villages(session, actor)
    _need(session, actor, villages, today)
    _service(session, actor, villages, since_utc, now)
    stations = _stations(session, actor, villages)
    return Equity(domain.sort_villages(list(villages.values()), order), stations, period_days, since)
