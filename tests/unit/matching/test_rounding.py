"""Relax and fix, candidate pruning and the vectorised commitment check, on seeded random problems."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from timebank.matching.candidates import build_candidates, slot_starts
from timebank.matching.greedy import greedy
from timebank.matching.highs import solve_arrays
from timebank.matching.model import build
from timebank.matching.plan import plan_objective, to_solution
from timebank.matching.problem import parse_problem
from timebank.matching.rounding import core_lower_bounds, guided_fill, integral_core, lp_mass
from timebank.matching.solver import solve
from timebank.matching.verify import verify


def random_document(seed: int, n_v: int = 40, n_r: int = 30) -> dict:
    rng = random.Random(seed)
    skills = ["a", "b", "c"]
    volunteers = []
    for i in range(n_v):
        day = rng.randrange(3) * 1440
        v = {
            "id": f"v{i}",
            "x_km": round(rng.uniform(0, 12), 3),
            "y_km": round(rng.uniform(0, 12), 3),
            "skills": rng.sample(skills, rng.randint(1, 2)),
            "social_worker": rng.random() < 0.2,
            "availability": [[day + 480, day + 720], [day + 1440 + 780, day + 1440 + 1020]],
            "capacity_minutes": rng.choice([60, 120, 180]),
            "max_travel_km": rng.choice([2.5, 4, 7, 12]),
            "served_residents": [f"p{rng.randrange(n_r)}"],
        }
        if rng.random() < 0.3:
            v["commitments"] = [
                {"start": day + 540, "end": day + 600, "x_km": v["x_km"] + 1, "y_km": v["y_km"]}
            ]
        volunteers.append(v)
    requests = []
    for j in range(n_r):
        day = rng.randrange(4) * 1440
        lo = day + rng.choice([480, 540, 780])
        dur = rng.choice([30, 60, 90])
        fixed = rng.random() < 0.4
        requests.append(
            {
                "id": f"r{j}",
                "kind": "service",
                "resident": f"p{j}",
                "x_km": round(rng.uniform(0, 12), 3),
                "y_km": round(rng.uniform(0, 12), 3),
                "window": [lo, lo + dur + (0 if fixed else rng.choice([30, 90]))],
                "duration_minutes": dur,
                "fixed_start": lo if fixed else None,
                "volunteers": rng.choice([1, 1, 1, 2]),
                "social_workers": 1 if rng.random() < 0.15 else 0,
                "skills": rng.sample(skills, 1),
                "priority": rng.choice([10, 40, 80]),
                "excluded": [],
                "funding": ["pool"],
            }
        )
    return {
        "format": "timebank-matching/1",
        "params": {},
        "volunteers": volunteers,
        "requests": requests,
        "donations": [],
        "funds": [{"id": "pool", "minutes": 40 * n_r}],
    }


def brute_triples(p) -> set[tuple[int, int, int]]:
    """Every (request, person, start) the rules allow, checked one by one the verifier's way."""
    out = set()
    speed = p.params.travel_speed_kmh
    for ri, r in enumerate(p.services):
        for pi, v in enumerate(p.volunteers):
            vol = r.volunteers > 0 and r.skills <= v.skills
            sw = r.social_workers > 0 and v.social_worker
            if not (vol or sw) or v.id in r.excluded or v.capacity_minutes < r.duration_minutes:
                continue
            m = round(1000 * math.hypot(v.x_km - r.x_km, v.y_km - r.y_km))
            if m / 1000 > min(v.max_travel_km, p.params.max_travel_km):
                continue
            for s in slot_starts(r, p.params.slot_minutes):
                e = s + r.duration_minutes
                if not any(a <= s and e <= b for a, b in v.availability):
                    continue
                clash = False
                for c in v.commitments:
                    cm = round(1000 * math.hypot(c.x_km - r.x_km, c.y_km - r.y_km))
                    tr = math.ceil(cm * 60 / (speed * 1000))
                    clash |= not (e + tr <= c.start or c.end + tr <= s)
                if not clash:
                    out.add((ri, pi, s))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_candidates_are_exactly_the_feasible_triples(seed):
    p = parse_problem(random_document(seed))
    c = build_candidates(p)
    got = {(int(c.e_r[e]), int(c.e_p[e]), int(s)) for e, s in zip(c.t_e, c.t_start, strict=True)}
    assert got == brute_triples(p)
    # edges are grouped by request, best gain first, and every edge keeps its starts sorted
    assert np.all(np.diff(c.e_r) >= 0)
    for ri in range(len(p.services)):
        gains = c.e_gain[c.edges_of(ri)]
        assert np.all(np.diff(gains) <= 0)
    for e in range(c.n_edges):
        assert np.all(np.diff(c.starts_of(e)) > 0)


@pytest.mark.parametrize("seed", range(4))
def test_lp_core_is_feasible_and_fill_keeps_it(seed):
    p = parse_problem(random_document(seed, n_v=30, n_r=40))
    c = build_candidates(p)
    arrays, layout = build(c, np.ones(c.n_edges, dtype=bool))
    lp = solve_arrays(arrays, time_limit_s=10, integer=False)
    assert lp.status == "OPTIMAL"
    core = integral_core(c, layout, lp.x)
    core_sol = to_solution(p, core, status="FEASIBLE", bound=None, wall=0.0)
    assert verify(p, core_sol).ok
    plan = guided_fill(c, core, lp_mass(c, layout, lp.x))
    assert verify(p, to_solution(p, plan, status="FEASIBLE", bound=None, wall=0.0)).ok
    assert all(plan.visits[ri] == v for ri, v in core.visits.items())
    # the LP value bounds every plan; fixing the core keeps the MIP feasible
    assert plan_objective(p, plan) <= lp.objective + 1e-6
    arrays.lb = core_lower_bounds(c, layout, lp.x, core)
    fixed = solve_arrays(arrays, time_limit_s=10)
    assert fixed.x is not None and fixed.objective >= plan_objective(p, core) - 1e-6


@pytest.mark.parametrize("seed", range(3))
def test_relax_and_fix_path_is_verified_deterministic_and_not_below_greedy(seed):
    p = parse_problem(random_document(seed, n_v=40, n_r=50))
    floor = plan_objective(p, greedy(build_candidates(p)))
    a = solve(p, time_limit_s=20, workers=1, seed=seed, full_model_triples=0)
    b = solve(p, time_limit_s=20, workers=1, seed=seed, full_model_triples=0)
    assert verify(p, a).ok
    assert a.objective >= floor
    assert a.status == "FEASIBLE" and a.bound is None  # a sparse model proves nothing about the full one
    assert a.plan() == b.plan()
