"""Taking a seat at a time the volunteer picks (the earliest that fits preselected), a finished visit that no
longer blocks its unused planned time, and a take blocked only by the weekly timetable fixed in place."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.integration.visits.world import NOW
from tests.web.visits.conftest import VOLUNTEER_PASSWORD
from timebank.people.availability import AvailabilityException
from timebank.people.models import Availability, VolunteerProfile
from timebank.visits.models import ServiceRequest

START = NOW + timedelta(days=1)  # Monday 10:00 in the county


def options(page):
    return re.findall(r'<option (?:selected )?value="([^"]+)"', page)


def test_the_volunteer_picks_when_to_come_and_the_earliest_is_proposed(web, vw, session):
    vw.backstop(600)
    req = vw.post(vw.admin, vw.resident(), start=START, hours=3, duration=60)
    volunteer = vw.volunteer()
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    offered = options(page)
    assert len(offered) == 9  # 10:00 to 12:00 in quarter hours for a one-hour visit in a three-hour window
    assert re.search(r'<option selected value="' + re.escape(offered[0]), page)  # the earliest preselected
    assert web.post(f"/visits/{req.id}/take", {"t-start": offered[2]}, token_from=f"/visits/{req.id}").status_code \
        == 302
    session.expire_all()
    assert session.get(ServiceRequest, req.id).scheduled_start == START + timedelta(minutes=30)


def test_a_time_outside_the_offer_is_refused_on_the_page(web, vw, session):
    vw.backstop(600)
    req = vw.post(vw.admin, vw.resident(), start=START, hours=2, duration=60)
    volunteer = vw.volunteer()
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    bad = (START + timedelta(hours=5)).isoformat()
    response = web.post(f"/visits/{req.id}/take", {"t-start": bad}, token_from=f"/visits/{req.id}")
    assert response.status_code == 422 and "请重新选择" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(ServiceRequest, req.id).scheduled_start is None


def test_a_visit_finished_early_frees_the_rest_of_its_planned_time(web, vw, session):
    vw.backstop(1200)
    volunteer = vw.volunteer()
    first = vw.post(vw.admin, vw.resident(), start=START, hours=2, duration=120)  # planned 10:00-12:00
    vw.take(volunteer, first)
    vw.serve(volunteer, first, minutes=30)  # done at 10:30
    second = vw.post(vw.admin, vw.resident(), start=START + timedelta(minutes=45), hours=2, duration=60)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    offered = options(web.client.get(f"/visits/{second.id}").get_data(as_text=True))
    assert datetime.fromisoformat(offered[0]) == START + timedelta(minutes=45)  # not pushed past the planned 12:00
    assert offered[0].endswith("+08:00")  # in the county's time


def test_a_take_blocked_by_the_timetable_says_why_and_fixes_it_in_place(web, vw, session):
    vw.backstop(600)
    req = vw.post(vw.admin, vw.resident(), start=START, hours=2, duration=60)
    volunteer = vw.volunteer()
    profile = session.get(VolunteerProfile, volunteer.person_id)
    profile.availability = [Availability(weekday=5, start_minute=540, end_minute=720)]  # Saturdays only
    session.commit()
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert 'data-test="take-blocked"' in page and "不在志愿者的可服务时间内" in page
    assert 'data-test="fix-availability"' in page
    start = re.search(r'name="o-start" value="([^"]+)"', page).group(1)
    assert datetime.fromisoformat(start) == START
    done = web.post(f"/visits/{req.id}/take-extra-time", {"o-start": start}, token_from=f"/visits/{req.id}")
    assert done.status_code == 302
    session.expire_all()
    assert session.get(ServiceRequest, req.id).scheduled_start == START
    extra = session.scalars(select(AvailabilityException).where(
        AvailabilityException.person_id == volunteer.person_id)).one()
    assert (extra.available, extra.start_minute, extra.end_minute) == (True, 600, 660)


def test_an_overlap_cannot_be_fixed_by_adding_time(web, vw, session):
    vw.backstop(1200)
    volunteer = vw.volunteer()
    first = vw.post(vw.admin, vw.resident(), start=START, hours=1, duration=60)
    vw.take(volunteer, first)
    second = vw.post(vw.admin, vw.resident(), start=START, hours=1, duration=60)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    page = web.client.get(f"/visits/{second.id}").get_data(as_text=True)
    assert 'data-test="take-blocked"' in page and "重叠" in page and 'data-test="take-extra-time"' not in page
    before = session.scalar(select(AvailabilityException.id))
    forced = web.post(f"/visits/{second.id}/take-extra-time", {"o-start": START.isoformat()},
                      token_from=f"/visits/{second.id}")
    assert forced.status_code == 409
    assert session.scalar(select(AvailabilityException.id)) == before  # nothing added


def test_the_api_offers_the_same_starts(client, vw):
    from tests.web.visits.test_disclosure import bearer

    vw.backstop(600)
    req = vw.post(vw.admin, vw.resident(), start=START, hours=2, duration=60)
    volunteer = vw.volunteer()
    body = client.get(f"/api/v1/visits/{req.id}/start-options", headers=bearer(vw, volunteer)).get_json()
    assert len(body["items"]) == 5 and body["reason"] is None
    taken = client.post(f"/api/v1/visits/{req.id}/take", json={"start": body["items"][1]},
                        headers=bearer(vw, volunteer))
    assert taken.status_code == 200 and taken.get_json()["scheduled_start"].startswith("2026-11-30T02:15")


def test_a_refused_button_keeps_the_person_on_the_visit_page_with_the_reason(web, vw):
    vw.backstop(600)
    req = vw.post(vw.admin, vw.resident(), start=START, hours=2, duration=60)
    volunteer = vw.volunteer()
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    refused = web.post(f"/visits/{req.id}/give-back", token_from=f"/visits/{req.id}")  # holds no seat
    page = refused.get_data(as_text=True)
    assert 400 <= refused.status_code < 500
    assert 'data-test="refusal"' in page and 'data-test="seats"' in page  # the visit page, the reason on it
