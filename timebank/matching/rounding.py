"""Relax and fix: the LP of the sparse model, its integral core, a guided fill, and the fixed-core MIP.

The time-indexed model is LP-tight (docs/matching.md): on the bench's M instance the LP of the top-3
model is within 0.0002 % of the full LP bound and ~90 % of its requests come out integral. Every
request whose start, seats and fund are all integral in the LP solution forms the *core*; the core
alone is feasible (every coupling row has non-negative coefficients on a subset of an LP-feasible
point). The rest is filled greedily, requests with the largest LP mass first, and the fixed-core MIP
(core columns at 1, everything else free) then improves on that while time is left.
"""

from __future__ import annotations

import numpy as np

from timebank.matching.candidates import Candidates
from timebank.matching.greedy import greedy_fill, value_order
from timebank.matching.model import Layout, extract
from timebank.matching.plan import Plan, State

ONE = 1 - 1e-6


def integral_core(c: Candidates, layout: Layout, x: np.ndarray) -> Plan:
    """Requests (and goods) that the LP serves integrally: a feasible partial plan."""
    return extract(c, layout, np.where(x > ONE, 1.0, 0.0))


def lp_mass(c: Candidates, layout: Layout, x: np.ndarray) -> np.ndarray:
    """Per service request, the LP's sum of its start variables (how much the LP wants it served)."""
    mass = np.zeros(len(c.problem.services))
    if layout.n_y:
        np.add.at(mass, layout.ykeys // layout.horizon, x[: layout.n_y])
    return mass


def guided_fill(c: Candidates, core: Plan, mass: np.ndarray) -> Plan:
    """The core plus whole teams for the other requests, largest LP mass first, then by value."""
    rank = {ri: i for i, ri in enumerate(value_order(c))}
    order = sorted(rank, key=lambda ri: (-round(float(mass[ri]), 3), rank[ri]))
    plan = Plan(dict(core.visits), dict(core.goods))
    state = State(c.problem)
    state.apply(plan)
    return greedy_fill(c, state, plan, order)


def fill(c: Candidates, plan: Plan) -> Plan:
    """Greedy completion of any plan (never moves what it holds)."""
    state = State(c.problem)
    state.apply(plan)
    return greedy_fill(c, state, plan)


def core_lower_bounds(c: Candidates, layout: Layout, x: np.ndarray, core: Plan) -> np.ndarray:
    """Column lower bounds that fix the core's columns at their (integral) LP values."""
    lb = np.zeros(len(x))
    ones = np.where(x > ONE, 1.0, 0.0)
    n_y, n_z = layout.n_y, len(layout.zt)
    served = np.zeros(len(c.problem.services) + 1, dtype=bool)
    served[list(core.visits)] = True
    y_r = layout.ykeys // layout.horizon
    lb[:n_y] = np.where(served[y_r], ones[:n_y], 0.0)
    z_r = c.e_r[c.t_e[layout.zt]]
    lb[n_y : n_y + n_z] = np.where(served[z_r], ones[n_y : n_y + n_z], 0.0)
    for ri, cols in layout.f_col.items():
        if ri in core.visits:
            for col, _ in cols:
                lb[col] = ones[col]
    for gi, col in layout.g_col.items():
        if gi in core.goods:
            lb[col] = 1.0
            for ac, _ in layout.a_col[gi]:
                lb[ac] = np.floor(x[ac] + 1e-6)
    return lb
