"""Check-in and check-out: by scanning the resident's card (signed token) or recorded by station staff with a
reason. Credited minutes = time on site, capped at the scheduled duration plus tolerance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import Person, User
from timebank.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from timebank.visits import awaiting, domain, qr
from timebank.visits import rules as visit_rules
from timebank.visits.models import Seat, ServiceRequest
from timebank.visits.service import is_staff_for, load, log, rule_error, seats_of, step


class CardInvalid(NotFound):
    code = "card_invalid"
    message = _l("二维码无效：请扫描服务对象的服务卡")


class CardExpired(ValidationFailed):
    status = 410
    code = "card_expired"
    message = _l("这张服务卡已过期，请联系社工站换发新卡")


class NoVisitNow(Forbidden):
    code = "no_visit_now"
    message = _l("您现在没有这位服务对象的服务任务（请在服务时间前后扫码）")


def card_token(resident_id: int, issued: datetime) -> str:
    return qr.make_token(current_app.config["SECRET_KEY"], resident_id, issued)


def card_resident(session, token: str, *, now: datetime) -> Person:
    """The resident a genuine, unexpired card belongs to."""
    try:
        resident_id, issued = qr.read_token(current_app.config["SECRET_KEY"], token)
    except qr.BadToken:
        raise CardInvalid() from None
    days = visit_rules.current(session).card_valid_days
    if issued > now + timedelta(days=1) or now > issued + timedelta(days=days):
        raise CardExpired()
    person = session.get(Person, resident_id)
    if person is None:
        raise CardInvalid()
    return person


@dataclass(frozen=True)
class Scan:
    resident: Person
    request: ServiceRequest
    seat: Seat
    action: str  # check_in or check_out


def scan(session, actor: User, token: str, *, now: datetime) -> Scan:
    """What scanning this card now means for this volunteer: the seat they hold on this resident's visit
    around now, and whether it is the arrival or the departure."""
    resident = card_resident(session, token, now=now)
    if actor.person_id is None:
        raise NoVisitNow()
    tolerance = visit_rules.current(session).checkin_tolerance_minutes
    rows = session.execute(
        select(Seat, ServiceRequest).join(ServiceRequest, ServiceRequest.id == Seat.request_id)
        .where(Seat.volunteer_id == actor.person_id, Seat.status == "active",
               ServiceRequest.resident_id == resident.id,
               ServiceRequest.status.in_(("matched", "in_service")),
               ServiceRequest.scheduled_start.is_not(None)).order_by(ServiceRequest.scheduled_start)
    ).all()
    for seat, req in rows:
        end = req.scheduled_start + timedelta(minutes=req.duration_minutes)
        if seat.check_in_at is not None and seat.check_out_at is None:
            return Scan(resident, req, seat, "check_out")
        if seat.check_in_at is None and domain.around_now(req.scheduled_start, end, now, tolerance):
            return Scan(resident, req, seat, "check_in")
    raise NoVisitNow()


def scan_record(session, actor: User, token: str, *, now: datetime) -> Scan:
    """Record the arrival or departure the scan stands for, at `now`."""
    found = scan(session, actor, token, now=now)
    record(session, actor, found.request.id, found.seat.volunteer_id, found.action, at=now, reason=None, now=now)
    return found


def record(session, actor: User, request_id: int, volunteer_id: int, action: str, *, at: datetime,
           reason: str | None, now: datetime) -> Seat:
    """Check a volunteer in or out. The volunteer does it by scan (reason None); staff by hand with a reason."""
    if action not in ("check_in", "check_out"):
        raise ValidationFailed(field="action")
    req = load(session, actor, request_id, lock=True)
    by_hand = actor.person_id != volunteer_id
    if by_hand:
        if not is_staff_for(actor, req.node):
            raise Forbidden()
        if not (reason or "").strip():
            raise ValidationFailed(_l("人工登记签到签退时请填写原因"), field="reason")
        if at > now:
            raise ValidationFailed(_l("不能登记未来的时间"), field="at")
        roles = ["staff"]
    else:
        roles = ["volunteer"]
    seats = seats_of(session, req.id)
    seat = next((s for s in seats if s.volunteer_id == volunteer_id and s.status == "active"), None)
    if seat is None:
        raise InvalidTransition(_l("该志愿者在此服务中没有名额"), reason=action)
    settings = visit_rules.current(session)
    if action == "check_in":
        if seat.check_in_at is not None:
            raise InvalidTransition(_l("已经签到过了"), reason=action)
        to, role = step(session, req, "check_in", roles)
        seat.check_in_at = at
    else:
        if seat.check_in_at is None:
            raise rule_error("checkout_before_checkin", "at")
        if seat.check_out_at is not None:
            raise InvalidTransition(_l("已经签退过了"), reason=action)
        try:
            credited = domain.settle_minutes(seat.check_in_at, at, req.duration_minutes,
                                             settings.overtime_tolerance_minutes)
        except domain.RuleBroken as error:
            raise rule_error(error.reason, "at") from None
        others = [s for s in seats if s.status == "active" and s.id != seat.id]
        all_out = all(s.check_out_at is not None for s in others)
        to, role = step(session, req, "check_out", roles, all_out=all_out)
        seat.check_out_at = at
        seat.credited_minutes = credited
        if to == "done":
            req.done_at = now
            awaiting.tell_confirmers(session, req, days=visit_rules.current(session).auto_confirm_days, now=now)
    if by_hand:
        seat.manual_reason = reason.strip()[:300]
    log(session, req, action, to, actor=actor, role=role, now=now, seat=seat,
        detail=f"{at.isoformat()} {reason.strip()}" if by_hand else None)
    session.flush()
    return seat
