"""The solver on hand-made problems: optimal, verified, whole teams, funds, goods, travel, incremental."""

from __future__ import annotations

from dataclasses import replace

from timebank.matching.candidates import build_candidates
from timebank.matching.greedy import greedy
from timebank.matching.incremental import resolve
from timebank.matching.plan import to_solution
from timebank.matching.problem import parse_problem
from timebank.matching.solver import solve
from timebank.matching.verify import verify


def _solve(document, **kw):
    p = parse_problem(document)
    s = solve(p, time_limit_s=kw.pop("time_limit_s", 5.0), workers=1, seed=0, **kw)
    assert verify(p, s).ok, verify(p, s).violations
    return p, s


def test_solves_the_example_to_proven_optimality(document):
    p, s = _solve(document)
    assert s.status == "OPTIMAL" and s.bound == s.objective == 16_219_172
    r2 = next(a for a in s.assignments if a.request == "r2")
    assert r2.volunteers == ("v2",) and r2.social_workers == ("s1",)
    assert {(g.donation, g.quantity) for g in s.allocations} == {("d1", 1), ("d2", 1)}
    assert next(a for a in s.assignments if a.request == "r1").explanation["continuity"] == 30


def test_team_is_filled_whole_or_not_at_all(document):
    document["volunteers"][2]["social_worker"] = False  # no social worker left for r2
    _, s = _solve(document)
    assert "r2" not in {a.request for a in s.assignments}


def test_fund_budget_limits_what_is_served(document):
    document["funds"] = [{"id": "acct-p1", "minutes": 0}, {"id": "pool", "minutes": 120}]
    _, s = _solve(document)
    assert [a.request for a in s.assignments] == ["r2"]  # the most valuable visit that fits the pool


def test_goods_served_whole_or_not_at_all(document):
    document["donations"][1]["quantity"] = 0
    _, s = _solve(document)
    assert s.allocations == ()


def test_travel_time_moves_a_flexible_start(document):
    # v1 is the only volunteer; r4 is fixed at 570, 1 km from r1: r1 must start at 634 or later
    document["volunteers"] = document["volunteers"][:1]
    document["requests"] = [document["requests"][0]] + [
        dict(
            document["requests"][0],
            id="r4",
            resident="p4",
            x_km=1.0,
            y_km=1.0,
            window=[570, 630],
            fixed_start=570,
            funding=["pool"],
        )
    ]
    p, s = _solve(document)
    starts = {a.request: a.start for a in s.assignments}
    assert set(starts) == {"r1", "r4"} and starts["r1"] >= 634


def test_never_below_greedy_and_deterministic(document):
    p = parse_problem(document)
    floor = to_solution(p, greedy(build_candidates(p)), status="FEASIBLE", bound=None, wall=0.0)
    a = solve(p, time_limit_s=5, workers=1, seed=3)
    b = solve(p, time_limit_s=5, workers=1, seed=3)
    assert a.objective >= floor.objective
    assert a.plan() == b.plan()


def test_sparse_model_still_verified(document):
    _, s = _solve(document, full_model_triples=0, top_k=0)
    assert s.status == "FEASIBLE" and s.objective > 0


def test_decline_resolves_without_moving_accepted(document):
    p, first = _solve(document)
    # v2 declines r2; r1 and r3 were accepted
    declined = replace(
        p, services=tuple(replace(r, excluded=r.excluded | {"v2"}) if r.id == "r2" else r for r in p.services)
    )
    again = resolve(declined, first, {"r1", "r3", "g1"}, time_limit_s=2)
    assert verify(declined, again).ok
    before = {a.request: a for a in first.assignments}
    after = {a.request: a for a in again.assignments}
    assert after["r1"] == before["r1"] and after["r3"] == before["r3"]
    assert "v2" not in after.get("r2", before["r2"]).volunteers or "r2" not in after


def test_new_request_resolved_on_residual_capacity(document):
    p, first = _solve(document)
    new = dict(document["requests"][2], id="r5", resident="p5", window=[2040, 2160], fixed_start=None)
    document["requests"].append(new)
    grown = parse_problem(document)
    again = resolve(grown, first, {a.request for a in first.assignments} | {"g1"}, time_limit_s=2)
    assert verify(grown, again).ok
    after = {a.request: a for a in again.assignments}
    assert all(after[a.request] == a for a in first.assignments)
    assert "r5" in after and after["r5"].volunteers == ("v1",)
