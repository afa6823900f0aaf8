"""Pure ledger rules: no app, no database."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timebank.ledger import domain


@pytest.mark.parametrize("value,expected", [(1, 1), (90, 90), ("45", 45), (3.0, 3), (1_000_000, 1_000_000)])
def test_parse_minutes_accepts_whole_positive_minutes(value, expected):
    assert domain.parse_minutes(value) == expected


@pytest.mark.parametrize("value,reason", [
    (0, "minutes_not_positive"), (-1, "minutes_not_positive"), ("-3", "minutes_not_positive"),
    (1.5, "minutes_not_integer"), ("1.5", "minutes_not_integer"), ("", "minutes_not_integer"),
    (None, "minutes_not_integer"), (True, "minutes_not_integer"), ([1], "minutes_not_integer"),
    (1_000_001, "minutes_too_large"), (10**30, "minutes_too_large"),
])
def test_parse_minutes_refuses_everything_else(value, reason):
    with pytest.raises(domain.LedgerRuleBroken) as caught:
        domain.parse_minutes(value)
    assert caught.value.reason == reason


def test_spend_rules():
    domain.check_spend("person", 100, 40, 60)
    with pytest.raises(domain.LedgerRuleBroken):
        domain.check_spend("person", 100, 40, 61)
    domain.check_spend("issuance", -500, 0, 10_000)


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(60, 10_000))
def test_overflow_never_touches_reserved_minutes_and_lands_on_the_cap(balance, pending, cap):
    pending = min(pending, balance)
    extra = domain.overflow(balance, pending, cap)
    assert 0 <= extra <= balance - pending
    if balance <= cap:
        assert extra == 0
    elif pending <= cap:
        assert balance - extra == cap


RULE = domain.RedeemRule(min_age=60, hardship_exception=True, hardship_min_age=55, spouse_counts=True,
                         relative_direct_pay=True)


@pytest.mark.parametrize(("age", "hardship", "expected"), [
    (60, False, None), (59, False, "age"), (61, False, None),
    # the hardship exception lowers the floor to 55; it is not "any age"
    (55, True, None), (54, True, "hardship_age"), (40, True, "hardship_age"), (59, True, None),
])
def test_own_hours_age_boundaries_and_hardship_floor(age, hardship, expected):
    assert domain.redeem_refusal(relation="self", served_age=age, served_hardship=hardship, rule=RULE) == expected


def test_hardship_exception_off_means_the_plain_age():
    rule = dataclasses.replace(RULE, hardship_exception=False)
    assert domain.redeem_refusal(relation="self", served_age=58, served_hardship=True, rule=rule) == "age"
    assert domain.may_redeem(age=60, has_hardship=False, rule=rule)


def test_spouse_rule_is_about_the_spouse_served():
    """A depositor of any age pays for a verified spouse who reached the age; never for a younger spouse."""
    assert domain.redeem_refusal(relation="spouse", served_age=60, served_hardship=False, rule=RULE) is None
    assert domain.redeem_refusal(relation="spouse", served_age=59, served_hardship=False, rule=RULE) == "age"
    off = dataclasses.replace(RULE, spouse_counts=False)
    assert domain.redeem_refusal(relation="spouse", served_age=70, served_hardship=False, rule=off) == "spouse_off"


def test_relative_direct_pay():
    assert domain.redeem_refusal(relation="direct_relative", served_age=60, served_hardship=False, rule=RULE) is None
    assert domain.redeem_refusal(relation="direct_relative", served_age=59, served_hardship=False,
                                 rule=RULE) == "age"
    off = dataclasses.replace(RULE, relative_direct_pay=False)
    assert domain.redeem_refusal(relation="direct_relative", served_age=80, served_hardship=False,
                                 rule=off) == "relative_off"
    # no verified, still-linked relation: nobody else's hours pay, whatever the age
    assert domain.redeem_refusal(relation="none", served_age=90, served_hardship=False, rule=RULE) == "not_relative"


def test_relation_of_links():
    assert domain.relation_of([]) == "none"
    assert domain.relation_of(["sibling", "other"]) == "none"  # not 直系
    for kinship in ("parent", "child", "grandparent", "grandchild"):
        assert domain.relation_of([kinship]) == "direct_relative"
    assert domain.relation_of(["child", "spouse"]) == "spouse"


def test_gift_eligibility_reasons():
    allowed = ("spouse", "parent", "child")
    assert domain.may_gift([], allowed) == "not_relative"
    assert domain.may_gift([("child", False)], allowed) == "unverified"
    assert domain.may_gift([("sibling", True)], allowed) == "kinship"
    assert domain.may_gift([("sibling", True), ("child", True)], allowed) is None


def test_minors():
    assert domain.may_deposit(age=18, min_age=18, minor_mode="group_only", team=False, guardian_consent=False)
    assert domain.may_deposit(age=15, min_age=18, minor_mode="group_or_guardian", team=False,
                              guardian_consent=True)
    assert not domain.may_deposit(age=15, min_age=18, minor_mode="group_only", team=False, guardian_consent=True)


def test_body_hash_is_stable_and_sensitive():
    assert domain.body_hash("gift", {"a": 1, "b": 2}) == domain.body_hash("gift", {"b": 2, "a": 1})
    assert domain.body_hash("gift", {"a": 1}) != domain.body_hash("donate", {"a": 1})
    assert domain.body_hash("gift", {"a": 1}) != domain.body_hash("gift", {"a": 2})


def test_reconcile_reports_each_broken_invariant():
    accounts = [domain.AccountFigures(1, "issuance", "issuance", -100, 0, 0),
                domain.AccountFigures(2, "person", "张伟#2", 100, 0, 0),
                domain.AccountFigures(3, "person", "李娜#3", -5, 0, 0)]
    sums = domain.Recomputed({2: 100}, {1: 100, 3: 5}, {}, {})
    report = domain.reconcile(accounts, sums, transfers=2, open_holds=0)
    assert report.violations == ["negative spendable: account 3 (李娜#3) balance -5, pending 0",
                                 "sum of recomputed balances is -5, not 0", "sum of cached balances is -5, not 0"]
    ok = domain.reconcile(accounts[:2], domain.Recomputed({2: 100}, {1: 100}, {}, {}), transfers=1, open_holds=0)
    assert ok.ok and ok.liability == 100 and ok.summary().startswith("ledger ok: 2 accounts, 1 transfers")
