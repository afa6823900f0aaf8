"""Workbenches: the first screen of each role lists today's work, each item one click from done, scoped to the
role's subtree (issue 15)."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.visits.world import NOW
from tests.web.visits.conftest import VOLUNTEER_PASSWORD


def section(page: str, key: str) -> str:
    return page.split(f'data-test="today-{key}"', 1)[1].split("</section>", 1)[0]


def test_the_station_sees_todays_work_in_its_own_township_only(web, vw, make_staff, make_volunteer):
    vw.backstop(1200)
    pending = make_volunteer(name="待审甲")  # township 0, pending
    far_pending = make_volunteer(name="远方乙", village="village10")
    near = vw.post(vw.admin, vw.resident(), start=NOW + timedelta(hours=20), hours=2, duration=60)
    later = vw.post(vw.admin, vw.resident(), start=NOW + timedelta(days=5), hours=2, duration=60)
    far = vw.post(vw.admin, vw.resident(village="village10"), start=NOW + timedelta(hours=20), hours=2, duration=60)
    make_staff("jia")
    web.login("jia", "Station-pass-2026")
    page = web.client.get("/station/").get_data(as_text=True)
    volunteers = section(page, "volunteers")
    assert f"/station/volunteers/{pending.person_id}" in volunteers and "远方乙" not in volunteers
    assert far_pending.person_id
    unmatched = section(page, "unmatched")
    assert f"/visits/{near.id}" in unmatched  # starts within 48 hours, nobody yet
    assert f"/visits/{later.id}" not in unmatched and f"/visits/{far.id}" not in unmatched


def test_a_volunteer_sees_the_next_visit_with_a_route_and_the_balance(web, vw):
    vw.backstop(600)
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, vw.resident(), start=NOW + timedelta(days=1), hours=2, duration=60)
    vw.take(volunteer, req)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    today = section(web.client.get("/me").get_data(as_text=True), "volunteer")
    assert f"/visits/{req.id}" in today and "11-30 10:00" in today
    assert 'data-test="today-balance"' in today and 'data-test="today-proposals"' in today


def test_a_relative_sees_the_service_waiting_for_them_and_the_family_balance(web, vw):
    vw.backstop(600)
    elder = vw.resident()
    daughter = vw.relative_user(elder.id)
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, elder, start=NOW + timedelta(days=1), hours=2, duration=60)
    vw.take(volunteer, req)
    vw.serve(volunteer, req)
    web.login(daughter.phone, VOLUNTEER_PASSWORD)
    today = section(web.client.get("/me").get_data(as_text=True), "relative")
    assert f"/visits/{req.id}" in today and 'data-test="confirm-waiting"' in today
    assert elder.name in today and 'data-test="family-balance"' in today


def test_the_county_admin_sees_the_month_and_what_waits_for_a_second_approval(web, vw, session):
    from timebank.ledger import grants

    vw.backstop(600)
    grants.grant(session, vw.admin, to="backstop", minutes=10**6, reason="年度拨付", key="big-grant", now=NOW,
                 today=NOW.date())  # over the approval threshold: waits for a second admin
    session.commit()
    web.login("root", "Admin-pass-2026")
    page = web.client.get("/admin/").get_data(as_text=True)
    assert 'data-test="today-figures"' in page and "/reports/" in section(page, "figures")
    waiting = section(page, "grants")
    assert "年度拨付" in waiting and '<span class="badge-count">1</span>' in waiting
