"""Goods requests, allocation, receipt and return. `allocate` is the one function that reserves stock: the
station's hand allocation calls it today and the matching integration will call it with source="matching".

Locks: the goods request row, then the donation row (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite),
so two allocations of the last unit cannot both win and one request is never served twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import Person, User
from timebank.accounts.scope import require_node
from timebank.audit import service as audit
from timebank.charity import domain
from timebank.charity.models import Allocation, Charity, CharityMember, Donation, GoodsRequest, Item
from timebank.charity.service import (
    MESSAGES,
    NotEligible,
    lock_donation,
    move,
    quantity_of,
    resident_facts,
    restriction_of,
)
from timebank.errors import Forbidden, InvalidTransition, NotFound, NotInScope, ValidationFailed
from timebank.notify.service import notify
from timebank.people.models import Relative, ResidentProfile

DELIVERY_CATEGORY = "supplies"  # 送物资 in the service catalog
DELIVERY_WINDOW = timedelta(days=7)
HANDED_OVER = ("done", "confirmed", "settled", "resolved")  # the volunteer has checked out
CONFIRMED = ("confirmed", "settled")
VISIT_GONE = ("cancelled", "expired")


@dataclass(frozen=True)
class GoodsRequestInput:
    resident_id: int
    item_id: int
    quantity: object
    reason: str


def _staff(actor: User) -> bool:
    return actor.has_role("station", "admin")


def post_request(session, actor: User, data: GoodsRequestInput, *, now: datetime, today: date) -> GoodsRequest:
    """Station staff post a goods request for a resident in their subtree (item, quantity, reason)."""
    if not _staff(actor):
        raise Forbidden()
    resident = session.get(Person, data.resident_id) if isinstance(data.resident_id, int) else None
    if resident is None or session.get(ResidentProfile, resident.id) is None:
        raise NotInScope(field="resident_id")
    require_node(actor, resident.node)
    item = session.get(Item, data.item_id) if isinstance(data.item_id, int) else None
    if item is None or not item.active:
        raise ValidationFailed(_l("请选择物资"), field="item_id")
    quantity = quantity_of(data.quantity)
    reason = (data.reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationFailed(_l("请填写申请理由（300字以内）"), field="reason")
    from timebank.visits.service import priority_of

    request = GoodsRequest(resident_id=resident.id, node_id=resident.node_id, item_id=item.id, quantity=quantity,
                           reason=reason, status="open", priority_tier=priority_of(session, resident, today),
                           posted_by_id=actor.id, created_at=now)
    session.add(request)
    session.flush()
    audit.record(session, "goods_request", actor_id=actor.id, target=f"goods_request:{request.id}")
    return request


def load_request(session, actor: User, request_id: int, *, lock: bool = False) -> GoodsRequest:
    """Staff see requests in their subtree; anyone else gets a 404."""
    stmt = select(GoodsRequest).where(GoodsRequest.id == request_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    request = session.scalar(stmt) if isinstance(request_id, int) else None
    if request is None or not _staff(actor):
        raise NotInScope()
    require_node(actor, request.node)
    return request


def donation_ineligibility(session, donation: Donation, request: GoodsRequest, today: date) -> str | None:
    """None when this donation may serve this request; else a reason code."""
    if donation.item_id != request.item_id:
        return "item"
    if donation.charity.status != "approved":
        return "charity"
    if not domain.usable(donation.use_by, today):
        return "use_by_past"
    return domain.ineligibility(restriction_of(donation), resident_facts(session, request.resident_id, today))


def _refresh_status(request: GoodsRequest, allocations: list[Allocation]) -> None:
    reserved = sum(a.quantity for a in allocations if a.status == "reserved")
    delivered = sum(a.quantity for a in allocations if a.status == "delivered")
    request.status = domain.request_state(request.quantity, reserved, delivered, request.status == "cancelled")


def _allocations(session, request_id: int) -> list[Allocation]:
    return list(session.scalars(select(Allocation).where(Allocation.request_id == request_id)
                                .order_by(Allocation.id).execution_options(populate_existing=True)))


def allocate(session, actor: User, request_id: int, donation_id: int, *, method: str, quantity=None,
             source: str = "station", now: datetime, today: date) -> Allocation:
    """Reserve units of one donation for one goods request (the request's outstanding quantity by default).

    Refused, with nothing written: request not open, donation for another item, past its use-by date,
    not enough stock, resident outside the donation's restrictions, or a method the donation does not offer.
    Delivery posts a 送物资 visit for volunteers through the visits service; pickup waits at the station.
    """
    if source not in domain.ALLOCATION_SOURCES:
        raise ValidationFailed(field="source")
    if method not in ("pickup", "delivery"):
        raise ValidationFailed(_l("请选择领取方式"), field="method")
    request = load_request(session, actor, request_id, lock=True)
    if request.status != "open":
        raise InvalidTransition(_l("该物资申请已分配或已结束"))
    existing = _allocations(session, request.id)
    outstanding = request.quantity - sum(a.quantity for a in existing if a.status in ("reserved", "delivered"))
    quantity = outstanding if quantity in (None, "") else quantity_of(quantity)
    if quantity > outstanding:
        raise ValidationFailed(_l("分配数量超过申请数量"), field="quantity")
    donation = lock_donation(session, donation_id) if isinstance(donation_id, int) else None
    if donation is None:
        raise NotFound(field="donation_id")
    reason = donation_ineligibility(session, donation, request, today)
    if reason == "item":
        raise ValidationFailed(_l("该捐赠不是所申请的物资"), field="donation_id")
    if reason == "charity":
        raise NotFound(field="donation_id")
    if reason == "use_by_past":
        raise ValidationFailed(MESSAGES["use_by_past"], field="donation_id", reason=reason)
    if reason is not None:
        raise NotEligible(MESSAGES[reason], field="donation_id", reason=reason)
    if donation.delivery not in (method, "both"):
        raise ValidationFailed(_l("该捐赠不支持此领取方式"), field="method")
    allocation = Allocation(request_id=request.id, donation_id=donation.id, quantity=quantity, status="reserved",
                            method=method, source=source, allocated_by_id=actor.id, created_at=now)
    session.add(allocation)
    session.flush()
    move(session, donation.id, "allocated", quantity, allocation_id=allocation.id, actor_id=actor.id, now=now)
    if method == "delivery":
        allocation.visit_request_id = _post_delivery_visit(session, actor, request, donation, quantity,
                                                           now=now, today=today)
    _refresh_status(request, existing + [allocation])
    audit.record(session, "goods_allocate", actor_id=actor.id, target=f"goods_allocation:{allocation.id}",
                 detail=f"donation:{donation.id} x{quantity} {method} {source}")
    session.flush()
    return allocation


def _post_delivery_visit(session, actor: User, request: GoodsRequest, donation: Donation, quantity: int, *,
                         now: datetime, today: date) -> int:
    """A 送物资 service request for volunteers, through the normal visit chain, paid like any pool visit."""
    from timebank.catalog.models import ServiceCategory
    from timebank.people import priority_facts
    from timebank.policy import priority as priority_rules
    from timebank.visits import service as visits

    category = session.scalar(select(ServiceCategory).where(ServiceCategory.code == DELIVERY_CATEGORY))
    if category is None or not category.active:
        raise ValidationFailed(_l("服务目录中没有“送物资”类别，只能到站领取"), field="method")
    start = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    payer = priority_rules.public_payer(priority_facts.priority_of(session, request.resident_id, today))
    if payer is None:
        raise ValidationFailed(_l("该服务对象不在公共时间池支付范围内，只能到站领取"), field="method")
    item = donation.item
    description = f"送物资:{item.name_zh} {quantity}{item.unit}(物资申请 #{request.id})"
    visit = visits.post_request(session, actor, visits.RequestInput(
        resident_id=request.resident_id, category_id=category.id, earliest_start=start,
        latest_end=start + DELIVERY_WINDOW, description=description, payer=payer), now=now, today=today)[0]
    return visit.id


def _lock_allocation(session, allocation_id: int) -> Allocation:
    allocation = session.scalar(select(Allocation).where(Allocation.id == allocation_id).with_for_update()
                                .execution_options(populate_existing=True)) if isinstance(allocation_id, int) else None
    if allocation is None:
        raise NotFound()
    return allocation


def receipt_role(session, actor: User, request: GoodsRequest) -> str | None:
    """Who may confirm receipt: station staff of the resident, the resident, or a verified relative."""
    if _staff(actor):
        try:
            require_node(actor, request.node)
            return "staff"
        except NotInScope:
            pass
    if actor.person_id is not None and actor.person_id == request.resident_id:
        return "resident"
    if actor.person_id is not None and session.scalar(select(Relative.id).where(
            Relative.resident_id == request.resident_id, Relative.relative_id == actor.person_id,
            Relative.verified.is_(True), Relative.unlinked_at.is_(None))) is not None:
        return "relative"
    return None


def _visit_status(session, visit_id: int | None) -> str | None:
    if visit_id is None:
        return None
    from timebank.visits.models import ServiceRequest

    return session.scalar(select(ServiceRequest.status).where(ServiceRequest.id == visit_id))


def _deliver(session, allocation: Allocation, *, actor_id: int | None, role: str, now: datetime) -> Allocation:
    if allocation.status != "reserved":
        raise InvalidTransition(_l("已确认收货，不能重复确认") if allocation.status == "delivered"
                                else _l("该分配已取消"), reason="receipt")
    request = session.get(GoodsRequest, allocation.request_id)
    move(session, allocation.donation_id, "delivered", allocation.quantity, allocation_id=allocation.id,
         actor_id=actor_id, now=now)
    allocation.status, allocation.received_at = "delivered", now
    allocation.received_by_id, allocation.received_role = actor_id, role
    _refresh_status(request, _allocations(session, request.id))
    charity_id = session.get(Donation, allocation.donation_id).charity_id
    item = session.get(Item, request.item_id)
    for user_id in session.scalars(select(CharityMember.user_id).where(CharityMember.charity_id == charity_id)):
        notify(session, user_id, "goods_delivered", {"item": item.name_zh, "quantity": allocation.quantity,
                                                     "unit": item.unit}, link="/charity/", now=now)
    session.flush()
    return allocation


def confirm_receipt(session, actor: User, allocation_id: int, *, now: datetime, rating: int | None = None,
                    today=None) -> Allocation:
    """The resident, a verified relative or the station confirms receipt: reserved → delivered, once.
    A delivery must have been handed over first (the volunteer checked out of the 送物资 visit). With a
    rating, the same confirmation also confirms that visit, so the volunteer is credited at once."""
    allocation = _lock_allocation(session, allocation_id)
    request = session.get(GoodsRequest, allocation.request_id)
    role = receipt_role(session, actor, request)
    if role is None:
        raise NotInScope()
    visit_status = _visit_status(session, allocation.visit_request_id) if allocation.method == "delivery" else None
    if allocation.status == "reserved" and allocation.method == "delivery" and visit_status not in HANDED_OVER:
        raise InvalidTransition(_l("志愿者送达并签退后才能确认收货"), reason="not_handed_over")
    allocation.visit_confirmed_now = False  # read by the page's message
    if allocation.status == "reserved" and visit_status == "done" and rating is not None:
        from timebank.visits import settle

        settle.confirm(session, actor, allocation.visit_request_id, rating=rating, comment=None, now=now,
                       today=today or now.date())
        allocation.visit_confirmed_now = True
    _deliver(session, allocation, actor_id=actor.id, role=role, now=now)
    audit.record(session, "goods_receipt", actor_id=actor.id, target=f"goods_allocation:{allocation.id}",
                 detail=role)
    return allocation


def _return(session, allocation: Allocation, *, actor: User | None, reason: str, now: datetime) -> Allocation:
    if allocation.status != "reserved":
        raise InvalidTransition(_l("只能取消尚未收货的分配"), reason="return")
    move(session, allocation.donation_id, "returned", allocation.quantity, allocation_id=allocation.id,
         actor_id=actor.id if actor else None, reason=reason, now=now)
    allocation.status, allocation.returned_reason = "returned", reason[:300]
    request = session.get(GoodsRequest, allocation.request_id)
    _refresh_status(request, _allocations(session, request.id))
    session.flush()
    return allocation


def cancel_allocation(session, actor: User, allocation_id: int, *, reason: str, now: datetime) -> Allocation:
    """Station staff cancel a reserved allocation: the units return to stock and the 送物资 visit, if
    still waiting, is cancelled; the request reopens."""
    allocation = _lock_allocation(session, allocation_id)
    load_request(session, actor, allocation.request_id, lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("请填写取消原因"), field="reason")
    if allocation.status != "reserved":
        raise InvalidTransition(_l("只能取消尚未收货的分配"), reason="return")
    if _visit_status(session, allocation.visit_request_id) in ("open", "matched"):
        from timebank.visits import service as visits

        visits.cancel(session, actor, allocation.visit_request_id, reason=reason, now=now)
    return _return(session, allocation, actor=actor, reason=reason, now=now)


def cancel_request(session, actor: User, request_id: int, *, reason: str, now: datetime) -> GoodsRequest:
    """Cancel a goods request and return every reserved unit."""
    request = load_request(session, actor, request_id, lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("请填写取消原因"), field="reason")
    if request.status in ("delivered", "cancelled"):
        raise InvalidTransition(_l("该物资申请已结束"))
    for allocation in _allocations(session, request.id):
        if allocation.status == "reserved":
            cancel_allocation(session, actor, allocation.id, reason=reason, now=now)
    request.status, request.cancel_reason = "cancelled", reason[:300]
    session.flush()
    return request


def sync_delivery_visits(session, *, now: datetime) -> tuple[int, int]:
    """React to the visit chain: a 送物资 visit the recipient confirmed delivers its allocation; a cancelled
    or expired one returns the units. (delivered, returned) counts; idempotent."""
    from timebank.visits.models import ServiceRequest

    rows = session.execute(select(Allocation.id, ServiceRequest.status, ServiceRequest.confirmed_by_id)
                           .join(ServiceRequest, ServiceRequest.id == Allocation.visit_request_id)
                           .where(Allocation.status == "reserved",
                                  ServiceRequest.status.in_(CONFIRMED + VISIT_GONE))
                           .order_by(Allocation.id)).all()
    delivered = returned = 0
    for allocation_id, status, confirmed_by in rows:
        allocation = _lock_allocation(session, allocation_id)
        if allocation.status != "reserved":
            continue
        if status in CONFIRMED:
            _deliver(session, allocation, actor_id=confirmed_by, role="visit", now=now)
            delivered += 1
        else:
            _return(session, allocation, actor=None, reason="送物资服务已取消或过期", now=now)
            returned += 1
    return delivered, returned


def charity_ids_of_member(session, user_id: int) -> list[int]:
    return list(session.scalars(select(Charity.id).join(CharityMember).where(CharityMember.user_id == user_id)))
