"""The inbox page, the unread badge, mark-read, the API, and the admin job log page."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from timebank.jobs.runner import run_job
from timebank.notify import service
from timebank.notify.models import Notification

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


@pytest.fixture
def approved(web, make_staff, make_volunteer):
    """A volunteer approved by a station user: the approval lands in the volunteer's inbox."""
    volunteer = make_volunteer()
    make_staff("jia")
    web.login("jia", "Station-pass-2026")
    web.post(f"/station/volunteers/{volunteer.person_id}/review", {"decision": "approve"})
    web.logout()
    return volunteer


def test_approval_arrives_in_the_inbox_with_an_unread_badge(web, session, approved):
    web.login(approved.phone, "Volunteer-pass-2026")
    home = web.client.get("/me").get_data(as_text=True)
    assert 'class="badge"' in home and ">1</span>" in home
    page = web.client.get("/inbox").get_data(as_text=True)
    assert "您的志愿者注册已审核通过" in page and "甲镇社工站已审核通过" in page
    note = session.scalars(select(Notification)).one()
    assert web.post(f"/inbox/{note.id}/read", {}).status_code == 302
    assert 'class="badge"' not in web.client.get("/me").get_data(as_text=True)


def test_inbox_in_english(web, approved):
    web.client.set_cookie("timebank_lang", "en")
    web.login(approved.phone, "Volunteer-pass-2026")
    assert "Your volunteer sign-up is approved" in web.client.get("/inbox").get_data(as_text=True)


def test_someone_elses_notification_is_404(web, session, approved, make_volunteer):
    note = session.scalars(select(Notification)).one()
    other = make_volunteer()
    web.login(other.phone, "Volunteer-pass-2026")
    assert web.post(f"/inbox/{note.id}/read", {}).status_code == 404
    session.expire_all()
    assert session.get(Notification, note.id).read_at is None


def test_inbox_over_the_api(client, session, approved):
    token = client.post("/api/v1/auth/tokens", json={"login": approved.phone,
                                                     "password": "Volunteer-pass-2026"}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    body = client.get("/api/v1/me/notifications", headers=auth).get_json()
    assert body["unread"] == 1 and body["items"][0]["title"] == "Your volunteer sign-up is approved"
    note_id = body["items"][0]["id"]
    assert client.post(f"/api/v1/me/notifications/{note_id}/read", headers=auth).status_code == 204
    assert client.get("/api/v1/me/notifications?unread=true", headers=auth).get_json()["items"] == []
    assert client.post("/api/v1/me/notifications/999999/read", headers=auth).status_code == 404
    assert client.get("/api/v1/me/notifications?page=0", headers=auth).status_code == 422


def test_preferences_save_email_and_refuse_a_bad_one(web, session, approved):
    web.login(approved.phone, "Volunteer-pass-2026")
    bad = web.post("/account/notifications", {"email": "not-an-email"}, token_from="/account/notifications")
    assert bad.status_code == 422 and "请输入有效的电子邮箱地址" in bad.get_data(as_text=True)
    good = web.post("/account/notifications", {"email": "Me@Example.org"}, token_from="/account/notifications")
    assert good.status_code == 302
    session.expire_all()
    from timebank.accounts.models import User

    assert session.get(User, approved.id).email == "me@example.org"


def test_admin_sees_the_job_log_and_others_do_not(web, session, county, approved):
    run_job("monthly_stats", scheduled_for=NOW)
    web.login("root", "Admin-pass-2026")
    page = web.client.get("/admin/jobs/").get_data(as_text=True)
    runs = page.split('data-test="job-runs"', 1)[1]
    assert "月度统计快照" in runs and "新生成：1" in runs
    visible = re.sub(r"<[^>]+>", " ", page)
    assert "monthly_stats" not in visible and "cron" not in visible  # plain words, no job ids or cron strings
    assert "每月1日凌晨一点" in page
    web.logout()
    web.login(approved.phone, "Volunteer-pass-2026")
    assert web.client.get("/admin/jobs/").status_code == 403


def test_notify_refuses_unknown_events(session, approved):
    with pytest.raises(ValueError):
        service.notify(session, approved.id, "no_such_event", {}, now=NOW)
