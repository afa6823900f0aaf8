"""A plan under construction: residual resources (State) and its conversion to a Solution."""

from __future__ import annotations

from dataclasses import dataclass, field

from timebank.matching.candidates import metres, travel_minutes
from timebank.matching.problem import Problem
from timebank.matching.solution import Allocation, Assignment, Solution


@dataclass(frozen=True)
class Visit:
    """A service request served: start, people by seat kind (volunteer indices), paying fund."""

    start: int
    volunteers: tuple[int, ...]
    social_workers: tuple[int, ...]
    fund: str


@dataclass
class Plan:
    visits: dict[int, Visit] = field(default_factory=dict)  # service index -> visit
    goods: dict[int, tuple[tuple[str, int], ...]] = field(default_factory=dict)  # goods index -> allocations


class State:
    """Residual capacity, busy times (with places), fund minutes and stock while a plan is built."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.speed = problem.params.travel_speed_kmh
        self.busy: list[list[tuple[int, int, float, float]]] = [
            [(c.start, c.end, c.x_km, c.y_km) for c in v.commitments] for v in problem.volunteers
        ]
        self.cap = [v.capacity_minutes for v in problem.volunteers]
        self.fund = {f.id: f.minutes for f in problem.funds}
        self.stock = {d.id: d.quantity for d in problem.donations}

    def fits(self, p: int, start: int, end: int, x: float, y: float) -> bool:
        for s, e, bx, by in self.busy[p]:
            if start <= s:
                if end > s or end + travel_minutes(metres(x, y, bx, by), self.speed) > s:
                    return False
            elif e > start or e + travel_minutes(metres(x, y, bx, by), self.speed) > start:
                return False
        return True

    def take_visit(self, ri: int, visit: Visit) -> None:
        r = self.problem.services[ri]
        end = visit.start + r.duration_minutes
        for p in visit.volunteers + visit.social_workers:
            self.busy[p].append((visit.start, end, r.x_km, r.y_km))
            self.cap[p] -= r.duration_minutes
        self.fund[visit.fund] -= r.duration_minutes * r.seats

    def release(self, ri: int, visit: Visit) -> None:
        """Undo take_visit."""
        r = self.problem.services[ri]
        end = visit.start + r.duration_minutes
        for p in visit.volunteers + visit.social_workers:
            self.busy[p].remove((visit.start, end, r.x_km, r.y_km))
            self.cap[p] += r.duration_minutes
        self.fund[visit.fund] += r.duration_minutes * r.seats

    def take_goods(self, allocations: tuple[tuple[str, int], ...]) -> None:
        for did, q in allocations:
            self.stock[did] -= q

    def apply(self, plan: Plan) -> None:
        for ri in sorted(plan.visits):
            self.take_visit(ri, plan.visits[ri])
        for gi in sorted(plan.goods):
            self.take_goods(plan.goods[gi])


def visit_terms(problem: Problem, ri: int, visit: Visit) -> tuple[int, int, int, float]:
    """(value points, continuity points, metres, km) of one visit, computed from the problem alone."""
    r = problem.services[ri]
    cont = 0
    total_m = 0
    for p in visit.volunteers + visit.social_workers:
        v = problem.volunteers[p]
        total_m += metres(v.x_km, v.y_km, r.x_km, r.y_km)
        if r.resident in v.served_residents:
            cont += problem.params.continuity_bonus
    return r.priority * r.duration_minutes * r.seats, cont, total_m, total_m / 1000


def plan_objective(problem: Problem, plan: Plan) -> int:
    total = 0
    for ri, visit in plan.visits.items():
        value, cont, m, _ = visit_terms(problem, ri, visit)
        total += 1000 * (value + cont) - problem.params.travel_penalty_per_km * m
    for gi in plan.goods:
        total += 1000 * problem.goods[gi].priority * problem.params.goods_value
    return total


def to_solution(
    problem: Problem, plan: Plan, *, status: str, bound: int | None, wall: float, engine: str = ""
) -> Solution:
    ids = [v.id for v in problem.volunteers]
    assignments = []
    for ri in sorted(plan.visits, key=lambda i: problem.services[i].id):
        visit = plan.visits[ri]
        value, cont, _, km = visit_terms(problem, ri, visit)
        assignments.append(
            Assignment(
                request=problem.services[ri].id,
                start=visit.start,
                volunteers=tuple(sorted(ids[p] for p in visit.volunteers)),
                social_workers=tuple(sorted(ids[p] for p in visit.social_workers)),
                fund=visit.fund,
                explanation={"priority_minutes": value, "continuity": cont, "travel_km": round(km, 3)},
            )
        )
    allocations = [
        Allocation(problem.goods[gi].id, did, q)
        for gi in sorted(plan.goods, key=lambda i: problem.goods[i].id)
        for did, q in plan.goods[gi]
    ]
    objective = plan_objective(problem, plan)
    if bound is not None and bound < objective:
        bound = objective
    return Solution(
        status=status,
        objective=objective,
        bound=bound,
        wall_seconds=wall,
        assignments=tuple(assignments),
        allocations=tuple(allocations),
        engine=engine,
    )
