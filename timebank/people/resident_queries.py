"""Reads for one resident's page: their visits (paged) and their charity goods (requests and allocations).
The caller has already checked the resident is inside the actor's subtree."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

PER_PAGE = 30


def visits_of(session, resident_id: int, *, page: int):
    """Service requests for this resident, newest first, and whether there is another page."""
    from timebank.visits.models import Seat, ServiceRequest

    stmt = (select(ServiceRequest)
            .options(selectinload(ServiceRequest.category), selectinload(ServiceRequest.resident),
                     selectinload(ServiceRequest.seats).selectinload(Seat.volunteer))
            .where(ServiceRequest.resident_id == resident_id)
            .order_by(ServiceRequest.earliest_start.desc(), ServiceRequest.id.desc()))
    rows = list(session.scalars(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def goods_of(session, resident_id: int, *, page: int):
    """Goods requests for this resident with their allocations, newest first."""
    from timebank.charity.models import Allocation, GoodsRequest

    stmt = (select(GoodsRequest)
            .options(selectinload(GoodsRequest.item), selectinload(GoodsRequest.node),
                     selectinload(GoodsRequest.allocations).selectinload(Allocation.donation))
            .where(GoodsRequest.resident_id == resident_id)
            .order_by(GoodsRequest.id.desc()))
    rows = list(session.scalars(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE
