"""Writes for requests and seats: post, take a seat (volunteers, station hand-assignment and the matching
engine all use `take_seat`), give back, no-show, cancel, expire. Services flush; the shell commits.

Concurrency: `take_seat` locks the volunteer's profile row, then the request row (SELECT ... FOR UPDATE on
PostgreSQL; SQLite already holds the write lock from BEGIN IMMEDIATE), so two takers of the last seat
cannot both win and one volunteer's overlapping takes are serialised.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import OrgNode, Person, User
from timebank.accounts.scope import scope_path
from timebank.audit import service as audit
from timebank.catalog.models import ServiceCategory, Skill
from timebank.errors import Conflict, DomainError, Forbidden, InvalidTransition, NotInScope, ValidationFailed
from timebank.ledger import holds
from timebank.ledger import service as ledger
from timebank.people import minors, priority_facts, volunteer_record
from timebank.people import skills as counted
from timebank.people.availability import AvailabilityException
from timebank.people.models import Relative, ResidentProfile, VolunteerProfile
from timebank.policy import priority as priority_rules
from timebank.visits import domain
from timebank.visits import rules as visit_rules
from timebank.visits.models import Exclusion, Seat, ServiceRequest, VisitEvent

MESSAGES = {
    "duration": _l("服务时长应在1分钟到12小时之间"),
    "window_past": _l("服务时间不能早于现在"),
    "window_short": _l("时间段短于服务时长"),
    "window_long": _l("时间段不能超过14天"),
    "repeat_weeks": _l("每周重复的周数应在1到26之间"),
    "unavailable": _l("该时间不在志愿者的可服务时间内"),
    "overlap": _l("与该志愿者的其他服务时间重叠（含路途时间）"),
    "capacity": _l("超过该志愿者每周最多服务时长"),
    "skills": _l("志愿者不具备该服务所需的技能"),
    "excluded": _l("该志愿者已被排除，不能为这位服务对象服务"),
    "social_worker": _l("该服务需要由社工站的社工承担"),
    "no_seat": _l("该服务已没有空位"),
    "already": _l("您已经在该服务中"),
    "retake": _l("已退出或未到场的志愿者不能再次接同一服务"),
    "not_approved": _l("志愿者审核通过后才能接受服务"),
    "checkout_before_checkin": _l("签退时间必须晚于签到时间"),
    "part_minutes": _l("部分记入的时长不能超过签到签退记录的时长"),
    "outcome": _l("请选择处理结果"),
    "payer": _l("该服务对象不符合使用此时间池的条件"),
    "balance": _l("服务对象的时间账户余额不足"),
    "balance_payer": _l("您的时间账户余额不足"),
    "paid_by": _l("只能用您本人的时间账户为亲属支付"),
    "paid_by_pool": _l("由时间池支付时不能再指定付款人"),
    "self_serve": _l("不能为自己或由自己时长支付的服务接单"),
    "start": _l("开始时间须在时间段内"),
    "person_inactive": _l("该人员已故或已迁出本县，不能再预约服务或接受服务任务"),
}


def rule_error(reason: str, field: str | None = None) -> ValidationFailed:
    error_class = Conflict if reason in ("overlap", "capacity", "no_seat", "already", "retake") else ValidationFailed
    return error_class(MESSAGES.get(reason), field=field, reason=reason)


def refuse(error: domain.TransitionRefused):
    if error.reason == "role":
        return Forbidden(_l("您不能对该服务执行此操作"), reason=error.action)
    return InvalidTransition(reason=error.action)


# ---------------------------------------------------------------------------------------------------------
# who the actor is for a request


def is_staff_for(actor: User | None, node: OrgNode) -> bool:
    path = scope_path(actor) if actor is not None else None
    return path is not None and node.path.startswith(path)


def verified_relative(session, actor: User, resident_id: int) -> bool:
    if actor.person_id is None:
        return False
    return session.scalar(select(Relative.id).where(
        Relative.resident_id == resident_id, Relative.relative_id == actor.person_id,
        Relative.verified.is_(True), Relative.unlinked_at.is_(None))) is not None


def roles_of(session, actor: User | None, req: ServiceRequest) -> list[str]:
    """The table roles this actor holds on this request (staff first)."""
    if actor is None:
        return ["system"]
    roles = []
    if is_staff_for(actor, req.node):
        roles.append("staff")
    if actor.person_id is not None:
        if actor.person_id == req.resident_id:
            roles.append("resident")
        elif verified_relative(session, actor, req.resident_id):
            roles.append("relative")
        if any(s.volunteer_id == actor.person_id and s.status == "active" for s in seats_of(session, req.id)):
            roles.append("volunteer")
    return roles


def seats_of(session, request_id: int) -> list[Seat]:
    return list(session.scalars(select(Seat).where(Seat.request_id == request_id).order_by(Seat.id)
                                .execution_options(populate_existing=True)))


def station_social_worker(session, actor: User, req: ServiceRequest) -> bool:
    """A verified social worker attached to a station whose township contains the request."""
    profile = session.get(VolunteerProfile, actor.person_id) if actor.person_id else None
    if profile is None or not profile.is_social_worker or actor.station is None:
        return False
    return req.node.path.startswith(actor.station.node.path)


def may_see(session, actor: User, req: ServiceRequest) -> bool:
    """Least disclosure decides (visits/disclosure.py): staff in scope, family, seat holders, approved volunteers."""
    from timebank.visits import disclosure

    return disclosure.level_for(session, actor, req) is not None


def load(session, actor: User, request_id: int, *, lock: bool = False) -> ServiceRequest:
    """The request if this actor may see it (staff: their subtree), else NotInScope (a 404)."""
    stmt = select(ServiceRequest).where(ServiceRequest.id == request_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    req = session.scalar(stmt) if isinstance(request_id, int) else None
    if req is None or (actor is not None and not may_see(session, actor, req)):
        raise NotInScope()
    return req


def log(session, req: ServiceRequest, action: str, to: str, *, actor: User | None, role: str, now: datetime,
        seat: Seat | None = None, detail: str | None = None) -> VisitEvent:
    event = VisitEvent(request_id=req.id, action=action, from_status=req.status, to_status=to,
                       actor_id=actor.id if actor is not None else None, actor_role=role,
                       seat_id=seat.id if seat is not None else None, detail=(detail or None) and detail[:300], at=now)
    session.add(event)
    req.status = to
    return event


def step(session, req: ServiceRequest, action: str, roles, **facts) -> tuple[str, str]:
    try:
        return domain.transition(req.status, action, roles, **facts)
    except domain.TransitionRefused as error:
        raise refuse(error) from None


# ---------------------------------------------------------------------------------------------------------
# posting


@dataclass(frozen=True)
class RequestInput:
    resident_id: int
    category_id: int
    earliest_start: datetime
    latest_end: datetime
    duration_minutes: int | None = None
    description: str | None = None
    seats_volunteer: int = 1
    seats_social_worker: int | None = None
    skill_ids: tuple[int, ...] | None = None
    repeat_weeks: int = 1
    payer: str = "own"
    charity_id: int | None = None  # with payer "charity": whose hour pool pays
    paid_by_person_id: int | None = None  # with payer "own": whose account pays (None: the resident's)
    urgent: bool = False
    safety: bool = False


def place_of(person: Person) -> domain.Place | None:
    """A person's exact point when known, else the village centroid."""
    if person.latitude is not None and person.longitude is not None:
        return domain.Place(person.latitude, person.longitude)
    if person.node.latitude is not None and person.node.longitude is not None:
        return domain.Place(person.node.latitude, person.node.longitude)
    return None


def priority_of(session, person: Person, today: date) -> int:
    """The resident's tier today, from the one priority rule (timebank.policy.priority)."""
    return priority_facts.priority_of(session, person.id, today).tier


def _check_poster(session, actor: User, resident: Person | None) -> None:
    if resident is None or session.get(ResidentProfile, resident.id) is None:
        raise NotInScope(field="resident_id")
    if is_staff_for(actor, resident.node) or actor.person_id == resident.id:
        return
    if verified_relative(session, actor, resident.id):
        return
    raise NotInScope(field="resident_id")


def _check_own_payer(session, actor: User, resident: Person, data: RequestInput, today: date) -> int | None:
    """Whose account pays an own-hours request, checked against the redemption rule when the request is
    posted (never first at the last seat): the resident's own, or the poster's own hours for a verified
    spouse or direct relative. None for a pool."""
    if data.payer != "own":
        if data.paid_by_person_id is not None:
            raise rule_error("paid_by_pool", "payer")
        return None
    paid_by = resident.id if data.paid_by_person_id is None else data.paid_by_person_id
    if paid_by != resident.id and (not isinstance(paid_by, int) or paid_by != actor.person_id):
        raise rule_error("paid_by", "payer")
    from timebank.policy import service as policy_service

    refusal = ledger.redemption_refusal(session, paid_by, resident.id, policy_service.current(session)[1], today)
    if refusal is not None:
        raise refusal
    return paid_by


def post_request(session, actor: User, data: RequestInput, *, now: datetime, today: date) -> list[ServiceRequest]:
    """A station (for a resident in its subtree), the resident or a verified relative posts a request; a weekly
    series becomes one request per occurrence. Priority is computed here, never typed. Who pays is checked
    here (pool eligibility, the redemption rule, the balance); a non-staff post paid by the backstop or a
    charity's pool waits in 'review' for the station."""
    resident = session.get(Person, data.resident_id) if isinstance(data.resident_id, int) else None
    _check_poster(session, actor, resident)
    if resident.status != "active":  # moved away or deceased: no new requests
        raise rule_error("person_inactive", "resident_id")
    category = session.get(ServiceCategory, data.category_id) if isinstance(data.category_id, int) else None
    if category is None or not category.active:
        raise ValidationFailed(_l("请选择服务类别"), field="category_id")
    duration = category.default_minutes if data.duration_minutes is None else data.duration_minutes
    try:
        domain.check_window(data.earliest_start, data.latest_end, duration, now)
        windows = domain.occurrences(data.earliest_start, data.latest_end, data.repeat_weeks)
    except domain.RuleBroken as error:
        field = {"repeat_weeks": "repeat_weeks", "duration": "duration_minutes"}.get(error.reason, "earliest_start")
        raise rule_error(error.reason, field) from None
    social = data.seats_social_worker
    if social is None:
        social = 1 if category.needs_social_worker else 0
    volunteers = data.seats_volunteer
    if data.safety:  # 急难 / a child at risk: the station's social workers only
        social, volunteers = max(1, social + volunteers), 0
    if not (0 <= volunteers <= 10 and 0 <= social <= 10 and 1 <= volunteers + social <= 10):
        raise ValidationFailed(_l("人数应在1到10之间"), field="seats_volunteer")
    skill_ids = data.skill_ids if data.skill_ids is not None else tuple(s.id for s in category.skills)
    skills = list(session.scalars(select(Skill).where(Skill.id.in_(skill_ids)))) if skill_ids else []
    if len(skills) != len(set(skill_ids)):
        raise ValidationFailed(_l("所选技能不存在"), field="skill_ids")
    standing = priority_facts.priority_of(session, resident.id, today)
    tier = standing.tier
    if data.payer not in domain.PAYERS or not priority_rules.payer_allowed(data.payer, standing):
        raise rule_error("payer", "payer")
    charity_id = None
    if data.payer == "charity":
        from timebank.charity.service import pool_ineligibility

        if not isinstance(data.charity_id, int):
            raise rule_error("payer", "payer")
        try:
            refused = pool_ineligibility(session, data.charity_id, resident.id, category.id, today)
        except DomainError:
            refused = "charity"
        if refused is not None:
            raise rule_error("payer", "payer")
        charity_id = data.charity_id
    paid_by = _check_own_payer(session, actor, resident, data, today)
    if paid_by is not None:
        account = ledger.account_for_person(session, paid_by)
        need = (volunteers + social) * duration
        if account.balance - account.pending_debits < need:
            raise rule_error("balance" if paid_by == resident.id else "balance_payer", "payer")
    staff = is_staff_for(actor, resident.node)
    status = "review" if domain.needs_review(data.payer, staff=staff) else "open"
    place = place_of(resident)
    series = uuid.uuid4().hex[:16] if len(windows) > 1 else None
    created = []
    for number, (start, end) in enumerate(windows, start=1):
        req = ServiceRequest(
            resident_id=resident.id, node_id=resident.node_id, category_id=category.id,
            description=(data.description or "").strip()[:500] or None, place=resident.address,
            latitude=place.lat if place else None, longitude=place.lon if place else None,
            earliest_start=start, latest_end=end, duration_minutes=duration, seats_volunteer=volunteers,
            seats_social_worker=social, urgent=bool(data.urgent), safety=bool(data.safety), priority_tier=tier,
            priority_score=domain.priority_score(tier, bool(data.urgent)), payer=data.payer, charity_id=charity_id,
            paid_by_person_id=paid_by, status=status,
            series_key=series, occurrence=number, posted_by_id=actor.id, skills=skills, created_at=now)
        session.add(req)
        session.flush()
        role = "staff" if staff else ("resident" if actor.person_id == resident.id else "relative")
        session.add(VisitEvent(request_id=req.id, action="post", from_status=status, to_status=status,
                               actor_id=actor.id, actor_role=role, at=now))
        created.append(req)
    session.flush()
    return created


# ---------------------------------------------------------------------------------------------------------
# taking a seat


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"]))


def _held_slots(session, volunteer_id: int, around: datetime, exclude_request: int) -> list[tuple[Seat, ServiceRequest]]:
    """The volunteer's active seats on live requests within ten days of `around`."""
    rows = session.execute(
        select(Seat, ServiceRequest).join(ServiceRequest, ServiceRequest.id == Seat.request_id)
        .where(Seat.volunteer_id == volunteer_id, Seat.status == "active",
               ServiceRequest.status.in_(domain.ACTIVE_STATES), ServiceRequest.id != exclude_request,
               ServiceRequest.scheduled_start.is_not(None),
               ServiceRequest.scheduled_start >= around - timedelta(days=10),
               ServiceRequest.scheduled_start <= around + timedelta(days=10))
    ).all()
    return [(seat, req) for seat, req in rows]


def _slot(req: ServiceRequest, start: datetime) -> domain.Slot:
    place = domain.Place(req.latitude, req.longitude) if req.latitude is not None else None
    return domain.Slot(start, start + timedelta(minutes=req.duration_minutes), place)


def _held(seat: Seat, req: ServiceRequest) -> domain.Slot:
    """The time a seat keeps the volunteer busy: the planned slot, or once checked out the time actually spent
    (a visit finished early frees the rest of its planned time)."""
    if seat.check_in_at is not None and seat.check_out_at is not None:
        place = domain.Place(req.latitude, req.longitude) if req.latitude is not None else None
        return domain.Slot(seat.check_in_at, seat.check_out_at, place)
    return _slot(req, req.scheduled_start)


def _fit(session, profile: VolunteerProfile, req: ServiceRequest, start: datetime, held, speed: int,
         extra: tuple = ()) -> str | None:
    """None when the volunteer can serve `req` starting at `start` (with `extra` one-off slots, if any);
    else the reason it cannot."""
    slot = _slot(req, start)
    weekly = [(a.weekday, a.start_minute, a.end_minute) for a in profile.availability]
    exceptions = [domain.Exception_(x.day, x.available, x.start_minute, x.end_minute) for x in session.scalars(
        select(AvailabilityException).where(AvailabilityException.person_id == profile.person_id,
                                            AvailabilityException.day == _local(start).date()))] + list(extra)
    if not domain.is_available(weekly, exceptions, _local(slot.start), _local(slot.end)):
        return "unavailable"
    if domain.conflict(slot, [_held(s, r) for s, r in held], speed) is not None:
        return "overlap"
    week = domain.week_start(_local(start).date())
    used = sum(r.duration_minutes for _s, r in held if domain.week_start(_local(r.scheduled_start).date()) == week)
    if not domain.within_capacity(used, req.duration_minutes, profile.max_minutes_per_week):
        return "capacity"
    return None


def _choose_start(session, profile, req: ServiceRequest, wanted: datetime | None, held, speed: int) -> datetime:
    if req.scheduled_start is not None:
        candidates = [req.scheduled_start]
    elif wanted is not None:
        if wanted < req.earliest_start or wanted + timedelta(minutes=req.duration_minutes) > req.latest_end:
            raise rule_error("start", "start")
        candidates = [wanted]
    else:
        candidates, moment = [], req.earliest_start
        while moment + timedelta(minutes=req.duration_minutes) <= req.latest_end and len(candidates) < 2000:
            candidates.append(moment)
            moment += timedelta(minutes=15)
    reasons = []
    for start in candidates:
        reason = _fit(session, profile, req, start, held, speed)
        if reason is None:
            return start
        reasons.append(reason)
    for reason in ("capacity", "overlap", "unavailable"):
        if reason in reasons:
            raise rule_error(reason, "volunteer_id")
    raise rule_error("unavailable", "volunteer_id")


def take_seat(session, actor: User, request_id: int, *, volunteer_id: int | None = None, source: str | None = None,
              start: datetime | None = None, now: datetime, today: date) -> Seat:
    """One volunteer takes one seat: skills, availability, no overlap (travel included), weekly capacity,
    exclusions, social-worker seats and safety cases. The last seat matches the request and, when the
    resident pays with own hours, places a hold per seat. Station staff pass `volunteer_id` to assign."""
    assigning = volunteer_id is not None and volunteer_id != actor.person_id
    person_id = volunteer_id if volunteer_id is not None else actor.person_id
    if person_id is None:
        raise Forbidden(_l("您的登录账号没有关联个人信息"))
    profile = session.scalar(select(VolunteerProfile).where(VolunteerProfile.person_id == person_id)
                             .with_for_update().execution_options(populate_existing=True))
    req = load(session, None, request_id, lock=True)
    if not may_see(session, actor, req):
        if req.status not in ("open", "review") and not req.safety and actor.has_role("volunteer", "social_worker"):
            raise rule_error("no_seat")  # it was open a moment ago: someone else took the last seat
        raise NotInScope()
    if assigning:
        if not is_staff_for(actor, req.node):
            raise NotInScope()
        roles, source = ["staff"], source or "station"
    else:
        if not actor.has_role("volunteer", "social_worker"):
            raise Forbidden()
        roles, source = ["volunteer"], source or "self"
    if profile is None:
        raise NotInScope(field="volunteer_id")
    if person_id in (req.resident_id, req.payer_person_id):
        raise rule_error("self_serve", "volunteer_id")
    seats = seats_of(session, req.id)
    active = [s for s in seats if s.status == "active"]
    to, role = step(session, req, "take", roles, seats_left=req.seats_total - len(active) - 1)
    if profile.status != "approved":
        raise rule_error("not_approved", "volunteer_id")
    minors.check_may_take_seat(session, profile.person.birth_date, today)  # individual visits: adults only
    if profile.person.status != "active":  # moved away or deceased: no new seats
        raise rule_error("person_inactive", "volunteer_id")
    if any(s.volunteer_id == person_id for s in seats):
        raise rule_error("already" if any(s.volunteer_id == person_id for s in active) else "retake", "volunteer_id")
    if len(active) >= req.seats_total:
        raise rule_error("no_seat")
    volunteer_user = session.scalar(select(User).where(User.person_id == person_id))
    sw_taken = sum(1 for s in active if s.role == "social_worker")
    vol_taken = len(active) - sw_taken
    if req.safety or (vol_taken >= req.seats_volunteer):
        if not profile.is_social_worker or volunteer_user is None or not station_social_worker(session, volunteer_user,
                                                                                               req):
            raise rule_error("social_worker", "volunteer_id")
        seat_role = "social_worker"
    elif sw_taken < req.seats_social_worker and profile.is_social_worker and volunteer_user is not None \
            and station_social_worker(session, volunteer_user, req):
        seat_role = "social_worker"
    else:
        seat_role = "volunteer"
        problem = counted.skill_problem(session, person_id, {s.id for s in req.skills}, today)
        if problem:
            raise ValidationFailed(problem, field="volunteer_id", reason="skills")
    if session.scalar(select(Exclusion.id).where(Exclusion.resident_id == req.resident_id,
                                                 Exclusion.volunteer_id == person_id)) is not None:
        raise rule_error("excluded", "volunteer_id")
    settings = visit_rules.current(session)
    held = _held_slots(session, person_id, req.start, req.id)
    chosen = _choose_start(session, profile, req, start, held, settings.travel_speed_kmh)
    problem = volunteer_record.insurance_problem(session, person_id, req.category_id, on=_local(chosen).date())
    if problem:
        raise ValidationFailed(problem, field="volunteer_id", reason="insurance")
    req.scheduled_start = chosen
    seat = Seat(request_id=req.id, volunteer_id=person_id, role=seat_role, status="active", source=source,
                taken_by_id=actor.id, taken_at=now)
    session.add(seat)
    session.flush()
    if to == "matched" and req.payer == "own":
        for each in [*active, seat]:
            _reserve(session, req, each, actor_id=actor.id, now=now, today=today, settings=settings)
    log(session, req, "take", to, actor=actor, role=role, now=now, seat=seat,
        detail="assign" if assigning else source)
    session.flush()
    return seat


def _reserve(session, req, seat: Seat, *, actor_id, now, today, settings) -> None:
    payer = ledger.account_for_person(session, req.payer_person_id)
    seat.hold_generation += 1
    outcome = holds.reserve(session, payer_account_id=payer.id, person_id=seat.volunteer_id,
                            minutes=req.duration_minutes + settings.overtime_tolerance_minutes,
                            key=f"visit-hold:{seat.id}:{seat.hold_generation}", reference=f"visit:{req.id}",
                            actor_id=actor_id, served_id=req.resident_id if req.paid_by_person_id else None,
                            now=now, today=today)
    seat.hold_id = outcome.transfer.id


def release(session, seat: Seat, *, actor_id, now) -> None:
    """Void the seat's open hold (the request was cancelled or the seat given back)."""
    if seat.hold_id is None:
        return
    holds.void(session, hold_id=seat.hold_id, key=f"visit-void:{seat.hold_id}", actor_id=actor_id, now=now)
    seat.hold_id = None


def give_back(session, actor: User, request_id: int, *, volunteer_id: int | None = None, now: datetime) -> Seat:
    """A volunteer (or staff for them) gives a seat back before check-in; after the cut-off it counts as a late
    cancellation on the volunteer's reliability record."""
    req = load(session, actor, request_id, lock=True)
    person_id = volunteer_id if volunteer_id is not None else actor.person_id
    roles = ["staff"] if volunteer_id is not None and volunteer_id != actor.person_id else ["volunteer"]
    if roles == ["staff"] and not is_staff_for(actor, req.node):
        raise NotInScope()
    seat = next((s for s in seats_of(session, req.id) if s.volunteer_id == person_id and s.status == "active"), None)
    if seat is None:
        raise InvalidTransition(_l("您在该服务中没有名额"), reason="give_back")
    to, role = step(session, req, "give_back", roles)
    late = domain.late_give_back(req.start, now, visit_rules.current(session).give_back_cutoff_hours)
    seat.status = "late_cancel" if late else "given_back"
    release(session, seat, actor_id=actor.id, now=now)
    if not [s for s in seats_of(session, req.id) if s.status == "active" and s.id != seat.id]:
        req.scheduled_start = None
    log(session, req, "give_back", to, actor=actor, role=role, now=now, seat=seat, detail=seat.status)
    session.flush()
    return seat


def no_show(session, actor: User, request_id: int, volunteer_id: int, *, now: datetime) -> Seat:
    """Station staff record that a volunteer did not come; the seat reopens and the hold is released."""
    req = load(session, actor, request_id, lock=True)
    seats = seats_of(session, req.id)
    seat = next((s for s in seats if s.volunteer_id == volunteer_id and s.status == "active"), None)
    if seat is None or seat.check_in_at is not None:
        raise InvalidTransition(_l("该志愿者没有待到场的名额"), reason="no_show")
    others = [s for s in seats if s.status == "active" and s.id != seat.id]
    all_out = bool(others) and all(s.check_out_at is not None for s in others)
    to, role = step(session, req, "no_show", roles_of(session, actor, req), all_out=all_out)
    seat.status = "no_show"
    release(session, seat, actor_id=actor.id, now=now)
    if to == "done":
        req.done_at = now
    log(session, req, "no_show", to, actor=actor, role=role, now=now, seat=seat)
    session.flush()
    return seat


def cancel(session, actor: User, request_id: int, *, reason: str | None, now: datetime) -> ServiceRequest:
    req = load(session, actor, request_id, lock=True)
    to, role = step(session, req, "cancel", roles_of(session, actor, req))
    for seat in seats_of(session, req.id):
        release(session, seat, actor_id=actor.id, now=now)
    log(session, req, "cancel", to, actor=actor, role=role, now=now, detail=reason)
    session.flush()
    return req


def expire_due(session, *, now: datetime) -> list[int]:
    """Open or matched requests whose window has closed become expired (holds released). Idempotent."""
    ids = list(session.scalars(select(ServiceRequest.id).where(
        ServiceRequest.status.in_(("review", "open", "matched")), ServiceRequest.latest_end < now)
        .order_by(ServiceRequest.id)))
    for request_id in ids:
        req = session.scalar(select(ServiceRequest).where(ServiceRequest.id == request_id).with_for_update()
                             .execution_options(populate_existing=True))
        if req.status not in ("review", "open", "matched"):
            continue
        to, role = step(session, req, "expire", ["system"])
        for seat in seats_of(session, req.id):
            release(session, seat, actor_id=None, now=now)
        log(session, req, "expire", to, actor=None, role=role, now=now)
    session.flush()
    return ids


def _served_by(session, resident_id: int, volunteer_id: int) -> bool:
    """The volunteer checked in on at least one visit to this resident."""
    return session.scalar(select(Seat.id).join(ServiceRequest, ServiceRequest.id == Seat.request_id).where(
        ServiceRequest.resident_id == resident_id, Seat.volunteer_id == volunteer_id,
        Seat.check_in_at.is_not(None)).limit(1)) is not None


def add_exclusion(session, actor: User, resident_id: int, volunteer_id: int, *, reason: str,
                  now: datetime | None = None) -> Exclusion:
    """换人: this volunteer is no longer sent to this resident (take-seat refuses, matching never proposes
    the pair). Station staff of the resident's subtree may record it at any time; the resident or a verified
    relative may, after the volunteer has served the resident."""
    resident = session.get(Person, resident_id) if isinstance(resident_id, int) else None
    if resident is None:
        raise NotInScope()
    staff = is_staff_for(actor, resident.node)
    recipient = actor.person_id is not None and (actor.person_id == resident.id
                                                 or verified_relative(session, actor, resident.id))
    if not staff and not recipient:
        raise NotInScope()
    if not (reason or "").strip():
        raise ValidationFailed(_l("请填写原因"), field="reason")
    if not isinstance(volunteer_id, int) or session.get(VolunteerProfile, volunteer_id) is None:
        raise NotInScope(field="volunteer_id")
    if not staff and not _served_by(session, resident.id, volunteer_id):
        raise Forbidden(_l("只能对为这位服务对象服务过的志愿者提出换人"), field="volunteer_id")
    if session.scalar(select(Exclusion.id).where(Exclusion.resident_id == resident.id,
                                                 Exclusion.volunteer_id == volunteer_id)) is not None:
        raise Conflict(_l("已不再安排该志愿者为这位服务对象服务"), field="volunteer_id")
    row = Exclusion(resident_id=resident.id, volunteer_id=volunteer_id, reason=reason.strip()[:300],
                    created_by_id=actor.id)
    if now is not None:
        row.created_at = now
    session.add(row)
    session.flush()
    audit.record(session, "visit_exclusion_add", actor_id=actor.id, target=f"person:{resident.id}",
                 detail=f"volunteer {volunteer_id}: {row.reason}")
    return row


def remove_exclusion(session, actor: User, exclusion_id: int, *, resident_id: int | None = None) -> Exclusion:
    """Station staff of the resident's subtree lift an exclusion (the row is deleted, the audit log keeps it)."""
    row = session.get(Exclusion, exclusion_id) if isinstance(exclusion_id, int) else None
    if row is not None and resident_id is not None and row.resident_id != resident_id:
        row = None
    resident = session.get(Person, row.resident_id) if row is not None else None
    if resident is None or not is_staff_for(actor, resident.node):
        raise NotInScope()
    audit.record(session, "visit_exclusion_remove", actor_id=actor.id, target=f"person:{resident.id}",
                 detail=f"volunteer {row.volunteer_id}: {row.reason}")
    session.delete(row)
    session.flush()
    return row


def exclusions_for(session, actor: User, resident_id: int) -> list[Exclusion]:
    """The exclusions of one resident, for station staff of its subtree, the resident and verified relatives."""
    resident = session.get(Person, resident_id) if isinstance(resident_id, int) else None
    if resident is None or not (is_staff_for(actor, resident.node) or actor.person_id == resident.id
                                or verified_relative(session, actor, resident.id)):
        raise NotInScope()
    return list(session.scalars(select(Exclusion).where(Exclusion.resident_id == resident.id)
                                .order_by(Exclusion.id)))
