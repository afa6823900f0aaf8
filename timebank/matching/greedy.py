"""Greedy baseline and floor: highest value first, nearest qualified team at the best start, first fund."""

from __future__ import annotations

import numpy as np

from timebank.matching.candidates import Candidates
from timebank.matching.plan import Plan, State, Visit


def _slot_table(c: Candidates, ri: int) -> list[tuple[int, list[int]]]:
    """[(start, edges available at that start, best gain first)] for one request."""
    lo, hi = int(c.e_first[c.r_first[ri]]), int(c.e_first[c.r_first[ri + 1]])
    if lo == hi:
        return []
    starts = c.t_start[lo:hi]
    edges = c.t_e[lo:hi]
    order = np.argsort(starts, kind="stable")  # edges are already best-first inside each start
    starts, edges = starts[order].tolist(), edges[order].tolist()
    table: list[tuple[int, list[int]]] = []
    for s, e in zip(starts, edges, strict=True):
        if not table or table[-1][0] != s:
            table.append((s, []))
        table[-1][1].append(e)
    return table


def place(c: Candidates, state: State, ri: int, *, min_gain: int = 1) -> Visit | None:
    """The best whole team for one request given the residual state, or None."""
    p = c.problem
    r = p.services[ri]
    need = r.duration_minutes * r.seats
    fund = next((f for f in r.funding if state.fund[f] >= need), None)
    if fund is None:
        return None
    best: tuple[int, Visit] | None = None
    dur = r.duration_minutes
    for start, edges in _slot_table(c, ri):
        end = start + dur
        sws: list[int] = []
        vols: list[int] = []
        gain = 0
        for e in edges:
            if len(sws) >= r.social_workers and len(vols) >= r.volunteers:
                break
            person = int(c.e_p[e])
            seat_sw = len(sws) < r.social_workers and c.e_sw[e]
            seat_vol = len(vols) < r.volunteers and c.e_vol[e]
            if not (seat_sw or seat_vol) or state.cap[person] < dur:
                continue
            if not state.fits(person, start, end, r.x_km, r.y_km):
                continue
            (sws if seat_sw else vols).append(person)
            gain += int(c.e_gain[e])
        if len(sws) < r.social_workers or len(vols) < r.volunteers:
            continue
        total = int(c.r_value[ri]) + gain
        if total >= min_gain and (best is None or total > best[0]):
            best = (total, Visit(start, tuple(vols), tuple(sws), fund))
    return best[1] if best else None


def goods_greedy(c: Candidates, state: State, plan: Plan, order: list[int] | None = None) -> None:
    p = c.problem
    if order is None:
        order = sorted(range(len(p.goods)), key=lambda g: (-p.goods[g].priority, p.goods[g].id))
    for gi in order:
        if gi in plan.goods:
            continue
        g = p.goods[gi]
        if sum(state.stock[d] for d in g.donations) < g.quantity:
            continue
        left, alloc = g.quantity, []
        for d in g.donations:
            q = min(left, state.stock[d])
            if q > 0:
                alloc.append((d, q))
                left -= q
            if left == 0:
                break
        plan.goods[gi] = tuple(alloc)
        state.take_goods(plan.goods[gi])


def value_order(c: Candidates) -> list[int]:
    p = c.problem
    return sorted(range(len(p.services)), key=lambda i: (-int(c.r_value[i]), p.services[i].id))


def greedy_fill(c: Candidates, state: State, plan: Plan, order: list[int] | None = None) -> Plan:
    """Add whole teams for unserved requests in value order; never moves what the plan holds."""
    for ri in order if order is not None else value_order(c):
        if ri in plan.visits or c.r_first[ri] == c.r_first[ri + 1]:
            continue
        visit = place(c, state, ri)
        if visit is not None:
            plan.visits[ri] = visit
            state.take_visit(ri, visit)
    goods_greedy(c, state, plan)
    return plan


def greedy(c: Candidates) -> Plan:
    state = State(c.problem)
    return greedy_fill(c, state, Plan())
