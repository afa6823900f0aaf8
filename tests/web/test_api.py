"""API: tokens (hashed, revocable), bearer auth, /me, the OpenAPI document and local docs page."""

from sqlalchemy import select

from tests.conftest import count_rows
from timebank.accounts.models import ApiToken


def issue(client, login, password, name="phone"):
    return client.post("/api/v1/auth/tokens", json={"login": login, "password": password, "name": name})


def test_token_round_trip(client, session, make_volunteer):
    volunteer = make_volunteer(status="approved")
    response = issue(client, volunteer.phone, "Volunteer-pass-2026")
    assert response.status_code == 201
    token = response.get_json()["token"]
    stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash != token and token not in stored.token_hash
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.get_json()
    assert body["roles"] == ["volunteer"] and body["volunteer_status"] == "approved"
    assert body["phone_masked"] == volunteer.phone[:3] + "****" + volunteer.phone[-4:]
    revoked = client.delete(f"/api/v1/auth/tokens/{stored.id}", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_wrong_password_gets_401_json_and_no_token(client, session, make_volunteer):
    volunteer = make_volunteer()
    response = issue(client, volunteer.phone, "wrong-password-1")
    assert response.status_code == 401
    body = response.get_json()
    assert body["error"] == "authentication_failed" and body["message"].startswith("账号或密码错误")
    assert count_rows(session, ApiToken) == 0


def test_unknown_or_missing_token_gets_401_json(client):
    for headers in ({}, {"Authorization": "Bearer tb_not-a-token"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"] == "authentication_failed"


def test_malformed_token_request_gets_422_with_field_errors(client, session):
    response = client.post("/api/v1/auth/tokens", json={"login": ""})
    assert response.status_code == 422
    body = response.get_json()
    assert "password" in str(body["errors"])
    assert count_rows(session, ApiToken) == 0


def test_api_ignores_session_cookies(web, make_volunteer):
    volunteer = make_volunteer()
    web.login(volunteer.phone, "Volunteer-pass-2026")
    assert web.client.get("/api/v1/me").status_code == 401


def test_openapi_document_and_local_docs(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.get_json()["paths"]
    assert "/api/v1/auth/tokens" in paths and "/api/v1/me" in paths
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "http://" not in docs and "https://" not in docs
    with client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200


def test_english_messages_on_the_api(client, make_volunteer):
    volunteer = make_volunteer()
    client.set_cookie("timebank_lang", "en")
    response = issue(client, volunteer.phone, "wrong-password-1")
    assert response.get_json()["message"].startswith("Wrong login or password")


def test_accept_language_and_www_authenticate_on_the_api(client):
    response = client.get("/api/v1/me", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["message"] == "Missing or invalid access token"
