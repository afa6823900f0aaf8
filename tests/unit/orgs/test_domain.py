from datetime import UTC, datetime, timedelta

import pytest

from timebank.orgs import domain

T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
END = T0 + timedelta(hours=3)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_minutes_are_time_on_site():
    assert domain.credited_minutes(at(10), at(100), T0, END) == 90


def test_minutes_are_capped_by_the_activity_length():
    assert domain.credited_minutes(at(-50), at(240), T0, END) == 180


def test_seconds_are_dropped_and_zero_on_site_is_zero():
    assert domain.credited_minutes(at(0), at(0) + timedelta(seconds=59), T0, END) == 0


def test_check_out_before_check_in_is_refused():
    with pytest.raises(domain.RuleBroken) as refused:
        domain.credited_minutes(at(60), at(30), T0, END)
    assert refused.value.reason == "out_before_in"


def test_an_activity_ending_before_it_starts_is_refused():
    with pytest.raises(domain.RuleBroken) as refused:
        domain.check_window(END, T0)
    assert refused.value.reason == "end_before_start"
    with pytest.raises(domain.RuleBroken):
        domain.check_window(T0, T0)
    with pytest.raises(domain.RuleBroken) as long:
        domain.check_window(T0, T0 + timedelta(hours=25))
    assert long.value.reason == "too_long"
    assert domain.check_window(T0, END).minutes == 180


@pytest.mark.parametrize("capacity", [0, -1, 1001, True, "5"])
def test_capacity_range(capacity):
    with pytest.raises(domain.RuleBroken):
        domain.check_capacity(capacity)


def test_capacity_up_to_hundreds():
    assert domain.check_capacity(500) == 500
    domain.check_room(500, 499, 1)
    with pytest.raises(domain.RuleBroken) as full:
        domain.check_room(500, 490, 11)
    assert full.value.reason == "full" and full.value.details == {"left": 10}


def test_scan_checks_in_then_out_then_nothing():
    assert domain.next_scan_action(None, None) == "check_in"
    assert domain.next_scan_action(at(0), None) == "check_out"
    with pytest.raises(domain.RuleBroken):
        domain.next_scan_action(at(0), at(10))


def test_scan_time_window():
    domain.check_scan_time("check_in", T0 - timedelta(minutes=60), T0, END)
    with pytest.raises(domain.RuleBroken) as early:
        domain.check_scan_time("check_in", T0 - timedelta(minutes=61), T0, END)
    assert early.value.reason == "too_early"
    with pytest.raises(domain.RuleBroken) as ended:
        domain.check_scan_time("check_in", END + timedelta(minutes=1), T0, END)
    assert ended.value.reason == "ended"
    domain.check_scan_time("check_out", END + timedelta(hours=12), T0, END)
    with pytest.raises(domain.RuleBroken):
        domain.check_scan_time("check_out", END + timedelta(hours=12, minutes=1), T0, END)


def test_list_steps():
    domain.check_attendance_step("check_in", None, None, at(0))
    for args, reason in ((("check_in", at(0), None, at(5)), "already_in"),
                         (("check_out", None, None, at(5)), "out_before_checkin"),
                         (("check_out", at(10), None, at(5)), "out_before_in"),
                         (("check_out", at(0), at(5), at(6)), "already_out"),
                         (("dance", None, None, at(0)), "action")):
        with pytest.raises(domain.RuleBroken) as refused:
            domain.check_attendance_step(*args)
        assert refused.value.reason == reason


def test_corrections_need_a_reason_and_ordered_times():
    assert domain.check_correction(at(0), at(60), "  忘记签退  ") == "忘记签退"
    assert domain.check_correction(None, None, "未到场") == "未到场"
    for args, reason in (((at(0), at(60), " "), "reason"), ((None, at(60), "x"), "out_before_checkin"),
                         ((at(60), at(0), "x"), "out_before_in")):
        with pytest.raises(domain.RuleBroken) as refused:
            domain.check_correction(*args)
        assert refused.value.reason == reason


def test_the_policy_decides_where_group_minutes_go():
    assert domain.credit_destination(True) == "county_pool"
    assert domain.credit_destination(False) == "volunteer"
