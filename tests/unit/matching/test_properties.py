"""Hypothesis: on tiny random problems the solver equals brute force and never falls below greedy."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timebank.matching.candidates import build_candidates, slot_starts
from timebank.matching.greedy import greedy
from timebank.matching.plan import to_solution
from timebank.matching.problem import parse_problem
from timebank.matching.solution import Allocation, Assignment, Solution
from timebank.matching.solver import solve
from timebank.matching.verify import verify

coord = st.integers(0, 6).map(float)


@st.composite
def problems(draw):
    n_v = draw(st.integers(1, 3))
    volunteers = [
        {
            "id": f"v{i}",
            "x_km": draw(coord),
            "y_km": draw(coord),
            "skills": draw(st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True)),
            "social_worker": draw(st.booleans()),
            "availability": [
                [draw(st.sampled_from([480, 510, 540])), draw(st.sampled_from([630, 660, 720]))]
            ],
            "capacity_minutes": draw(st.sampled_from([30, 60, 120])),
            "max_travel_km": draw(st.sampled_from([3, 6, 9])),
            "served_residents": draw(st.lists(st.sampled_from(["p0", "p1"]), max_size=1)),
        }
        for i in range(n_v)
    ]
    requests = []
    for j in range(draw(st.integers(1, 3))):
        dur = draw(st.sampled_from([30, 45, 60]))
        lo = draw(st.sampled_from([480, 510, 540, 570]))
        fixed = draw(st.booleans())
        sw = draw(st.integers(0, 1))
        vol = draw(st.integers(0 if sw else 1, 1))
        requests.append(
            {
                "id": f"r{j}",
                "kind": "service",
                "resident": f"p{j}",
                "x_km": draw(coord),
                "y_km": draw(coord),
                "window": [lo, lo + dur + (0 if fixed else 15)],
                "duration_minutes": dur,
                "fixed_start": lo if fixed else None,
                "volunteers": vol,
                "social_workers": sw,
                "skills": draw(st.lists(st.sampled_from(["a", "b"]), max_size=1)),
                "priority": draw(st.integers(1, 100)),
                "excluded": [],
                "funding": draw(st.sampled_from([["f0"], ["f1"], ["f0", "f1"]])),
            }
        )
    requests.append(
        {
            "id": "g0",
            "kind": "goods",
            "resident": "p9",
            "item": "x",
            "quantity": draw(st.integers(1, 3)),
            "priority": draw(st.integers(1, 100)),
            "donations": ["d0", "d1"],
        }
    )
    return {
        "format": "timebank-matching/1",
        "params": {"travel_speed_kmh": 15, "continuity_bonus": draw(st.sampled_from([0, 30, 5000]))},
        "volunteers": volunteers,
        "requests": requests,
        "donations": [
            {"id": f"d{k}", "item": "x", "quantity": draw(st.integers(0, 2)), "x_km": 0, "y_km": 0}
            for k in range(2)
        ],
        "funds": [{"id": "f0", "minutes": draw(st.sampled_from([30, 60, 120]))}, {"id": "f1", "minutes": 90}],
    }


def brute_force(p) -> int:
    ids = [v.id for v in p.volunteers]
    options = []
    for r in p.services:
        opts = [None]
        for start in slot_starts(r, p.params.slot_minutes):
            for sws in itertools.combinations(ids, r.social_workers):
                for vols in itertools.combinations([i for i in ids if i not in sws], r.volunteers):
                    for fund in r.funding:
                        opts.append(Assignment(r.id, start, vols, sws, fund))
        options.append(opts)
    g = p.goods[0]
    goods_opts = [()] + [
        tuple(Allocation(g.id, d, q) for d, q in zip(g.donations, split, strict=True) if q)
        for split in itertools.product(range(g.quantity + 1), repeat=2)
        if sum(split) == g.quantity
    ]
    best = 0
    for combo in itertools.product(*options):
        for alloc in goods_opts:
            sol = Solution("FEASIBLE", 0, None, 0.0, tuple(a for a in combo if a), alloc)
            v = verify(p, sol, check_reported=False)
            if v.ok:
                best = max(best, v.objective)
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_solver_matches_brute_force_and_beats_greedy(doc):
    p = parse_problem(doc)
    s = solve(p, time_limit_s=5, workers=1, seed=0)
    assert verify(p, s).ok
    floor = to_solution(p, greedy(build_candidates(p)), status="FEASIBLE", bound=None, wall=0.0)
    assert verify(p, floor).ok
    assert s.objective >= floor.objective
    assert s.objective == brute_force(p)
    assert s.status == "OPTIMAL" and s.bound is not None and s.bound >= s.objective


@settings(max_examples=15, deadline=None)
@given(problems(), st.integers(0, 5))
def test_same_seed_same_plan(doc, seed):
    p = parse_problem(doc)
    a = solve(p, time_limit_s=5, workers=1, seed=seed)
    b = solve(p, time_limit_s=5, workers=1, seed=seed)
    assert a.plan() == b.plan() and a.objective == b.objective
