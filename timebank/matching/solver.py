"""solve(problem) -> verified Solution: time-indexed MIP (HiGHS) over sparsified candidates, greedy floor."""

from __future__ import annotations

import math
import time

import numpy as np

from timebank.matching.candidates import Candidates, build_candidates, restrict
from timebank.matching.daywise import improve_by_day
from timebank.matching.greedy import greedy
from timebank.matching.highs import solve_arrays
from timebank.matching.model import build, extract
from timebank.matching.plan import Plan, plan_objective, to_solution
from timebank.matching.problem import Problem
from timebank.matching.rounding import core_lower_bounds, fill, guided_fill, integral_core, lp_mass
from timebank.matching.solution import Solution
from timebank.matching.verify import verify

FULL_MODEL_TRIPLES = 40_000  # up to here the whole candidate set is modelled: optimality is provable
TOP_K = 3  # people kept per request and seat kind beyond the seats (sparse model; LP loses < 0.001 %)
SHRINK_TRIPLES = 2_000_000  # beyond this, the candidates are cut down to the sparse model's edges
DAY_PASSES = 3  # passes of the day-by-day improver while time is left
CAND_S_PER_TRIPLE = 3.7e-6  # candidate generation, unloaded (M: 1.3 s for 344k triples)
LP_MARGIN = 1.15  # run the whole-model LP when forecast x this fits (1.5 skipped it at L in the bench)
LP_S_50K, LP_EXPONENT = 1.6, 1.6  # dual simplex on the sparse model, unloaded: M 50k cols 1.6 s, L 163k 11 s
SAFETY_S = 0.2  # share of the time limit kept for extraction, fill, verification and HiGHS overrun


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


def _mip_plan(cand, layout, res, full: bool) -> tuple[str, Plan, str, int | None] | None:
    if res.x is None:
        return None
    plan = extract(cand, layout, res.x)
    exact = res.objective is not None and plan_objective(cand.problem, plan) == round(res.objective)
    bound = math.floor(res.dual_bound + 1e-6) if full and res.dual_bound is not None else None
    if full and res.status == "OPTIMAL" and exact:
        return ("highs", plan, "OPTIMAL", bound)
    return ("highs+fill", fill(cand, plan), "FEASIBLE", bound)


def _relax_and_fix(
    cand, arrays, layout, left, seed: int, limit: float, *, fix: bool = True, lp_cap: float = math.inf
) -> list:
    out = []
    lp = solve_arrays(arrays, time_limit_s=min(left(), lp_cap), seed=seed, integer=False)
    if lp.status != "OPTIMAL" or lp.x is None:
        return out
    core = integral_core(cand, layout, lp.x)
    out.append(("lp-round", guided_fill(cand, core, lp_mass(cand, layout, lp.x)), "FEASIBLE", None))
    if fix and left() > 0.08 * limit:
        arrays.lb = core_lower_bounds(cand, layout, lp.x, core)
        got = _mip_plan(cand, layout, solve_arrays(arrays, time_limit_s=left(), seed=seed), False)
        if got:
            out.append(("fixed-core-mip", got[1], "FEASIBLE", None))
    return out


def solve(
    problem: Problem,
    *,
    time_limit_s: float = 10.0,
    workers: int = 1,
    seed: int = 0,
    top_k: int = TOP_K,
    full_model_triples: int = FULL_MODEL_TRIPLES,
) -> Solution:
    """Best verified plan within the time limit. `workers` is recorded only: HiGHS runs its own threads.

    Small problems (full model): the exact MIP, proven optimal when it finishes. Larger ones: relax and
    fix (rounding.py): the LP of the sparse model, its integral core plus a guided greedy fill, then the
    MIP with the core fixed while time is left. The greedy floor is always a candidate answer.
    """
    t0 = time.monotonic()
    deadline = t0 + time_limit_s
    reserve = max(SAFETY_S * time_limit_s, 0.05)

    def left() -> float:
        return deadline - time.monotonic() - reserve

    def engine_limit() -> float:  # HiGHS overruns its limit by up to ~0.35 s (model load, presolve)
        return min(0.8 * left(), left() - 0.25)

    cand = build_candidates(problem)
    cand_wall = time.monotonic() - t0
    floor = greedy(cand)
    plans: list[tuple[str, Plan, str, int | None]] = [("greedy", floor, "FEASIBLE", None)]
    full = len(cand.t_e) <= full_model_triples
    keep = np.ones(cand.n_edges, dtype=bool) if full else sparsify(cand, top_k, floor)
    n_triples = len(cand.t_e)
    if not full and n_triples > SHRINK_TRIPLES:  # keep only the sparse model's edges: memory and speed
        cand = restrict(cand, keep)
        keep = np.ones(cand.n_edges, dtype=bool)
    arrays, layout = build(cand, keep, travel_rows=True)
    if not len(arrays.obj):
        plans.append(("empty", Plan(), "OPTIMAL", 0))
    elif full:  # exact model: a quick rounded plan, then the MIP for the proof
        if left() > 0.05:
            plans += _relax_and_fix(cand, arrays, layout, engine_limit, seed, time_limit_s, fix=False)
        if left() > 0.05:
            res = solve_arrays(arrays, time_limit_s=engine_limit(), seed=seed, rel_gap=0.0, abs_gap=0.999)
            got = _mip_plan(cand, layout, res, True)
            if got:
                plans.append(got)
    elif left() > 0.05:
        # the full LP only when it is forecast to finish (this machine's current speed, from the
        # candidate stage), and capped so that a late LP still leaves time for the day-by-day step
        slowdown = max(1.0, cand_wall / (CAND_S_PER_TRIPLE * max(n_triples, 1)))
        forecast = LP_S_50K * (len(arrays.obj) / 50_000) ** LP_EXPONENT * slowdown
        if LP_MARGIN * forecast < left():
            cap = max(2.0 * forecast, 0.5 * left())
            plans += _relax_and_fix(cand, arrays, layout, engine_limit, seed, time_limit_s, lp_cap=cap)
        # anytime step on the best plan so far: day by day, never worse, until the time is up
        best = max(plans, key=lambda x: plan_objective(problem, x[1]))
        current, engine = best[1], best[0]
        for _ in range(DAY_PASSES):
            if left() <= 0.05:
                break
            current, improved = improve_by_day(cand, current, keep, time.monotonic() + left(), seed=seed)
            if not improved:
                break
            engine = engine + "+daywise" if not engine.endswith("+daywise") else engine
            plans.append((engine, current, "FEASIBLE", None))
    return _verified(problem, plans, t0)
