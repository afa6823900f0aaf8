"""The dashboard's figures for a period and an org subtree, each one GROUP BY statement (a fixed number of
statements whatever the county's size; no per-row queries). The page, the .xlsx, the monthly report and the
API all call `dashboard()`.

Definitions (also in docs/en/reports.md):
- new volunteers: volunteer profiles created in the period, of people living in the subtree;
- active volunteers: distinct volunteers with a service record started in the period in the subtree;
- approved volunteers by age band (age at the period's last day) and by township: volunteers approved now;
- people served by priority tier: distinct residents of the service records of the period (the tier stored
  on the request when it was posted, decided by policy/priority.py);
- requests posted in the period, and of those: matched (reached `matched` or later), completed (done,
  confirmed, settled or resolved), unmatched (still open, in review or expired), cancelled; median hours
  from posting to the first `matched` transition;
- minutes served: credited minutes of the service records started in the period;
- satisfaction: ratings given on requests finished in the period, disputes raised in the period;
- pools: minutes credited to and debited from each pool account (county scope), or, for a station, the
  minutes of its service records paid by each pool kind;
- goods: stock movements received, allocated, delivered in the period for donations held in the subtree.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import case, distinct, func, literal, select

from timebank.accounts.models import OrgNode, Person
from timebank.catalog.models import ServiceCategory
from timebank.charity.models import Donation, StockMovement
from timebank.ledger.models import LedgerAccount, Transfer
from timebank.people.models import VolunteerProfile
from timebank.reports import domain
from timebank.visits.models import ServiceRecord, ServiceRequest, VisitEvent

MATCHED_OR_LATER = ("matched", "in_service", "done", "confirmed", "settled", "disputed", "resolved")
COMPLETED = ("done", "confirmed", "settled", "resolved")
UNMATCHED = ("open", "review", "expired")
POSTED_PHASES = ("posted", "post")  # the phases that move a balance
PAYERS = ("own", "backstop", "county_donation", "charity")


def bounds(period: domain.Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as UTC instants [start, end) from midnight to midnight in the county."""
    start = datetime.combine(period.start, time(), tzinfo=tz)
    end = datetime.combine(period.end_exclusive, time(), tzinfo=tz)
    return start, end


def scope_nodes(session, path: str) -> list[OrgNode]:
    return list(session.scalars(select(OrgNode).where(OrgNode.path.startswith(path, autoescape=True))
                                .order_by(OrgNode.path)))


def _subtree(path: str):
    return select(OrgNode.id).where(OrgNode.path.startswith(path, autoescape=True))


def _hours_between(session, later, earlier):
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def dashboard(session, path: str, period: domain.Period, tz: ZoneInfo, locale: str = "zh") -> dict:
    """Every figure of the dashboard for the subtree at `path` and the period, as plain JSON-able values."""
    start, end = bounds(period, tz)
    subtree = _subtree(path)
    nodes = scope_nodes(session, path)
    figures = {"period": {"from": period.start.isoformat(), "to": period.end.isoformat()}}
    figures.update(_volunteers(session, subtree, nodes, start, end, period))
    figures["served_by_tier"] = _served_by_tier(session, subtree, start, end)
    figures["requests"] = _requests(session, subtree, start, end)
    figures.update(_minutes(session, subtree, nodes, start, end, locale))
    figures["satisfaction"], figures["ratings"] = _satisfaction(session, subtree, start, end)
    figures["pools"] = _pools(session, subtree, start, end, county=nodes and nodes[0].kind == "county")
    figures["goods"] = _goods(session, subtree, start, end)
    return figures


# --- volunteers -------------------------------------------------------------------------------------------

def _volunteers(session, subtree, nodes, start, end, period) -> dict:
    new = session.scalar(select(func.count()).select_from(VolunteerProfile).join(Person, Person.id == VolunteerProfile.person_id)
                         .where(Person.node_id.in_(subtree), VolunteerProfile.created_at >= start,
                                VolunteerProfile.created_at < end))
    active = session.scalar(select(func.count(distinct(ServiceRecord.volunteer_id)))
                            .where(ServiceRecord.node_id.in_(subtree), ServiceRecord.started_at >= start,
                                   ServiceRecord.started_at < end))
    bands = domain.age_band_bounds(period.end)
    band = case(*[((Person.birth_date > after) & (Person.birth_date <= upto) if after is not None
                   else Person.birth_date <= upto, literal(key)) for key, after, upto in bands],
                else_=literal("under_18"))
    approved = (select(band.label("band"), Person.node_id, func.count().label("n"))
                .select_from(VolunteerProfile).join(Person, Person.id == VolunteerProfile.person_id)
                .where(VolunteerProfile.status == "approved", Person.node_id.in_(subtree))
                .group_by(band, Person.node_id))
    by_band = {key: 0 for key, _low, _high in domain.AGE_BANDS}
    by_node: dict[int, int] = {}
    for key, node_id, n in session.execute(approved):
        by_band[key] = by_band.get(key, 0) + n
        by_node[node_id] = by_node.get(node_id, 0) + n
    return {
        "volunteers": {"new": int(new or 0), "active": int(active or 0), "approved": sum(by_band.values())},
        "volunteers_by_age": [{"key": key, "value": value} for key, value in by_band.items()],
        "volunteers_by_township": _rollup(nodes, by_node, "township"),
    }


def _rollup(nodes: list[OrgNode], values: dict[int, int], level: str) -> list[dict]:
    """Values per node summed up to townships (or kept per village); every node of the level is listed."""
    by_id = {node.id: node for node in nodes}
    out: dict[int, int] = {node.id: 0 for node in nodes if node.kind == level}
    rest = 0
    for node_id, value in values.items():
        node = by_id.get(node_id)
        while node is not None and node.kind != level:
            node = by_id.get(node.parent_id) if level == "township" and node.kind == "village" else None
        if node is None:
            rest += value
        else:
            out[node.id] += value
    rows = [{"key": node_id, "label": by_id[node_id].name, "value": value} for node_id, value in out.items()]
    if rest:
        rows.append({"key": 0, "label": None, "value": rest})  # recorded above this level (the county itself)
    return rows


# --- people served, requests -------------------------------------------------------------------------------

def _served_by_tier(session, subtree, start, end) -> list[dict]:
    stmt = (select(ServiceRequest.priority_tier, func.count(distinct(ServiceRequest.resident_id)))
            .join(ServiceRecord, ServiceRecord.request_id == ServiceRequest.id)
            .where(ServiceRecord.node_id.in_(subtree), ServiceRecord.started_at >= start,
                   ServiceRecord.started_at < end)
            .group_by(ServiceRequest.priority_tier))
    counts = dict(session.execute(stmt).all())
    return [{"key": tier, "value": int(counts.get(tier, 0))} for tier in domain.TIERS]


def _requests(session, subtree, start, end) -> dict:
    posted = (ServiceRequest.node_id.in_(subtree), ServiceRequest.created_at >= start,
              ServiceRequest.created_at < end)
    status = ServiceRequest.status
    row = session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((status.in_(MATCHED_OR_LATER), 1), else_=0)), 0),
        func.coalesce(func.sum(case((status.in_(COMPLETED), 1), else_=0)), 0),
        func.coalesce(func.sum(case((status.in_(UNMATCHED), 1), else_=0)), 0),
        func.coalesce(func.sum(case((status == "cancelled", 1), else_=0)), 0),
    ).where(*posted)).one()
    first_match = (select(VisitEvent.request_id, func.min(VisitEvent.at).label("at"))
                   .where(VisitEvent.to_status == "matched").group_by(VisitEvent.request_id).subquery())
    hours = _hours_between(session, first_match.c.at, ServiceRequest.created_at)
    base = select(hours).join(first_match, first_match.c.request_id == ServiceRequest.id).where(*posted)
    matched_count = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    median = None
    if matched_count:
        middle = list(session.scalars(base.order_by(hours).offset((matched_count - 1) // 2)
                                      .limit(2 if matched_count % 2 == 0 else 1)))
        median = round(float(sum(middle) / len(middle)), 1)
    return {"posted": int(row[0]), "matched": int(row[1]), "completed": int(row[2]), "unmatched": int(row[3]),
            "cancelled": int(row[4]), "median_hours_to_match": median}


# --- minutes served ------------------------------------------------------------------------------------------

def _minutes(session, subtree, nodes, start, end, locale) -> dict:
    in_period = (ServiceRecord.node_id.in_(subtree), ServiceRecord.started_at >= start,
                 ServiceRecord.started_at < end)
    by_category = session.execute(
        select(ServiceCategory.id, ServiceCategory.name_zh, ServiceCategory.name_en,
               func.coalesce(func.sum(ServiceRecord.credited_minutes), 0))
        .join(ServiceRecord, ServiceRecord.category_id == ServiceCategory.id).where(*in_period)
        .group_by(ServiceCategory.id, ServiceCategory.name_zh, ServiceCategory.name_en)
        .order_by(ServiceCategory.id)).all()
    by_node = dict(session.execute(select(ServiceRecord.node_id, func.sum(ServiceRecord.credited_minutes))
                                   .where(*in_period).group_by(ServiceRecord.node_id)).all())
    by_node = {key: int(value or 0) for key, value in by_node.items()}
    return {
        "minutes_total": sum(by_node.values()),
        "minutes_by_category": [{"key": cid, "label": en if locale == "en" else zh, "value": int(total)}
                                for cid, zh, en, total in by_category],
        "minutes_by_township": _rollup(nodes, by_node, "township"),
        "minutes_by_village": _rollup(nodes, by_node, "village"),
    }


# --- satisfaction, pools, goods ------------------------------------------------------------------------------

def _satisfaction(session, subtree, start, end) -> tuple[dict, list[dict]]:
    rated = (select(ServiceRequest.rating, func.count()).where(
        ServiceRequest.node_id.in_(subtree), ServiceRequest.rating.is_not(None),
        ServiceRequest.done_at >= start, ServiceRequest.done_at < end).group_by(ServiceRequest.rating))
    counts = {int(k): int(v) for k, v in session.execute(rated).all()}
    ratings = sum(counts.values())
    average = round(sum(k * v for k, v in counts.items()) / ratings, 2) if ratings else None
    disputes = session.scalar(select(func.count()).select_from(VisitEvent)
                              .join(ServiceRequest, ServiceRequest.id == VisitEvent.request_id)
                              .where(ServiceRequest.node_id.in_(subtree), VisitEvent.action == "dispute",
                                     VisitEvent.at >= start, VisitEvent.at < end))
    summary = {"ratings": ratings, "average": average, "disputes": int(disputes or 0)}
    return summary, [{"key": stars, "value": counts.get(stars, 0)} for stars in (1, 2, 3, 4, 5)]


def _pools(session, subtree, start, end, *, county: bool) -> list[dict]:
    if county:
        pools = select(LedgerAccount.id).where(LedgerAccount.kind.in_(("pool", "charity")))
        in_period = (Transfer.phase.in_(POSTED_PHASES), Transfer.created_at >= start, Transfer.created_at < end)
        credits = dict(session.execute(select(Transfer.credit_account_id, func.sum(Transfer.minutes))
                                       .where(Transfer.credit_account_id.in_(pools), *in_period)
                                       .group_by(Transfer.credit_account_id)).all())
        debits = dict(session.execute(select(Transfer.debit_account_id, func.sum(Transfer.minutes))
                                      .where(Transfer.debit_account_id.in_(pools), *in_period)
                                      .group_by(Transfer.debit_account_id)).all())
        accounts = session.execute(select(LedgerAccount.id, LedgerAccount.code, LedgerAccount.name)
                                   .where(LedgerAccount.id.in_(set(credits) | set(debits)))
                                   .order_by(LedgerAccount.code)).all()
        return [{"key": code, "label": name or code, "in": int(credits.get(aid) or 0),
                 "out": int(debits.get(aid) or 0)} for aid, code, name in accounts]
    paid = dict(session.execute(
        select(ServiceRequest.payer, func.sum(ServiceRecord.credited_minutes))
        .join(ServiceRecord, ServiceRecord.request_id == ServiceRequest.id)
        .where(ServiceRecord.node_id.in_(subtree), ServiceRecord.started_at >= start, ServiceRecord.started_at < end,
               ServiceRequest.payer != "own").group_by(ServiceRequest.payer)).all())
    return [{"key": payer, "label": None, "in": None, "out": int(paid.get(payer) or 0)}
            for payer in PAYERS[1:]]


def _goods(session, subtree, start, end) -> dict:
    stmt = (select(StockMovement.kind, func.sum(StockMovement.quantity))
            .join(Donation, Donation.id == StockMovement.donation_id)
            .where(Donation.node_id.in_(subtree), StockMovement.created_at >= start, StockMovement.created_at < end,
                   StockMovement.kind.in_(("received", "allocated", "delivered")))
            .group_by(StockMovement.kind))
    counts = {kind: int(total or 0) for kind, total in session.execute(stmt).all()}
    return {kind: counts.get(kind, 0) for kind in ("received", "allocated", "delivered")}
