"""What each role has to do today, for the first screen after signing in: a few rows per kind (each one click
from done) and how many there are in all. Read-only; every list is scoped like the pages it links to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import Person, User
from timebank.accounts.scope import in_scope
from timebank.charity.models import GoodsRequest
from timebank.dispatch.models import Proposal
from timebank.ledger.models import LedgerAccount
from timebank.people.models import Relative, VolunteerProfile
from timebank.visits.models import Seat, ServiceRequest

SHOWN = 5  # rows per kind on the first screen; the "all" link leads to the paged list
SOON = timedelta(hours=48)
DECLINED_SINCE = timedelta(days=7)


@dataclass
class Pile:
    """One kind of work: the first rows and the total."""
    rows: list = field(default_factory=list)
    total: int = 0


def _pile(session, stmt, count_stmt) -> Pile:
    return Pile(rows=list(session.scalars(stmt.limit(SHOWN))), total=session.scalar(count_stmt) or 0)


def _start():
    return func.coalesce(ServiceRequest.scheduled_start, ServiceRequest.earliest_start)


def station_today(session, actor: User, *, now: datetime, today: date) -> dict[str, Pile]:
    from timebank.care import service as care
    from timebank.people import review_service

    scoped = in_scope(ServiceRequest.node_id, actor)
    piles: dict[str, Pile] = {}
    pending = (select(VolunteerProfile).join(VolunteerProfile.person)
               .where(VolunteerProfile.status == "pending", in_scope(Person.node_id, actor)))
    piles["volunteers"] = _pile(session, pending.options(selectinload(VolunteerProfile.person))
                                .order_by(Person.id), select(func.count()).select_from(pending.subquery()))

    def requests(*where, order=None):
        order = order or (_start(), ServiceRequest.id)
        stmt = select(ServiceRequest).where(scoped, *where)
        return _pile(session, stmt.options(selectinload(ServiceRequest.category), selectinload(ServiceRequest.resident))
                     .order_by(*order), select(func.count()).select_from(stmt.subquery()))

    piles["unmatched"] = requests(ServiceRequest.status == "open", _start() <= now + SOON,
                                  order=(ServiceRequest.priority_tier, _start(), ServiceRequest.id))
    piles["to_confirm"] = requests(ServiceRequest.status == "done", order=(ServiceRequest.done_at, ServiceRequest.id))
    piles["disputes"] = requests(ServiceRequest.status == "disputed")
    piles["review"] = requests(ServiceRequest.status == "review")
    goods = select(GoodsRequest).where(GoodsRequest.status == "open", in_scope(GoodsRequest.node_id, actor))
    piles["goods"] = _pile(session, goods.options(selectinload(GoodsRequest.resident)).order_by(GoodsRequest.id),
                           select(func.count()).select_from(goods.subquery()))
    declined = (select(Proposal).join(ServiceRequest, ServiceRequest.id == Proposal.request_id)
                .where(scoped, Proposal.status == "declined", Proposal.decided_at >= now - DECLINED_SINCE,
                       ServiceRequest.status == "open"))
    piles["declined"] = _pile(session, declined.order_by(Proposal.decided_at.desc()),
                              select(func.count()).select_from(declined.subquery()))
    overdue = care.overdue(session, now=now, today=today, actor=actor)
    piles["care"] = Pile(rows=overdue[:SHOWN], total=len(overdue))
    due, total = review_service.due_list(session, actor, today=today, page=1)
    piles["reviews"] = Pile(rows=due[:SHOWN], total=total)
    return piles


def volunteer_today(session, user: User, *, now: datetime) -> dict:
    mine = (select(ServiceRequest).join(Seat, Seat.request_id == ServiceRequest.id)
            .where(Seat.volunteer_id == user.person_id, Seat.status == "active", Seat.check_out_at.is_(None),
                   ServiceRequest.status.in_(("matched", "in_service", "open")),
                   ServiceRequest.scheduled_start.is_not(None),
                   ServiceRequest.scheduled_start >= now - timedelta(hours=12))
            .options(selectinload(ServiceRequest.category), selectinload(ServiceRequest.node))
            .order_by(ServiceRequest.scheduled_start))
    offered = (select(Proposal).where(Proposal.volunteer_id == user.person_id, Proposal.status == "offered"))
    return {"next": session.scalars(mine.limit(1)).first(),
            "proposals": session.scalar(select(func.count()).select_from(offered.subquery())) or 0,
            "balance": _spendable(session, [user.person_id]).get(user.person_id, 0) if user.person_id else None}


def _spendable(session, person_ids) -> dict[int, int]:
    """Balance minus open holds per person (no account yet: nothing to spend). Never opens an account."""
    rows = session.execute(select(LedgerAccount.person_id, LedgerAccount.balance - LedgerAccount.pending_debits)
                           .where(LedgerAccount.person_id.in_(list(person_ids))))
    return {person_id: int(amount) for person_id, amount in rows}


def relative_today(session, user: User) -> dict:
    """Services waiting for this relative's confirmation, each verified family member's balance, goods on the way."""
    family = list(session.scalars(select(Person).join(Relative, Relative.resident_id == Person.id).where(
        Relative.relative_id == user.person_id, Relative.verified.is_(True), Relative.unlinked_at.is_(None))
        .order_by(Person.id)))
    ids = [p.id for p in family]
    if not ids:
        return {"family": [], "waiting": [], "goods": [], "balances": {}}
    waiting = list(session.scalars(select(ServiceRequest).where(
        ServiceRequest.resident_id.in_(ids), ServiceRequest.status == "done")
        .options(selectinload(ServiceRequest.category)).order_by(ServiceRequest.done_at).limit(20)))
    goods = list(session.scalars(select(GoodsRequest).where(
        GoodsRequest.resident_id.in_(ids), GoodsRequest.status == "allocated").order_by(GoodsRequest.id).limit(20)))
    return {"family": family, "waiting": waiting, "goods": goods, "balances": _spendable(session, ids)}




def admin_today(session, actor: User, *, today: date, tz) -> dict:
    """The county admin's first screen: this month's county figures (the reports dashboard's own queries)
    and what waits for a second approval or for the county's decision."""
    from timebank.charity.models import Charity
    from timebank.ledger import queries as ledger_queries
    from timebank.people.estate_models import EstateDisposition
    from timebank.reports import domain as reports_domain
    from timebank.reports import queries as reports

    figures = None
    if actor.node is not None:
        figures = reports.dashboard(session, actor.node.path, reports_domain.month_of(today), tz)
    grants = [g for g in ledger_queries.awaiting_grants(session)]
    charities = list(session.scalars(select(Charity).where(Charity.status == "pending").order_by(Charity.id)
                                     .limit(SHOWN)))
    charities_total = session.scalar(select(func.count()).select_from(Charity).where(Charity.status == "pending"))
    estates = list(session.scalars(select(EstateDisposition).where(EstateDisposition.status == "proposed")
                                   .order_by(EstateDisposition.proposed_at).limit(SHOWN)))
    return {"figures": figures, "grants": grants[:SHOWN], "grants_total": len(grants),
            "charities": charities, "charities_total": int(charities_total or 0), "estates": estates}


LOW_STOCK_SHARE = 0.2  # a donation is running out below a fifth of what was given


def charity_today(session, charity) -> dict:
    """A charity's first screen: open goods requests its stock could meet (village and item only, no names),
    its donations running out, and its hour pool's balance."""
    from timebank.charity.models import Donation, GoodsRequest, Item
    from timebank.charity.queries import pool_account

    in_stock = select(Donation.item_id).where(Donation.charity_id == charity.id, Donation.stock > 0)
    meetable = (select(GoodsRequest).where(GoodsRequest.status == "open", GoodsRequest.item_id.in_(in_stock))
                .options(selectinload(GoodsRequest.node)).order_by(GoodsRequest.id))
    low = (select(Donation).where(Donation.charity_id == charity.id, Donation.stock > 0,
                                  Donation.stock <= Donation.quantity * LOW_STOCK_SHARE)
           .order_by(Donation.stock, Donation.id))
    items = {i.id: i for i in session.scalars(select(Item))}
    pool = pool_account(session, charity)
    return {"meetable": _pile(session, meetable, select(func.count()).select_from(meetable.subquery())),
            "low": _pile(session, low, select(func.count()).select_from(low.subquery())),
            "items": items, "pool": pool.balance - pool.pending_debits if pool is not None else None}
