"""Star levels from cumulative service hours with the thresholds as policy data, volunteer numbers, entries."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from timebank.people import record_domain as rd
from timebank.policy import domain as policy

DEFAULT = policy.DEFAULT_POLICY.star_thresholds_hours


def test_the_default_thresholds_are_100_300_600_1000_1500_hours():
    assert DEFAULT == (100, 300, 600, 1000, 1500) == rd.DEFAULT_STAR_HOURS


@pytest.mark.parametrize("stars, hours", list(enumerate(DEFAULT, start=1)))
def test_each_default_star_starts_exactly_at_its_threshold(stars, hours):
    assert rd.star_level(hours * 60 - 1, DEFAULT) == stars - 1
    assert rd.star_level(hours * 60, DEFAULT) == stars
    assert rd.star_level(hours * 60 + 1, DEFAULT) == stars


def test_no_star_below_the_first_threshold_and_five_above_the_last():
    assert rd.star_level(0, DEFAULT) == 0
    assert rd.star_level(10_000 * 60, DEFAULT) == 5


CUSTOM = (10, 20, 40, 80, 160)


@pytest.mark.parametrize("minutes, stars", [(599, 0), (600, 1), (1199, 1), (1200, 2), (2399, 2), (2400, 3),
                                            (4799, 3), (4800, 4), (9599, 4), (9600, 5), (99_999, 5)])
def test_custom_thresholds_from_the_policy(minutes, stars):
    custom = dataclasses.replace(policy.DEFAULT_POLICY, star_thresholds_hours=CUSTOM)
    assert rd.star_level(minutes, policy.validate(custom).star_thresholds_hours) == stars


def test_minutes_to_the_next_star():
    assert rd.next_star_minutes(0, DEFAULT) == 6000
    assert rd.next_star_minutes(6000, DEFAULT) == 300 * 60 - 6000
    assert rd.next_star_minutes(1500 * 60, DEFAULT) is None


def test_thresholds_survive_the_stored_policy_and_bad_ones_are_refused():
    custom = dataclasses.replace(policy.DEFAULT_POLICY, star_thresholds_hours=CUSTOM)
    assert policy.from_json(custom.to_json()).star_thresholds_hours == CUSTOM
    assert policy.from_json('{"redeem_min_age": 65}').star_thresholds_hours == DEFAULT  # older versions
    for bad in ((100, 300, 300, 1000, 1500), (300, 100, 600, 1000, 1500), (100, 300, 600, 1000),
                (0, 300, 600, 1000, 1500), (100, 300, 600, 1000, 100_001), (100, 300, 600, 1000, True)):
        with pytest.raises(policy.PolicyInvalid) as caught:
            policy.validate(dataclasses.replace(policy.DEFAULT_POLICY, star_thresholds_hours=bad))
        assert caught.value.field == "star_thresholds_hours"


def test_the_volunteer_number_is_county_year_and_a_unique_sequence_never_the_id_number():
    assert rd.volunteer_number("420999", 2026, 42) == "420999-2026-000042"


def test_certificates_count_only_verified_unretired_and_in_date():
    today = date(2026, 12, 2)
    assert rd.certificate_counts("verified", today, False, today)
    assert not rd.certificate_counts("verified", date(2026, 12, 1), False, today)
    assert not rd.certificate_counts("pending", date(2027, 1, 1), False, today)
    assert not rd.certificate_counts("verified", date(2027, 1, 1), True, today)


def test_insurance_covers_its_days_inclusive():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert rd.insurance_covers(start, end, False, start) and rd.insurance_covers(start, end, False, end)
    assert not rd.insurance_covers(start, end, False, date(2027, 1, 1))
    assert not rd.insurance_covers(start, end, True, start)


def test_entries_are_checked_whole():
    today = date(2026, 12, 2)
    ok, problem = rd.clean_entry("insurance", {"insurer": " 人保 ", "policy_no": "P1", "valid_from": today,
                                               "valid_to": today}, today)
    assert problem is None and ok["insurer"] == "人保"
    assert rd.clean_entry("insurance", {"insurer": "人保", "policy_no": "P1", "valid_from": today,
                                        "valid_to": date(2026, 12, 1)}, today) == ({}, ("valid_to", "span"))
    assert rd.clean_entry("training", {"course": "急救", "held_on": date(2026, 12, 3), "minutes": 60,
                                       "issuer": "红十字会"}, today)[1] == ("held_on", "future")
    assert rd.clean_entry("training", {"course": "急救", "held_on": today, "minutes": 0,
                                       "issuer": "红十字会"}, today)[1] == ("minutes", "range")
    assert rd.clean_entry("award", {"title": "优秀志愿者", "level": "galaxy", "awarded_on": today,
                                    "issuer": "县民政局"}, today)[1] == ("level", "choice")
    assert rd.clean_entry("evaluation", {"evaluated_on": today, "rating": 6}, today)[1] == ("rating", "range")
