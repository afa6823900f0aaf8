"""solve(problem) -> verified Solution: time-indexed MIP (HiGHS) over sparsified candidates, greedy floor."""

from __future__ import annotations

import math
import time

import numpy as np

from timebank.matching.candidates import Candidates, build_candidates
from timebank.matching.greedy import greedy, greedy_fill
from timebank.matching.highs import solve_arrays
from timebank.matching.model import build, extract
from timebank.matching.plan import Plan, State, plan_objective, to_solution
from timebank.matching.problem import Problem
from timebank.matching.solution import Solution
from timebank.matching.verify import verify

FULL_MODEL_TRIPLES = 40_000  # up to here the whole candidate set is modelled: optimality is provable
TOP_K = 3  # people kept per request and seat kind beyond the seats (sparse model; LP loses < 0.001 %)
SAFETY_S = 0.15  # share of the time limit kept for extraction, fill and verification


def sparsify(c: Candidates, k: int, incumbent: Plan) -> np.ndarray:
    """Keep, per request and seat kind, the k + seats best edges by gain, plus the incumbent's edges."""
    keep = np.zeros(c.n_edges, dtype=bool)
    need = np.array([[r.volunteers, r.social_workers] for r in c.problem.services], dtype=np.int64).reshape(
        -1, 2
    )
    for role, flag in ((0, c.e_vol), (1, c.e_sw)):
        idx = np.flatnonzero(flag)
        if len(idx) == 0:
            continue
        r = c.e_r[idx]
        start = np.searchsorted(r, r, side="left")  # edges are sorted by request, best first
        rank = np.arange(len(idx)) - start
        keep[idx[rank < k + need[r, role]]] = True
    index = {(int(c.e_r[e]), int(c.e_p[e])): e for e in range(c.n_edges)} if incumbent.visits else {}
    for ri, visit in incumbent.visits.items():
        for person in visit.volunteers + visit.social_workers:
            keep[index[(ri, person)]] = True
    return keep


def _verified(problem: Problem, plans: list[tuple[str, Plan, str, int | None]], t0: float) -> Solution:
    """The best plan that passes verify; the empty plan (always valid) if none does."""
    ranked = sorted(plans, key=lambda x: (-plan_objective(problem, x[1]), x[2] != "OPTIMAL"))
    for engine, plan, status, bound in ranked:
        sol = to_solution(
            problem, plan, status=status, bound=bound, wall=time.monotonic() - t0, engine=engine
        )
        if verify(problem, sol).ok:
            return sol
    return to_solution(
        problem, Plan(), status="FEASIBLE", bound=None, wall=time.monotonic() - t0, engine="empty"
    )


def solve(
    problem: Problem,
    *,
    time_limit_s: float = 10.0,
    workers: int = 1,
    seed: int = 0,
    top_k: int = TOP_K,
    full_model_triples: int = FULL_MODEL_TRIPLES,
) -> Solution:
    """Best verified plan within the time limit. `workers` is recorded only: HiGHS runs its own threads."""
    t0 = time.monotonic()
    deadline = t0 + time_limit_s
    # -- data
    cand = build_candidates(problem)
    floor = greedy(cand)
    plans: list[tuple[str, Plan, str, int | None]] = [("greedy", floor, "FEASIBLE", None)]
    full = len(cand.t_e) <= full_model_triples
    # -- variables
    keep = np.ones(cand.n_edges, dtype=bool) if full else sparsify(cand, top_k, floor)
    # -- constraints and objective (built together as sparse arrays)
    arrays, layout = build(cand, keep, travel_rows=True)
    # -- solve
    left = deadline - time.monotonic() - max(SAFETY_S * time_limit_s, 0.05)
    if left > 0.05 and len(arrays.obj):
        res = solve_arrays(
            arrays,
            time_limit_s=left,
            seed=seed,
            rel_gap=0.0 if full else 1e-4,
            abs_gap=0.999 if full else 0.0,
        )
        # -- extract
        if res.x is not None:
            plan = extract(cand, layout, res.x)
            exact = res.objective is not None and plan_objective(problem, plan) == round(res.objective)
            bound = None
            if full and res.dual_bound is not None:
                bound = math.floor(res.dual_bound + 1e-6)
            if full and res.status == "OPTIMAL" and exact:
                plans.append(("highs", plan, "OPTIMAL", bound))
            else:
                state = State(problem)
                state.apply(plan)
                greedy_fill(cand, state, plan)
                plans.append(("highs+fill", plan, "FEASIBLE", bound))
    elif not len(arrays.obj):
        plans.append(("empty", Plan(), "OPTIMAL", 0))
    return _verified(problem, plans, t0)
