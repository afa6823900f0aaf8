"""Hardship statuses that lapse: the station's review page (subtree only), 复核 and removal, the daily job's
notices (once), the policy page's priority table, and the API."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY
from timebank.jobs.runner import run_job
from timebank.notify.models import Notification
from timebank.people.models import HardshipStatus, Relative
from timebank.policy import service as policy_service


@pytest.fixture
def station0(web, make_staff):
    make_staff("jia", 0)
    web.login("jia", "Station-pass-2026")
    return web


def add_status(session, person_id, kind="dibao", review=TODAY + timedelta(days=10)):
    status = HardshipStatus(person_id=person_id, kind=kind, evidence_no="MZ1", review_date=review)
    session.add(status)
    session.commit()
    return status


def test_review_page_lists_due_statuses_in_the_subtree_only(station0, session, make_resident):
    inside = make_resident(village="village01", name="甲镇低保户").person_id
    outside = make_resident(village="village10", name="乙镇低保户").person_id
    later = make_resident(village="village00", name="明年复核").person_id
    add_status(session, inside)
    add_status(session, outside)
    add_status(session, later, review=TODAY + timedelta(days=200))
    page = station0.client.get("/station/reviews/").get_data(as_text=True)
    assert "甲镇低保户" in page and "乙镇低保户" not in page and "明年复核" not in page
    assert "待复核的困难认定" in station0.client.get("/station/").get_data(as_text=True)
    station0.client.set_cookie("timebank_lang", "en")
    english = station0.client.get("/station/reviews/").get_data(as_text=True)
    assert "Hardship statuses due for review" in english and "甲镇低保户" in english
    station0.client.set_cookie("timebank_lang", "zh_CN")


def test_renew_refuses_today_and_accepts_a_future_date(station0, session, make_resident):
    person = make_resident(village="village01").person_id
    status = add_status(session, person)
    refused = station0.post(f"/station/reviews/{status.id}/renew", {"review_date": TODAY.isoformat()},
                            token_from="/station/reviews/")
    assert refused.status_code == 422 and "下次复核日期必须晚于今天" in refused.get_data(as_text=True)
    empty = station0.post(f"/station/reviews/{status.id}/renew", {"review_date": ""}, token_from="/station/reviews/")
    assert empty.status_code == 422
    session.expire_all()
    assert session.get(HardshipStatus, status.id).review_date == TODAY + timedelta(days=10)
    new = TODAY + timedelta(days=365)
    ok = station0.post(f"/station/reviews/{status.id}/renew", {"review_date": new.isoformat()},
                       token_from="/station/reviews/")
    assert ok.status_code == 302
    session.expire_all()
    assert session.get(HardshipStatus, status.id).review_date == new


def test_outside_the_subtree_is_404_and_nothing_changes(station0, session, make_resident):
    person = make_resident(village="village10").person_id
    status = add_status(session, person)
    assert station0.post(f"/station/reviews/{status.id}/renew", {"review_date": "2027-06-01"},
                         token_from="/station/").status_code == 404
    assert station0.post(f"/station/reviews/{status.id}/remove", token_from="/station/").status_code == 404
    session.expire_all()
    assert session.get(HardshipStatus, status.id) is not None


def test_remove(station0, session, make_resident):
    status_id = add_status(session, make_resident(village="village00").person_id).id
    assert station0.post(f"/station/reviews/{status_id}/remove", token_from="/station/reviews/").status_code == 302
    session.expire_all()
    assert session.get(HardshipStatus, status_id) is None


def test_daily_job_tells_staff_once_and_the_relative_when_a_status_lapses(app, session, make_staff, make_resident,
                                                                          make_volunteer):
    staff = make_staff("jia", 0)
    other = make_staff("yi", 1)
    person = make_resident(village="village01", name="李大爷").person_id
    relative = make_volunteer(status="approved", village="village01", name="李儿子")
    session.add(Relative(resident_id=person, relative_id=relative.person_id, kinship="child", verified=True))
    status = add_status(session, person, kind="tekun", review=TODAY + timedelta(days=5))

    def notes(user_id, event):
        return session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.event == event))

    now = app.config["TIMEBANK_FIXED_NOW"]
    first = run_job("hardship_review", scheduled_for=now)
    assert first.counts["staff_notices"] == 1
    run_job("hardship_review", scheduled_for=now + timedelta(days=1))
    assert notes(staff.id, "status_review_due") == 1 and notes(other.id, "status_review_due") == 0
    assert notes(relative.id, "status_lapsed") == 0

    lapse = datetime.combine(status.review_date + timedelta(days=31), datetime.min.time(), tzinfo=UTC)
    saved = app.config["TIMEBANK_FIXED_NOW"]
    app.config["TIMEBANK_FIXED_NOW"] = lapse
    try:
        run_job("hardship_review", scheduled_for=lapse)
        run_job("hardship_review", scheduled_for=lapse + timedelta(days=1))
    finally:
        app.config["TIMEBANK_FIXED_NOW"] = saved
    assert notes(relative.id, "status_lapsed") == 1
    assert notes(staff.id, "status_review_due") == 1  # same status, same review date: once


def test_policy_page_shows_and_edits_the_priority_table(web, session, county):
    web.login("root", "Admin-pass-2026")
    page = web.client.get("/admin/policy/").get_data(as_text=True)
    assert "重点人群与优先级" in page and "80岁以上，独居或空巢" in page
    assert "60到79岁，独居或空巢，认定为低保，轻度失能及以上" in page
    form = {f"tier_{g.key}": str(g.tier) for g in policy_service.current(session)[1].priority.groups}
    bad = web.post("/admin/policy/priority", {**form, "tier_dibao": "9", "backstop_max_tier": "3",
                                              "county_pool_max_tier": "2", "grace_days": "30",
                                              "notice_days": "30"}, token_from="/admin/policy/")
    assert bad.status_code == 422 and "优先级应为1到5的整数" in bad.get_data(as_text=True)
    bad_days = web.post("/admin/policy/priority", {**form, "backstop_max_tier": "3", "county_pool_max_tier": "2",
                                                   "grace_days": "400", "notice_days": "30"},
                        token_from="/admin/policy/")
    assert bad_days.status_code == 422 and "宽限天数应在0到365天之间" in bad_days.get_data(as_text=True)
    assert policy_service.current(session)[0] is None
    form.update({"tier_dibao": "2", "backstop_max_tier": "3", "county_pool_max_tier": "3", "grace_days": "15",
                 "notice_days": "20", "watch_dibao": "y"})
    ok = web.post("/admin/policy/priority", form, token_from="/admin/policy/")
    assert ok.status_code == 302
    table = policy_service.current(session)[1].priority
    assert table.group("dibao").tier == 2 and table.group("dibao").watch and not table.group("tekun").watch
    assert (table.county_pool_max_tier, table.grace_days, table.notice_days) == (3, 15, 20)
    web.client.set_cookie("timebank_lang", "en")
    english = web.client.get("/admin/policy/").get_data(as_text=True)
    assert "aged 80 or over, living alone or in an empty nest" in english


def token_for(client, login, password):
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_api_priority_and_review_list_are_scoped(client, session, make_staff, make_resident):
    make_staff("jia", 0)
    inside = make_resident(village="village01", birth=date(1940, 1, 1), living="alone").person_id
    outside = make_resident(village="village10").person_id
    add_status(session, inside, kind="tekun", review=TODAY - timedelta(days=40))  # lapsed
    add_status(session, outside)
    headers = token_for(client, "jia", "Station-pass-2026")
    got = client.get(f"/api/v1/persons/{inside}/priority", headers=headers)
    assert got.status_code == 200
    body = got.get_json()
    assert body["groups"] == ["lone_elder"] and body["tier"] == 2 and body["counting"] == []
    assert body["lapsed"] == ["tekun"] and body["watch_groups"] == ["lone_elder"]
    assert client.get(f"/api/v1/persons/{outside}/priority", headers=headers).status_code == 404
    listed = client.get("/api/v1/hardship-reviews", headers=headers).get_json()
    assert [i["person_id"] for i in listed["items"]] == [inside] and listed["items"][0]["state"] == "lapsed"
    assert client.get("/api/v1/hardship-reviews?page=0", headers=headers).status_code == 422
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/persons/{person_id}/priority" in spec["paths"] and "/api/v1/hardship-reviews" in spec["paths"]


def test_resident_page_shows_the_priority_and_lapsed_statuses(station0, session, make_resident):
    person = make_resident(village="village01", birth=date(1940, 1, 1), living="alone").person_id
    add_status(session, person, kind="dibao", review=TODAY - timedelta(days=40))
    page = station0.client.get(f"/station/residents/{person}").get_data(as_text=True)
    assert "优先级：第2级" in page and "重点空巢独居老人" in page
    assert "不再计入：低保" in page
