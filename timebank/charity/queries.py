"""Reads for charity pages, station goods pages, the public transparency pages and the matching layer.

Transparency numbers are aggregates only (item, township, month): no resident's name, id or village ever
leaves this module through `transparency`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import OrgNode, User
from timebank.accounts.scope import in_scope
from timebank.charity import domain
from timebank.charity.models import (
    Allocation,
    CashGiftNote,
    Charity,
    CharityPoolRule,
    Donation,
    GoodsRequest,
    Item,
    StockMovement,
)
from timebank.charity.service import resident_facts, restriction_of, township_of
from timebank.ledger.models import LedgerAccount, Transfer

PER_PAGE = 30


def items(session, *, active_only: bool = True) -> list[Item]:
    stmt = select(Item).options(selectinload(Item.category)).order_by(Item.category_id, Item.id)
    if active_only:
        stmt = stmt.where(Item.active.is_(True))
    return list(session.scalars(stmt))


def townships(session) -> list[OrgNode]:
    return list(session.scalars(select(OrgNode).where(OrgNode.kind == "township").order_by(OrgNode.code)))


def charities(session, *, status: str | None = None) -> list[Charity]:
    stmt = select(Charity).order_by(Charity.status != "pending", Charity.id)
    if status:
        stmt = stmt.where(Charity.status == status)
    return list(session.scalars(stmt))


ADMIN_PER_PAGE = 20
ADMIN_FILTERS = ("pending", "approved", "rejected", "deactivated")


def charities_for_admin(session, actor, *, status: str | None, page: int, per_page: int = ADMIN_PER_PAGE):
    """One page of the charities in the admin's subtree, pending first (oldest first): (rows, more)."""
    stmt = select(Charity).options(selectinload(Charity.members)).where(in_scope(Charity.node_id, actor))
    if status == "deactivated":
        stmt = stmt.where(Charity.deactivated_at.is_not(None))
    elif status in ADMIN_FILTERS:
        stmt = stmt.where(Charity.status == status)
    stmt = stmt.order_by(Charity.status != "pending", Charity.id)
    rows = list(session.scalars(stmt.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def approved_charities(session) -> list[Charity]:
    return list(session.scalars(select(Charity).where(Charity.status == "approved").order_by(Charity.id)))


def donations_of(session, charity_id: int) -> list[Donation]:
    return list(session.scalars(select(Donation).options(selectinload(Donation.item), selectinload(Donation.node))
                                .where(Donation.charity_id == charity_id).order_by(Donation.id.desc())))


def movements(session, donation_id: int) -> list[StockMovement]:
    return list(session.scalars(select(StockMovement).where(StockMovement.donation_id == donation_id)
                                .order_by(StockMovement.id)))


def cash_notes(session, charity_id: int) -> list[CashGiftNote]:
    return list(session.scalars(select(CashGiftNote).where(CashGiftNote.charity_id == charity_id)
                                .order_by(CashGiftNote.id.desc())))


def pool_rule(session, charity_id: int) -> CharityPoolRule | None:
    return session.get(CharityPoolRule, charity_id)


def pool_account(session, charity: Charity) -> LedgerAccount | None:
    return session.get(LedgerAccount, charity.account_id) if charity.account_id else None


def goods_requests(session, actor: User, *, status: str | None, page: int):
    stmt = (select(GoodsRequest)
            .options(selectinload(GoodsRequest.resident), selectinload(GoodsRequest.item),
                     selectinload(GoodsRequest.node), selectinload(GoodsRequest.allocations))
            .where(in_scope(GoodsRequest.node_id, actor))
            .order_by(GoodsRequest.status != "open", GoodsRequest.priority_tier, GoodsRequest.id.desc()))
    if status:
        stmt = stmt.where(GoodsRequest.status == status)
    rows = list(session.scalars(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def candidate_donations(session, request: GoodsRequest, today: date) -> list[tuple[Donation, str | None]]:
    """Donations of the requested item with free stock, each with None (eligible) or why not."""
    from timebank.charity.allocation import donation_ineligibility

    rows = session.scalars(select(Donation).options(selectinload(Donation.charity), selectinload(Donation.node))
                           .join(Charity).where(Donation.item_id == request.item_id, Donation.stock > 0,
                                                Charity.status == "approved").order_by(Donation.id))
    return [(d, donation_ineligibility(session, d, request, today)) for d in rows]


def allocations_for_person(session, person_id: int | None) -> list[Allocation]:
    """Goods allocated to this person or to residents whose verified relative this person is."""
    from timebank.people.models import Relative

    if person_id is None:
        return []
    residents = select(Relative.resident_id).where(Relative.relative_id == person_id, Relative.verified.is_(True),
                                                   Relative.unlinked_at.is_(None))
    return list(session.scalars(
        select(Allocation).join(GoodsRequest)
        .options(selectinload(Allocation.request).selectinload(GoodsRequest.item),
                 selectinload(Allocation.request).selectinload(GoodsRequest.resident))
        .where((GoodsRequest.resident_id == person_id) | GoodsRequest.resident_id.in_(residents))
        .order_by(Allocation.id.desc())))


# ---------------------------------------------------------------------------------------------------------
# transparency


@dataclass
class Totals:
    received: int = 0
    allocated: int = 0
    delivered: int = 0
    returned: int = 0
    gone: int = 0
    in_stock: int = 0

    def add(self, kind: str, quantity: int) -> None:
        if kind == "received":
            self.received += quantity
        elif kind == "allocated":
            self.allocated += quantity
        elif kind == "delivered":
            self.delivered += quantity
        elif kind == "returned":
            self.returned += quantity
        else:
            self.gone += quantity


@dataclass
class Transparency:
    by_item: dict[int, Totals] = field(default_factory=dict)
    by_township: dict[str, Totals] = field(default_factory=dict)
    by_month: dict[str, Totals] = field(default_factory=dict)
    total: Totals = field(default_factory=Totals)
    item_names: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id -> (zh, en, unit)
    hours_donated: int = 0
    hours_paid: int = 0
    charities: int = 0

    def rows(self):
        """(dimension, key, Totals) in a stable order, for the CSV export."""
        for item_id, totals in sorted(self.by_item.items()):
            yield "item", self.item_names[item_id][0], totals
        for name, totals in sorted(self.by_township.items()):
            yield "township", name, totals
        for month, totals in sorted(self.by_month.items()):
            yield "month", month, totals


def transparency(session, *, charity_id: int | None, tz: str) -> Transparency:
    """Donations received, allocated, delivered and in stock by item, township (of the donation's place for
    stock received, of the recipient for goods given out) and month; hours donated and paid out."""
    zone = ZoneInfo(tz)
    report = Transparency()
    donation_filter = [Donation.charity_id == charity_id] if charity_id is not None else []
    nodes = {n.id: n for n in session.scalars(select(OrgNode))}
    rows = session.execute(
        select(StockMovement.kind, StockMovement.quantity, StockMovement.created_at, Donation.item_id,
               Donation.node_id, GoodsRequest.node_id)
        .join(Donation, Donation.id == StockMovement.donation_id)
        .outerjoin(Allocation, Allocation.id == StockMovement.allocation_id)
        .outerjoin(GoodsRequest, GoodsRequest.id == Allocation.request_id)
        .where(*donation_filter)).all()
    for kind, quantity, at, item_id, donation_node, recipient_node in rows:
        node = nodes.get(recipient_node or donation_node)
        township = nodes.get(township_of(node)) if node is not None else None
        township_name = township.name if township is not None else (node.name if node else "")
        month = at.astimezone(zone).strftime("%Y-%m")
        for bucket in (report.by_item.setdefault(item_id, Totals()),
                       report.by_township.setdefault(township_name, Totals()),
                       report.by_month.setdefault(month, Totals()), report.total):
            bucket.add(kind, quantity)
    stock = session.execute(select(Donation.item_id, func.sum(Donation.stock)).where(*donation_filter)
                            .group_by(Donation.item_id)).all()
    for item_id, in_stock in stock:
        report.by_item.setdefault(item_id, Totals()).in_stock = int(in_stock or 0)
        report.total.in_stock += int(in_stock or 0)
    report.item_names = {i.id: (i.name_zh, i.name_en, i.unit) for i in session.scalars(select(Item))}
    accounts = select(Charity.account_id).where(Charity.account_id.is_not(None),
                                                 *([Charity.id == charity_id] if charity_id else []))
    posted = Transfer.phase.in_(("posted", "post"))
    report.hours_donated = int(session.scalar(select(func.coalesce(func.sum(Transfer.minutes), 0)).where(
        Transfer.credit_account_id.in_(accounts), posted)) or 0)
    report.hours_paid = int(session.scalar(select(func.coalesce(func.sum(Transfer.minutes), 0)).where(
        Transfer.debit_account_id.in_(accounts), posted)) or 0)
    report.charities = session.scalar(select(func.count()).select_from(Charity).where(
        Charity.status == "approved", *([Charity.id == charity_id] if charity_id else [])))
    return report


# ---------------------------------------------------------------------------------------------------------
# stock check


def check_stock(session) -> domain.CheckReport:
    """Recompute every donation's stock from its movements and compare with the stored stock."""
    report = domain.CheckReport()
    history: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for donation_id, kind, quantity in session.execute(
            select(StockMovement.donation_id, StockMovement.kind, StockMovement.quantity)
            .order_by(StockMovement.donation_id, StockMovement.id)):
        history[donation_id].append((kind, quantity))
        report.movements += 1
    for donation_id, stock, reserved in session.execute(
            select(Donation.id, Donation.stock, Donation.reserved).order_by(Donation.id)):
        report.donations += 1
        mismatch = domain.compare(donation_id, stock, reserved, history.get(donation_id, []))
        if mismatch is not None:
            report.mismatches.append(mismatch)
    return report


# ---------------------------------------------------------------------------------------------------------
# the matching exchange format (matching-format.md): goods requests, donations, funds


def _origin(session) -> tuple[float, float]:
    root = session.scalar(select(OrgNode).where(OrgNode.parent_id.is_(None)).order_by(OrgNode.id))
    return (root.latitude or 0.0, root.longitude or 0.0) if root else (0.0, 0.0)


def _node_place(node: OrgNode, origin) -> tuple[float, float]:
    if node.latitude is None or node.longitude is None:
        return 0.0, 0.0
    return domain.to_km(node.latitude, node.longitude, *origin)


def matching_goods(session, *, scope_path: str | None = None, today: date,
                   priority_of_tier=None) -> dict[str, list[dict]]:
    """The goods half of a matching problem, eligibility already filtered:

    {"requests": [{"id": "g<id>", "kind": "goods", "resident": "p<person>", "item": <code>, "quantity": n,
                   "priority": 1..100, "donations": ["d<id>", ...]}],
     "donations": [{"id": "d<id>", "item": <code>, "quantity": free stock, "x_km": .., "y_km": ..}]}

    Only open requests inside `scope_path` (an org path prefix; None = the county), only donations of
    approved charities with free stock and not past their use-by date. A request no donation may serve
    is still listed, with an empty `donations`, so the solver reports it unserved.
    """
    priority_of_tier = priority_of_tier or (lambda tier: {1: 100, 2: 80, 3: 60, 4: 40}.get(tier, 20))
    origin = _origin(session)
    stmt = (select(GoodsRequest).options(selectinload(GoodsRequest.item), selectinload(GoodsRequest.allocations))
            .join(OrgNode, OrgNode.id == GoodsRequest.node_id).where(GoodsRequest.status == "open")
            .order_by(GoodsRequest.id))
    if scope_path:
        stmt = stmt.where(OrgNode.path.startswith(scope_path, autoescape=True))
    requests = list(session.scalars(stmt))
    donations = list(session.scalars(
        select(Donation).options(selectinload(Donation.item), selectinload(Donation.node))
        .join(Charity).where(Charity.status == "approved", Donation.stock > 0,
                             (Donation.use_by.is_(None)) | (Donation.use_by >= today))
        .order_by(Donation.id)))
    facts_cache: dict[int, domain.ResidentFacts] = {}
    out_requests, used = [], set()
    for request in requests:
        outstanding = request.quantity - sum(a.quantity for a in request.allocations
                                             if a.status in ("reserved", "delivered"))
        if outstanding <= 0:
            continue
        facts = facts_cache.get(request.resident_id) or resident_facts(session, request.resident_id, today)
        facts_cache[request.resident_id] = facts
        allowed = [d for d in donations if d.item_id == request.item_id
                   and domain.ineligibility(restriction_of(d), facts) is None]
        used.update(d.id for d in allowed)
        out_requests.append({"id": f"g{request.id}", "kind": "goods", "resident": f"p{request.resident_id}",
                             "item": request.item.code, "quantity": outstanding,
                             "priority": priority_of_tier(request.priority_tier),
                             "donations": [f"d{d.id}" for d in allowed]})
    out_donations = []
    for donation in donations:
        if donation.id not in used:
            continue
        x, y = _node_place(donation.node, origin)
        out_donations.append({"id": f"d{donation.id}", "item": donation.item.code, "quantity": donation.stock,
                              "x_km": x, "y_km": y})
    return {"requests": out_requests, "donations": out_donations}


def fund_id(charity_id: int) -> str:
    return f"charity:{charity_id}"


def matching_funds(session) -> list[dict]:
    """Every approved charity pool as a matching fund: {"id": "charity:<id>", "minutes": spendable}."""
    rows = session.execute(select(Charity.id, LedgerAccount.balance, LedgerAccount.pending_debits)
                           .join(LedgerAccount, LedgerAccount.id == Charity.account_id)
                           .where(Charity.status == "approved", Charity.deactivated_at.is_(None))
                           .order_by(Charity.id)).all()
    return [{"id": fund_id(cid), "minutes": int(balance - pending)} for cid, balance, pending in rows
            if balance - pending > 0]


def eligible_pools(session, resident_id: int, category_id: int | None, today: date) -> list[str]:
    """Fund ids of the charity pools that may pay for this resident's visit of this category (to append to
    a service request's `funding`), in charity id order; pools with nothing left are left out."""
    facts = resident_facts(session, resident_id, today)
    funded = {f["id"] for f in matching_funds(session)}
    rules = {r.charity_id: r for r in session.scalars(select(CharityPoolRule))}
    out = []
    for charity_id in session.scalars(select(Charity.id).where(Charity.status == "approved",
                                                               Charity.deactivated_at.is_(None)).order_by(Charity.id)):
        rule = rules.get(charity_id) or CharityPoolRule(charity_id=charity_id)
        if fund_id(charity_id) in funded and domain.ineligibility(restriction_of(rule), facts,
                                                                   category_id=category_id) is None:
            out.append(fund_id(charity_id))
    return out
