"""Matching runs and proposals: build the problem, solve, store the run and one proposal per seat;
volunteers accept (through the same take-seat service as by hand) or decline before a deadline."""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import OrgNode, User
from timebank.accounts.scope import require_node
from timebank.audit import service as audit
from timebank.dispatch import build as builder
from timebank.dispatch.models import GoodsProposal, MatchRun, Proposal
from timebank.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from timebank.matching.entities import ProblemError
from timebank.matching.problem import parse_problem
from timebank.matching.solution import solution_to_dict
from timebank.matching.solver import solve
from timebank.matching.verify import verify
from timebank.notify.service import notify
from timebank.visits import service as visits
from timebank.visits.models import ServiceRequest

log = logging.getLogger(__name__)


def scope_for(session, actor: User, node_id: int | None) -> OrgNode:
    """A township or the county the actor may match in (default: the actor's own node)."""
    node = session.get(OrgNode, node_id) if node_id else actor.node
    require_node(actor, node)
    if node.kind == "village":
        node = node.parent
    return node


def run_matching(session, actor: User | None, scope: OrgNode, *, now: datetime, horizon_days: int | None = None,
                 time_limit_s: float | None = None, seed: int = 0) -> MatchRun:
    """One solve for the scope over the next days. A failure is recorded on the run and changes nothing else.
    Flushes; the caller commits (the run row is written even when the solve fails)."""
    config = current_app.config
    days = horizon_days or config["TIMEBANK_MATCH_HORIZON_DAYS"]
    limit = time_limit_s or config["TIMEBANK_MATCH_TIME_LIMIT"]
    run = MatchRun(scope_node_id=scope.id, horizon_start=now, horizon_end=now + timedelta(days=days), origin=now,
                   params={"time_limit_s": limit, "seed": seed, "horizon_days": days}, status="running",
                   created_by_id=actor.id if actor else None, created_at=now)
    session.add(run)
    session.flush()
    started = time.perf_counter()
    try:
        with session.begin_nested():
            built = builder.build(session, scope, start=now, end=run.horizon_end, now=now)
            run.origin = built.origin
            run.problem_json = json.dumps(built.problem, ensure_ascii=False, separators=(",", ":"))
            run.requests, run.volunteers = len(built.requests), len(built.volunteers)
            run.build_seconds = round(time.perf_counter() - started, 3)
            problem = parse_problem(built.problem)
            solution = solve(problem, time_limit_s=limit, workers=1, seed=seed)
            verdict = verify(problem, solution)
            if not verdict.ok:
                raise RuntimeError("solver output failed verification: " + "; ".join(verdict.violations[:3]))
            run.solve_seconds = round(solution.wall_seconds, 3)
            run.solution_json = json.dumps(solution_to_dict(solution), separators=(",", ":"))
            run.solver_status, run.engine = solution.status, solution.engine or None
            run.objective, run.bound = solution.objective, solution.bound
            deadline_hours = config["TIMEBANK_PROPOSAL_HOURS"]
            offered = 0
            for assignment in solution.assignments:
                request_id = built.requests[assignment.request]
                req = session.get(ServiceRequest, request_id)
                start = built.origin + timedelta(minutes=assignment.start)
                deadline = min(now + timedelta(hours=deadline_hours), start - timedelta(hours=1))
                if deadline <= now:
                    deadline = now + timedelta(minutes=30)
                for role, ids in (("social_worker", assignment.social_workers), ("volunteer", assignment.volunteers)):
                    for vid in ids:
                        proposal = Proposal(run_id=run.id, request_id=request_id, volunteer_id=built.volunteers[vid],
                                            role=role, start=start, status="offered", deadline=deadline,
                                            explanation=dict(assignment.explanation or {}))
                        session.add(proposal)
                        offered += 1
                        _tell_volunteer(session, proposal, req, now=now)
            for allocation in solution.allocations:
                session.add(GoodsProposal(run_id=run.id, goods_request_id=built.goods[allocation.request],
                                          donation_id=built.donations[allocation.donation],
                                          quantity=allocation.quantity, status="offered"))
            run.assigned = offered
            run.status = "ok"
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the run; nothing else changes
        if not isinstance(error, ProblemError | RuntimeError):
            log.exception("match run %s failed", run.id)
        run.status = "failed"
        run.error = f"{type(error).__name__}: {error}"[:2000]
        run.solve_seconds = round(time.perf_counter() - started, 3)
    session.flush()
    if actor is not None:
        audit.record(session, "match_run", actor_id=actor.id, target=f"match_run:{run.id}", result=run.status)
    return run


def _tell_volunteer(session, proposal: Proposal, req: ServiceRequest, *, now: datetime) -> None:
    from zoneinfo import ZoneInfo

    user = session.scalar(select(User).where(User.person_id == proposal.volunteer_id))
    if user is None:
        return
    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    session.flush()
    notify(session, user.id, "proposal_offered", {
        "title": req.category.name_zh, "when": proposal.start.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "deadline": proposal.deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M")},
        link="/dispatch/mine", now=now)


def _own(session, actor: User, proposal_id: int) -> Proposal:
    proposal = session.scalar(select(Proposal).where(Proposal.id == proposal_id).with_for_update())
    if proposal is None or proposal.volunteer_id != actor.person_id:
        raise NotFound()
    return proposal


def accept(session, actor: User, proposal_id: int, *, now: datetime, today) -> Proposal:
    """Take the proposed seat through the take-seat service (every rule re-checked)."""
    proposal = _own(session, actor, proposal_id)
    if proposal.status != "offered":
        raise InvalidTransition(_l("该推荐已处理过"))
    if proposal.deadline <= now:
        raise InvalidTransition(_l("该推荐已过期"))
    visits.take_seat(session, actor, proposal.request_id, source="matching", start=proposal.start, now=now,
                     today=today)
    proposal.status, proposal.decided_at = "accepted", now
    session.flush()
    return proposal


def decline(session, actor: User, proposal_id: int, *, reason: str | None, now: datetime) -> Proposal:
    """The seat goes back to the next run, which will not propose this volunteer for this request again."""
    proposal = _own(session, actor, proposal_id)
    if proposal.status != "offered":
        raise InvalidTransition(_l("该推荐已处理过"))
    proposal.status, proposal.decided_at = "declined", now
    proposal.note = (reason or "").strip()[:300] or None
    session.flush()
    return proposal


def withdraw(session, actor: User, proposal_id: int, *, reason: str, now: datetime) -> Proposal:
    """Station staff override: withdraw an offered proposal in their scope."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound()
    require_node(actor, proposal.request.node)
    if not actor.has_role("station", "admin"):
        raise Forbidden()
    if proposal.status != "offered":
        raise InvalidTransition(_l("该推荐已处理过"))
    if not (reason or "").strip():
        raise ValidationFailed(_l("请填写撤回原因"), field="reason")
    proposal.status, proposal.decided_at, proposal.note = "withdrawn", now, reason.strip()[:300]
    audit.record(session, "proposal_withdraw", actor_id=actor.id, target=f"proposal:{proposal.id}")
    return proposal


def expire_due(session, *, now: datetime) -> int:
    """Offered proposals past their deadline expire: the seat returns, the volunteer is excluded for it."""
    due = list(session.scalars(select(Proposal).where(Proposal.status == "offered", Proposal.deadline <= now)
                               .order_by(Proposal.id)))
    for proposal in due:
        proposal.status, proposal.decided_at = "expired", now
        user = session.scalar(select(User).where(User.person_id == proposal.volunteer_id))
        if user is not None:
            notify(session, user.id, "proposal_expired", {"title": proposal.request.category.name_zh},
                   link="/dispatch/mine", now=now)
    session.flush()
    return len(due)


def match_all_townships(session, *, now: datetime) -> dict:
    """The periodic job: one run per township that has open requests."""
    townships = list(session.scalars(select(OrgNode).where(OrgNode.kind == "township").order_by(OrgNode.code)))
    runs = failed = offered = 0
    for township in townships:
        has_open = session.scalar(select(ServiceRequest.id).join(OrgNode, OrgNode.id == ServiceRequest.node_id)
                                  .where(ServiceRequest.status == "open",
                                         OrgNode.path.startswith(township.path, autoescape=True)).limit(1))
        if has_open is None:
            continue
        run = run_matching(session, None, township, now=now)
        runs += 1
        failed += run.status == "failed"
        offered += run.assigned
    return {"runs": runs, "failed": failed, "offered": offered}


def _goods_proposal(session, actor: User, proposal_id: int) -> GoodsProposal:
    from timebank.charity.models import GoodsRequest

    proposal = session.scalar(select(GoodsProposal).where(GoodsProposal.id == proposal_id).with_for_update())
    if proposal is None:
        raise NotFound()
    request = session.get(GoodsRequest, proposal.goods_request_id)
    require_node(actor, request.node)
    if proposal.status != "offered":
        raise InvalidTransition(_l("该推荐已处理过"))
    return proposal


def accept_goods(session, actor: User, proposal_id: int, *, method: str, now: datetime, today) -> GoodsProposal:
    """Station staff accept a goods proposal: the charity area allocates (every rule checked again)."""
    from timebank.charity.allocation import allocate

    proposal = _goods_proposal(session, actor, proposal_id)
    allocation = allocate(session, actor, proposal.goods_request_id, proposal.donation_id, method=method,
                          quantity=proposal.quantity, source="matching", now=now, today=today)
    proposal.status, proposal.decided_by_id, proposal.decided_at = "accepted", actor.id, now
    proposal.allocation_id = allocation.id
    session.flush()
    return proposal


def reject_goods(session, actor: User, proposal_id: int, *, reason: str | None, now: datetime) -> GoodsProposal:
    proposal = _goods_proposal(session, actor, proposal_id)
    proposal.status, proposal.decided_by_id, proposal.decided_at = "rejected", actor.id, now
    proposal.note = (reason or "").strip()[:300] or None
    session.flush()
    return proposal
