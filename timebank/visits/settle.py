"""Confirmation, disputes and settlement. Settling moves hours through the ledger's public services only:
a pool-paid visit earns `visit:<request>:<volunteer>` from the pool; an own-hours visit posts the seat's hold
for the credited minutes (the rest is released). Each settled seat leaves a 志愿服务记录."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import User
from timebank.errors import Forbidden, InvalidTransition, ValidationFailed
from timebank.ledger import domain as ledger_domain
from timebank.ledger import holds
from timebank.ledger import service as ledger
from timebank.visits import domain
from timebank.visits import rules as visit_rules
from timebank.visits.models import Seat, ServiceRecord, ServiceRequest
from timebank.visits.service import load, log, roles_of, rule_error, seats_of, step


def _rating(rating) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed(_l("请选择1到5星的评价"), field="rating")
    return rating


def refuse_own_visit(session, actor: User, req: ServiceRequest) -> None:
    if actor.person_id is not None and any(s.volunteer_id == actor.person_id for s in seats_of(session, req.id)):
        raise Forbidden(_l("不能确认或评价自己提供的服务"), reason="own_visit")


def confirm(session, actor: User, request_id: int, *, rating, comment: str | None, now: datetime,
            today: date) -> ServiceRequest:
    """The resident, a verified relative or the station confirms with a 1-5 rating; the visit settles at once.
    The method is recorded: 'resident', 'relative' or, for staff confirming without a call, 'station'."""
    req = load(session, actor, request_id, lock=True)
    refuse_own_visit(session, actor, req)
    roles = [r for r in roles_of(session, actor, req) if r != "volunteer"]
    refuse_if_confirmed(req)
    to, role = step(session, req, "confirm", roles)
    req.rating = _rating(rating)
    req.comment = (comment or "").strip()[:500] or None
    confirm_and_settle(session, req, to, actor=actor, role=role, method=METHOD_OF_ROLE[role], now=now, today=today,
                       detail=f"rating {req.rating}")
    return req


METHOD_OF_ROLE = {"resident": "resident", "relative": "relative", "staff": "station"}
CONFIRMED_BY_ACTOR = ("resident", "relative", "station", "station_phone")  # else the actor only carried it


class AlreadyConfirmed(InvalidTransition):
    code = "already_confirmed"
    message = _l("该服务已经确认过了，不能再次确认")


def refuse_if_confirmed(req: ServiceRequest) -> None:
    """A second confirmation (or one after a dispute) is refused with a clear message; nothing changes."""
    if req.status in ("confirmed", "settled"):
        raise AlreadyConfirmed(reason="confirm")
    if req.status in ("disputed", "resolved"):
        raise InvalidTransition(_l("该服务已有异议，由社工站处理"), reason="confirm")


def confirm_and_settle(session, req: ServiceRequest, to: str, *, actor: User | None, role: str, method: str,
                       now: datetime, today: date, satisfied: bool | None = None, detail: str | None = None) -> None:
    """Record how the visit was confirmed, then settle it (exactly once: `_settle` refuses a second time)."""
    req.confirmation_method = method
    req.satisfied = satisfied
    req.confirmed_by_id = actor.id if actor is not None and method in CONFIRMED_BY_ACTOR else None
    log(session, req, "confirm" if method != "auto" else "auto_confirm", to, actor=actor, role=role, now=now,
        detail=" ".join(x for x in (method, detail) if x))
    _settle(session, req, {s.id: s.credited_minutes or 0 for s in _active(session, req)},
            actor_id=req.confirmed_by_id, now=now, today=today)
    to, role = step(session, req, "settle", ["system"])
    log(session, req, "settle", to, actor=None, role=role, now=now)
    session.flush()


def dispute(session, actor: User, request_id: int, *, reason: str, now: datetime) -> ServiceRequest:
    """The resident, a relative or the station disputes a finished visit; holds stay pending."""
    req = load(session, actor, request_id, lock=True)
    refuse_own_visit(session, actor, req)
    roles = [r for r in roles_of(session, actor, req) if r != "volunteer"]
    to, role = step(session, req, "dispute", roles)
    if not (reason or "").strip():
        raise ValidationFailed(_l("请说明有异议的原因"), field="reason")
    req.dispute_reason = reason.strip()[:500]
    log(session, req, "dispute", to, actor=actor, role=role, now=now, detail=req.dispute_reason)
    session.flush()
    return req


def resolve(session, actor: User, request_id: int, *, outcome: str, minutes: int | None, reason: str,
            now: datetime, today: date) -> ServiceRequest:
    """Station staff resolve a dispute: credit all, part (`minutes` per volunteer) or none, with a reason."""
    req = load(session, actor, request_id, lock=True)
    to, role = step(session, req, "resolve", roles_of(session, actor, req))
    if not (reason or "").strip():
        raise ValidationFailed(_l("请填写处理理由"), field="reason")
    amounts = {}
    for seat in _active(session, req):
        try:
            amounts[seat.id] = domain.resolved_minutes(outcome, seat.credited_minutes or 0, minutes)
        except domain.RuleBroken as error:
            raise rule_error(error.reason, "minutes" if error.reason == "part_minutes" else "outcome") from None
    req.resolution = outcome
    req.resolution_reason = reason.strip()[:500]
    _settle(session, req, amounts, actor_id=actor.id, now=now, today=today)
    log(session, req, "resolve", to, actor=actor, role=role, now=now, detail=f"{outcome}: {req.resolution_reason}")
    session.flush()
    return req


def auto_confirm_due(session, *, now: datetime, today: date) -> list[int]:
    """Visits done at least N days ago without a dispute are confirmed by the system and settled. Idempotent."""
    days = visit_rules.current(session).auto_confirm_days
    ids = list(session.scalars(select(ServiceRequest.id).where(
        ServiceRequest.status == "done", ServiceRequest.done_at <= now - timedelta(days=days))
        .order_by(ServiceRequest.id)))
    done = []
    for request_id in ids:
        req = session.scalar(select(ServiceRequest).where(ServiceRequest.id == request_id).with_for_update()
                             .execution_options(populate_existing=True))
        if req.status != "done":
            continue
        to, role = step(session, req, "auto_confirm", ["system"])
        confirm_and_settle(session, req, to, actor=None, role=role, method="auto", now=now, today=today)
        _tell_volunteers(session, req, now=now)
        done.append(request_id)
    session.flush()
    return done


def _tell_volunteers(session, req: ServiceRequest, *, now: datetime) -> None:
    """Each volunteer credited by an auto-confirmation hears of it (their inbox, and email when configured)."""
    from timebank.notify.service import notify

    for seat in _active(session, req):
        user_id = session.scalar(select(User.id).where(User.person_id == seat.volunteer_id))
        if user_id is not None and seat.credited_minutes:
            notify(session, user_id, "visit_auto_confirmed",
                   {"title": req.category.name_zh, "minutes": seat.credited_minutes},
                   link=f"/visits/{req.id}", now=now)


def _active(session, req: ServiceRequest) -> list[Seat]:
    return [s for s in seats_of(session, req.id) if s.status == "active"]


def _settle(session, req: ServiceRequest, minutes: dict[int, int], *, actor_id, now: datetime, today: date) -> None:
    if session.scalar(select(ServiceRecord.id).where(ServiceRecord.request_id == req.id)) is not None:
        raise InvalidTransition(_l("该服务已经结算"), reason="settle")
    payer_id = None
    if req.payer == "charity":
        from timebank.charity.models import Charity

        payer_id = session.get(Charity, req.charity_id).account_id
    elif req.payer != "own":
        payer_id = ledger.system_account(session, ledger_domain.pool_code(req.payer)).id
    for seat in _active(session, req):
        amount = minutes.get(seat.id, 0)
        key = f"visit:{req.id}:{seat.volunteer_id}"
        transfer_id = None
        if req.payer == "own":
            if seat.hold_id is not None and amount > 0:
                transfer_id = holds.post(session, hold_id=seat.hold_id, minutes=amount, key=key, actor_id=actor_id,
                                         now=now).transfer.id
            elif seat.hold_id is not None:
                holds.void(session, hold_id=seat.hold_id, key=f"visit-void:{seat.hold_id}", actor_id=actor_id,
                           now=now)
        elif amount > 0:
            transfer_id = ledger.earn(session, payer_account_id=payer_id, person_id=seat.volunteer_id, minutes=amount,
                                      key=key, reference=f"visit:{req.id}", memo=req.category.name_zh,
                                      actor_id=actor_id, now=now, today=today).transfer.id
        if amount > 0 and seat.check_in_at is not None:
            session.add(ServiceRecord(
                request_id=req.id, volunteer_id=seat.volunteer_id, category_id=req.category_id,
                content=(req.category.name_zh + (f":{req.description}" if req.description else ""))[:300],
                started_at=seat.check_in_at, ended_at=seat.check_out_at or seat.check_in_at, credited_minutes=amount,
                rating=req.rating, comment=req.comment, transfer_id=transfer_id, node_id=req.node_id, created_at=now))
    session.flush()
