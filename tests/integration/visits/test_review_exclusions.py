"""Review before public money is spent, and 换人 (a resident no longer wants a volunteer)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.integration.visits.world import NOW
from timebank.dispatch import build
from timebank.errors import Conflict, DomainError, Forbidden, NotInScope, ValidationFailed
from timebank.notify.models import Notification
from timebank.visits import open_list, review
from timebank.visits import service as visits
from timebank.visits.models import Exclusion, VisitEvent


def _built_request_ids(vw):
    built = build.build(vw.session, vw.county["root"], start=NOW, end=NOW + timedelta(days=7), now=NOW)
    return set(built.requests.values())


def test_a_relatives_backstop_request_waits_in_review_invisible_to_volunteers(vw, make_staff):
    vw.backstop(600)
    elder = vw.resident(kinds=("tekun",))
    daughter = vw.relative_user(elder.id)
    volunteer = vw.volunteer(name="接单者")
    req = vw.post(daughter, elder, payer="backstop")
    assert req.status == "review"
    event = vw.session.scalar(select(VisitEvent).where(VisitEvent.request_id == req.id))
    assert (event.action, event.to_status, event.actor_role) == ("post", "review", "relative")
    # not on the volunteer board, not visible, not takeable, not in matching
    assert req.id not in set(open_list.eligible_ids(vw.session, volunteer, now=NOW))
    with pytest.raises(NotInScope):
        visits.load(vw.session, volunteer, req.id)
    with pytest.raises(NotInScope):
        vw.take(volunteer, req)
    vw.session.rollback()
    assert req.id not in _built_request_ids(vw)
    # the station of the resident's township sees it in the queue; another township's does not
    station = make_staff("zhan0")
    other = make_staff("zhan1", township_index=1)
    assert [r.id for r in review.queue(vw.session, station)[0]] == [req.id]
    assert review.queue(vw.session, other) == ([], 0)
    with pytest.raises(NotInScope):
        review.approve(vw.session, other, req.id, now=NOW)
    vw.session.rollback()
    with pytest.raises(DomainError):
        review.approve(vw.session, volunteer, req.id, now=NOW)
    vw.session.rollback()
    review.approve(vw.session, station, req.id, reason="情况属实", now=NOW)
    vw.session.commit()
    assert req.status == "open" and req.reviewed_by_id == station.id and req.reviewed_at is not None
    assert req.id in set(open_list.eligible_ids(vw.session, volunteer, now=NOW))
    assert req.id in _built_request_ids(vw)
    assert vw.session.scalar(select(Notification).where(Notification.user_id == daughter.id,
                                                        Notification.event == "visit_review_approved"))
    vw.take(volunteer, req)
    assert req.status == "matched"


def test_reject_needs_a_reason_cancels_and_notifies_the_poster(vw, make_staff):
    elder = vw.resident(kinds=("tekun",))
    daughter = vw.relative_user(elder.id)
    req = vw.post(daughter, elder, payer="backstop")
    station = make_staff("zhan0")
    with pytest.raises(ValidationFailed):
        review.reject(vw.session, station, req.id, reason="  ", now=NOW)
    vw.session.rollback()
    assert req.status == "review"
    review.reject(vw.session, station, req.id, reason="已有家人照料，不属于兜底范围", now=NOW)
    vw.session.commit()
    assert req.status == "cancelled" and req.review_reason == "已有家人照料，不属于兜底范围"
    note = vw.session.scalar(select(Notification).where(Notification.user_id == daughter.id,
                                                        Notification.event == "visit_review_rejected"))
    assert note.params["reason"] == "已有家人照料，不属于兜底范围"
    with pytest.raises(DomainError):
        review.approve(vw.session, station, req.id, now=NOW)
    vw.session.rollback()


def test_own_hours_county_pool_and_staff_posts_open_at_once(vw, make_staff):
    vw.backstop(600)
    elder = vw.resident(kinds=("tekun",))
    vw.fund(elder.id, 300)
    daughter = vw.relative_user(elder.id)
    assert vw.post(daughter, elder, payer="own").status == "open"
    assert vw.post(daughter, elder, payer="county_donation").status == "open"
    assert vw.post(make_staff("zhan0"), elder, payer="backstop").status == "open"


def test_a_poster_may_cancel_while_in_review_and_review_expires_with_its_window(vw):
    elder = vw.resident(kinds=("tekun",))
    daughter = vw.relative_user(elder.id)
    first = vw.post(daughter, elder, payer="backstop")
    visits.cancel(vw.session, daughter, first.id, reason="不需要了", now=NOW)
    vw.session.commit()
    assert first.status == "cancelled"
    second = vw.post(daughter, elder, payer="backstop")
    assert second.id in visits.expire_due(vw.session, now=second.latest_end + timedelta(minutes=1))
    assert second.status == "expired"


def test_exclusion_by_station_and_by_a_relative_after_a_visit(vw, make_staff):
    elder = vw.resident()
    daughter = vw.relative_user(elder.id)
    first, second = vw.volunteer(name="第一位"), vw.volunteer(name="第二位")
    vw.fund(elder.id, 600)
    req = vw.post(daughter, elder, payer="own")
    # before the volunteer served the resident, a relative cannot exclude them
    with pytest.raises(Forbidden):
        visits.add_exclusion(vw.session, daughter, elder.id, first.person_id, reason="不合适")
    vw.session.rollback()
    vw.take(first, req)
    vw.serve(first, req)
    vw.confirm(daughter, req)
    with pytest.raises(ValidationFailed):
        visits.add_exclusion(vw.session, daughter, elder.id, first.person_id, reason=" ")
    vw.session.rollback()
    row = visits.add_exclusion(vw.session, daughter, elder.id, first.person_id, reason="老人不习惯", now=NOW)
    vw.session.commit()
    with pytest.raises(Conflict):
        visits.add_exclusion(vw.session, daughter, elder.id, first.person_id, reason="再次")
    vw.session.rollback()
    # take-seat refuses with a clear message; matching never proposes the pair
    nxt = vw.post(daughter, elder, payer="own")
    with pytest.raises(DomainError) as caught:
        vw.take(first, nxt)
    vw.session.rollback()
    assert "已被排除" in str(caught.value.message)
    built = build.build(vw.session, vw.county["root"], start=NOW, end=NOW + timedelta(days=7), now=NOW)
    problem_id = next(k for k, v in built.requests.items() if v == nxt.id)
    entry = next(r for r in built.problem["requests"] if r["id"] == problem_id)
    assert f"v{first.person_id}" in entry["excluded"] and f"v{second.person_id}" not in entry["excluded"]
    # a station of another township cannot see or lift it; the resident's station can
    with pytest.raises(NotInScope):
        visits.remove_exclusion(vw.session, make_staff("zhan1", township_index=1), row.id)
    vw.session.rollback()
    station = make_staff("zhan0")
    assert [x.volunteer_id for x in visits.exclusions_for(vw.session, station, elder.id)] == [first.person_id]
    with pytest.raises(NotInScope):
        visits.remove_exclusion(vw.session, station, row.id, resident_id=elder.id + 999)
    vw.session.rollback()
    visits.remove_exclusion(vw.session, station, row.id, resident_id=elder.id)
    vw.session.commit()
    assert vw.session.scalar(select(Exclusion.id)) is None
    vw.take(first, nxt)
    assert nxt.status == "matched"


def test_station_excludes_without_a_visit_and_strangers_cannot(vw, make_staff):
    elder = vw.resident()
    volunteer = vw.volunteer()
    stranger = vw.volunteer(name="路人")
    with pytest.raises(NotInScope):
        visits.add_exclusion(vw.session, stranger, elder.id, volunteer.person_id, reason="x")
    vw.session.rollback()
    with pytest.raises(NotInScope):
        visits.add_exclusion(vw.session, make_staff("zhan1", township_index=1), elder.id, volunteer.person_id,
                             reason="x")
    vw.session.rollback()
    visits.add_exclusion(vw.session, make_staff("zhan0"), elder.id, volunteer.person_id, reason="家属电话要求换人")
    vw.session.commit()
    assert vw.session.scalar(select(Exclusion.reason)) == "家属电话要求换人"
