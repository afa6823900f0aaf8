"""Login, safe redirects, lockout, and revocation: a replayed cookie is refused after logout,
password change or deactivation."""

from sqlalchemy import func, select

from tests.conftest import Browserless, count_rows
from timebank.accounts.models import User
from timebank.audit.models import AuditEvent


def cookie_of(client):
    return client.get_cookie("timebank_session").value


def replay(app, cookie_value, path="/me"):
    other = app.test_client()
    other.set_cookie("timebank_session", cookie_value)
    return other.get(path)


def test_login_by_phone_and_by_username(web, make_volunteer, make_staff):
    volunteer = make_volunteer(status="approved")
    make_staff("zhanshi")
    assert web.login(volunteer.phone, "Volunteer-pass-2026").headers["Location"].endswith("/me")
    web.logout()
    assert web.login("ZhanShi", "Station-pass-2026").headers["Location"].endswith("/station/")


def test_wrong_password_is_refused_and_changes_no_account(web, session, make_volunteer):
    volunteer = make_volunteer()
    users_before = count_rows(session, User)
    response = web.post("/login", {"login": volunteer.phone, "password": "Wrong-pass-2026"}, token_from="/login")
    assert response.status_code == 401
    assert "账号或密码错误" in response.get_data(as_text=True)
    assert count_rows(session, User) == users_before
    assert web.client.get("/me").status_code == 302  # still anonymous
    failed = session.scalar(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action == "login", AuditEvent.result == "failed"))
    assert failed == 1  # the attempt is audited (security log), nothing else is written


def test_unknown_login_gets_the_same_message(web):
    response = web.post("/login", {"login": "nobody", "password": "Whatever-2026"}, token_from="/login")
    assert response.status_code == 401
    assert "账号或密码错误" in response.get_data(as_text=True)


def test_next_redirects_only_inside_the_site(web, make_volunteer):
    volunteer = make_volunteer()
    for target, expected in (("/station/", "/station/"), ("https://evil.example/", "/me"),
                             ("//evil.example/x", "/me"), ("/\\evil.example", "/me")):
        response = web.post(f"/login?next={target}", {"login": volunteer.phone, "password": "Volunteer-pass-2026"},
                            token_from="/login")
        assert response.headers["Location"] == expected, target
        web.logout()


def test_replayed_cookie_is_refused_after_logout(app, web, make_volunteer):
    volunteer = make_volunteer()
    web.login(volunteer.phone, "Volunteer-pass-2026")
    stolen = cookie_of(web.client)
    assert replay(app, stolen).status_code == 200
    web.logout()
    response = replay(app, stolen)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, make_volunteer):
    volunteer = make_volunteer()
    first, second = Browserless(client), Browserless(app.test_client())
    first.login(volunteer.phone, "Volunteer-pass-2026")
    second.login(volunteer.phone, "Volunteer-pass-2026")
    stolen = cookie_of(second.client)
    response = first.post("/account/password", {"current_password": "Volunteer-pass-2026",
                                                "new_password": "Brand-new-pass-2026",
                                                "confirm": "Brand-new-pass-2026"}, token_from="/account/password")
    assert response.status_code == 302
    assert first.client.get("/me").status_code == 200
    assert replay(app, stolen).status_code == 302
    assert second.client.get("/me").status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(web, session, make_volunteer):
    volunteer = make_volunteer()
    web.login(volunteer.phone, "Volunteer-pass-2026")
    before = session.get(User, volunteer.id).password_hash
    response = web.post("/account/password", {"current_password": "nope-nope-nope", "new_password": "Another-2026-x",
                                              "confirm": "Another-2026-x"}, token_from="/account/password")
    assert response.status_code == 422
    assert "当前密码不正确" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, volunteer.id).password_hash == before


def test_deactivation_ends_every_session(app, web, client, county, make_volunteer):
    volunteer = make_volunteer()
    victim = Browserless(app.test_client())
    victim.login(volunteer.phone, "Volunteer-pass-2026")
    stolen = cookie_of(victim.client)
    web.login("root", "Admin-pass-2026")
    response = web.post(f"/admin/users/{volunteer.id}/active", {"active": "0"})
    assert response.status_code == 302
    assert replay(app, stolen).status_code == 302
    denied = web.post("/login", {"login": volunteer.phone, "password": "Volunteer-pass-2026"}, token_from="/login")
    assert denied.status_code == 401
    assert "该账号已停用" in denied.get_data(as_text=True)


def test_session_cookie_flags(web, make_volunteer):
    volunteer = make_volunteer()
    response = web.login(volunteer.phone, "Volunteer-pass-2026")
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Expires=" in header  # the session ends after TIMEBANK_SESSION_HOURS
