"""Who the station can assign to one request: only volunteers who could serve it (skills that count today,
within their travel radius, not excluded by the resident, a start in the window that fits their hours and
other visits), best first: nearest, then least busy this week. Each with why, in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import Person, User
from timebank.accounts.scope import in_scope
from timebank.people.models import VolunteerProfile
from timebank.people.skills import counted_skills
from timebank.visits import domain, take_options
from timebank.visits.models import Exclusion, ServiceRequest
from timebank.visits.service import place_of

SCAN = 200  # volunteers looked at per request (those in the station's area, nearest first by village)


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    start: datetime
    distance_km: float | None


@dataclass(frozen=True)
class Picker:
    candidates: list[Candidate]
    looked_at: int
    left_out: dict[str, int]  # reason -> how many volunteers it left out


def for_request(session, actor: User, req: ServiceRequest, *, today: date, limit: int = 30) -> Picker:
    profiles = list(session.scalars(
        select(VolunteerProfile).join(VolunteerProfile.person)
        .options(selectinload(VolunteerProfile.person).selectinload(Person.node))
        .where(VolunteerProfile.status == "approved", Person.status == "active", in_scope(Person.node_id, actor))
        .order_by(Person.id).limit(SCAN)))
    seated = {s.volunteer_id for s in req.seats}
    excluded = set(session.scalars(select(Exclusion.volunteer_id).where(Exclusion.resident_id == req.resident_id)))
    counted = counted_skills(session, [p.person_id for p in profiles], today)
    needed = {s.id for s in req.skills}
    where = domain.Place(req.latitude, req.longitude) if req.latitude is not None else None
    left_out: dict[str, int] = {}
    found: list[Candidate] = []

    def leave(reason: str) -> None:
        left_out[reason] = left_out.get(reason, 0) + 1

    for profile in profiles:
        pid = profile.person_id
        if pid in seated or pid in (req.resident_id, req.payer_person_id):
            leave("already")
            continue
        if pid in excluded:
            leave("excluded")
            continue
        if not profile.is_social_worker and not needed <= counted[pid]:
            leave("skills")
            continue
        distance = domain.distance_km(place_of(profile.person), where) if where is not None else None
        if distance is not None and distance > profile.travel_radius_km:
            leave("distance")
            continue
        starts, reason = take_options.start_options(session, pid, req, limit=1)
        if not starts:
            leave(reason or "unavailable")
            continue
        found.append(Candidate(pid, profile.person.name, starts[0], distance))
    found.sort(key=lambda c: (c.start, c.distance_km if c.distance_km is not None else 0.0, c.person_id))
    return Picker(found[:limit], len(profiles), left_out)
