"""Independent check of a solution against the eleven rules of matching-format.md, and its objective.

Deliberately shares no geometry or bookkeeping with the solver: distances, travel times and sums are
recomputed here from the problem and the solution alone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from timebank.matching.problem import Problem, ProblemError
from timebank.matching.solution import Solution


@dataclass(frozen=True)
class Verdict:
    objective: int
    violations: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


def _metres(ax: float, ay: float, bx: float, by: float) -> int:
    return round(1000 * math.hypot(ax - bx, ay - by))


def _travel_minutes(metres: int, speed_kmh: float) -> int:
    return math.ceil(metres * 60 / (speed_kmh * 1000))


def verify(problem: Problem, solution: Solution, *, check_reported: bool = True) -> Verdict:
    """Recompute the objective and list every broken rule; unknown ids raise ProblemError."""
    params = problem.params
    people = {v.id: v for v in problem.volunteers}
    services = {r.id: r for r in problem.services}
    goods = {g.id: g for g in problem.goods}
    donations = {d.id: d for d in problem.donations}
    funds = {f.id: f for f in problem.funds}
    bad: list[str] = []

    # ids must resolve (a solution for another problem is malformed input, not a rule breach)
    for a in solution.assignments:
        if a.request not in services and a.request not in goods:
            raise ProblemError(f"solution: unknown request {a.request!r}")
        for pid in a.volunteers + a.social_workers:
            if pid not in people:
                raise ProblemError(f"solution: request {a.request}: unknown volunteer {pid!r}")
        if a.fund not in funds:
            raise ProblemError(f"solution: request {a.request}: unknown fund {a.fund!r}")
    for g in solution.allocations:
        if g.request not in services and g.request not in goods:
            raise ProblemError(f"solution: unknown request {g.request!r}")
        if g.donation not in donations:
            raise ProblemError(f"solution: request {g.request}: unknown donation {g.donation!r}")

    value = 0  # points
    metres_total = 0
    visits: dict[str, list[tuple[int, int, float, float, str]]] = defaultdict(list)
    minutes_used: dict[str, int] = defaultdict(int)
    fund_used: dict[str, int] = defaultdict(int)
    seen: set[str] = set()
    for a in solution.assignments:
        rid = a.request
        # rule 1
        if rid in seen:
            bad.append(f"rule 1: request {rid} assigned more than once")
            continue
        seen.add(rid)
        if rid in goods:
            bad.append(f"rule 1: goods request {rid} appears in assignments")
            continue
        r = services[rid]
        team = list(a.volunteers) + list(a.social_workers)
        # rule 2
        if len(a.volunteers) != r.volunteers or len(set(a.volunteers)) != len(a.volunteers):
            bad.append(
                f"rule 2: request {rid} needs {r.volunteers} distinct volunteers, got {list(a.volunteers)}"
            )
        if len(a.social_workers) != r.social_workers or len(set(a.social_workers)) != len(a.social_workers):
            bad.append(
                f"rule 2: request {rid} needs {r.social_workers} distinct social workers, "
                f"got {list(a.social_workers)}"
            )
        if len(set(team)) != len(team):
            bad.append(f"rule 2: request {rid} has someone in two seats")
        # rule 3
        for pid in a.social_workers:
            if not people[pid].social_worker:
                bad.append(f"rule 3: {pid} is not a social worker (request {rid})")
        for pid in a.volunteers:
            missing = sorted(r.skills - people[pid].skills)
            if missing:
                bad.append(f"rule 3: {pid} lacks skills {missing} for request {rid}")
        # rule 4
        for pid in team:
            if pid in r.excluded:
                bad.append(f"rule 4: {pid} is excluded from request {rid}")
        # rule 5
        start, end = a.start, a.start + r.duration_minutes
        if start < r.window[0] or end > r.window[1]:
            bad.append(f"rule 5: request {rid} start {start} does not keep window {list(r.window)}")
        if start % params.slot_minutes:
            bad.append(f"rule 5: request {rid} start {start} is not on a {params.slot_minutes}-minute slot")
        if r.fixed_start is not None and start != r.fixed_start:
            bad.append(f"rule 5: request {rid} start {start} differs from fixed_start {r.fixed_start}")
        for pid in sorted(set(team)):
            v = people[pid]
            # rule 6
            if not any(s <= start and end <= e for s, e in v.availability):
                bad.append(f"rule 6: {pid} is not available for [{start}, {end}) (request {rid})")
            # rule 7
            metres = _metres(v.x_km, v.y_km, r.x_km, r.y_km)
            limit = min(v.max_travel_km, params.max_travel_km)
            if metres / 1000 > limit:
                bad.append(f"rule 7: {pid} is {metres / 1000:.3f} km from request {rid}, limit {limit}")
            metres_total += metres
            if r.resident in v.served_residents:
                value += params.continuity_bonus
            visits[pid].append((start, end, r.x_km, r.y_km, rid))
            minutes_used[pid] += r.duration_minutes
        # rule 10
        if a.fund not in r.funding:
            bad.append(f"rule 10: fund {a.fund} may not pay for request {rid}")
        fund_used[a.fund] += r.duration_minutes * r.seats
        value += r.priority * r.duration_minutes * r.seats

    # rule 8: every pair of a person's visits with at least one new one, travel included
    for pid, mine in sorted(visits.items()):
        v = people[pid]
        old = [(c.start, c.end, c.x_km, c.y_km, "") for c in v.commitments]
        for i, a in enumerate(mine):
            for b in mine[i + 1 :] + old:
                first, second = (a, b) if a[0] <= b[0] else (b, a)
                travel = _travel_minutes(
                    _metres(first[2], first[3], second[2], second[3]), params.travel_speed_kmh
                )
                if first[1] + travel > second[0]:
                    names = " and ".join(x[4] or f"commitment at {x[0]}" for x in (first, second))
                    bad.append(f"rule 8: {pid} cannot make {names} (travel {travel} min)")
    # rule 9
    for pid, used in sorted(minutes_used.items()):
        if used > people[pid].capacity_minutes:
            bad.append(f"rule 9: {pid} serves {used} minutes, capacity {people[pid].capacity_minutes}")
    # rule 10 budgets
    for fid, used in sorted(fund_used.items()):
        if used > funds[fid].minutes:
            bad.append(f"rule 10: fund {fid} pays {used} minutes, has {funds[fid].minutes}")

    # rule 11
    stock_used: dict[str, int] = defaultdict(int)
    got: dict[str, int] = defaultdict(int)
    for g in solution.allocations:
        if g.request in services:
            bad.append(f"rule 1: service request {g.request} appears in allocations")
            continue
        req = goods[g.request]
        if g.donation not in req.donations:
            bad.append(f"rule 11: donation {g.donation} is not eligible for request {g.request}")
        if g.quantity < 1:
            bad.append(f"rule 11: allocation of {g.quantity} to request {g.request}")
        stock_used[g.donation] += g.quantity
        got[g.request] += g.quantity
    for did, used in sorted(stock_used.items()):
        if used > donations[did].quantity:
            bad.append(f"rule 11: donation {did} gives {used}, stock {donations[did].quantity}")
    for gid, qty in sorted(got.items()):
        if qty != goods[gid].quantity:
            bad.append(f"rule 11: request {gid} gets {qty}, needs exactly {goods[gid].quantity}")
        value += goods[gid].priority * params.goods_value

    objective = 1000 * value - params.travel_penalty_per_km * metres_total
    if check_reported and solution.objective != objective:
        bad.append(f"objective: reported {solution.objective}, recomputed {objective}")
    if check_reported and solution.bound is not None and objective > solution.bound:
        bad.append(f"objective: {objective} exceeds the reported bound {solution.bound}")
    return Verdict(objective, tuple(bad))
