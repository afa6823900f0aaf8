"""Sign-in back-off that an anonymous client cannot turn into a lock-out of the real user, identical
answers for every refusal, per-account lock with staff unlock, and limits that run before the hash."""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import Browserless
from timebank.accounts import passwords
from timebank.accounts.models import User
from timebank.audit.models import AuditEvent

GOOD = "Volunteer-pass-2026"
BAD = "Wrong-pass-2026"


def attempt(web: Browserless, login: str, password: str):
    return web.post("/login", {"login": login, "password": password}, token_from="/login")


def answer(response) -> tuple[int, str]:
    """Status and the page without the per-request CSRF token, for comparing refusals."""
    import re

    text = re.sub(r'value="[^"]*"', 'value=""', response.get_data(as_text=True))
    return response.status_code, text


def test_an_attacker_client_cannot_lock_out_the_real_user(limits, from_address, make_volunteer):
    volunteer = make_volunteer()
    attacker, owner = from_address("203.0.113.9"), from_address("198.51.100.20")
    for _ in range(6):
        attempt(attacker, volunteer.phone, BAD)
    # the attacker's client now waits, even with the right password ...
    assert attempt(attacker, volunteer.phone, GOOD).status_code == 401
    # ... while the owner signs in from their own phone
    assert attempt(owner, volunteer.phone, GOOD).status_code == 302
    assert owner.client.get("/me").status_code == 200


def test_unknown_login_wrong_password_and_a_waiting_client_get_the_same_answer(limits, from_address,
                                                                              make_volunteer):
    volunteer = make_volunteer()
    web = from_address("203.0.113.10")
    unknown = answer(attempt(web, "13899990000", BAD))
    wrong = answer(attempt(web, volunteer.phone, BAD))
    for _ in range(5):
        attempt(web, volunteer.phone, BAD)
    throttled = answer(attempt(web, volunteer.phone, GOOD))
    assert unknown == wrong == throttled
    assert unknown[0] == 401 and "账号或密码错误" in unknown[1]


def test_many_failures_from_many_clients_lock_the_account_with_the_same_answer(app, session, from_address,
                                                                               make_volunteer):
    app.config["TIMEBANK_LOGIN_FAILURES_BEFORE_LOCK"] = 3
    try:
        volunteer = make_volunteer()
        unknown = answer(attempt(from_address("203.0.113.1"), "13899990001", BAD))
        for index in range(3):
            attempt(from_address(f"203.0.113.{20 + index}"), volunteer.phone, BAD)
        session.expire_all()
        assert session.get(User, volunteer.id).locked_until is not None
        locked = answer(attempt(from_address("198.51.100.3"), volunteer.phone, GOOD))
        assert locked == unknown
    finally:
        app.config["TIMEBANK_LOGIN_FAILURES_BEFORE_LOCK"] = 50


def test_staff_unlock_lets_the_user_in_again_and_is_audited(app, session, web, from_address, make_volunteer,
                                                            county):
    volunteer = make_volunteer()
    user = session.get(User, volunteer.id)
    user.locked_until = app.config["TIMEBANK_FIXED_NOW"] + timedelta(minutes=15)
    session.commit()
    owner = from_address("198.51.100.4")
    assert attempt(owner, volunteer.phone, GOOD).status_code == 401
    web.login("root", "Admin-pass-2026")
    page = web.client.get("/admin/users").get_data(as_text=True)
    assert f'data-test="locked-{volunteer.id}"' in page
    assert web.post(f"/admin/users/{volunteer.id}/unlock", token_from="/admin/users").status_code == 302
    assert attempt(owner, volunteer.phone, GOOD).status_code == 302
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user_unlock")).one()
    assert event.actor_id == county["admin"].id and event.target == f"user:{volunteer.id}"


def test_station_staff_unlock_only_inside_their_subtree(app, session, make_staff, make_volunteer):
    inside = make_volunteer(village="village00")
    outside = make_volunteer(village="village10")
    for person in (inside, outside):
        session.get(User, person.id).locked_until = app.config["TIMEBANK_FIXED_NOW"] + timedelta(minutes=15)
    session.commit()
    make_staff("jiazhen", township_index=0)
    staff = Browserless(app.test_client())
    staff.login("jiazhen", "Station-pass-2026")
    listing = staff.client.get("/admin/users").get_data(as_text=True)
    assert f'data-test="unlock-{inside.id}"' in listing and f'data-test="unlock-{outside.id}"' not in listing
    assert 'data-test="deactivate-' not in listing  # deactivation stays with admins
    assert staff.post(f"/admin/users/{outside.id}/unlock").status_code == 404
    assert staff.post(f"/admin/users/{inside.id}/unlock").status_code == 302
    session.expire_all()
    assert session.get(User, inside.id).locked_until is None
    assert session.get(User, outside.id).locked_until is not None


def test_a_volunteer_cannot_unlock_anyone(web, make_volunteer):
    volunteer, other = make_volunteer(), make_volunteer()
    web.login(volunteer.phone, GOOD)
    assert web.post(f"/admin/users/{other.id}/unlock").status_code == 403


def test_another_spelling_of_the_phone_shares_the_back_off(limits, from_address, make_volunteer):
    volunteer = make_volunteer()
    web = from_address("203.0.113.35")
    spellings = [volunteer.phone, "+86" + volunteer.phone, f"{volunteer.phone[:3]}-{volunteer.phone[3:]}"]
    for index in range(5):
        attempt(web, spellings[index % 3], BAD)
    assert attempt(web, "+86 " + volunteer.phone, GOOD).status_code == 401


def test_back_off_refuses_before_the_password_is_hashed(limits, from_address, make_volunteer, monkeypatch):
    volunteer = make_volunteer()
    web = from_address("203.0.113.30")
    for _ in range(5):
        attempt(web, volunteer.phone, BAD)
    calls = []
    real = passwords.verify_password
    monkeypatch.setattr("timebank.accounts.service.verify_password",
                        lambda *args: calls.append(args) or real(*args))
    assert attempt(web, volunteer.phone, BAD).status_code == 401
    assert calls == []


def test_login_requests_per_client_answer_429_with_a_page(limits, from_address):
    web = from_address("203.0.113.40")
    statuses = [attempt(web, f"1380000{n:04d}", BAD).status_code for n in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    response = attempt(web, "13800009999", BAD)
    assert response.status_code == 429
    assert "操作过于频繁" in response.get_data(as_text=True)
    assert "text/html" in response.content_type
    # another client is not affected
    assert attempt(from_address("203.0.113.41"), "13800009999", BAD).status_code == 401


def test_token_requests_per_client_answer_429_in_json(limits, client):
    client.environ_base["REMOTE_ADDR"] = "203.0.113.50"
    body = {"login": "13800001111", "password": BAD}
    statuses = [client.post("/api/v1/auth/tokens", json=body).status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    response = client.post("/api/v1/auth/tokens", json=body)
    assert response.status_code == 429
    assert response.get_json()["error"] == "too_many_requests"


def test_sign_up_is_limited_per_client(limits, from_address, county):
    web = from_address("203.0.113.60")
    statuses = [web.post("/signup", {"name": ""}, token_from="/signup").status_code for _ in range(6)]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429


def test_every_anonymous_post_shares_a_per_client_budget(app, limits, from_address):
    app.config["TIMEBANK_RATELIMIT_ANONYMOUS_POST"] = "3 per minute"  # the fixture puts it back
    web = from_address("203.0.113.70")
    token = web.token("/")
    statuses = [web.client.post("/prefs/elder", data={"csrf_token": token, "on": "1"}).status_code
                for _ in range(4)]
    assert statuses[:3] == [302] * 3 and statuses[3] == 429


def test_limits_are_off_in_the_rest_of_the_suite(from_address):
    web = from_address("203.0.113.80")
    assert {attempt(web, "13800002222", BAD).status_code for _ in range(15)} == {401}
