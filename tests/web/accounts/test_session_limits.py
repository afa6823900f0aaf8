"""Sessions end when idle (shorter for staff) and after an absolute limit; a password someone else set
must be replaced first; new passwords follow the policy and do not repeat the last five."""

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import Browserless
from timebank.accounts.models import User
from timebank.audit.models import AuditEvent

GOOD = "Volunteer-pass-2026"


@contextmanager
def clock_moved(app, **delta):
    start = app.config["TIMEBANK_FIXED_NOW"]
    app.config["TIMEBANK_FIXED_NOW"] = start + timedelta(**delta)
    try:
        yield
    finally:
        app.config["TIMEBANK_FIXED_NOW"] = start


def test_volunteer_session_survives_an_hour_idle_but_not_three(app, session_limits, web, make_volunteer):
    volunteer = make_volunteer()
    web.login(volunteer.phone, GOOD)
    with clock_moved(app, minutes=60):
        assert web.client.get("/me").status_code == 200
    with clock_moved(app, minutes=60 + 125):
        response = web.client.get("/me")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        page = web.client.get(response.headers["Location"]).get_data(as_text=True)
        assert "自动退出" in page


def test_staff_idle_limit_is_shorter(app, session_limits, web, make_staff):
    make_staff("zhan")
    web.login("zhan", "Station-pass-2026")
    with clock_moved(app, minutes=20):
        assert web.client.get("/station/").status_code == 200
    with clock_moved(app, minutes=20 + 31):
        assert web.client.get("/station/").status_code == 302


def test_absolute_limit_ends_even_a_busy_session(app, session_limits, web, make_volunteer):
    volunteer = make_volunteer()
    web.login(volunteer.phone, GOOD)
    for hours in range(1, 12):
        with clock_moved(app, hours=hours):
            assert web.client.get("/me").status_code == 200
    with clock_moved(app, hours=12, minutes=30):
        assert web.client.get("/me").status_code == 302


def test_staff_set_password_must_be_changed_first(app, web, session, county):
    web.login("root", "Admin-pass-2026")
    created = web.post("/admin/users/new", {"username": "xinren", "password": "Initial-pass-2026", "role": "station",
                                            "station_id": str(county["station0"].id)}, token_from="/admin/users/new")
    assert created.status_code == 302
    staff = Browserless(app.test_client())
    staff.login("xinren", "Initial-pass-2026")
    response = staff.client.get("/station/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    changed = staff.post("/account/password", {"current_password": "Initial-pass-2026",
                                               "new_password": "Own-secret-2026", "confirm": "Own-secret-2026"},
                         token_from="/account/password")
    assert changed.status_code == 302
    assert staff.client.get("/station/").status_code == 200
    assert session.scalars(select(User).where(User.username == "xinren")).one().must_change_password is False


def change(web, current, new):
    return web.post("/account/password", {"current_password": current, "new_password": new, "confirm": new},
                    token_from="/account/password")


def test_the_last_five_passwords_cannot_come_back(web, session, make_volunteer):
    volunteer = make_volunteer()
    web.login(volunteer.phone, GOOD)
    current = GOOD
    for index in range(1, 5):
        new = f"Rotation-{index}-pass"
        assert change(web, current, new).status_code == 302
        current = new
    refused = change(web, current, GOOD)  # 5 passwords ago (GOOD, 1, 2, 3, and the current 4)
    assert refused.status_code == 422 and "最近使用过的5个密码" in refused.get_data(as_text=True)
    assert change(web, current, "Rotation-5-pass").status_code == 302
    assert change(web, "Rotation-5-pass", GOOD).status_code == 302  # six back: allowed again


def test_password_built_from_the_birth_date_or_phone_is_refused(web, session, make_volunteer):
    volunteer = make_volunteer()
    web.login(volunteer.phone, GOOD)
    birth = session.get(User, volunteer.id).person.birth_date.strftime("%Y%m%d")
    for weak, message in ((f"Li{birth}", "出生日期"), (f"x{volunteer.phone}", "手机号"),
                          ("woaini1314", "密码太常见"), ("onlyletters", "字母和数字")):
        response = change(web, GOOD, weak)
        assert response.status_code == 422 and message in response.get_data(as_text=True), weak
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "password_change")).all()
