"""Upper bound on the objective of the whole problem: LP relaxation over all candidates, by pricing.

The LP is solved over a subset of the columns (the sparsified model); its duals price every column
left out. For any duals, LP value + the sum of the left-out columns' positive reduced costs (each column
is at most 1) is a valid upper bound (Lagrangian bound); columns with positive reduced cost are then
added and the LP re-solved, which converges to the LP relaxation of the full model.
"""

from __future__ import annotations

import math
import time

import numpy as np

from timebank.matching.candidates import Candidates
from timebank.matching.highs import solve_arrays
from timebank.matching.model import build


def reduced_costs(c: Candidates, layout, duals: np.ndarray, triples: np.ndarray, role: int) -> np.ndarray:
    """Reduced cost of z[t, role] for triples t under the rows of `layout` (0 for rows it lacks)."""
    H = layout.horizon
    e = c.t_e[triples]
    r = c.e_r[e]
    p = c.e_p[e]
    s = c.t_start[triples]
    rc = c.e_gain[e].astype(np.float64)
    y = np.searchsorted(layout.ykeys, r * H + s)
    y = np.minimum(y, max(len(layout.ykeys) - 1, 0))
    present = layout.ykeys[y] == r * H + s if len(layout.ykeys) else np.zeros(len(r), dtype=bool)
    seat = np.where(present, layout.seat_row[y, role], -1)
    rc -= np.where(seat >= 0, duals[np.maximum(seat, 0)], 0.0)
    cap = layout.cap_row[p]
    rc -= np.where(cap >= 0, duals[np.maximum(cap, 0)] * c.r_dur[r], 0.0)
    pd = np.where(layout.p_row >= 0, duals[np.maximum(layout.p_row, 0)], 0.0)
    prefix = np.concatenate([[0.0], np.cumsum(pd)])
    lo = np.searchsorted(layout.pkeys, p * H + s, side="left")
    hi = np.searchsorted(layout.pkeys, p * H + s + c.r_dur[r], side="left")
    rc -= prefix[hi] - prefix[lo]
    return rc


def lp_bound(
    c: Candidates,
    keep: np.ndarray,
    *,
    time_limit_s: float = 60.0,
    rounds: int = 6,
    add_per_round: int = 200_000,
) -> tuple[int | None, dict]:
    """(valid integer upper bound or None, stats). Travel rows are kept: they are valid inequalities."""
    t0 = time.monotonic()
    keep = keep.copy()
    best = math.inf
    stats = {"rounds": 0, "lp": None, "columns": 0}
    for _ in range(rounds):
        left = time_limit_s - (time.monotonic() - t0)
        if left <= 0.5:
            break
        arrays, layout = build(c, keep, travel_rows=True)
        res = solve_arrays(arrays, time_limit_s=left, integer=False)
        if res.status != "OPTIMAL" or res.duals is None or res.objective is None:
            break
        stats["rounds"] += 1
        stats["lp"] = res.objective
        stats["columns"] = len(arrays.obj)
        out = np.flatnonzero(~keep[c.t_e])
        gap = 0.0
        gain_by_edge = np.zeros(c.n_edges)
        for role, flag in ((0, c.e_vol), (1, c.e_sw)):
            t = out[flag[c.t_e[out]]]
            if len(t) == 0:
                continue
            rc = reduced_costs(c, layout, res.duals, t, role)
            pos = rc > 1e-6
            gap += float(rc[pos].sum())
            np.maximum.at(gain_by_edge, c.t_e[t[pos]], rc[pos])
        best = min(best, res.objective + gap)
        stats["gap"] = gap
        if gap <= 1e-9 * max(1.0, abs(res.objective)) + 0.5:
            break
        cand = np.flatnonzero(gain_by_edge > 0)
        if len(cand) > add_per_round:
            cand = cand[np.argsort(-gain_by_edge[cand], kind="stable")[:add_per_round]]
        keep[cand] = True
    stats["seconds"] = time.monotonic() - t0
    if not math.isfinite(best):
        return None, stats
    return math.floor(best + 1e-6 * max(1.0, abs(best))), stats
