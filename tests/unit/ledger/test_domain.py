"""Pure ledger rules: no app, no database."""

from __future__ import annotations

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


def test_redemption_age_spouse_and_hardship():
    rule = dict(min_age=60, spouse_counts=True, hardship_exception=True)
    assert domain.may_redeem(age=60, spouse_ages=[], has_hardship=False, **rule)
    assert not domain.may_redeem(age=59, spouse_ages=[58], has_hardship=False, **rule)
    assert domain.may_redeem(age=50, spouse_ages=[61], has_hardship=False, **rule)
    assert domain.may_redeem(age=40, spouse_ages=[], has_hardship=True, **rule)
    assert not domain.may_redeem(age=40, spouse_ages=[], has_hardship=True, min_age=60, spouse_counts=True,
                                 hardship_exception=False)


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
