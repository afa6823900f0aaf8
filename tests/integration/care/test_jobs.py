"""Proactive care, reminders, auto-confirm and expiry as scheduled jobs, under a controlled clock."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.visits.world import NOW, TODAY
from timebank.care import service as care
from timebank.care.models import CareVisit, VisitReminder
from timebank.jobs.runner import run_job
from timebank.notify.models import Notification
from timebank.people.models import ResidentProfile
from timebank.visits.models import ServiceRequest


@pytest.fixture
def clock_at(app):
    """Move the app's fixed clock (TIMEBANK_FIXED_NOW) for the runner; restored afterwards."""
    saved = app.config["TIMEBANK_FIXED_NOW"]

    def move(moment):
        app.config["TIMEBANK_FIXED_NOW"] = moment

    yield move
    app.config["TIMEBANK_FIXED_NOW"] = saved


def registered(vw, person, days_ago):
    profile = vw.session.get(ResidentProfile, person.id)
    profile.created_at = NOW - timedelta(days=days_ago)
    vw.session.commit()


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_watched_residents_without_visits_get_one_welfare_check(vw, clock_at):
    lone = vw.resident(birth=date(1940, 1, 1), living="alone", name="独居老人")  # 86, alone
    poor = vw.resident(kinds=("tekun",), birth=date(1955, 1, 1), living="with_family", name="特困老人")
    fine = vw.resident(birth=date(1950, 1, 1), living="with_family", name="一般老人")  # not watched
    recent = vw.resident(birth=date(1938, 1, 1), living="alone", name="刚登记")  # watched, registered recently
    for person, days in ((lone, 45), (poor, 40), (fine, 90), (recent, 3)):
        registered(vw, person, days)
    clock_at(NOW)
    overdue = care.overdue(vw.session, now=NOW, today=TODAY)
    assert [item.resident.id for item in overdue] == [lone.id, poor.id]
    assert overdue[0].groups == ["lone_elder"] and overdue[1].groups == ["tekun"]

    first = run_job("proactive_care", scheduled_for=NOW)
    assert first.counts == {"created": 2, "already_planned": 0, "no_public_payer": 0}
    requests = list(vw.session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)))
    assert {r.resident_id for r in requests} == {lone.id, poor.id}
    assert all(r.payer == "backstop" and r.category.code == "welfare_check" for r in requests)
    assert all(r.earliest_start > NOW for r in requests)
    assert count(vw.session, CareVisit) == 2

    # the next day's run finds them overdue still, but a visit is planned: nothing is added
    clock_at(NOW + timedelta(days=1))
    second = run_job("proactive_care", scheduled_for=NOW + timedelta(days=1))
    assert second.counts == {"created": 0, "already_planned": 2, "no_public_payer": 0}
    assert count(vw.session, ServiceRequest) == 2


def test_a_recent_visit_means_not_overdue(vw):
    lone = vw.resident(birth=date(1940, 1, 1), living="alone")
    registered(vw, lone, 100)
    volunteer = vw.volunteer()
    vw.backstop(10_000)
    req = vw.post(vw.admin, lone, payer="backstop")
    vw.take(volunteer, req)
    vw.serve(volunteer, req)
    later = NOW + timedelta(days=3)
    assert care.overdue(vw.session, now=later, today=TODAY) == []
    assert [i.resident.id for i in care.overdue(vw.session, now=NOW + timedelta(days=40), today=TODAY)] == [lone.id]


def test_station_sees_only_its_subtree_on_the_care_page(vw, web, make_staff):
    inside = vw.resident(birth=date(1940, 1, 1), living="alone", name="甲镇老人", village="village00")
    outside = vw.resident(birth=date(1940, 1, 1), living="alone", name="乙镇老人", village="village10")
    registered(vw, inside, 60)
    registered(vw, outside, 60)
    make_staff("jia")
    web.login("jia", "Station-pass-2026")
    page = web.client.get("/station/care/").get_data(as_text=True)
    assert "甲镇老人" in page and "乙镇老人" not in page and "重点空巢独居老人" in page


def test_reminders_go_out_24h_and_1h_before_once_each(vw, clock_at):
    resident = vw.resident(birth=date(1940, 1, 1), living="alone")
    volunteer = vw.volunteer()
    vw.backstop(10_000)
    start = NOW + timedelta(days=2)
    req = vw.post(vw.admin, resident, start=start, payer="backstop")
    vw.take(volunteer, req)
    begins = vw.session.get(ServiceRequest, req.id).scheduled_start

    def reminders():
        return count(vw.session, Notification, Notification.event == "visit_reminder",
                     Notification.user_id == volunteer.id)

    for moment, expected in ((begins - timedelta(hours=30), 0), (begins - timedelta(hours=23), 1),
                             (begins - timedelta(hours=20), 1), (begins - timedelta(minutes=50), 2),
                             (begins - timedelta(minutes=10), 2)):
        clock_at(moment)
        run_job("visit_reminders", scheduled_for=moment)
        assert reminders() == expected, moment
    assert count(vw.session, VisitReminder) == 2


def test_auto_confirm_and_expiry_jobs(vw, clock_at):
    resident = vw.resident(birth=date(1940, 1, 1), living="alone")
    volunteer = vw.volunteer()
    vw.backstop(10_000)
    served = vw.post(vw.admin, resident, payer="backstop")
    vw.take(volunteer, served)
    vw.serve(volunteer, served, minutes=50)
    untaken = vw.post(vw.admin, resident, start=NOW + timedelta(days=1, hours=5), payer="backstop")
    before = vw.balance(volunteer.person_id)
    moment = NOW + timedelta(days=10)
    clock_at(moment)
    confirmed = run_job("auto_confirm_visits", scheduled_for=moment)
    expired = run_job("expire_visit_requests", scheduled_for=moment)
    assert confirmed.counts == {"confirmed": 1} and expired.counts == {"expired": 1}
    vw.session.expire_all()
    assert vw.session.get(ServiceRequest, served.id).status == "settled"
    assert vw.session.get(ServiceRequest, untaken.id).status == "expired"
    assert vw.balance(volunteer.person_id) == before + 50
    again = run_job("auto_confirm_visits", scheduled_for=moment + timedelta(hours=1))
    assert again.counts == {"confirmed": 0}
    vw.check()
