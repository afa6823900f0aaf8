from __future__ import annotations

import dataclasses

import pytest

from timebank.policy import domain


def test_defaults_follow_the_design():
    p = domain.DEFAULT_POLICY
    assert (p.depositor_min_age, p.redeem_min_age, p.balance_cap_minutes) == (18, 60, 90_000)
    assert p.team_hours_donation_only and p.hardship_exception and not p.cash_allowed and not p.hours_expire
    assert "sibling" not in p.gift_kinships and "other" not in p.gift_kinships


def test_json_round_trip_and_unknown_keys_ignored():
    p = dataclasses.replace(domain.DEFAULT_POLICY, redeem_min_age=65, gift_kinships=("spouse",))
    assert domain.from_json(p.to_json()) == p
    assert domain.from_json('{"redeem_min_age": 65, "retired_setting": 1}').redeem_min_age == 65
    assert domain.from_json(None) == domain.DEFAULT_POLICY


@pytest.mark.parametrize("changes", [{"redeem_min_age": 49}, {"hold_expiry_days": 0}, {"minor_mode": "x"},
                                     {"depositor_min_age": True}, {"credit_percent": 150},
                                     {"hardship_redeem_min_age": 49}, {"hardship_redeem_min_age": 61}])
def test_validation_names_the_setting(changes):
    with pytest.raises(domain.PolicyInvalid) as caught:
        domain.validate(dataclasses.replace(domain.DEFAULT_POLICY, **changes))
    assert caught.value.field == next(iter(changes))


def test_redemption_defaults_and_hardship_floor():
    p = domain.DEFAULT_POLICY
    assert (p.redeem_min_age, p.hardship_redeem_min_age, p.redeem_spouse_counts, p.relative_direct_pay) == (
        60, 55, True, False)
    # the floor may equal the redemption age (no earlier redemption), never exceed it
    shanghai = domain.validate(dataclasses.replace(p, redeem_min_age=65, hardship_redeem_min_age=60))
    assert shanghai.hardship_redeem_min_age == 60
    assert domain.validate(dataclasses.replace(p, hardship_redeem_min_age=60)).hardship_redeem_min_age == 60


def test_changed_fields():
    new = dataclasses.replace(domain.DEFAULT_POLICY, redeem_min_age=65)
    assert domain.changed_fields(domain.DEFAULT_POLICY, new) == ["redeem_min_age"]


def test_priority_table_is_stored_with_the_policy():
    from timebank.policy import priority

    table = priority.with_settings(priority.DEFAULT_TABLE, tiers={"dibao": 2}, county_pool_max_tier=3)
    policy = domain.Policy(priority=table)
    assert domain.from_json(policy.to_json()) == policy
    assert domain.from_json('{"redeem_min_age": 65}').priority == priority.DEFAULT_TABLE  # an old version
    with pytest.raises(domain.PolicyInvalid):
        domain.from_json('{"priority": {"grace_days": 999}}')
