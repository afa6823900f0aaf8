"""The day-by-day improver and the local incremental re-solve: feasible, never worse, deterministic."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from timebank.matching.candidates import build_candidates, restrict
from timebank.matching.daywise import improve_by_day
from timebank.matching.greedy import greedy
from timebank.matching.incremental import resolve
from timebank.matching.plan import plan_objective, to_solution
from timebank.matching.problem import parse_problem
from timebank.matching.solver import solve
from timebank.matching.verify import verify

from .test_rounding import random_document


@pytest.mark.parametrize("seed", [1, 2])
def test_day_pass_is_feasible_never_worse_and_deterministic(seed):
    p = parse_problem(random_document(seed, n_v=60, n_r=50))
    c = build_candidates(p)
    floor = greedy(c)
    keep = np.ones(c.n_edges, dtype=bool)
    a, _ = improve_by_day(c, floor, keep, time.monotonic() + 60, seed=0)
    b, _ = improve_by_day(c, floor, keep, time.monotonic() + 60, seed=0)
    assert a == b
    assert plan_objective(p, a) >= plan_objective(p, floor)
    sol = to_solution(p, a, status="FEASIBLE", bound=None, wall=0.0)
    assert verify(p, sol).ok, verify(p, sol).violations


def test_day_pass_with_no_time_returns_the_plan_it_was_given():
    p = parse_problem(random_document(5))
    c = build_candidates(p)
    floor = greedy(c)
    got, improved = improve_by_day(c, floor, np.ones(c.n_edges, dtype=bool), time.monotonic() - 1)
    assert got is floor and improved == 0


def test_sparse_path_runs_the_day_pass_and_stays_verified():
    p = parse_problem(random_document(6, n_v=60, n_r=50))
    s = solve(p, time_limit_s=5, full_model_triples=0, seed=0)
    floor = to_solution(p, greedy(build_candidates(p)), status="FEASIBLE", bound=None, wall=0.0)
    assert verify(p, s).ok and s.objective >= floor.objective and s.bound is None


@pytest.mark.parametrize("seed", [7, 8])
def test_local_resolve_after_a_decline_keeps_accepted_and_is_verified(seed, monkeypatch):
    monkeypatch.setattr("timebank.matching.incremental.NEAR_ALL", 0)  # force the local neighbourhood
    p = parse_problem(random_document(seed, n_v=60, n_r=50))
    first = solve(p, time_limit_s=5, seed=0)
    victim = first.assignments[0]
    who = (victim.volunteers + victim.social_workers)[0]
    declined = replace(
        p,
        services=tuple(
            replace(r, excluded=r.excluded | {who}) if r.id == victim.request else r for r in p.services
        ),
    )
    accepted = {a.request for a in first.assignments[1:]} | {g.request for g in first.allocations}
    again = resolve(declined, first, accepted, time_limit_s=3, changed={victim.request})
    assert verify(declined, again).ok
    after = {a.request: a for a in again.assignments}
    assert all(after[a.request] == a for a in first.assignments[1:])
    if victim.request in after:
        assert who not in after[victim.request].volunteers + after[victim.request].social_workers


def test_restrict_keeps_order_and_the_sparse_path_stays_verified(monkeypatch):
    p = parse_problem(random_document(9, n_v=60, n_r=50))
    c = build_candidates(p)
    same = restrict(c, np.ones(c.n_edges, dtype=bool))
    for name in ("e_r", "e_p", "e_gain", "e_first", "t_e", "t_start", "r_first"):
        assert np.array_equal(getattr(c, name), getattr(same, name))
    half = restrict(c, np.arange(c.n_edges) % 2 == 0)
    assert half.n_edges == (c.n_edges + 1) // 2 and np.all(np.diff(half.t_e) >= 0)
    monkeypatch.setattr("timebank.matching.solver.SHRINK_TRIPLES", 0)
    s = solve(p, time_limit_s=5, full_model_triples=0, seed=0)
    floor = to_solution(p, greedy(c), status="FEASIBLE", bound=None, wall=0.0)
    assert verify(p, s).ok and s.objective >= floor.objective
