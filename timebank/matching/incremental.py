"""Re-solve after a change (a decline, a new request) without moving accepted assignments.

Accepted assignments are frozen: they leave the problem and come back as what they consume —
commitments and used minutes of their people, spent fund minutes, taken stock. The solver then
optimises only the remaining requests on that residual problem, and the frozen part is added back.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from timebank.matching.problem import Commitment, Problem, ProblemError
from timebank.matching.solution import Solution
from timebank.matching.solver import solve
from timebank.matching.verify import verify

NEAR_ALL = 200  # up to this many open requests, all of them are re-optimised


def _near(problem: Problem, previous: Solution, accepted: set[str], hint: set[str] | None) -> set[str] | None:
    """Request ids worth re-optimising: the changed ones (new, or assigned before and not accepted now)
    and the open ones that a person freed by the change can reach. None: re-optimise everything open."""
    before = {a.request: a for a in previous.assignments}
    served = set(before) | {g.request for g in previous.allocations}
    if hint is None:  # unserved and new requests look alike: every request not served before counts
        hint = {r.id for r in problem.services if r.id in before or r.id not in served}
    changed = [r for r in problem.services if r.id not in accepted and r.id in hint]
    open_ = [r for r in problem.services if r.id not in accepted]
    if not changed or len(open_) <= NEAR_ALL:
        return None
    freed = {
        pid
        for r in changed
        if r.id in before
        for pid in before[r.id].volunteers + before[r.id].social_workers
    }
    keep = {r.id for r in changed}
    people = [problem.volunteer(pid) for pid in sorted(freed) if pid in problem.volunteer_index]
    if people:
        px = np.array([v.x_km for v in people])
        py = np.array([v.y_km for v in people])
        pr = np.array([min(v.max_travel_km, problem.params.max_travel_km) for v in people]) + 0.01
        for r in open_:
            if r.id not in keep and np.any(np.hypot(px - r.x_km, py - r.y_km) <= pr):
                keep.add(r.id)
    keep |= {g.id for g in problem.goods if g.id not in accepted}
    return keep


def residual(problem: Problem, frozen: Solution, only: set[str] | None = None) -> Problem:
    """The problem left once `frozen` (assignments and allocations, kept as they are) is in place.
    With `only`, just those requests and the people who can reach one of them."""
    services = {r.id: r for r in problem.services}
    busy: dict[str, list[Commitment]] = {}
    used: dict[str, int] = {}
    spent: dict[str, int] = {}
    for a in frozen.assignments:
        r = services[a.request]
        for pid in a.volunteers + a.social_workers:
            busy.setdefault(pid, []).append(Commitment(a.start, a.start + r.duration_minutes, r.x_km, r.y_km))
            used[pid] = used.get(pid, 0) + r.duration_minutes
        spent[a.fund] = spent.get(a.fund, 0) + r.duration_minutes * r.seats
    taken: dict[str, int] = {}
    for g in frozen.allocations:
        taken[g.donation] = taken.get(g.donation, 0) + g.quantity
    done = {a.request for a in frozen.assignments} | {g.request for g in frozen.allocations}
    open_services = tuple(r for r in problem.services if r.id not in done and (only is None or r.id in only))
    people = problem.volunteers
    if only is not None:
        vx = np.array([v.x_km for v in people])
        vy = np.array([v.y_km for v in people])
        vr = np.array([min(v.max_travel_km, problem.params.max_travel_km) for v in people]) + 0.01
        near = np.zeros(len(people), dtype=bool)
        for r in open_services:
            near |= np.hypot(vx - r.x_km, vy - r.y_km) <= vr
        people = tuple(v for v, ok in zip(people, near.tolist(), strict=True) if ok)
    volunteers = tuple(
        replace(
            v,
            capacity_minutes=v.capacity_minutes - used[v.id],
            commitments=tuple(sorted(v.commitments + tuple(busy[v.id]), key=lambda c: (c.start, c.end))),
        )
        if v.id in busy
        else v
        for v in people
    )
    return replace(
        problem,
        volunteers=volunteers,
        volunteer_index={v.id: i for i, v in enumerate(volunteers)},
        services=open_services,
        goods=tuple(g for g in problem.goods if g.id not in done),
        donations=tuple(replace(d, quantity=d.quantity - taken.get(d.id, 0)) for d in problem.donations),
        funds=tuple(replace(f, minutes=f.minutes - spent.get(f.id, 0)) for f in problem.funds),
    )


def resolve(
    problem: Problem,
    previous: Solution,
    accepted: set[str],
    *,
    time_limit_s: float = 1.0,
    workers: int = 1,
    seed: int = 0,
    changed: set[str] | None = None,
) -> Solution:
    """New verified solution of `problem` that keeps previous assignments of the `accepted` request ids.

    `problem` already carries the change: a decline is the volunteer in that request's `excluded`
    (and the request not accepted), a new request is simply in the list. `changed` (optional) names
    the requests the change touched (the declined one, the new one): then only they and the open
    requests that a person freed by the change can reach are re-optimised, which keeps a re-solve small.
    """
    t0 = time.monotonic()
    keep = [a for a in previous.assignments if a.request in accepted]
    keep_alloc = [g for g in previous.allocations if g.request in accepted]
    frozen = replace(
        previous, assignments=tuple(keep), allocations=tuple(keep_alloc), objective=0, bound=None
    )
    only = _near(problem, previous, accepted, changed)
    rest = solve(
        residual(problem, frozen, only),
        time_limit_s=max(0.05, 0.8 * time_limit_s - (time.monotonic() - t0)),  # a fifth for the merge
        workers=workers,
        seed=seed,
    )
    assignments = tuple(sorted(keep + list(rest.assignments), key=lambda a: a.request))
    allocations = tuple(sorted(keep_alloc + list(rest.allocations), key=lambda g: (g.request, g.donation)))
    merged = replace(
        rest,
        assignments=assignments,
        allocations=allocations,
        status="FEASIBLE",
        bound=None,
        objective=0,
        wall_seconds=time.monotonic() - t0,
        engine=f"incremental/{rest.engine}",
    )
    verdict = verify(problem, merged, check_reported=False)
    if verdict.ok:
        return replace(merged, objective=verdict.objective, wall_seconds=time.monotonic() - t0)
    check = verify(problem, frozen, check_reported=False)
    if not check.ok:
        raise ProblemError(f"accepted assignments are no longer valid: {check.violations[0]}")
    # cannot happen unless the residual model is wrong; keep the frozen part alone
    return replace(frozen, objective=check.objective, status="FEASIBLE", wall_seconds=time.monotonic() - t0)
