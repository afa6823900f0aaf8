"""Reads for matching pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import OrgNode, User
from timebank.accounts.scope import in_scope
from timebank.dispatch.models import MatchRun, Proposal
from timebank.visits.models import ServiceRequest


def runs(session, actor: User, *, limit: int = 30) -> list[MatchRun]:
    return list(session.scalars(select(MatchRun).where(in_scope(MatchRun.scope_node_id, actor))
                                .options(selectinload(MatchRun.scope))
                                .order_by(MatchRun.created_at.desc(), MatchRun.id.desc()).limit(limit)))


def run_detail(session, actor: User, run_id: int) -> MatchRun | None:
    return session.scalar(select(MatchRun).where(MatchRun.id == run_id, in_scope(MatchRun.scope_node_id, actor))
                          .options(selectinload(MatchRun.proposals).selectinload(Proposal.volunteer),
                                   selectinload(MatchRun.proposals).selectinload(Proposal.request)
                                   .selectinload(ServiceRequest.resident)))


def mine(session, person_id: int | None, *, limit: int = 50) -> list[Proposal]:
    if person_id is None:
        return []
    return list(session.scalars(
        select(Proposal).where(Proposal.volunteer_id == person_id)
        .options(selectinload(Proposal.request).selectinload(ServiceRequest.category),
                 selectinload(Proposal.request).selectinload(ServiceRequest.node))
        .order_by((Proposal.status == "offered").desc(), Proposal.start, Proposal.id.desc()).limit(limit)))


def scopes(session, actor: User) -> list[OrgNode]:
    """Where the actor may run matching: townships in scope (and the county for admins)."""
    stmt = select(OrgNode).where(OrgNode.kind.in_(("county", "township")), in_scope(OrgNode.id, actor))
    return list(session.scalars(stmt.order_by(OrgNode.path)))


def goods_of_run(session, run_id: int):
    from timebank.charity.models import Donation, GoodsRequest
    from timebank.dispatch.models import GoodsProposal

    return list(session.scalars(
        select(GoodsProposal).where(GoodsProposal.run_id == run_id).order_by(GoodsProposal.id)
    )), {r.id: r for r in session.scalars(select(GoodsRequest).join(GoodsProposal, GoodsProposal.goods_request_id
                                                                    == GoodsRequest.id)
                                          .where(GoodsProposal.run_id == run_id)
                                          .options(selectinload(GoodsRequest.item),
                                                   selectinload(GoodsRequest.resident)))}, \
        {d.id: d for d in session.scalars(select(Donation).join(GoodsProposal, GoodsProposal.donation_id == Donation.id)
                                          .where(GoodsProposal.run_id == run_id)
                                          .options(selectinload(Donation.charity)))}
