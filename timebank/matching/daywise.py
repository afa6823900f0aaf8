"""Anytime improvement by day: re-optimise one day's requests at a time on the rest of the plan.

Visits of one request stay within its day, and only weekly capacity, fund budgets (and travel across
midnight) link the days. For one day the rest of the current plan is held fixed: its visits become
used capacity, spent fund minutes and busy times; the day's requests get a small model (the sparse
top-K model restricted to them, residual capacities and budgets), whose LP is solved, its integral
core kept (each core visit re-checked against the rest of the plan, travel across midnight
included), and the day completed greedily in LP-mass order. The new day replaces the old one only if
the whole plan's objective grows, so every step keeps a complete, feasible plan that never gets worse:
a late or unfinished step costs nothing but time.

Exchange: the day's model also gets a column per visit of the rest of the plan that holds a binding
fund or a tight person; taking it pays that visit's objective and frees its minutes, so the LP can
trade a low-value visit on another day for a better one today. Dropped visits are re-placed greedily
after the day (they may come back with other people or another fund).
"""

from __future__ import annotations

import time

import numpy as np

from timebank.matching.candidates import Candidates
from timebank.matching.greedy import place, value_order
from timebank.matching.highs import Arrays, solve_arrays
from timebank.matching.model import Layout, build
from timebank.matching.plan import Plan, State, Visit, plan_objective, visit_terms
from timebank.matching.rounding import ONE, integral_core, lp_mass

DAY = 1440


def request_days(c: Candidates) -> np.ndarray:
    return np.array([r.window[0] // DAY for r in c.problem.services], dtype=np.int64)


def day_order(c: Candidates, days: np.ndarray) -> list[int]:
    """Days by the total value of their requests, largest first (ties: earlier day)."""
    total: dict[int, int] = {}
    for ri, d in enumerate(days.tolist()):
        total[d] = total.get(d, 0) + int(c.r_value[ri])
    return sorted(total, key=lambda d: (-total[d], d))


def _admit(c: Candidates, state: State, ri: int, visit: Visit) -> bool:
    """Can `visit` join the plan behind `state` (capacity, fund, busy times with travel)?"""
    r = c.problem.services[ri]
    dur = r.duration_minutes
    if state.fund[visit.fund] < dur * r.seats:
        return False
    end = visit.start + dur
    for person in visit.volunteers + visit.social_workers:
        if state.cap[person] < dur or not state.fits(person, visit.start, end, r.x_km, r.y_km):
            return False
    return True


def _day_plan(
    c: Candidates, base: Plan, state: State, ri_day: list[int], core: Plan, mass: np.ndarray
) -> Plan:
    """The rest of the plan (held by `state`, which is used up) + the day's core visits that still
    fit + a greedy fill of the day."""
    plan = Plan(dict(base.visits), dict(base.goods))
    for ri in sorted(core.visits):
        visit = core.visits[ri]
        if _admit(c, state, ri, visit):
            plan.visits[ri] = visit
            state.take_visit(ri, visit)
    rank = {ri: i for i, ri in enumerate(ri_day)}
    for ri in sorted(ri_day, key=lambda ri: (-round(float(mass[ri]), 3), rank[ri])):
        if ri in plan.visits:
            continue
        visit = place(c, state, ri)
        if visit is not None:
            plan.visits[ri] = visit
            state.take_visit(ri, visit)
    return plan


def _add_drops(c: Candidates, arrays: Arrays, layout: Layout, base: Plan) -> list[int]:
    """Columns u[v] in [0, 1] for visits of the rest of the plan that hold a binding fund or a tight
    person: dropping v pays its objective and frees its fund minutes and its people's capacity."""
    p = c.problem
    drops: list[int] = []
    cols, rows, vals, obj = [], [], [], []
    n = len(arrays.obj)
    for ri in sorted(base.visits):
        visit = base.visits[ri]
        r = p.services[ri]
        entries = []
        if visit.fund in layout.fund_row:
            entries.append((layout.fund_row[visit.fund], -float(r.duration_minutes * r.seats)))
        for person in visit.volunteers + visit.social_workers:
            if layout.cap_row[person] >= 0:
                entries.append((int(layout.cap_row[person]), -float(r.duration_minutes)))
        if not entries:
            continue
        value, cont, m, _ = visit_terms(p, ri, visit)
        col = n + len(drops)
        drops.append(ri)
        obj.append(-(1000 * (value + cont) - p.params.travel_penalty_per_km * m))
        for row, v in entries:
            rows.append(row)
            cols.append(col)
            vals.append(v)
    if drops:
        k = len(drops)
        arrays.obj = np.concatenate([arrays.obj, np.array(obj, dtype=np.float64)])
        arrays.lb = np.concatenate([arrays.lb, np.zeros(k)])
        arrays.ub = np.concatenate([arrays.ub, np.ones(k)])
        arrays.integer = np.concatenate([arrays.integer, np.ones(k, dtype=bool)])
        arrays.a_row = np.concatenate([arrays.a_row, np.array(rows, dtype=np.int64)])
        arrays.a_col = np.concatenate([arrays.a_col, np.array(cols, dtype=np.int64)])
        arrays.a_val = np.concatenate([arrays.a_val, np.array(vals, dtype=np.float64)])
    return drops


def improve_by_day(
    c: Candidates,
    plan: Plan,
    keep: np.ndarray,
    deadline: float,
    *,
    seed: int = 0,
    exchange: bool = True,
    min_left: float = 0.2,
) -> tuple[Plan, int]:
    """One pass over the days (largest value first); returns the improved plan and the days improved."""
    p = c.problem
    days = request_days(c)
    by_value = value_order(c)
    best, best_obj = plan, plan_objective(p, plan)
    memo: dict[tuple[int, Visit], int] = {}

    def _value(ri: int, visit: Visit) -> int:
        key = (ri, visit)
        if key not in memo:
            memo[key] = plan_objective(p, Plan({ri: visit}))
        return memo[key]

    improved = 0
    for d in day_order(c, days):
        left = deadline - time.monotonic()
        if left < min_left:
            break
        active = days == d
        ri_day = [ri for ri in by_value if active[ri]]
        base = Plan({ri: v for ri, v in best.visits.items() if not active[ri]}, dict(best.goods))
        state = State(p)
        state.apply(base)
        arrays, layout = build(
            c, keep, active=active, cap=np.array(state.cap, dtype=np.int64), minutes=dict(state.fund)
        )
        if not len(arrays.obj):
            continue
        n_model = len(arrays.obj)
        drops = _add_drops(c, arrays, layout, base) if exchange else []
        if deadline - time.monotonic() < min_left:
            break
        # HiGHS overruns its limit while loading the model (more under load): give it 85 %
        limit = 0.85 * (deadline - time.monotonic()) - 0.05
        lp = solve_arrays(arrays, time_limit_s=limit, seed=seed, integer=False)
        if lp.status != "OPTIMAL" or lp.x is None:
            break  # out of time: keep what we have
        dropped = [ri for ri, u in zip(drops, lp.x[n_model:].tolist(), strict=True) if u > ONE]
        for ri in dropped:
            state.release(ri, base.visits.pop(ri))
        core = integral_core(c, layout, lp.x[:n_model])
        core.goods.clear()
        mass = lp_mass(c, layout, lp.x[:n_model])
        cand = _day_plan(c, base, state, ri_day + dropped, core, mass)
        obj = best_obj + sum(_value(ri, v) for ri, v in cand.visits.items() if active[ri] or ri in dropped)
        obj -= sum(_value(ri, v) for ri, v in best.visits.items() if active[ri] or ri in dropped)
        if obj > best_obj:
            best, best_obj = cand, obj
            improved += 1
    return best, improved
