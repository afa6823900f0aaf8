"""Least disclosure decided in one pure function: who sees a request, and how much."""

from timebank.visits.disclosure import FULL, SEAT, VILLAGE, Facts, Viewer, decide, mask_name

REQ = dict(node_path="/1/2/3/", resident_id=50, status="open", safety=False, seats_volunteer=1, seat=None)


def facts(**changes) -> Facts:
    return Facts(**{**REQ, **changes})


def viewer(**changes) -> Viewer:
    base = dict(user_id=9, person_id=90, scope_path=None, volunteer="approved", social_worker_path=None)
    return Viewer(**{**base, **changes})


def test_staff_in_scope_and_family_see_everything():
    assert decide(viewer(scope_path="/1/2/", volunteer=None), facts()) == FULL
    assert decide(viewer(scope_path="/1/"), facts(status="settled")) == FULL
    assert decide(viewer(volunteer=None, family_of=frozenset({50})), facts(status="done")) == FULL
    assert decide(None, facts()) == FULL  # the system: jobs and matching


def test_staff_outside_scope_see_nothing():
    assert decide(viewer(scope_path="/1/7/", volunteer=None), facts()) is None


def test_only_approved_volunteers_see_open_requests_and_only_at_village_level():
    assert decide(viewer(), facts()) == VILLAGE
    for status in ("pending", "rejected", None):
        assert decide(viewer(volunteer=status), facts()) is None
    assert decide(viewer(), facts(status="matched")) is None


def test_a_live_seat_shows_contact_details_until_check_out():
    for status in ("open", "matched", "in_service"):
        assert decide(viewer(), facts(status=status, seat="live")) == SEAT
    assert decide(viewer(), facts(status="done", seat="live")) == VILLAGE
    assert decide(viewer(), facts(status="matched", seat="past")) == VILLAGE
    assert decide(viewer(volunteer="pending"), facts(status="settled", seat="past")) == VILLAGE


def test_safety_cases_only_for_the_station_social_worker():
    assert decide(viewer(), facts(safety=True, seats_volunteer=0)) is None
    assert decide(viewer(social_worker_path="/1/9/"), facts(safety=True, seats_volunteer=0)) is None
    assert decide(viewer(social_worker_path="/1/2/"), facts(safety=True, seats_volunteer=0)) == VILLAGE


def test_social_worker_only_requests_are_hidden_from_plain_volunteers():
    assert decide(viewer(), facts(seats_volunteer=0)) is None
    assert decide(viewer(social_worker_path="/1/"), facts(seats_volunteer=0)) == VILLAGE
    assert decide(viewer(social_worker=True), facts(seats_volunteer=0)) == VILLAGE


def test_masked_names_keep_only_the_surname():
    assert mask_name("王秀英") == "王**"
    assert mask_name("李娜") == "李*"
    assert mask_name("") == "—"


def test_proposal_reasons_for_volunteers_drop_the_priority_weight():
    from timebank.visits.disclosure import strip_explanation

    assert strip_explanation({"priority_minutes": 900, "continuity": True, "travel_km": 1.5}) == {
        "continuity": True, "travel_km": 1.5}
    assert strip_explanation(None) == {}
