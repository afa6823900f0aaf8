"""Second factor for staff: enrolment before anything else, a real TOTP code at sign-in, wrong and replayed
codes refused, recovery codes single-use, the API asks for the code too."""

import re
from datetime import timedelta

import pyotp
from sqlalchemy import select

from tests.conftest import Browserless
from timebank.accounts.models import RecoveryCode, User

PASSWORD = "Station-pass-2026"


def enrol(app, web: Browserless) -> tuple[pyotp.TOTP, list[str]]:
    page = web.client.get("/account/totp").get_data(as_text=True)
    secret = re.search(r'data-test="totp-secret" translate="no">([A-Z2-7]+)<', page).group(1)
    assert "<svg" in page  # the QR code
    totp = pyotp.TOTP(secret)
    done = web.post("/account/totp", {"code": totp.at(app.config["TIMEBANK_FIXED_NOW"])}, token_from="/account/totp")
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    return totp, codes


def password_step(web: Browserless, username: str = "zhan"):
    response = web.post("/login", {"login": username, "password": PASSWORD}, token_from="/login")
    assert response.status_code == 302
    return response


def code_step(web: Browserless, code: str):
    return web.post("/login/code", {"code": code}, token_from="/login/code")


def test_staff_without_a_second_factor_are_sent_to_enrolment_first(staff_totp, web, make_staff):
    make_staff("zhan")
    password_step(web)
    response = web.client.get("/station/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/totp"


def test_enrol_then_sign_in_with_a_real_code(app, staff_totp, web, session, make_staff):
    staff = make_staff("zhan")
    password_step(web)
    totp, _codes = enrol(app, web)
    assert web.client.get("/station/").status_code == 200
    stored = session.get(User, staff.id)
    assert stored.totp_confirmed_at is not None
    assert totp.secret.encode() not in stored.totp_secret_encrypted  # encrypted at rest
    web.logout()
    first = password_step(web)
    assert first.headers["Location"] == "/login/code"
    assert web.client.get("/station/").status_code == 302  # the password alone opens nothing
    wrong = code_step(web, "000000" if totp.at(app.config["TIMEBANK_FIXED_NOW"]) != "000000" else "111111")
    assert wrong.status_code == 401 and "验证码不正确" in wrong.get_data(as_text=True)
    # the enrolment code is of this 30-second step: used once already, so refused now
    replay = code_step(web, totp.at(app.config["TIMEBANK_FIXED_NOW"]))
    assert replay.status_code == 401
    later = totp.at(app.config["TIMEBANK_FIXED_NOW"] + timedelta(seconds=30))  # the next step (clock drift)
    assert code_step(web, later).status_code == 302
    assert web.client.get("/station/").status_code == 200
    web.logout()
    password_step(web)
    assert code_step(web, later).status_code == 401  # the same code a second time


def test_a_recovery_code_works_once(app, staff_totp, web, session, make_staff):
    staff = make_staff("zhan")
    password_step(web)
    _totp, codes = enrol(app, web)
    assert session.scalar(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == staff.id)) not in codes
    web.logout()
    password_step(web)
    assert code_step(web, codes[3]).status_code == 302
    assert web.client.get("/station/").status_code == 200
    web.logout()
    password_step(web)
    assert code_step(web, codes[3]).status_code == 401
    assert code_step(web, codes[4]).status_code == 302


def test_five_wrong_codes_end_the_attempt(staff_totp, app, web, make_staff):
    make_staff("zhan")
    password_step(web)
    enrol(app, web)
    web.logout()
    password_step(web)
    for _ in range(4):
        assert code_step(web, "123456").status_code == 401
    last = code_step(web, "123456")
    assert last.status_code == 302 and last.headers["Location"] == "/login"
    assert 'data-test="code-expired"' in web.client.get("/login/code").get_data(as_text=True)
    assert code_step(web, "123456").status_code == 401


def test_api_token_for_staff_needs_the_code(app, staff_totp, web, make_staff):
    make_staff("zhan")
    body = {"login": "zhan", "password": PASSWORD}
    not_enrolled = web.client.post("/api/v1/auth/tokens", json=body)
    assert not_enrolled.status_code == 401
    password_step(web)
    totp, _codes = enrol(app, web)
    assert web.client.post("/api/v1/auth/tokens", json=body).status_code == 401
    code = totp.at(app.config["TIMEBANK_FIXED_NOW"] + timedelta(seconds=30))
    assert web.client.post("/api/v1/auth/tokens", json={**body, "code": code}).status_code == 201


def test_admin_resets_a_lost_second_factor(app, staff_totp, session, make_staff, county):
    staff = make_staff("zhan")
    web = Browserless(app.test_client())
    password_step(web)
    enrol(app, web)
    admin = Browserless(app.test_client())
    user = session.get(User, county["admin"].id)
    user.totp_confirmed_at = app.config["TIMEBANK_FIXED_NOW"]  # the admin has enrolled (not under test here)
    user.totp_secret_encrypted = b"x"
    session.commit()
    app.config["TIMEBANK_STAFF_TOTP_REQUIRED"] = False
    admin.login("root", "Admin-pass-2026")
    app.config["TIMEBANK_STAFF_TOTP_REQUIRED"] = True
    assert admin.post(f"/admin/users/{staff.id}/totp-reset", token_from="/admin/users").status_code == 302
    session.expire_all()
    assert session.get(User, staff.id).totp_confirmed_at is None
    assert web.client.get("/station/").status_code == 302  # their sessions ended


def test_volunteers_have_no_enrolment_page(staff_totp, web, make_volunteer):
    volunteer = make_volunteer()
    web.login(volunteer.phone, "Volunteer-pass-2026")
    assert web.client.get("/me").status_code == 200
    assert web.client.get("/account/totp").status_code == 404


def test_shell_commands_reset_the_second_factor_and_unlock(app, session, make_staff):
    from timebank.audit.models import AuditEvent

    staff = make_staff("zhan")
    staff.totp_confirmed_at = app.config["TIMEBANK_FIXED_NOW"]
    staff.totp_secret_encrypted = b"x"
    staff.locked_until = app.config["TIMEBANK_FIXED_NOW"] + timedelta(minutes=15)
    session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "reset-2fa", "zhan"]).exit_code == 0
    assert runner.invoke(args=["users", "unlock", "ZHAN"]).exit_code == 0
    assert runner.invoke(args=["users", "unlock", "nobody"]).exit_code != 0
    session.expire_all()
    user = session.get(User, staff.id)
    assert user.totp_confirmed_at is None and user.locked_until is None
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.target == f"user:{staff.id}")))
    assert {"totp_reset", "user_unlock"} <= actions
