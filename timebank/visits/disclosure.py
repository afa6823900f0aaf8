"""Least disclosure for service requests: what a viewer may see of a request and of the person served.

One decision (`decide`, pure) used by every page, list and API response that shows a request:

- staff whose subtree holds the request, the resident and their verified relatives see everything ("full");
- a volunteer or social worker holding an active seat, while the visit is live (open, matched or in service,
  not yet checked out), sees the full name, street address and phone needed to get there ("seat");
- an approved volunteer or social worker who could serve an open request, or who once held a seat on it,
  sees the village, category, time window and skills, the surname with the given name masked, and never
  the priority tier, payer or hardship ("village");
- anyone else gets nothing (the page is a 404; the API answers 404 too).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

FULL, SEAT, VILLAGE = "full", "seat", "village"
LIVE = ("open", "matched", "in_service")


@dataclass(frozen=True)
class Viewer:
    """What decides disclosure about the person looking (built once per request)."""

    user_id: int | None
    person_id: int | None
    scope_path: str | None  # staff: the org subtree they act in
    volunteer: str | None  # 'approved', 'pending', 'rejected' or None (no volunteer profile)
    social_worker_path: str | None  # an approved social worker attached to a station: its subtree
    social_worker: bool = False  # an approved social worker (may take social-worker seats anywhere)
    family_of: frozenset[int] = frozenset()  # residents this person is (or is a verified relative of)


@dataclass(frozen=True)
class Facts:
    """The request facts disclosure needs."""

    node_path: str
    resident_id: int
    status: str
    safety: bool
    seats_volunteer: int
    seat: str | None  # the viewer's seat: 'live' (active, not checked out), 'past' (any other) or None


def decide(viewer: Viewer | None, facts: Facts) -> str | None:
    """FULL, SEAT, VILLAGE, or None when the viewer may not see the request at all."""
    if viewer is None:
        return FULL  # the system (jobs, matching)
    if viewer.scope_path is not None and facts.node_path.startswith(viewer.scope_path):
        return FULL
    if facts.resident_id in viewer.family_of:
        return FULL
    if facts.seat == "live" and facts.status in LIVE:
        return SEAT
    if facts.seat is not None:
        return VILLAGE
    if viewer.volunteer != "approved" or facts.status != "open":
        return None
    station_worker = viewer.social_worker_path is not None and facts.node_path.startswith(viewer.social_worker_path)
    if facts.safety and not station_worker:
        return None
    if facts.seats_volunteer == 0 and not (viewer.social_worker or station_worker):
        return None
    return VILLAGE


def mask_name(name: str | None) -> str:
    """王秀英 -> 王**: the surname, the given name masked (one star per character)."""
    if not name:
        return "—"
    return name[0] + "*" * max(1, len(name) - 1)


@dataclass(frozen=True)
class Shown:
    """A request as this viewer may see it; None means hidden."""

    level: str
    name: str
    village: str
    address: str | None
    phone: str | None
    priority_tier: int | None
    payer: str | None

    @property
    def full(self) -> bool:
        return self.level == FULL

    @property
    def contact(self) -> bool:
        return self.level in (FULL, SEAT)


def shown(req, level: str) -> Shown:
    resident = req.resident
    contact = level in (FULL, SEAT)
    return Shown(level=level, name=resident.name if contact else mask_name(resident.name),
                 village=req.node.name, address=req.place if contact else None,
                 phone=resident.phone if contact else None,
                 priority_tier=req.priority_tier if level == FULL else None,
                 payer=req.payer if level == FULL else None)


# ---------------------------------------------------------------------------------------------------------
# the shell: build the viewer and the facts from the database


def viewer_for(session, user) -> Viewer | None:
    """The viewer for a user (two small queries); None for the system."""
    return _build_viewer(session, user) if user is not None else None


def discloser(session, user):
    """A `disclose(req, seat=None) -> Shown | None` for templates: the viewer is built once per page."""
    built: list[Viewer | None] = []

    def disclose(req, seat=None) -> Shown | None:
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        if not built:
            built.append(viewer_for(session, user))
        level = _decide_for(built[0], req, seat)
        return shown(req, level) if level is not None else None

    return disclose


def init_app(app) -> None:
    """Templates get `disclose(req)`, bound to the logged-in user, and the `mask_name` filter."""
    app.jinja_env.filters["mask_name"] = mask_name

    @app.context_processor
    def _disclose():
        from flask_login import current_user

        from timebank.extensions import db

        return {"disclose": discloser(db.session, current_user)}


def _build_viewer(session, user) -> Viewer:
    from timebank.accounts.scope import scope_path
    from timebank.people.models import Relative, VolunteerProfile

    profile = session.get(VolunteerProfile, user.person_id) if user.person_id else None
    volunteer = profile.status if profile is not None and user.has_role("volunteer", "social_worker") else None
    sw_path = None
    if profile is not None and profile.is_social_worker and profile.status == "approved" and user.station is not None:
        sw_path = user.station.node.path
    family: set[int] = set()
    if user.person_id is not None:
        family.add(user.person_id)
        family.update(session.scalars(select(Relative.resident_id).where(
            Relative.relative_id == user.person_id, Relative.verified.is_(True),
            Relative.unlinked_at.is_(None))))
    social_worker = profile is not None and profile.is_social_worker and profile.status == "approved"
    return Viewer(user_id=user.id, person_id=user.person_id, scope_path=scope_path(user), volunteer=volunteer,
                  social_worker_path=sw_path, social_worker=social_worker, family_of=frozenset(family))


def _seat_state(req, person_id: int | None, seat=None) -> str | None:
    if person_id is None:
        return None
    seats = [seat] if seat is not None else [s for s in req.seats if s.volunteer_id == person_id]
    for s in seats:
        if s.volunteer_id == person_id:
            return "live" if s.status == "active" and s.check_out_at is None else "past"
    return None


def level_for(session, user, req, seat=None) -> str | None:
    """The disclosure level of `user` for `req` (None: hidden). `seat` passes the user's seat when known."""
    return _decide_for(viewer_for(session, user), req, seat)


def _decide_for(viewer: Viewer | None, req, seat=None) -> str | None:
    if viewer is None:
        return FULL
    facts = Facts(node_path=req.node.path, resident_id=req.resident_id, status=req.status, safety=req.safety,
                  seats_volunteer=req.seats_volunteer, seat=_seat_state(req, viewer.person_id, seat))
    return decide(viewer, facts)


def view(session, user, req, seat=None) -> Shown | None:
    level = level_for(session, user, req, seat)
    return shown(req, level) if level is not None else None


def as_dict(session, user, req) -> dict:
    """The API body of a request for this user: the same fields the pages show, hidden ones as null."""
    s = view(session, user, req)
    level = s.level if s is not None else VILLAGE
    full = level == FULL
    return {
        "id": req.id, "status": req.status, "category_id": req.category_id,
        "resident_id": req.resident_id if s is not None and s.contact else None,
        "resident_name": s.name if s is not None else mask_name(req.resident.name),
        "village": req.node.name, "address": s.address if s is not None else None,
        "phone": s.phone if s is not None else None,
        "earliest_start": req.earliest_start, "latest_end": req.latest_end, "scheduled_start": req.scheduled_start,
        "duration_minutes": req.duration_minutes, "priority_tier": req.priority_tier if full else None,
        "urgent": req.urgent, "safety": req.safety, "payer": req.payer if full else None,
        "seats_volunteer": req.seats_volunteer, "seats_social_worker": req.seats_social_worker,
        "rating": req.rating, "skill_ids": [sk.id for sk in req.skills],
        "paid_by_person_id": req.paid_by_person_id if full else None,
        "review_reason": req.review_reason if full else None,
        "confirmation_method": req.confirmation_method, "satisfied": req.satisfied,
        "has_signature": req.signature_svg is not None,
        "seats": [seat for seat in req.seats if full or seat.volunteer_id == (user.person_id if user else None)],
        "disclosure": level,
    }


def strip_explanation(explanation: dict | None) -> dict:
    """A proposal's reasons as a volunteer may see them: no priority weight (it reveals hardship)."""
    return {k: v for k, v in (explanation or {}).items() if not k.startswith("priority")}
