"""Pure visit rules: the transition table (every state × action × role), priority, overlap with travel,
capacity, availability, settled minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from timebank.visits import domain
from timebank.visits.domain import Place, Slot, TransitionRefused

# The lifecycle as the issue states it, written out independently of domain.TABLE:
# state, action -> allowed roles, possible next states.
EXPECTED = """
review      approve       staff                     open
review      reject        staff                     cancelled
review      cancel        staff resident relative   cancelled
review      expire        system                    expired
open        take          staff volunteer           open matched
open        give_back     staff volunteer           open
open        cancel        staff resident relative   cancelled
open        expire        system                    expired
matched     give_back     staff volunteer           open
matched     no_show       staff                     open
matched     check_in      staff volunteer           in_service
matched     cancel        staff resident relative   cancelled
matched     expire        system                    expired
in_service  check_in      staff volunteer           in_service
in_service  check_out     staff volunteer           in_service done
in_service  no_show       staff                     in_service done
done        confirm       staff resident relative   confirmed
done        auto_confirm  system                    confirmed
done        dispute       staff resident relative   disputed
confirmed   settle        system                    settled
disputed    resolve       staff                     resolved
"""
STATE_WORDS = set(domain.STATES)


def expected():
    table = {}
    for line in EXPECTED.strip().splitlines():
        state, action, *rest = line.split()
        roles = {w for w in rest if w in domain.ROLES}
        targets = {w for w in rest if w in STATE_WORDS}
        table[(state, action)] = (roles, targets)
    return table


@pytest.mark.parametrize("state", domain.STATES)
def test_every_state_action_role(state):
    spec = expected()
    for action in domain.ACTIONS:
        for role in domain.ROLES:
            entry = spec.get((state, action))
            if entry is not None and role in entry[0]:
                for facts in ({"seats_left": 0, "all_out": True}, {"seats_left": 1, "all_out": False}):
                    target, acting = domain.transition(state, action, [role], **facts)
                    assert target in entry[1] and acting == role
            else:
                with pytest.raises(TransitionRefused) as refused:
                    domain.transition(state, action, [role])
                assert refused.value.reason == ("role" if entry else "not_in_table")
                assert not domain.allowed(state, action, role)


def test_table_has_nothing_the_spec_lacks():
    assert set(domain.TABLE) == set(expected())
    for state in domain.TERMINAL:
        assert not [key for key in domain.TABLE if key[0] == state]


def test_facts_pick_the_target():
    assert domain.transition("open", "take", ["volunteer"], seats_left=0)[0] == "matched"
    assert domain.transition("open", "take", ["volunteer"], seats_left=2)[0] == "open"
    assert domain.transition("in_service", "check_out", ["volunteer"], all_out=False)[0] == "in_service"
    assert domain.transition("in_service", "check_out", ["volunteer"], all_out=True)[0] == "done"
    # an actor with several roles acts in the first one the table allows
    assert domain.transition("done", "confirm", ["volunteer", "relative"]) == ("confirmed", "relative")


def test_review_gate_for_public_money():
    """Non-staff posts paid by the backstop or a charity's pool wait for review; own hours and the county
    pool open at once; station posts always open at once."""
    assert domain.needs_review("backstop", staff=False) and domain.needs_review("charity", staff=False)
    assert not domain.needs_review("own", staff=False) and not domain.needs_review("county_donation", staff=False)
    assert not domain.needs_review("backstop", staff=True) and not domain.needs_review("charity", staff=True)
    with pytest.raises(TransitionRefused):
        domain.transition("review", "take", ["volunteer"])


def test_priority_score():
    assert domain.priority_score(1, False) > domain.priority_score(2, True) > domain.priority_score(2, False)


T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
HOME = Place(30.50, 114.30)
FAR = Place(30.50, 114.40)  # ~9.6 km east: 39 minutes at 15 km/h


def test_distance_and_travel():
    assert 9.4 < domain.distance_km(HOME, FAR) < 9.8
    assert domain.travel_minutes(HOME, FAR) == 39
    assert domain.travel_minutes(HOME, HOME) == 0
    assert domain.travel_minutes(None, FAR) == 0


def test_overlap_counts_travel_time():
    held = [Slot(T0, T0 + timedelta(hours=1), HOME)]
    assert domain.conflict(Slot(T0 + timedelta(minutes=30), T0 + timedelta(minutes=90), HOME), held)
    assert domain.conflict(Slot(T0 + timedelta(hours=1), T0 + timedelta(hours=2), HOME), held) is None
    assert domain.conflict(Slot(T0 + timedelta(minutes=90), T0 + timedelta(hours=3), FAR), held)  # 30 < 39 min
    assert domain.conflict(Slot(T0 + timedelta(minutes=99), T0 + timedelta(hours=3), FAR), held) is None
    assert domain.conflict(Slot(T0 - timedelta(minutes=80), T0 - timedelta(minutes=20), FAR), held)


def test_capacity():
    assert domain.within_capacity(540, 60, 600)
    assert not domain.within_capacity(541, 60, 600)
    assert domain.week_start(date(2026, 12, 6)) == date(2026, 11, 30)


def test_availability_weekly_and_exceptions():
    monday = datetime(2026, 11, 30, 9, 0)
    weekly = [(0, 8 * 60, 12 * 60)]
    assert domain.is_available(weekly, [], monday, monday + timedelta(hours=2))
    assert not domain.is_available(weekly, [], monday, monday + timedelta(hours=4))
    away = domain.Exception_(date(2026, 11, 30), False, 10 * 60, 11 * 60)
    assert not domain.is_available(weekly, [away], monday, monday + timedelta(hours=2))
    extra = domain.Exception_(date(2026, 12, 1), True, 14 * 60, 18 * 60)
    tuesday = datetime(2026, 12, 1, 15, 0)
    assert domain.is_available(weekly, [extra], tuesday, tuesday + timedelta(hours=1))
    assert not domain.is_available(weekly, [], tuesday, tuesday + timedelta(hours=1))


def test_window_rules():
    now = T0
    domain.check_window(now + timedelta(hours=1), now + timedelta(hours=2), 60, now)
    for start, end, minutes, reason in (
        (now - timedelta(minutes=1), now + timedelta(hours=2), 60, "window_past"),
        (now + timedelta(hours=1), now + timedelta(hours=1, minutes=59), 60, "window_short"),
        (now + timedelta(hours=1), now + timedelta(days=20), 60, "window_long"),
        (now + timedelta(hours=1), now + timedelta(hours=2), 0, "duration"),
    ):
        with pytest.raises(domain.RuleBroken) as error:
            domain.check_window(start, end, minutes, now)
        assert error.value.reason == reason


def test_weekly_recurrence():
    windows = domain.occurrences(T0, T0 + timedelta(hours=2), 4)
    assert [w[0] - T0 for w in windows] == [timedelta(weeks=n) for n in range(4)]
    for weeks in (0, 27):
        with pytest.raises(domain.RuleBroken):
            domain.occurrences(T0, T0 + timedelta(hours=2), weeks)


def test_settle_minutes_caps_and_refuses_backwards():
    assert domain.settle_minutes(T0, T0 + timedelta(minutes=50), 60, 30) == 50
    assert domain.settle_minutes(T0, T0 + timedelta(hours=3), 60, 30) == 90
    with pytest.raises(domain.RuleBroken):
        domain.settle_minutes(T0, T0, 60, 30)
    with pytest.raises(domain.RuleBroken):
        domain.settle_minutes(T0, T0 - timedelta(minutes=5), 60, 30)


def test_resolution_and_late_give_back():
    assert domain.resolved_minutes("all", 50, None) == 50
    assert domain.resolved_minutes("none", 50, None) == 0
    assert domain.resolved_minutes("part", 50, 20) == 20
    for outcome, part in (("part", 51), ("part", None), ("maybe", 1)):
        with pytest.raises(domain.RuleBroken):
            domain.resolved_minutes(outcome, 50, part)
    assert domain.late_give_back(T0, T0 - timedelta(hours=23), 24)
    assert not domain.late_give_back(T0, T0 - timedelta(hours=25), 24)
    assert domain.around_now(T0, T0 + timedelta(hours=1), T0 - timedelta(minutes=60), 60)
    assert not domain.around_now(T0, T0 + timedelta(hours=1), T0 - timedelta(minutes=61), 60)


def test_rules_validation():
    domain.validate_rules(domain.Rules())
    with pytest.raises(domain.RuleBroken):
        domain.validate_rules(domain.Rules(auto_confirm_days=0))
