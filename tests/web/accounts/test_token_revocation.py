"""API tokens end with the credentials they came from: a password change, "log out everywhere" and a
deactivation revoke them, and reactivating the account does not bring them back."""

from tests.conftest import Browserless

GOOD = "Volunteer-pass-2026"


def new_token(client, phone: str, password: str = GOOD) -> str:
    response = client.post("/api/v1/auth/tokens", json={"login": phone, "password": password, "name": "script"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def me(client, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_password_change_revokes_old_tokens(web, make_volunteer):
    volunteer = make_volunteer()
    token = new_token(web.client, volunteer.phone)
    assert me(web.client, token) == 200
    web.login(volunteer.phone, GOOD)
    changed = web.post("/account/password", {"current_password": GOOD, "new_password": "Fresh-start-2027",
                                             "confirm": "Fresh-start-2027"}, token_from="/account/password")
    assert changed.status_code == 302
    response = web.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.get_json()["error"] == "authentication_failed"
    assert me(web.client, new_token(web.client, volunteer.phone, "Fresh-start-2027")) == 200


def test_logout_everywhere_revokes_tokens_and_sessions(app, web, make_volunteer):
    volunteer = make_volunteer()
    token = new_token(web.client, volunteer.phone)
    other = Browserless(app.test_client())
    other.login(volunteer.phone, GOOD)
    web.login(volunteer.phone, GOOD)
    page = web.client.get("/me").get_data(as_text=True)
    assert 'data-test="logout-everywhere"' in page
    response = web.post("/account/logout-everywhere", token_from="/me")
    assert response.status_code == 302
    assert me(web.client, token) == 401
    assert other.client.get("/me").status_code == 302  # the other browser is signed out too
    assert web.client.get("/me").status_code == 302


def test_deactivation_revokes_tokens_and_reactivation_does_not_revive_them(app, web, make_volunteer):
    volunteer = make_volunteer()
    token = new_token(web.client, volunteer.phone)
    web.login("root", "Admin-pass-2026")
    assert web.post(f"/admin/users/{volunteer.id}/active", {"active": "0"}, token_from="/admin/users").status_code == 302
    assert me(web.client, token) == 401
    assert web.post(f"/admin/users/{volunteer.id}/active", {"active": "1"}, token_from="/admin/users").status_code == 302
    assert me(web.client, token) == 401
    assert me(web.client, new_token(web.client, volunteer.phone)) == 200


def test_plain_logout_ends_cookies_but_a_token_created_by_a_script_keeps_working(web, make_volunteer):
    volunteer = make_volunteer()
    token = new_token(web.client, volunteer.phone)
    web.login(volunteer.phone, GOOD)
    web.logout()
    assert me(web.client, token) == 200
