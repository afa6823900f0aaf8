"""Getting back in without the password: a station's one-time code (scoped, logged, single use, five tries)
and a reset link mailed only to a verified address (verified by a link and a button)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.integration.notify.conftest import SMTPServer
from timebank.accounts.models import User
from timebank.accounts.recovery_models import AccountToken
from timebank.audit.models import AuditEvent

NEW = "Brand-new-pass-2026"


@pytest.fixture
def mail(app):
    server = SMTPServer()
    server.start()
    saved = {k: app.config.get(k) for k in ("TIMEBANK_SMTP_HOST", "TIMEBANK_SMTP_PORT", "TIMEBANK_SMTP_TIMEOUT")}
    app.config.update(TIMEBANK_SMTP_HOST="127.0.0.1", TIMEBANK_SMTP_PORT=server.port, TIMEBANK_SMTP_TIMEOUT=3)
    yield server
    app.config.update(saved)
    server.stop()


def issue_code(web, user_id) -> str:
    response = web.post(f"/admin/users/{user_id}/reset-code", token_from="/admin/users")
    assert response.status_code == 200
    return re.search(r'data-test="reset-code">([A-Z0-9-]+)<', response.get_data(as_text=True)).group(1)


def test_a_station_code_lets_the_person_set_a_new_password_once(web, session, county, make_staff, make_volunteer):
    volunteer = make_volunteer(status="approved")
    staff = make_staff("zhan")
    session.get(User, volunteer.id).failed_logins = 9
    session.commit()
    web.login("zhan", "Station-pass-2026")
    code = issue_code(web, volunteer.id)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code)
    issued = session.scalar(select(AuditEvent).where(AuditEvent.action == "password_reset_code_issued"))
    assert (issued.actor_id, issued.target) == (staff.id, f"user:{volunteer.id}")
    stored = session.scalar(select(AccountToken).where(AccountToken.user_id == volunteer.id))
    assert code.replace("-", "") not in stored.token_hash  # only a hash is kept
    web.logout()

    form = {"login": volunteer.phone, "code": code.lower(), "new_password": NEW, "confirm": NEW}
    assert web.post("/password/code", form, token_from="/password/code").status_code == 302
    session.expire_all()
    assert session.get(User, volunteer.id).failed_logins == 0
    web.login(volunteer.phone, NEW)
    web.logout()
    again = web.post("/password/code", {**form, "new_password": "Another-pass-2026", "confirm": "Another-pass-2026"},
                     token_from="/password/code")
    assert again.status_code == 422 and "重置码不正确" in again.get_data(as_text=True)
    web.login(volunteer.phone, NEW)  # the used code changed nothing


def test_wrong_codes_change_nothing_and_five_void_the_code(web, session, county, make_staff, make_volunteer):
    volunteer = make_volunteer(status="approved")
    make_staff("zhan")
    web.login("zhan", "Station-pass-2026")
    code = issue_code(web, volunteer.id)
    web.logout()
    hash_before = session.get(User, volunteer.id).password_hash
    for _ in range(5):
        wrong = web.post("/password/code", {"login": volunteer.phone, "code": "AAAA-AAAA", "new_password": NEW,
                                            "confirm": NEW}, token_from="/password/code")
        assert wrong.status_code == 422
    late = web.post("/password/code", {"login": volunteer.phone, "code": code, "new_password": NEW, "confirm": NEW},
                    token_from="/password/code")
    assert late.status_code == 422  # five wrong tries voided the real code too
    session.expire_all()
    assert session.get(User, volunteer.id).password_hash == hash_before
    assert session.scalar(select(AccountToken.voided_at).where(AccountToken.user_id == volunteer.id)) is not None


def test_a_weak_new_password_is_refused_and_keeps_the_code(web, session, county, make_staff, make_volunteer):
    volunteer = make_volunteer(status="approved")
    make_staff("zhan")
    web.login("zhan", "Station-pass-2026")
    code = issue_code(web, volunteer.id)
    web.logout()
    weak = web.post("/password/code", {"login": volunteer.phone, "code": code, "new_password": "123456",
                                       "confirm": "123456"}, token_from="/password/code")
    assert weak.status_code == 422
    ok = web.post("/password/code", {"login": volunteer.phone, "code": code, "new_password": NEW, "confirm": NEW},
                  token_from="/password/code")
    assert ok.status_code == 302


def test_codes_are_issued_only_inside_the_staff_subtree(web, session, county, make_staff, make_volunteer):
    volunteer = make_volunteer(status="approved", village="village00")  # township 0
    make_staff("yizhen", township_index=1)
    web.login("yizhen", "Station-pass-2026")
    assert web.post(f"/admin/users/{volunteer.id}/reset-code", token_from="/admin/users").status_code == 404
    web.logout()
    other = make_volunteer(status="approved")
    web.login(other.phone, "Volunteer-pass-2026")
    assert web.post(f"/admin/users/{volunteer.id}/reset-code").status_code == 403
    assert session.scalar(select(AccountToken.id)) is None


def test_a_verified_address_gets_a_reset_link_and_nobody_else_learns_anything(web, session, county, make_volunteer,
                                                                             mail):
    volunteer = make_volunteer(status="approved")
    stranger = make_volunteer(status="approved")
    web.login(volunteer.phone, "Volunteer-pass-2026")
    web.post("/account/notifications", {"email": "me@example.org"}, token_from="/account/notifications")
    assert len(mail.messages) == 1 and mail.messages[0]["To"] == "me@example.org"
    link = re.search(r"http://[^\s]+/email/confirm/[\w-]+", mail.messages[0].get_content()).group(0)
    path = link.split("localhost", 1)[-1]
    assert "确认这是我的邮箱" in web.client.get(path).get_data(as_text=True)
    assert web.post(path, token_from=path).status_code == 200
    assert "邮箱已验证" in web.client.get("/account/notifications").get_data(as_text=True)
    web.logout()

    same = []
    for login in (volunteer.phone, stranger.phone, "nobody-here"):
        page = web.post("/password/forgot", {"login": login}, token_from="/password/forgot")
        same.append((page.status_code, re.sub(r'name="csrf_token"[^>]*', "", page.get_data(as_text=True))))
    assert len(set(same)) == 1  # the same answer for a verified login, an unverified one and no login
    assert len(mail.messages) == 2  # only the verified address was mailed
    reset = re.search(r"http://[^\s]+/password/reset/[\w-]+", mail.messages[1].get_content()).group(0)
    reset_path = reset.split("localhost", 1)[-1]
    assert web.post(reset_path, {"new_password": NEW, "confirm": NEW}, token_from=reset_path).status_code == 302
    web.login(volunteer.phone, NEW)
    web.logout()
    assert web.client.get(reset_path).status_code == 404  # used once


def test_an_expired_link_is_refused_in_plain_words(web, session, county, make_volunteer, mail):
    from timebank.accounts import recovery

    volunteer = make_volunteer(status="approved")
    user = session.get(User, volunteer.id)
    user.email = "me@example.org"
    raw = recovery.start_email_verification(session, user, now=recovery_now(session))
    session.commit()
    row = session.scalar(select(AccountToken).where(AccountToken.purpose == "verify_email"))
    row.expires_at = row.created_at - timedelta(seconds=1)
    session.commit()
    page = web.client.get(f"/email/confirm/{raw}")
    assert page.status_code == 404 and "无效或已过期" in page.get_data(as_text=True)


def recovery_now(session):
    from timebank import clock

    return clock.now()
