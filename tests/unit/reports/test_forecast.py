"""The liability forecast model and the reports' pure rules, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from timebank.reports import domain, forecast
from timebank.reports.forecast import Assumptions


def test_no_deposits_no_lapse_redeems_a_share_of_each_redeeming_balance():
    years = forecast.project({59: 1000, 30: 500}, {}, Assumptions(redemption_age=60, redemption_rate_pct=10,
                                                                lapse_rate_pct=0, deposit_growth_pct=0), horizon=2)
    # year 1: the 59-year-old is 60 and redeems 10% of 1000; the 30-year-old is 31 and keeps 500
    assert (years[0].demand, years[0].liability, years[0].deposits) == (100, 1400, 0)
    assert (years[1].demand, years[1].liability) == (90, 1310)


def test_deposits_grow_and_cover_demand_until_they_do_not():
    years = forecast.project({70: 100_000}, {40: 1000}, Assumptions(redemption_age=60, redemption_rate_pct=20,
                                                                  lapse_rate_pct=0, deposit_growth_pct=10))
    assert years[0].deposits == 1100 and years[1].deposits == 1210
    assert not years[0].covered  # 20% of 100,000 is far more than 1,100 deposited
    assert forecast.first_shortfall(years) == 1


def test_minutes_are_conserved_each_year():
    balances, deposits = {25: 3000, 58: 9000, 99: 400}, {30: 600, 61: 50}
    a = Assumptions(redemption_age=60, redemption_rate_pct=15, lapse_rate_pct=3, deposit_growth_pct=-2)
    held = sum(balances.values())
    for year in forecast.project(balances, deposits, a):
        assert held + year.deposits - year.demand - year.lapsed == year.liability
        assert year.liability >= 0 and year.demand >= 0
        held = year.liability


def test_a_later_redemption_age_postpones_demand():
    early = forecast.project({55: 10_000}, {}, Assumptions(redemption_age=56, redemption_rate_pct=10))
    late = forecast.project({55: 10_000}, {}, Assumptions(redemption_age=65, redemption_rate_pct=10))
    assert early[0].demand > 0 and late[0].demand == 0 and late[9].demand > 0


@pytest.mark.parametrize("field,value", [("redemption_age", 49), ("redemption_rate_pct", 0),
                                         ("lapse_rate_pct", 51), ("deposit_growth_pct", -51),
                                         ("redemption_age", "60"), ("lapse_rate_pct", True)])
def test_assumptions_out_of_range_are_refused(field, value):
    with pytest.raises(forecast.AssumptionInvalid) as caught:
        forecast.from_dict({field: value})
    assert caught.value.field == field


def test_stored_assumptions_fall_back_to_the_policy_age():
    assert forecast.from_dict(None, redemption_age=65).redemption_age == 65
    assert forecast.from_dict({"lapse_rate_pct": 5, "unknown": 1}).lapse_rate_pct == 5


def test_cohorts_cover_every_age():
    assert dict(forecast.by_cohort({12: 1, 30: 2, 39: 3, 85: 4, 104: 5})) == {
        "under_30": 1, "30_39": 5, "40_49": 0, "50_59": 0, "60_69": 0, "70_79": 0, "80_plus": 9}


def test_periods_and_age_bands():
    with pytest.raises(domain.PeriodInvalid) as caught:
        domain.period(date(2026, 11, 2), date(2026, 11, 1))
    assert caught.value.reason == "backwards"
    with pytest.raises(domain.PeriodInvalid):
        domain.period(date(1, 1, 1), date(2026, 1, 1))
    assert domain.period(date(2026, 11, 1), date(2026, 11, 1)).days == 1
    assert domain.previous_month(date(2026, 1, 1)) == domain.Period(date(2025, 12, 1), date(2025, 12, 31))
    assert domain.month_of(date(2028, 2, 10)).end == date(2028, 2, 29)
    bands = {key: (after, upto) for key, after, upto in domain.age_band_bounds(date(2026, 11, 30))}
    assert bands["18_29"] == (date(1996, 11, 30), date(2008, 11, 30))  # born after / on or before
    assert bands["70_plus"][0] is None
    assert domain.median([3, 1, 2]) == 2 and domain.median([1, 2, 3, 4]) == 2.5 and domain.median([]) is None
