"""The `timebank-matching-solution/1` document: frozen dataclasses, reading and writing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from timebank.matching.problem import ProblemError

SOLUTION_FORMAT = "timebank-matching-solution/1"


@dataclass(frozen=True)
class Assignment:
    request: str
    start: int
    volunteers: tuple[str, ...]
    social_workers: tuple[str, ...]
    fund: str
    explanation: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Allocation:
    request: str
    donation: str
    quantity: int


@dataclass(frozen=True)
class Solution:
    status: str
    objective: int
    bound: int | None
    wall_seconds: float
    assignments: tuple[Assignment, ...]
    allocations: tuple[Allocation, ...]
    engine: str = field(default="", compare=False)

    def plan(self) -> tuple:
        """What was decided, without timings: equal plans mean equal solutions."""
        return (self.assignments, self.allocations)


def solution_to_dict(s: Solution) -> dict:
    return {
        "format": SOLUTION_FORMAT,
        "status": s.status,
        "objective": s.objective,
        "bound": s.bound,
        "wall_seconds": round(s.wall_seconds, 3),
        "assignments": [
            {
                "request": a.request,
                "start": a.start,
                "volunteers": list(a.volunteers),
                "social_workers": list(a.social_workers),
                "fund": a.fund,
                "explanation": a.explanation,
            }
            for a in s.assignments
        ],
        "allocations": [
            {"request": g.request, "donation": g.donation, "quantity": g.quantity} for g in s.allocations
        ],
    }


def _ids(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProblemError(f"{where}: expected a list of ids")
    return tuple(value)


def _int(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProblemError(f"{where}: expected an integer")
    return value


def parse_solution(raw) -> Solution:
    """Check the document's shape only (ids and rules are verify's job); raise ProblemError on defects."""
    if not isinstance(raw, dict):
        raise ProblemError("solution: expected a JSON object")
    if raw.get("format") != SOLUTION_FORMAT:
        raise ProblemError(
            f"solution format: expected {SOLUTION_FORMAT!r}, got {json.dumps(raw.get('format'))[:40]}"
        )
    assignments, allocations = [], []
    for i, a in enumerate(raw.get("assignments", [])):
        w = f"assignments[{i}]"
        if not isinstance(a, dict):
            raise ProblemError(f"{w}: expected an object")
        for key in ("request", "start", "fund"):
            if key not in a:
                raise ProblemError(f"{w}: missing field {key!r}")
        if not isinstance(a["request"], str) or not isinstance(a["fund"], str):
            raise ProblemError(f"{w}: request and fund must be strings")
        assignments.append(
            Assignment(
                request=a["request"],
                start=_int(a["start"], f"{w}.start"),
                volunteers=_ids(a.get("volunteers", []), f"{w}.volunteers"),
                social_workers=_ids(a.get("social_workers", []), f"{w}.social_workers"),
                fund=a["fund"],
                explanation=a.get("explanation") or {},
            )
        )
    for i, g in enumerate(raw.get("allocations", [])):
        w = f"allocations[{i}]"
        if (
            not isinstance(g, dict)
            or not isinstance(g.get("request"), str)
            or not isinstance(g.get("donation"), str)
        ):
            raise ProblemError(f"{w}: expected an object with request and donation ids")
        allocations.append(Allocation(g["request"], g["donation"], _int(g.get("quantity"), f"{w}.quantity")))
    objective = raw.get("objective")
    bound = raw.get("bound")
    return Solution(
        status=str(raw.get("status", "")),
        objective=objective if isinstance(objective, int) and not isinstance(objective, bool) else 0,
        bound=bound if isinstance(bound, int) and not isinstance(bound, bool) else None,
        wall_seconds=float(raw.get("wall_seconds") or 0.0),
        assignments=tuple(assignments),
        allocations=tuple(allocations),
    )
