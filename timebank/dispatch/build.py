"""Build one matching problem (exchange format) for a scope and horizon from the database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import OrgNode, Person, User
from timebank.dispatch import domain
from timebank.dispatch.models import Proposal
from timebank.ledger import service as ledger
from timebank.ledger.domain import pool_code
from timebank.people import minors, priority_facts, volunteer_record
from timebank.people.availability import AvailabilityException
from timebank.people.models import VolunteerProfile
from timebank.people.skills import counted_skills
from timebank.policy import priority as priority_rules
from timebank.visits import rules as visit_rules
from timebank.visits.models import Exclusion, Seat, ServiceRequest

TAKEN = ("active",)


@dataclass
class Built:
    problem: dict
    origin: datetime
    requests: dict[str, int] = field(default_factory=dict)  # problem id -> request id
    volunteers: dict[str, int] = field(default_factory=dict)  # problem id -> person id
    goods: dict[str, int] = field(default_factory=dict)  # problem id -> goods request id
    donations: dict[str, int] = field(default_factory=dict)  # problem id -> donation id


def _place(obj, lat0, lon0):
    lat = obj.latitude if obj.latitude is not None else (obj.node.latitude if obj.node else None)
    lon = obj.longitude if obj.longitude is not None else (obj.node.longitude if obj.node else None)
    if lat is None or lon is None:
        return None
    return domain.project(lat, lon, lat0, lon0)


def build(session, scope: OrgNode, *, start: datetime, end: datetime, now: datetime) -> Built:
    """Open requests in the scope whose window lies in [start, end), approved volunteers living in the scope
    (social workers of its stations included), their availability, commitments, remaining weekly capacity,
    exclusions (per resident, and per request for declined or expired proposals), and funding."""
    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    root = session.scalar(select(OrgNode).where(OrgNode.parent_id.is_(None)))
    lat0, lon0 = (root.latitude or 0.0), (root.longitude or 0.0)
    origin = domain.week_origin(start.astimezone(tz))
    settings = visit_rules.current(session)
    in_scope = select(OrgNode.id).where(OrgNode.path.startswith(scope.path, autoescape=True))
    # minors serve only in group activities: never proposed for an individual visit
    adults_born_by = minors.adult_cutoff(now.astimezone(tz).date(), minors.depositor_min_age(session))

    requests = list(session.scalars(
        select(ServiceRequest).where(ServiceRequest.status == "open", ServiceRequest.safety.is_(False),
                                     ServiceRequest.node_id.in_(in_scope), ServiceRequest.earliest_start < end,
                                     ServiceRequest.latest_end > now)
        .options(selectinload(ServiceRequest.skills), selectinload(ServiceRequest.seats),
                 selectinload(ServiceRequest.node), selectinload(ServiceRequest.category))
        .order_by(ServiceRequest.id)))
    request_ids = [r.id for r in requests]
    offered = defaultdict(list)
    refused = defaultdict(set)
    for p in session.scalars(select(Proposal).where(Proposal.request_id.in_(request_ids))):
        if p.status == "offered":
            offered[p.request_id].append(p)
        elif p.status in ("declined", "expired", "failed", "withdrawn"):
            refused[p.request_id].add(p.volunteer_id)

    profiles = list(session.scalars(
        select(VolunteerProfile).join(VolunteerProfile.person).where(VolunteerProfile.status == "approved",
                                                    Person.status == "active", Person.node_id.in_(in_scope),
                                                    Person.birth_date <= adults_born_by)
        .options(selectinload(VolunteerProfile.skills), selectinload(VolunteerProfile.availability),
                 selectinload(VolunteerProfile.person).selectinload(Person.node))
        .order_by(VolunteerProfile.person_id)))
    person_ids = [p.person_id for p in profiles]
    skill_codes = {s.id: s.code for p in profiles for s in p.skills}
    counted = counted_skills(session, person_ids, now.astimezone(tz).date())  # certificates checked
    insured = volunteer_record.insurance_check(session, person_ids)
    users = {u.person_id: u for u in session.scalars(
        select(User).where(User.person_id.in_(person_ids)).options(selectinload(User.station)))}
    exceptions = defaultdict(list)
    for x in session.scalars(select(AvailabilityException).where(AvailabilityException.person_id.in_(person_ids),
                                                                 AvailabilityException.day >= start.date(),
                                                                 AvailabilityException.day <= end.date())):
        exceptions[x.person_id].append(x)
    excluded_residents = defaultdict(set)
    for resident_id, volunteer_id in session.execute(select(Exclusion.resident_id, Exclusion.volunteer_id).where(
            Exclusion.resident_id.in_({r.resident_id for r in requests}))):
        excluded_residents[resident_id].add(volunteer_id)
    # commitments: active seats and offered proposals of each volunteer in the horizon's weeks
    commit_rows = session.execute(
        select(Seat.volunteer_id, ServiceRequest).join(ServiceRequest, ServiceRequest.id == Seat.request_id)
        .where(Seat.status.in_(TAKEN), Seat.volunteer_id.in_(person_ids),
               ServiceRequest.status.in_(("open", "matched", "in_service")),
               ServiceRequest.latest_end > origin)).all()
    commitments = defaultdict(list)
    for volunteer_id, req in commit_rows:
        commitments[volunteer_id].append((req.start, req.duration_minutes, req))
    for p in session.scalars(select(Proposal).options(selectinload(Proposal.request))
                             .where(Proposal.status == "offered", Proposal.volunteer_id.in_(person_ids))):
        commitments[p.volunteer_id].append((p.start, p.request.duration_minutes, p.request))
    served = defaultdict(set)
    for volunteer_id, resident_id in session.execute(
            select(Seat.volunteer_id, ServiceRequest.resident_id).join(ServiceRequest)
            .where(Seat.volunteer_id.in_(person_ids), ServiceRequest.status.in_(("settled", "confirmed")))):
        served[volunteer_id].add(f"p{resident_id}")

    days = domain.horizon_days(start.astimezone(tz).date(), end.astimezone(tz).date())
    built = Built(problem={}, origin=origin)
    volunteers = []
    for profile in profiles:
        place = _place(profile.person, lat0, lon0)
        if place is None:
            continue
        availability = []
        for day in days:
            extra = [(x.start_minute, x.end_minute) for x in exceptions[profile.person_id]
                     if x.day == day and x.available]
            away = [(x.start_minute, x.end_minute) for x in exceptions[profile.person_id]
                    if x.day == day and not x.available]
            weekly = [(a.weekday, a.start_minute, a.end_minute) for a in profile.availability]
            base = domain.minutes_from(origin, datetime.combine(day, datetime.min.time(), tzinfo=tz))
            availability += [[base + a, base + b] for a, b in domain.day_spans(weekly, extra, away, day.weekday())]
        if not availability:
            continue
        held = [c for c in commitments[profile.person_id] if c[0] is not None]
        week_minutes = sum(d for s, d, _r in held if s >= origin and domain.minutes_from(origin, s) < 7 * 1440)
        vid = f"v{profile.person_id}"
        built.volunteers[vid] = profile.person_id
        user = users.get(profile.person_id)
        volunteers.append({
            "id": vid, "x_km": place[0], "y_km": place[1], "skills": sorted(skill_codes[i] for i in counted[profile.person_id]),
            "social_worker": bool(profile.is_social_worker and user is not None and user.station is not None),
            "availability": availability,
            "capacity_minutes": max(0, profile.max_minutes_per_week - week_minutes),
            "max_travel_km": profile.travel_radius_km,
            "served_residents": sorted(served[profile.person_id]),
            "commitments": [
                {"start": domain.minutes_from(origin, s), "end": domain.minutes_from(origin, s) + d,
                 "x_km": (_place(r, lat0, lon0) or place)[0], "y_km": (_place(r, lat0, lon0) or place)[1]}
                for s, d, r in sorted(held, key=lambda c: c[0])],
        })
    station_of = {vid: users[pid].station for vid, pid in built.volunteers.items()
                  if pid in users and users[pid].station is not None}

    funds: dict[str, int] = {}
    from timebank.ledger.models import LedgerAccount

    payers = {r.payer_person_id for r in requests if r.payer == "own"}
    accounts: dict = {("own", a.person_id): a for a in session.scalars(
        select(LedgerAccount).where(LedgerAccount.person_id.in_(payers)))} if payers else {}
    out = []
    standing = priority_facts.priorities(session, {r.resident_id for r in requests}, now.astimezone(tz).date())
    for req in requests:
        if not fund_eligible(req, standing[req.resident_id]):
            continue  # a public pool no longer pays for this resident (a status lapsed): the station decides
        place = _place(req, lat0, lon0)
        if place is None:
            continue
        active = [s for s in req.seats if s.status == "active"]
        pending = offered[req.id]
        sw_held = sum(1 for s in active if s.role == "social_worker") + sum(1 for p in pending
                                                                            if p.role == "social_worker")
        vol_held = len(active) + len(pending) - sw_held
        need_vol, need_sw = max(0, req.seats_volunteer - vol_held), max(0, req.seats_social_worker - sw_held)
        if need_vol + need_sw == 0:
            continue
        fixed = req.scheduled_start or (pending[0].start if pending else None)
        opens = max(domain.minutes_from(origin, req.earliest_start), -(-domain.minutes_from(origin, now) // 15) * 15)
        closes = domain.minutes_from(origin, req.latest_end)
        if closes - opens < req.duration_minutes or (fixed is not None and fixed < now):
            continue  # too late to serve in full
        if fixed is not None and domain.minutes_from(origin, fixed) % 15:
            continue  # a start set by hand off the quarter-hour grid: the station completes it by hand
        fund = _fund_id(session, req, funds, accounts)
        if fund is None:
            continue
        taken = {s.volunteer_id for s in req.seats} | {p.volunteer_id for p in pending}
        outsiders = set()
        if need_sw:  # a social-worker seat needs a social worker of a station covering the request
            outsiders = {vid for vid, station in station_of.items()
                         if not req.node.path.startswith(station.node.path)}
        if req.category.requires_insurance:  # 需要有效保险: the same rule take-seat applies
            day = (fixed or req.earliest_start).astimezone(tz).date()
            outsiders |= {vid for vid, pid in built.volunteers.items() if not insured(pid, day)}
        excluded = sorted({f"v{v}" for v in taken | refused[req.id] | excluded_residents[req.resident_id]}
                          | outsiders)
        rid = f"r{req.id}"
        built.requests[rid] = req.id
        out.append({
            "id": rid, "kind": "service", "resident": f"p{req.resident_id}", "x_km": place[0], "y_km": place[1],
            "window": [opens, closes],
            "duration_minutes": req.duration_minutes,
            "fixed_start": domain.minutes_from(origin, fixed) if fixed is not None else None,
            "volunteers": need_vol, "social_workers": need_sw, "skills": sorted(s.code for s in req.skills),
            "priority": domain.priority(req.priority_score), "excluded": excluded, "funding": [fund],
        })
    goods_requests, donations = _goods(session, scope, built, now=now)
    built.problem = {
        "format": "timebank-matching/1",
        "params": {"slot_minutes": 15, "travel_speed_kmh": settings.travel_speed_kmh,
                   "max_travel_km": current_app.config["TIMEBANK_MATCH_MAX_TRAVEL_KM"]},
        "volunteers": volunteers, "requests": out + goods_requests, "donations": donations,
        "funds": [{"id": k, "minutes": v} for k, v in sorted(funds.items())],
    }
    return built


def fund_eligible(req: ServiceRequest, standing: priority_rules.Priority) -> bool:
    """The request's payer still admits the resident today (the one priority rule)."""
    return priority_rules.payer_allowed(req.payer, standing)


def _fund_id(session, req: ServiceRequest, funds: dict[str, int], accounts: dict) -> str | None:
    """The account that pays for this request, with what it can still spend (None: nothing to spend).
    `accounts` caches the paying accounts of this build (filled in bulk for own-hours payers)."""
    if req.payer == "own":
        account = accounts.get(("own", req.payer_person_id)) or ledger.account_for_person(session, req.payer_person_id)
    elif req.payer == "charity":
        from timebank.charity.models import Charity
        from timebank.ledger.models import LedgerAccount

        charity = session.get(Charity, req.charity_id)
        if not charity.pool_open:  # a deactivated charity's pool funds no new assignment
            return None
        account = accounts.get(("charity", req.charity_id)) or session.get(LedgerAccount, charity.account_id)
        accounts[("charity", req.charity_id)] = account
    else:
        account = accounts.get(("pool", req.payer)) or ledger.system_account(
            session, pool_code("backstop" if req.payer == "backstop" else "county_donation"))
        accounts[("pool", req.payer)] = account
    key = f"a{account.id}"
    if key not in funds:
        funds[key] = max(0, account.balance - account.pending_debits)
    return key


def _goods(session, scope: OrgNode, built: Built, *, now: datetime) -> tuple[list[dict], list[dict]]:
    """Open goods requests and donations with free stock (eligibility filtered by the charity area), less
    what earlier runs already offered and staff have not yet decided."""
    from timebank.charity.queries import matching_goods
    from timebank.dispatch.models import GoodsProposal

    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    goods = matching_goods(session, scope_path=scope.path, today=now.astimezone(tz).date())
    decided = list(session.scalars(select(GoodsProposal).where(GoodsProposal.status.in_(("offered", "rejected")))))
    pending = [p for p in decided if p.status == "offered"]
    rejected = {(p.goods_request_id, p.donation_id) for p in decided if p.status == "rejected"}
    held_requests = {p.goods_request_id for p in pending}
    held_stock = defaultdict(int)
    for p in pending:
        held_stock[p.donation_id] += p.quantity
    donations = []
    for d in goods["donations"]:
        donation_id = int(d["id"][1:])
        free = d["quantity"] - held_stock[donation_id]
        if free > 0:
            donations.append({**d, "quantity": free})
            built.donations[d["id"]] = donation_id
    requests = []
    for g in goods["requests"]:
        request_id = int(g["id"][1:])
        if request_id in held_requests:
            continue
        allowed = [d for d in g["donations"] if d in built.donations and (request_id, built.donations[d]) not in rejected]
        requests.append({**g, "donations": allowed})
        built.goods[g["id"]] = request_id
    return requests, donations
