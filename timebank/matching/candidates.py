"""Feasible (person, request, start) triples, vectorised: rules 3, 4, 5, 6, 7, 9 and commitments (8).

An edge is a (request, person) pair that passes skills/role, exclusion, distance and capacity; a triple
is an edge with one start slot at which the person is available and clear of their commitments.
Edges are sorted by request, then by gain (best first), then by person index, so every consumer sees
the same deterministic order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from timebank.matching.problem import Problem, ServiceRequest

RADIUS_CLASSES = [1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 60.0, 100.0]


def metres(ax: float, ay: float, bx: float, by: float) -> int:
    return round(1000 * math.hypot(ax - bx, ay - by))


def travel_minutes(dist_m: int, speed_kmh: float) -> int:
    return math.ceil(dist_m * 60 / (speed_kmh * 1000))


def slot_starts(r: ServiceRequest, slot: int) -> list[int]:
    if r.fixed_start is not None:
        return [r.fixed_start]
    first = -(-r.window[0] // slot) * slot
    return list(range(first, r.window[1] - r.duration_minutes + 1, slot))


@dataclass
class Candidates:
    problem: Problem
    # per service request (problem.services order)
    r_dur: np.ndarray
    r_value: np.ndarray  # 1000 * priority * duration * seats
    r_slots: list[np.ndarray]
    # per edge
    e_r: np.ndarray
    e_p: np.ndarray
    e_metres: np.ndarray
    e_gain: np.ndarray  # 1000 * continuity - penalty * metres
    e_vol: np.ndarray  # may fill a volunteer seat
    e_sw: np.ndarray  # may fill a social-worker seat
    e_first: np.ndarray  # index of the edge's first triple (len E + 1)
    # per triple, grouped by edge
    t_e: np.ndarray
    t_start: np.ndarray
    r_first: np.ndarray  # index of the request's first edge (len R + 1)

    @property
    def n_edges(self) -> int:
        return len(self.e_r)

    def edges_of(self, r: int) -> range:
        return range(int(self.r_first[r]), int(self.r_first[r + 1]))

    def starts_of(self, e: int) -> np.ndarray:
        return self.t_start[self.e_first[e] : self.e_first[e + 1]]


def _person_arrays(p: Problem):
    vs = p.volunteers
    vx = np.array([v.x_km for v in vs], dtype=np.float64)
    vy = np.array([v.y_km for v in vs], dtype=np.float64)
    vrad = np.array([min(v.max_travel_km, p.params.max_travel_km) for v in vs], dtype=np.float64)
    vcap = np.array([v.capacity_minutes for v in vs], dtype=np.int64)
    vsw = np.array([v.social_worker for v in vs], dtype=bool)
    skills: dict[str, list[int]] = {}
    for i, v in enumerate(vs):
        for s in v.skills:
            skills.setdefault(s, []).append(i)
    order = np.argsort(vx, kind="stable")
    holders = {s: order[np.isin(order, np.array(ix, dtype=np.int64))] for s, ix in skills.items()}
    masks = {}
    for s, ix in holders.items():
        m = np.zeros(len(vs), dtype=bool)
        m[ix] = True
        masks[s] = m
    return vx, vy, vrad, vcap, vsw, holders, masks


def _exact_metres(m: np.ndarray, raw: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """np.hypot and math.hypot may differ in the last bit: redo rounding-boundary cases the verifier's way."""
    frac = raw - np.floor(raw)
    near = np.flatnonzero(np.abs(frac - 0.5) < 1e-6)
    for i in near:
        m[i] = round(1000 * math.hypot(float(dx[i]), float(dy[i])))
    return m


def build_candidates(p: Problem) -> Candidates:
    params = p.params
    vx, vy, vrad, vcap, vsw, holders, masks = _person_arrays(p)
    n_v = len(p.volunteers)
    all_people = np.argsort(vx, kind="stable").astype(np.int64)  # every pool is sorted by x
    sw_people = all_people[vsw[all_people]]
    ladder = np.array(RADIUS_CLASSES + [max(RADIUS_CLASSES[-1], float(vrad.max(initial=0.0)))])
    vclass = ladder[np.searchsorted(ladder, vrad - 1e-9)]  # the smallest class radius >= own radius
    sub_pools: dict[str, list[tuple[float, np.ndarray, np.ndarray, np.ndarray]]] = {}

    def split(key: str, pool: np.ndarray):
        """A pool cut by radius class, each part sorted by x: (class radius, people, their x, their y)."""
        if key not in sub_pools:
            sub_pools[key] = [
                (float(cr) + 0.001, part, vx[part], vy[part])
                for cr in np.unique(vclass[pool])
                for part in [pool[vclass[pool] == cr]]
            ]
        return sub_pools[key]

    served_by: dict[str, set[int]] = {}
    for i, v in enumerate(p.volunteers):
        for res in v.served_residents:
            served_by.setdefault(res, set()).add(i)
    R = len(p.services)
    r_dur = np.array([r.duration_minutes for r in p.services], dtype=np.int64)
    r_value = np.array([1000 * r.priority * r.duration_minutes * r.seats for r in p.services], dtype=np.int64)
    r_slots = [np.array(slot_starts(r, params.slot_minutes), dtype=np.int64) for r in p.services]
    parts_r, parts_p, parts_m, parts_vol, parts_sw = [], [], [], [], []
    for ri, r in enumerate(p.services):
        pools = []
        if r.volunteers > 0:
            if r.skills:
                rare = min(r.skills, key=lambda s: (len(holders.get(s, ())), s))
                pools.append(("skill:" + rare, holders.get(rare, np.zeros(0, dtype=np.int64))))
            else:
                pools.append(("all", all_people))
        if r.social_workers > 0:
            pools.append(("sw", sw_people))
        # only people whose radius class reaches the request: an x-slice, then a y-test, per class
        cut = []
        for key, pool in pools:
            for reach, part, px, py in split(key, pool):
                lo, hi = np.searchsorted(px, [r.x_km - reach, r.x_km + reach])
                if hi > lo:
                    cut.append(part[lo:hi][np.abs(py[lo:hi] - r.y_km) <= reach])
        if not cut:
            continue
        # the radius classes partition a pool: duplicates only when two pools (seat kinds) are read;
        # the order does not matter (edges are sorted by request, gain and person below)
        idx = np.concatenate(cut) if len(pools) == 1 else np.unique(np.concatenate(cut))
        if len(idx) == 0:
            continue
        if r.volunteers > 0:
            vol_ok = np.ones(len(idx), dtype=bool)
            for s in r.skills:
                vol_ok &= masks[s][idx] if s in masks else False
        else:
            vol_ok = np.zeros(len(idx), dtype=bool)
        sw_ok = vsw[idx] if r.social_workers > 0 else np.zeros(len(idx), dtype=bool)
        dx = vx[idx] - r.x_km
        dy = vy[idx] - r.y_km
        raw = 1000 * np.hypot(dx, dy)
        m = np.rint(raw)
        keep = (vol_ok | sw_ok) & (m / 1000 <= vrad[idx]) & (vcap[idx] >= r.duration_minutes)
        if r.excluded:
            ex = np.array(sorted(p.volunteer_index[x] for x in r.excluded), dtype=np.int64)
            keep &= ~np.isin(idx, ex)
        k = np.flatnonzero(keep)
        if len(k) == 0:
            continue
        mk = _exact_metres(m[k].astype(np.int64), raw[k], dx[k], dy[k])
        ok = mk / 1000 <= vrad[idx[k]]
        k, mk = k[ok], mk[ok]
        parts_r.append(np.full(len(k), ri, dtype=np.int64))
        parts_p.append(idx[k])
        parts_m.append(mk)
        parts_vol.append(vol_ok[k])
        parts_sw.append(sw_ok[k])

    def cat(xs, dt):
        return np.concatenate(xs) if xs else np.zeros(0, dtype=dt)

    e_r, e_p, e_m = cat(parts_r, np.int64), cat(parts_p, np.int64), cat(parts_m, np.int64)
    e_vol, e_sw = cat(parts_vol, bool), cat(parts_sw, bool)
    cont = np.zeros(len(e_r), dtype=bool)
    res_id = {res: i for i, res in enumerate(sorted(served_by))}
    if res_id and len(e_r):
        pairs = np.array(
            sorted(res_id[res] * n_v + i for res, who in served_by.items() for i in who), dtype=np.int64
        )
        r_res = np.array([res_id.get(r.resident, -1) for r in p.services], dtype=np.int64)
        er = r_res[e_r]
        cont = (er >= 0) & np.isin(er * n_v + e_p, pairs)
    e_gain = 1000 * params.continuity_bonus * cont.astype(np.int64) - params.travel_penalty_per_km * e_m

    # order edges by (request, -gain, person) first: triples then come out grouped and sorted
    order = np.lexsort((e_p, -e_gain, e_r))
    e_r, e_p, e_m, e_gain, e_vol, e_sw = (x[order] for x in (e_r, e_p, e_m, e_gain, e_vol, e_sw))
    # triples: every edge x every start slot of its request, then availability and commitments
    n_slots = np.array([len(s) for s in r_slots], dtype=np.int64)
    slot_off = np.concatenate([[0], np.cumsum(n_slots)])
    all_slots = np.concatenate(r_slots) if R else np.zeros(0, dtype=np.int64)
    e_ns = n_slots[e_r] if len(e_r) else np.zeros(0, dtype=np.int64)
    t_e = np.repeat(np.arange(len(e_r), dtype=np.int64), e_ns)
    first = np.concatenate([[0], np.cumsum(e_ns)])[:-1]
    within = np.arange(len(t_e), dtype=np.int64) - np.repeat(first, e_ns)
    t_start = all_slots[slot_off[e_r[t_e]] + within] if len(t_e) else np.zeros(0, dtype=np.int64)
    t_p = e_p[t_e]
    t_end = t_start + r_dur[e_r[t_e]]
    horizon = 1 + max(
        [t for v in p.volunteers for a in v.availability for t in a] + [int(t_end.max(initial=0))]
    )
    av = sorted((i, s, e) for i, v in enumerate(p.volunteers) for s, e in v.availability)
    av_key = np.array([i * horizon + s for i, s, _ in av], dtype=np.int64)
    av_p = np.array([i for i, _, _ in av], dtype=np.int64)
    av_end = np.array([e for _, _, e in av], dtype=np.int64)
    j = np.searchsorted(av_key, t_p * horizon + t_start, side="right") - 1
    jj = np.maximum(j, 0)
    ok = (j >= 0) & (av_p[jj] == t_p) & (av_end[jj] >= t_end) if len(av) else np.zeros(len(t_e), dtype=bool)
    _clear_of_commitments(p, ok, t_p, t_start, t_end, e_r[t_e])
    t_e, t_start = t_e[ok], t_start[ok]
    # drop edges without a feasible start (renumbering keeps the order)
    alive = np.zeros(len(e_r), dtype=bool)
    alive[t_e] = True
    new_id = np.cumsum(alive) - 1
    t_e = new_id[t_e]
    e_r, e_p, e_m, e_gain, e_vol, e_sw = (x[alive] for x in (e_r, e_p, e_m, e_gain, e_vol, e_sw))
    e_first = np.searchsorted(t_e, np.arange(len(e_r) + 1))
    r_first = np.searchsorted(e_r, np.arange(R + 1))
    return Candidates(
        p, r_dur, r_value, r_slots, e_r, e_p, e_m, e_gain, e_vol, e_sw, e_first, t_e, t_start, r_first
    )


def _clear_of_commitments(p: Problem, ok, t_p, t_start, t_end, t_r) -> None:
    """Rule 8 against commitments, vectorised over (triple, commitment of its person) pairs."""
    cs = [(i, c) for i, v in enumerate(p.volunteers) for c in v.commitments]
    if not cs:
        return
    n_v = len(p.volunteers)
    c_p = np.array([i for i, _ in cs], dtype=np.int64)
    c_s = np.array([c.start for _, c in cs], dtype=np.int64)
    c_e = np.array([c.end for _, c in cs], dtype=np.int64)
    c_x = np.array([c.x_km for _, c in cs])
    c_y = np.array([c.y_km for _, c in cs])
    c_first = np.searchsorted(c_p, np.arange(n_v + 1))
    cnt = (c_first[1:] - c_first[:-1])[t_p] * ok
    t = np.repeat(np.arange(len(t_p)), cnt)
    k = c_first[t_p[t]] + (np.arange(len(t)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    rx = np.array([r.x_km for r in p.services])
    ry = np.array([r.y_km for r in p.services])
    dx, dy = rx[t_r[t]] - c_x[k], ry[t_r[t]] - c_y[k]
    raw = 1000 * np.hypot(dx, dy)
    m = _exact_metres(np.rint(raw).astype(np.int64), raw, dx, dy)
    travel = np.ceil(m * 60 / (p.params.travel_speed_kmh * 1000)).astype(np.int64)
    clash = ~((t_end[t] + travel <= c_s[k]) | (c_e[k] + travel <= t_start[t]))
    ok[t[clash]] = False


def restrict(c: Candidates, keep: np.ndarray) -> Candidates:
    """The same candidates with only the kept edges (and their triples), order preserved."""
    tk = keep[c.t_e]
    new_id = np.cumsum(keep) - 1
    t_e = new_id[c.t_e[tk]]
    e_r = c.e_r[keep]
    return replace(
        c,
        e_r=e_r,
        e_p=c.e_p[keep],
        e_metres=c.e_metres[keep],
        e_gain=c.e_gain[keep],
        e_vol=c.e_vol[keep],
        e_sw=c.e_sw[keep],
        e_first=np.searchsorted(t_e, np.arange(int(keep.sum()) + 1)),
        t_e=t_e,
        t_start=c.t_start[tk],
        r_first=np.searchsorted(e_r, np.arange(len(c.problem.services) + 1)),
    )
