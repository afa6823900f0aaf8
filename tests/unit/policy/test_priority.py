"""The one definition of a priority person (timebank/policy/priority.py)."""

from datetime import date, timedelta

import pytest

from timebank.policy import priority as p

TODAY = date(2026, 12, 2)
FAR = TODAY + timedelta(days=365)


def ev(age, living="with_family", statuses=(), grade=0, adl=None, table=p.DEFAULT_TABLE, today=TODAY):
    facts = p.Facts(age=age, living=living, statuses=tuple(
        s if isinstance(s, p.Status) else p.Status(s, FAR) for s in statuses), disability_grade=grade, adl_level=adl)
    return p.evaluate(facts, table, today)


# the five persons of domain-gaps.md §1 (the three old functions disagreed on every one)
@pytest.mark.parametrize(("kwargs", "groups", "tier"), [
    ({"age": 82, "living": "empty_nest"}, ("lone_elder",), 2),
    ({"age": 70, "living": "alone", "statuses": ["dibao"]}, ("dibao",), 3),  # 低保 but no 失能 assessment
    ({"age": 70, "living": "empty_nest", "statuses": ["dibao"], "grade": 3}, ("dibao",), 3),  # grade is not 失能
    ({"age": 65, "living": "alone", "grade": 2}, ("severe_disability",), 2),
    ({"age": 65, "living": "with_family", "grade": 1}, ("severe_disability",), 2),
])
def test_the_five_disputed_persons(kwargs, groups, tier):
    got = ev(**kwargs)
    assert got.groups == groups and got.tier == tier


def test_lone_elder_rules():
    assert ev(80, "alone").groups == ("lone_elder",)
    assert ev(79, "alone").groups == ()
    assert ev(85, "with_family").groups == ()
    assert ev(70, "alone", ["dibao"], adl=1).groups == ("lone_elder", "dibao")
    assert ev(70, "empty_nest", ["dibao"], adl=2).tier == 2
    assert ev(70, "alone", ["dibao"], adl=0).groups == ("dibao",)
    assert ev(59, "alone", ["dibao"], adl=2).groups == ("dibao",)
    assert ev(70, "alone", ["dibao_edge"], adl=2).groups == ("dibao_edge",)


def test_severe_disability_by_grade_status_or_adl():
    assert ev(40, statuses=["severe_disability"]).groups == ("severe_disability",)
    assert ev(40, grade=2).groups == ("severe_disability",)
    assert ev(40, grade=3).groups == ()
    assert ev(40, adl=3).groups == ("severe_disability",)
    assert ev(40, adl=2).groups == ()


def test_tiers_and_what_they_open():
    tekun = ev(50, statuses=["tekun", "dibao"])
    assert tekun.tier == 1 and tekun.backstop and tekun.county_pool and tekun.grant
    assert tekun.groups == ("tekun", "dibao") and tekun.watch_groups == ("tekun",)
    orphan = ev(10, statuses=["de_facto_orphan"])
    assert orphan.tier == 1 and orphan.watch_groups == ("orphan",)
    dibao = ev(50, statuses=["dibao"])
    assert dibao.tier == 3 and dibao.backstop and not dibao.county_pool and dibao.grant and dibao.watch_groups == ()
    edge = ev(50, statuses=["dibao_edge", "expenditure"])
    assert edge.tier == 4 and not edge.backstop and not edge.county_pool and not edge.grant
    child = ev(9, statuses=["left_behind_child"])
    assert child.tier == 2 and child.county_pool and not child.grant and child.watch_groups == ("left_behind_child",)
    fps = ev(70, statuses=["family_planning_special"])
    assert fps.tier == 2 and fps.grant and fps.watch_groups == ()
    other = ev(70)
    assert (other.groups, other.tier, other.backstop, other.county_pool, other.grant) == ((), 5, False, False, False)


def test_status_counts_until_review_date_plus_grace():
    review = date(2026, 11, 1)
    status = p.Status("tekun", review)
    assert p.status_state(review, review - timedelta(days=31)) == "ok"
    assert p.status_state(review, review - timedelta(days=30)) == "due"
    assert p.status_state(review, review + timedelta(days=30)) == "due"
    assert p.status_state(review, review + timedelta(days=31)) == "lapsed"
    assert p.lapses_on(review) == review + timedelta(days=31)
    still = ev(50, statuses=[status], today=review + timedelta(days=30))
    assert still.tier == 1 and still.counting == ("tekun",) and still.lapsed == ()
    gone = ev(50, statuses=[status], today=review + timedelta(days=31))
    assert gone.tier == 5 and gone.counting == () and gone.lapsed == ("tekun",)
    assert not gone.grant and not gone.backstop and gone.watch_groups == ()


def test_lapsed_dibao_no_longer_makes_a_lone_elder():
    lapsed = p.Status("dibao", TODAY - timedelta(days=40))
    assert ev(70, "alone", [lapsed], adl=2).groups == ()


def test_grace_days_from_the_table():
    table = p.with_settings(p.DEFAULT_TABLE, grace_days=0)
    yesterday = p.Status("dibao", TODAY - timedelta(days=1))
    assert ev(50, statuses=[yesterday], table=table).tier == 5
    assert ev(50, statuses=[p.Status("dibao", TODAY)], table=table).tier == 3


def test_settings_change_tiers_and_pools():
    table = p.with_settings(p.DEFAULT_TABLE, tiers={"dibao": 1}, watch={"dibao": True}, grant={"tekun": False},
                            county_pool_max_tier=5, backstop_max_tier=1)
    assert table.group("dibao").tier == 1 and table.group("dibao").watch
    dibao = ev(50, statuses=["dibao"], table=table)
    assert dibao.tier == 1 and dibao.watch_groups == ("dibao",)
    assert ev(50, table=table).county_pool and not ev(50, statuses=["dibao_edge"], table=table).backstop
    assert not ev(50, statuses=["tekun"], table=table).grant


@pytest.mark.parametrize("change", [
    {"tiers": {"dibao": 0}}, {"tiers": {"dibao": 6}}, {"tiers": {"dibao": True}}, {"tiers": {"nobody": 1}},
    {"backstop_max_tier": 0}, {"county_pool_max_tier": 6}, {"grace_days": -1}, {"grace_days": 366},
    {"notice_days": 0}, {"notice_days": "30"}, {"unknown": 1},
])
def test_bad_settings_are_refused(change):
    with pytest.raises(p.TableInvalid):
        p.with_settings(p.DEFAULT_TABLE, **change)


def test_round_trip_and_old_rows():
    table = p.with_settings(p.DEFAULT_TABLE, tiers={"expenditure": 3}, notice_days=14)
    assert p.from_dict(p.to_dict(table)) == table
    assert p.from_dict(None) == p.DEFAULT_TABLE and p.from_dict({"grace_days": 10}).grace_days == 10
    with pytest.raises(p.TableInvalid):
        p.from_dict({"groups": [{"key": "x"}]})
    with pytest.raises(p.TableInvalid):
        p.from_dict({"groups": [{"key": "x", "tier": 1, "watch": 0, "grant": 0, "rules": [{"statuses": ["cash"]}]}]})


def test_empty_rule_matches_nobody_and_payers():
    assert not p.matches(p.Rule(), p.Facts(age=90), frozenset())
    tekun, other = ev(50, statuses=["tekun"]), ev(50)
    assert p.payer_allowed("backstop", tekun) and not p.payer_allowed("backstop", other)
    assert p.payer_allowed("county_donation", tekun) and not p.payer_allowed("county_donation", other)
    assert p.payer_allowed("own", other) and p.payer_allowed("charity", other) and not p.payer_allowed("cash", tekun)
    assert p.public_payer(tekun) == "backstop" and p.public_payer(other) is None
    county_only = p.with_settings(p.DEFAULT_TABLE, backstop_max_tier=1, tiers={"tekun": 2})
    assert p.public_payer(ev(50, statuses=["tekun"], table=county_only)) == "county_donation"
