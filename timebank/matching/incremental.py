"""Re-solve after a change (a decline, a new request) without moving accepted assignments.

Accepted assignments are frozen: they leave the problem and come back as what they consume —
commitments and used minutes of their people, spent fund minutes, taken stock. The solver then
optimises only the remaining requests on that residual problem, and the frozen part is added back.
"""

from __future__ import annotations

import time
from dataclasses import replace

from timebank.matching.problem import Commitment, Problem, ProblemError
from timebank.matching.solution import Solution
from timebank.matching.solver import solve
from timebank.matching.verify import verify


def residual(problem: Problem, frozen: Solution) -> Problem:
    """The problem left once `frozen` (assignments and allocations, kept as they are) is in place."""
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
    volunteers = tuple(
        replace(
            v,
            capacity_minutes=v.capacity_minutes - used[v.id],
            commitments=tuple(sorted(v.commitments + tuple(busy[v.id]), key=lambda c: (c.start, c.end))),
        )
        if v.id in busy
        else v
        for v in problem.volunteers
    )
    return replace(
        problem,
        volunteers=volunteers,
        services=tuple(r for r in problem.services if r.id not in done),
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
) -> Solution:
    """New verified solution of `problem` that keeps previous assignments of the `accepted` request ids.

    `problem` already carries the change: a decline is the volunteer in that request's `excluded`
    (and the request not accepted), a new request is simply in the list.
    """
    t0 = time.monotonic()
    keep = [a for a in previous.assignments if a.request in accepted]
    keep_alloc = [g for g in previous.allocations if g.request in accepted]
    frozen = replace(
        previous, assignments=tuple(keep), allocations=tuple(keep_alloc), objective=0, bound=None
    )
    check = verify(problem, frozen, check_reported=False)
    if not check.ok:
        raise ProblemError(f"accepted assignments are no longer valid: {check.violations[0]}")
    rest = solve(
        residual(problem, frozen),
        time_limit_s=max(0.05, 0.9 * time_limit_s - (time.monotonic() - t0)),  # a tenth for the merge
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
        objective=check.objective + rest.objective,
        wall_seconds=time.monotonic() - t0,
        engine=f"incremental/{rest.engine}",
    )
    verdict = verify(problem, merged)
    if not verdict.ok:  # cannot happen unless the residual model is wrong; keep the frozen part alone
        return replace(
            frozen, objective=check.objective, status="FEASIBLE", wall_seconds=time.monotonic() - t0
        )
    return merged
