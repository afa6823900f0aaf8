"""Pure rules for a person over time: 失能 pair, death date, moves between townships, heirs and shares."""

from datetime import date

import pytest

from timebank.people import lifecycle_rules as rules
from timebank.policy import domain as policy_domain

TODAY = date(2026, 11, 29)
DIRECT = policy_domain.DIRECT_KINSHIPS


@pytest.mark.parametrize("level, assessed, reason", [
    (2, None, "adl_pair"), (None, TODAY, "adl_pair"), (5, TODAY, "adl_level"),
    (1, date(2026, 11, 30), "adl_future")])
def test_adl_level_and_date_come_together_and_never_from_the_future(level, assessed, reason):
    with pytest.raises(rules.RuleBroken) as broken:
        rules.check_adl(level, assessed, TODAY)
    assert broken.value.reason == reason


def test_adl_both_or_neither_is_fine():
    rules.check_adl(None, None, TODAY)
    rules.check_adl(4, TODAY, TODAY)


@pytest.mark.parametrize("status, died_on, reason", [
    ("deceased", TODAY, "already_deceased"), ("active", None, "died_on_missing"),
    ("active", date(2026, 11, 30), "died_on_future"), ("active", date(1930, 1, 1), "died_on_before_birth")])
def test_death_is_recorded_once_with_a_sensible_date(status, died_on, reason):
    with pytest.raises(rules.RuleBroken) as broken:
        rules.check_death(status, died_on, date(1940, 3, 8), TODAY)
    assert broken.value.reason == reason


def test_death_today_or_earlier_is_accepted_also_for_a_moved_person():
    rules.check_death("active", TODAY, date(1940, 3, 8), TODAY)
    rules.check_death("moved", date(2026, 1, 1), date(1940, 3, 8), TODAY)


def test_moves_go_to_another_township():
    assert rules.is_other_township("/1/2/5/", "/1/3/7/")
    assert not rules.is_other_township("/1/2/5/", "/1/2/6/")


@pytest.mark.parametrize("links, problem", [
    ([], "not_relative"),
    ([("child", False, False)], "not_verified"),
    ([("child", True, True)], "not_verified"),  # unlinked links carry no right
    ([("sibling", True, False)], "not_direct"),
    ([("other", True, False)], "not_direct"),
    ([("child", True, False)], None),
    ([("spouse", True, False)], None),
])
def test_heirs_are_verified_direct_relatives(links, problem):
    assert rules.heir_problem(links, DIRECT) == problem


def test_equal_shares_give_the_remainder_to_the_first_heirs_and_skip_zero_shares():
    assert rules.split_equally(301, [7, 8]) == [(7, 151), (8, 150)]
    assert rules.split_equally(2, [1, 2, 3]) == [(1, 1), (2, 1)]
    assert rules.split_equally(0, [1]) == []
    with pytest.raises(rules.RuleBroken):
        rules.split_equally(10, [1, 1])
    with pytest.raises(rules.RuleBroken):
        rules.split_equally(10, [])


def test_four_eyes():
    assert rules.may_approve(1, 2) and not rules.may_approve(3, 3)


def test_only_active_people_get_new_work():
    rules.check_active("active")
    for status, reason in (("moved", "moved_away"), ("deceased", "deceased")):
        with pytest.raises(rules.RuleBroken) as broken:
            rules.check_active(status)
        assert broken.value.reason == reason


def test_policy_death_balance_defaults_to_the_county_pool_and_is_validated():
    assert policy_domain.DEFAULT_POLICY.death_balance == "county_pool"
    assert policy_domain.from_json('{"death_balance": "heirs"}').death_balance == "heirs"
    assert policy_domain.from_json("{}").death_balance == "county_pool"  # old versions keep working
    with pytest.raises(policy_domain.PolicyInvalid) as invalid:
        policy_domain.validate(policy_domain.Policy(death_balance="state"))
    assert invalid.value.field == "death_balance"
