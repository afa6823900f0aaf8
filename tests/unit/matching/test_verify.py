"""The independent verifier: a valid hand-made plan, then one hand-made violation per rule."""

from __future__ import annotations

import copy

import pytest

from timebank.matching.problem import ProblemError, parse_problem
from timebank.matching.solution import parse_solution
from timebank.matching.verify import verify

# value 40*60 + 80*60*2 + 20*30 = 12600, continuity 30 (v1 served p1), goods 60*60 = 3600;
# travel 1000 (v1-r1) + 1000 (v2-r2) + 1414 (s1-r2) + 2000 (v1-r3) metres at 2 per km
OBJECTIVE = 1000 * (12600 + 30 + 3600) - 2 * (1000 + 1000 + 1414 + 2000)

VALID = {
    "format": "timebank-matching-solution/1",
    "status": "FEASIBLE",
    "objective": OBJECTIVE,
    "bound": None,
    "wall_seconds": 0.0,
    "assignments": [
        {"request": "r1", "start": 540, "volunteers": ["v1"], "social_workers": [], "fund": "acct-p1"},
        {"request": "r2", "start": 600, "volunteers": ["v2"], "social_workers": ["s1"], "fund": "pool"},
        {"request": "r3", "start": 1980, "volunteers": ["v1"], "social_workers": [], "fund": "pool"},
    ],
    "allocations": [
        {"request": "g1", "donation": "d1", "quantity": 1},
        {"request": "g1", "donation": "d2", "quantity": 1},
    ],
}


def _check(document, solution):
    return verify(parse_problem(document), parse_solution(solution))


def _rules(verdict) -> set[str]:
    return {v.split(":")[0] for v in verdict.violations}


def _assignment(sol, rid):
    return next(a for a in sol["assignments"] if a["request"] == rid)


@pytest.fixture
def solution():
    return copy.deepcopy(VALID)


def test_valid_plan_passes_and_objective_is_recomputed(document, solution):
    verdict = _check(document, solution)
    assert verdict.violations == ()
    assert verdict.objective == OBJECTIVE == 16_219_172


def test_reported_objective_must_match(document, solution):
    solution["objective"] += 1
    assert _rules(_check(document, solution)) == {"objective"}


def test_rule_1_request_assigned_twice(document, solution):
    solution["assignments"].append(dict(solution["assignments"][0]))
    assert "rule 1" in _rules(_check(document, solution))


def test_rule_1_goods_request_in_assignments(document, solution):
    solution["assignments"].append(
        {"request": "g1", "start": 0, "volunteers": [], "social_workers": [], "fund": "pool"}
    )
    assert "rule 1" in _rules(_check(document, solution))


def test_rule_2_team_not_whole(document, solution):
    _assignment(solution, "r2")["volunteers"] = []
    solution["objective"] = _check(document, solution).objective
    assert _rules(_check(document, solution)) == {"rule 2"}


def test_rule_3_not_a_social_worker(document, solution):
    document["volunteers"][2]["social_worker"] = False
    assert _rules(_check(document, solution)) == {"rule 3"}


def test_rule_3_missing_skill(document, solution):
    document["volunteers"][1]["skills"] = ["cleaning"]
    assert _rules(_check(document, solution)) == {"rule 3"}


def test_rule_4_excluded(document, solution):
    document["requests"][0]["excluded"] = ["v1"]
    assert _rules(_check(document, solution)) == {"rule 4"}


def test_rule_5_start_off_slot(document, solution):
    _assignment(solution, "r1")["start"] = 545
    assert _rules(_check(document, solution)) == {"rule 5"}


def test_rule_5_fixed_start(document, solution):
    _assignment(solution, "r2")["start"] = 615  # on the grid, inside the window, but fixed_start is 600
    assert _rules(_check(document, solution)) == {"rule 5"}


def test_rule_5_window(document, solution):
    _assignment(solution, "r3")["start"] = 2085  # ends at 2115, after the window's 2100
    assert _rules(_check(document, solution)) == {"rule 5"}


def test_rule_6_availability(document, solution):
    document["volunteers"][1]["availability"] = [[630, 900]]
    assert _rules(_check(document, solution)) == {"rule 6"}


def test_rule_7_distance(document, solution):
    document["volunteers"][1]["max_travel_km"] = 0.5
    assert _rules(_check(document, solution)) == {"rule 7"}


def test_rule_7_policy_cap(document, solution):
    document["params"]["max_travel_km"] = 1.2
    assert _rules(_check(document, solution)) == {"rule 7"}


def test_rule_8_travel_between_visits(document, solution):
    # v1 ends r1 at 600 at (1, 0); r2 starts at 600 at (2, 0): 1 km needs 4 minutes
    document["volunteers"][1]["skills"] = []
    a = _assignment(solution, "r2")
    a["volunteers"] = ["v1"]
    solution["objective"] = _check(document, solution).objective
    assert _rules(_check(document, solution)) == {"rule 8"}


def test_rule_8_commitment_with_travel(document, solution):
    # s1's commitment at (1, 1) starts at 900; from r2 at (2, 0) it needs 6 minutes after 660
    document["volunteers"][2]["commitments"][0]["start"] = 664
    assert _rules(_check(document, solution)) == {"rule 8"}
    document["volunteers"][2]["commitments"][0]["start"] = 666
    assert _check(document, solution).violations == ()


def test_rule_9_capacity(document, solution):
    document["volunteers"][1]["capacity_minutes"] = 30
    assert _rules(_check(document, solution)) == {"rule 9"}


def test_rule_10_fund_not_eligible(document, solution):
    _assignment(solution, "r3")["fund"] = "acct-p1"
    assert "rule 10" in _rules(_check(document, solution))


def test_rule_10_budget(document, solution):
    document["funds"][1]["minutes"] = 149
    assert _rules(_check(document, solution)) == {"rule 10"}


def test_rule_11_stock(document, solution):
    solution["allocations"] = [{"request": "g1", "donation": "d1", "quantity": 2}]
    assert _rules(_check(document, solution)) == {"rule 11"}


def test_rule_11_served_whole(document, solution):
    solution["allocations"] = solution["allocations"][:1]
    solution["objective"] = _check(document, solution).objective
    assert _rules(_check(document, solution)) == {"rule 11"}


def test_rule_11_ineligible_donation(document, solution):
    document["requests"][3]["donations"] = ["d1"]
    assert "rule 11" in _rules(_check(document, solution))


def test_unknown_ids_are_malformed_input(document, solution):
    _assignment(solution, "r1")["volunteers"] = ["ghost"]
    with pytest.raises(ProblemError, match="unknown volunteer"):
        _check(document, solution)
