"""The time-indexed MIP as sparse arrays, and reading a plan back from its values.

Columns: y[r,s] (request r starts at s), z[t,role] (the person of triple t fills a volunteer or a
social-worker seat of r at s), f[r,k] (fund k pays r; only where every listed fund can run dry),
g[q] / a[q,d] (goods request served / units from donation d).
Rows: one start per request; seats filled whole (sum z = seats * y per start and seat kind); capacity;
one at-most-one row per person and start point of its candidate visits (the maximal cliques of the
interval graph); one row per pair of a person's visits that do not overlap but leave too little travel
time (rule 8, exact); fund budgets; goods served whole from stock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from timebank.matching.candidates import Candidates
from timebank.matching.highs import Arrays
from timebank.matching.plan import Plan, Visit


@dataclass
class Layout:
    horizon: int
    ykeys: np.ndarray  # r * horizon + s, sorted; column i is y for ykeys[i]
    n_y: int
    zt: np.ndarray  # triple of each z column (columns n_y ..)
    zrole: np.ndarray  # 0 volunteer seat, 1 social-worker seat
    f_col: dict[int, list[tuple[int, str]]]  # request -> [(column, fund id)]
    free_fund: dict[int, str]  # request -> a fund that can never run dry
    g_col: dict[int, int]
    a_col: dict[int, list[tuple[int, str]]]
    seat_row: np.ndarray  # (n_y, 2) row index or -1
    cap_row: np.ndarray  # per person, row index or -1
    pkeys: np.ndarray  # person * horizon + point, sorted
    p_row: np.ndarray  # row of each point or -1
    fund_row: dict[str, int] = field(default_factory=dict)  # budget row of each binding fund


class _Rows:
    def __init__(self):
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.n = 0

    def add(self, lo, hi, rows, cols, vals) -> int:
        """Add len(lo) rows; `rows` are local (0-based); returns the first global row index."""
        base = self.n
        self.lo.append(np.asarray(lo, dtype=np.float64))
        self.hi.append(np.asarray(hi, dtype=np.float64))
        self.r.append(np.asarray(rows, dtype=np.int64) + base)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.asarray(vals, dtype=np.float64))
        self.n += len(lo)
        return base


def _metres_np(ax, ay, bx, by) -> np.ndarray:
    dx, dy = ax - bx, ay - by
    raw = 1000 * np.hypot(dx, dy)
    m = np.rint(raw).astype(np.int64)
    near = np.flatnonzero(np.abs(raw - np.floor(raw) - 0.5) < 1e-6)
    for i in near:
        m[i] = round(1000 * math.hypot(float(dx[i]), float(dy[i])))
    return m


def build(
    c: Candidates,
    keep: np.ndarray,
    *,
    travel_rows: bool = True,
    active: np.ndarray | None = None,
    cap: np.ndarray | None = None,
    minutes: dict[str, int] | None = None,
) -> tuple[Arrays, Layout]:
    """The model over kept edges. `active` (per service request) restricts it to some requests and
    drops goods; `cap` and `minutes` replace capacities and fund budgets (a residual sub-problem)."""
    p = c.problem
    services = p.services
    t_r = c.e_r[c.t_e]
    t_p = c.e_p[c.t_e]
    t_end = c.t_start + c.r_dur[t_r]
    H = int(max(t_end.max(initial=0), max((r.window[1] for r in services), default=0))) + 1
    if minutes is None:
        minutes = {f.id: f.minutes for f in p.funds}
    # a fund that cannot pay the whole visit is no option at all (keeps the LP from paying in halves)
    options = [[k for k in r.funding if minutes[k] >= r.duration_minutes * r.seats] for r in services]
    fundable = np.array([bool(o) for o in options] + [False], dtype=bool)[: len(services)]
    # ---- y: every (request, start) with any candidate triple
    ok_t = fundable[t_r] if len(t_r) else np.zeros(0, dtype=bool)
    if active is not None and len(t_r):
        ok_t &= active[t_r]
    ykeys = np.unique(t_r[ok_t] * H + c.t_start[ok_t])
    n_y = len(ykeys)
    y_r = ykeys // H
    # ---- z: kept triples x seat kinds
    tk = np.flatnonzero(keep[c.t_e] & ok_t)
    ek = c.t_e[tk]
    zt = np.concatenate([tk[c.e_vol[ek]], tk[c.e_sw[ek]]])
    zrole = np.concatenate(
        [np.zeros(int(c.e_vol[ek].sum()), dtype=np.int64), np.ones(int(c.e_sw[ek].sum()), dtype=np.int64)]
    )
    o = np.lexsort((zrole, zt))
    zt, zrole = zt[o], zrole[o]
    n_z = len(zt)
    z0 = n_y
    zcol = z0 + np.arange(n_z)
    z_y = np.searchsorted(ykeys, t_r[zt] * H + c.t_start[zt])
    # ---- f: funds that may run dry
    served_r = np.unique(y_r)
    demand: dict[str, int] = {}
    for ri in served_r.tolist():
        r = services[ri]
        for k in options[ri]:
            demand[k] = demand.get(k, 0) + r.duration_minutes * r.seats
    binding = {k for k, d in demand.items() if d > minutes[k]}
    col = z0 + n_z
    f_col: dict[int, list[tuple[int, str]]] = {}
    free_fund: dict[int, str] = {}
    for ri in served_r.tolist():
        free = [k for k in options[ri] if k not in binding]
        if free:
            free_fund[ri] = free[0]
        else:
            f_col[ri] = [(col + i, k) for i, k in enumerate(options[ri])]
            col += len(options[ri])
    # ---- goods
    stock = {d.id: d.quantity for d in p.donations}
    g_col: dict[int, int] = {}
    a_col: dict[int, list[tuple[int, str]]] = {}
    for gi, g in enumerate(p.goods if active is None else ()):
        if sum(stock[d] for d in g.donations) >= g.quantity:
            g_col[gi] = col
            a_col[gi] = [(col + 1 + i, d) for i, d in enumerate(g.donations)]
            col += 1 + len(g.donations)
    n = col
    obj = np.zeros(n)
    lb = np.zeros(n)
    ub = np.ones(n)
    integer = np.ones(n, dtype=bool)
    obj[:n_y] = c.r_value[y_r]
    obj[z0 : z0 + n_z] = c.e_gain[c.t_e[zt]]
    for gi, gc in g_col.items():
        obj[gc] = 1000 * p.goods[gi].priority * p.params.goods_value
        for ac, d in a_col[gi]:
            ub[ac] = min(stock[d], p.goods[gi].quantity)

    rows = _Rows()
    # one start per request
    req_row = np.searchsorted(served_r, y_r)
    rows.add(np.full(len(served_r), -np.inf), np.ones(len(served_r)), req_row, np.arange(n_y), np.ones(n_y))
    # seats filled whole
    seat_row = np.full((n_y, 2), -1, dtype=np.int64)
    need = np.array([[r.volunteers, r.social_workers] for r in services], dtype=np.int64).reshape(-1, 2)
    seat_need = need[y_r] if n_y else np.zeros((0, 2), dtype=np.int64)
    has = np.flatnonzero(seat_need.reshape(-1) > 0)
    local = np.full(n_y * 2, -1, dtype=np.int64)
    local[has] = np.arange(len(has))
    yy, role = has // 2, has % 2
    zr = local[z_y * 2 + zrole]
    base = rows.add(
        np.zeros(len(has)),
        np.zeros(len(has)),
        np.concatenate([local[has], zr]),
        np.concatenate([yy, zcol]),
        np.concatenate([-seat_need[yy, role], np.ones(n_z)]),
    )
    seat_row.reshape(-1)[has] = base + np.arange(len(has))
    # capacity (rows only where the person's candidate minutes can exceed it)
    n_v = len(p.volunteers)
    if cap is None:
        cap = np.array([v.capacity_minutes for v in p.volunteers], dtype=np.int64)
    on = np.ones(c.n_edges, dtype=bool) if active is None else active[c.e_r] & keep
    dem = np.bincount(c.e_p[on], weights=c.r_dur[c.e_r[on]], minlength=n_v)
    tight = np.flatnonzero(dem > cap)
    cap_row = np.full(n_v, -1, dtype=np.int64)
    cap_row[tight] = np.arange(len(tight))
    zp = t_p[zt]
    sel = np.flatnonzero(cap_row[zp] >= 0)
    base = rows.add(
        np.full(len(tight), -np.inf), cap[tight], cap_row[zp[sel]], zcol[sel], c.r_dur[t_r[zt[sel]]]
    )
    cap_row[tight] += base
    # overlap: one row per person and start point of a kept candidate visit
    pkeys = np.unique(t_p[tk] * H + c.t_start[tk])
    lo = np.searchsorted(pkeys, zp * H + c.t_start[zt], side="left")
    hi = np.searchsorted(pkeys, zp * H + t_end[zt], side="left")
    cnt = hi - lo
    rr = np.repeat(lo, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    cc = np.repeat(zcol, cnt)
    size = np.bincount(rr, minlength=len(pkeys))
    p_row = np.full(len(pkeys), -1, dtype=np.int64)
    big = np.flatnonzero(size >= 2)
    p_row[big] = np.arange(len(big))
    m = p_row[rr] >= 0
    base = rows.add(np.full(len(big), -np.inf), np.ones(len(big)), p_row[rr[m]], cc[m], np.ones(int(m.sum())))
    p_row[big] += base
    if travel_rows:
        _travel_rows(c, rows, tk, zt, zcol, H)
    # funds
    frow = {k: i for i, k in enumerate(sorted(binding))}
    fr, fc, fv = [], [], []
    for ri, cols in f_col.items():
        r = services[ri]
        for fcid, k in cols:
            fr.append(frow[k])
            fc.append(fcid)
            fv.append(r.duration_minutes * r.seats)
    fbase = rows.add(np.full(len(frow), -np.inf), [minutes[k] for k in sorted(binding)], fr, fc, fv)
    lr, lc, lv = [], [], []
    y_of = {}
    for i, ri in enumerate(y_r.tolist()):
        y_of.setdefault(ri, []).append(i)
    for j, (ri, cols) in enumerate(f_col.items()):
        lr += [j] * (len(cols) + len(y_of[ri]))
        lc += [fcid for fcid, _ in cols] + y_of[ri]
        lv += [1.0] * len(cols) + [-1.0] * len(y_of[ri])
    rows.add(np.zeros(len(f_col)), np.zeros(len(f_col)), lr, lc, lv)
    # goods
    gr, gc_, gv = [], [], []
    for j, (gi, gcol) in enumerate(g_col.items()):
        gr += [j] * (1 + len(a_col[gi]))
        gc_ += [gcol] + [ac for ac, _ in a_col[gi]]
        gv += [-float(p.goods[gi].quantity)] + [1.0] * len(a_col[gi])
    rows.add(np.zeros(len(g_col)), np.zeros(len(g_col)), gr, gc_, gv)
    dons = sorted({d for cols in a_col.values() for _, d in cols})
    drow = {d: i for i, d in enumerate(dons)}
    dr, dc = [], []
    for cols in a_col.values():
        for ac, d in cols:
            dr.append(drow[d])
            dc.append(ac)
    rows.add(np.full(len(dons), -np.inf), [stock[d] for d in dons], dr, dc, np.ones(len(dr)))

    arrays = Arrays(
        obj,
        lb,
        ub,
        integer,
        np.concatenate(rows.lo),
        np.concatenate(rows.hi),
        np.concatenate(rows.r),
        np.concatenate(rows.c),
        np.concatenate(rows.v),
    )
    layout = Layout(H, ykeys, n_y, zt, zrole, f_col, free_fund, g_col, a_col, seat_row, cap_row, pkeys, p_row)
    layout.fund_row = {k: fbase + i for k, i in frow.items()}
    return arrays, layout


def _travel_rows(
    c: Candidates, rows: _Rows, tk: np.ndarray, zt: np.ndarray, zcol: np.ndarray, H: int
) -> None:
    """Pairs of a person's kept visits, b starting after a ends but before a's end plus travel."""
    p = c.problem
    if len(tk) == 0:
        return
    speed = p.params.travel_speed_kmh
    t_r = c.e_r[c.t_e[tk]]
    t_p = c.e_p[c.t_e[tk]]
    s = c.t_start[tk]
    e = s + c.r_dur[t_r]
    key = t_p * H + s
    o = np.argsort(key, kind="stable")
    tk, t_r, t_p, s, e, key = tk[o], t_r[o], t_p[o], s[o], e[o], key[o]
    reach = max((min(v.max_travel_km, p.params.max_travel_km) for v in p.volunteers), default=0.0)
    tmax = math.ceil(2 * reach * 60 / speed) + 1
    lo = np.searchsorted(key, t_p * H + e, side="left")
    hi = np.searchsorted(key, t_p * H + np.minimum(e + tmax, H - 1), side="left")
    cnt = np.maximum(hi - lo, 0)
    a = np.repeat(np.arange(len(tk)), cnt)
    b = np.repeat(lo, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    diff = t_r[a] != t_r[b]
    a, b = a[diff], b[diff]
    if len(a) == 0:
        return
    rx = np.array([r.x_km for r in p.services])
    ry = np.array([r.y_km for r in p.services])
    m = _metres_np(rx[t_r[a]], ry[t_r[a]], rx[t_r[b]], ry[t_r[b]])
    travel = np.ceil(m * 60 / (speed * 1000)).astype(np.int64)
    bad = e[a] + travel > s[b]
    a, b = a[bad], b[bad]
    if len(a) == 0:
        return
    # columns of each triple (one or two seat kinds)
    zlo = np.searchsorted(zt, tk, side="left")
    zhi = np.searchsorted(zt, tk, side="right")
    pair_rows, cols = [], []
    for side in (a, b):
        cnt = zhi[side] - zlo[side]
        pair_rows.append(np.repeat(np.arange(len(a)), cnt))
        cols.append(
            zcol[np.repeat(zlo[side], cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))]
        )
    rr, cc = np.concatenate(pair_rows), np.concatenate(cols)
    rows.add(np.full(len(a), -np.inf), np.ones(len(a)), rr, cc, np.ones(len(rr)))


def extract(c: Candidates, layout: Layout, x: np.ndarray) -> Plan:
    """Read a plan from column values; a request whose seats do not add up is left out (never invalid)."""
    p = c.problem
    H = layout.horizon
    plan = Plan()
    chosen = {int(k // H): int(k % H) for k in layout.ykeys[np.flatnonzero(x[: layout.n_y] > 0.5)]}
    zsel = np.flatnonzero(x[layout.n_y : layout.n_y + len(layout.zt)] > 0.5)
    team: dict[int, tuple[list[int], list[int]]] = {}
    for j in zsel.tolist():
        t = int(layout.zt[j])
        ri = int(c.e_r[c.t_e[t]])
        if chosen.get(ri) != int(c.t_start[t]):
            continue
        team.setdefault(ri, ([], []))[int(layout.zrole[j])].append(int(c.e_p[c.t_e[t]]))
    for ri, start in sorted(chosen.items()):
        r = p.services[ri]
        vols, sws = team.get(ri, ([], []))
        if len(vols) != r.volunteers or len(sws) != r.social_workers or len(set(vols + sws)) != r.seats:
            continue
        if ri in layout.free_fund:
            fund = layout.free_fund[ri]
        else:
            picked = [k for col, k in layout.f_col.get(ri, []) if x[col] > 0.5]
            if len(picked) != 1:
                continue
            fund = picked[0]
        plan.visits[ri] = Visit(start, tuple(sorted(vols)), tuple(sorted(sws)), fund)
    for gi, gcol in layout.g_col.items():
        if x[gcol] > 0.5:
            alloc = tuple((d, int(round(x[ac]))) for ac, d in layout.a_col[gi] if round(x[ac]) >= 1)
            if sum(q for _, q in alloc) == p.goods[gi].quantity:
                plan.goods[gi] = alloc
    return plan
