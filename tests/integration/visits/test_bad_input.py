"""Every bad input from the issue: a clear error and nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.visits.world import NOW, TODAY
from timebank.errors import Conflict, Forbidden, InvalidTransition, NotInScope, ValidationFailed
from timebank.visits import onsite, settle
from timebank.visits import service as visits


def post_input(vw, resident, **kwargs):
    start = kwargs.pop("start", NOW + timedelta(days=1))
    return visits.RequestInput(resident_id=resident.id, category_id=vw.category().id, earliest_start=start,
                               latest_end=kwargs.pop("end", start + timedelta(hours=2)),
                               duration_minutes=kwargs.pop("duration", 60), payer=kwargs.pop("payer", "county_donation"),
                               **kwargs)


def refused(vw, error_class, work, field=None):
    before = vw.snapshot()
    with pytest.raises(error_class) as caught:
        work()
    vw.session.rollback()
    assert vw.snapshot() == before
    if field:
        assert caught.value.field == field
    return caught.value


@pytest.mark.parametrize("change, field", [
    ({"end": NOW + timedelta(days=1, minutes=30)}, "earliest_start"),  # window shorter than the duration
    ({"start": NOW - timedelta(hours=1)}, "earliest_start"),  # in the past
    ({"duration": 0}, "duration_minutes"),
    ({"repeat_weeks": 27}, "repeat_weeks"),
    ({"payer": "backstop"}, "payer"),  # not a priority resident
    ({"payer": "own"}, "payer"),  # no hours of their own
])
def test_bad_windows_and_payers(vw, change, field):
    elder = vw.resident(living="with_family")  # tier 5: not eligible for the backstop pool
    refused(vw, ValidationFailed, lambda: visits.post_request(vw.session, vw.admin, post_input(vw, elder, **change),
                                                              now=NOW, today=TODAY), field)


def test_resident_outside_the_posters_scope(vw, make_staff):
    elder = vw.resident(village="village10")
    staff = make_staff("zhan0", 0)
    refused(vw, NotInScope, lambda: visits.post_request(vw.session, staff, post_input(vw, elder), now=NOW, today=TODAY))
    stranger = vw.volunteer()
    refused(vw, NotInScope, lambda: visits.post_request(vw.session, stranger, post_input(vw, elder), now=NOW,
                                                        today=TODAY))
    unverified = vw.relative_user(elder.id, verified=False)
    refused(vw, NotInScope, lambda: visits.post_request(vw.session, unverified, post_input(vw, elder), now=NOW,
                                                        today=TODAY))


def test_taking_a_seat_that_overlaps_or_exceeds_capacity(vw):
    near, far = vw.resident(village="village00"), vw.resident(village="village11", name="远方老人")
    volunteer = vw.volunteer(cap=120)
    start = NOW + timedelta(days=1)
    first = vw.post(vw.admin, near, start=start, hours=1, duration=60)
    vw.take(volunteer, first)
    overlapping = vw.post(vw.admin, near, start=start + timedelta(minutes=30), hours=1, duration=60)
    error = refused(vw, Conflict, lambda: visits.take_seat(vw.session, volunteer, overlapping.id, now=NOW, today=TODAY))
    assert error.details["reason"] == "overlap"
    # right after, but ~11 km away: the travel time makes it overlap
    too_close = vw.post(vw.admin, far, start=start + timedelta(minutes=65), hours=1, duration=60)
    error = refused(vw, Conflict, lambda: visits.take_seat(vw.session, volunteer, too_close.id, now=NOW, today=TODAY))
    assert error.details["reason"] == "overlap"
    later = vw.post(vw.admin, near, start=start + timedelta(hours=3), hours=2, duration=90)  # 60 + 90 > 120
    error = refused(vw, Conflict, lambda: visits.take_seat(vw.session, volunteer, later.id, now=NOW, today=TODAY))
    assert error.details["reason"] == "capacity"


def test_skills_exclusion_and_unapproved(vw):
    elder = vw.resident()
    req = vw.post(vw.admin, elder, category_id=vw.category("repairs").id)
    no_skill = vw.volunteer(skills=("companionship",))
    refused(vw, ValidationFailed, lambda: visits.take_seat(vw.session, no_skill, req.id, now=NOW, today=TODAY))
    fixer = vw.volunteer(skills=("repairs",))
    visits.add_exclusion(vw.session, vw.admin, elder.id, fixer.person_id, reason="老人要求更换")
    vw.session.commit()
    refused(vw, ValidationFailed, lambda: visits.take_seat(vw.session, fixer, req.id, now=NOW, today=TODAY))
    pending = vw.make_volunteer(status="pending")
    refused(vw, ValidationFailed, lambda: visits.take_seat(vw.session, vw.admin, req.id,
                                                           volunteer_id=pending.person_id, now=NOW, today=TODAY))


def test_checkout_before_checkin_confirm_twice_and_own_visit(vw):
    elder = vw.resident()
    vw.backstop(300)
    volunteer = vw.volunteer()
    relative = vw.relative_user(elder.id)
    req = vw.post(vw.admin, elder, payer="county_donation")
    vw.take(volunteer, req)
    start = req.scheduled_start
    refused(vw, ValidationFailed, lambda: onsite.record(vw.session, vw.admin, req.id, volunteer.person_id, "check_out",
                                                        at=start, reason="补登", now=start + timedelta(hours=1)), "at")
    onsite.record(vw.session, vw.admin, req.id, volunteer.person_id, "check_in", at=start, reason="补登",
                  now=start + timedelta(hours=1))
    vw.session.commit()
    refused(vw, ValidationFailed, lambda: onsite.record(
        vw.session, vw.admin, req.id, volunteer.person_id, "check_out", at=start - timedelta(minutes=1), reason="补登",
        now=start + timedelta(hours=1)), "at")
    refused(vw, ValidationFailed, lambda: onsite.record(
        vw.session, vw.admin, req.id, volunteer.person_id, "check_out", at=start + timedelta(minutes=50), reason=" ",
        now=start + timedelta(hours=1)), "reason")
    onsite.record(vw.session, vw.admin, req.id, volunteer.person_id, "check_out", at=start + timedelta(minutes=50),
                  reason="补登", now=start + timedelta(hours=1))
    vw.session.commit()
    # a volunteer can never confirm (or dispute) their own visit, even as the resident's relative
    vw.relate(elder.id, volunteer.person_id)
    refused(vw, Forbidden, lambda: settle.confirm(vw.session, volunteer, req.id, rating=5, comment=None,
                                                  now=start + timedelta(days=1), today=TODAY))
    refused(vw, ValidationFailed, lambda: settle.confirm(vw.session, relative, req.id, rating=6, comment=None,
                                                         now=start + timedelta(days=1), today=TODAY), "rating")


def test_confirm_twice_and_transitions_not_in_the_table(vw):
    elder = vw.resident(kinds=("tekun",))
    vw.backstop(300)
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, elder, payer="backstop")
    refused(vw, InvalidTransition, lambda: settle.confirm(vw.session, vw.admin, req.id, rating=5, comment=None,
                                                          now=NOW, today=TODAY))  # open: nothing to confirm
    refused(vw, InvalidTransition, lambda: settle.dispute(vw.session, vw.admin, req.id, reason="x", now=NOW))
    refused(vw, InvalidTransition, lambda: settle.resolve(vw.session, vw.admin, req.id, outcome="all", minutes=None,
                                                          reason="x", now=NOW, today=TODAY))
    vw.take(volunteer, req)
    second = vw.volunteer()
    refused(vw, InvalidTransition, lambda: visits.take_seat(vw.session, vw.admin, req.id,
                                                            volunteer_id=second.person_id, now=NOW, today=TODAY))
    vw.serve(volunteer, req, minutes=40)
    refused(vw, InvalidTransition, lambda: visits.cancel(vw.session, vw.admin, req.id, reason="x", now=NOW))
    refused(vw, InvalidTransition, lambda: visits.give_back(vw.session, volunteer, req.id, now=NOW))
    vw.confirm(vw.admin, req)
    refused(vw, InvalidTransition, lambda: settle.confirm(vw.session, vw.admin, req.id, rating=5, comment=None,
                                                          now=NOW + timedelta(days=3), today=TODAY))
    assert settle.auto_confirm_due(vw.session, now=NOW + timedelta(days=30), today=TODAY) == []
    vw.check()


def test_give_back_late_counts_on_the_reliability_record(vw):
    from timebank.visits import queries

    elder = vw.resident()
    vw.fund(elder.id, 300)
    volunteer = vw.volunteer()
    early = vw.post(vw.admin, elder, start=NOW + timedelta(days=3), payer="own")
    late = vw.post(vw.admin, elder, start=NOW + timedelta(hours=5), payer="own")
    vw.take(volunteer, early)
    vw.take(volunteer, late)
    assert vw.account(elder.id).pending_debits == 180
    visits.give_back(vw.session, volunteer, early.id, now=NOW)
    visits.give_back(vw.session, volunteer, late.id, now=NOW)
    vw.session.commit()
    assert [s.status for s in (early.seats[0], late.seats[0])] == ["given_back", "late_cancel"]
    assert (early.status, late.status) == ("open", "open")
    assert vw.account(elder.id).pending_debits == 0
    other = vw.volunteer()
    third = vw.post(vw.admin, elder, start=NOW + timedelta(days=2), payer="own")
    vw.take(other, third)
    visits.no_show(vw.session, vw.admin, third.id, other.person_id, now=NOW + timedelta(days=2, hours=1))
    vw.session.commit()
    record = queries.reliability(vw.session, [volunteer.person_id, other.person_id])
    assert (record[volunteer.person_id].late_cancels, record[other.person_id].no_shows) == (1, 1)
    vw.check()
