"""Input that never crashes: ids out of range in every route (taken from app.url_map, not a sample), NUL bytes
and lone surrogates in forms, queries and JSON, deep JSON, huge bodies; the error body is the documented one;
the hygiene headers (no-store, HSTS, Allow, no server banner)."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from datetime import UTC, datetime

import jsonschema_rs
from sqlalchemy import select

from tests.conftest import base_config, count_rows
from timebank import create_app
from timebank.accounts.models import ApiToken, User
from timebank.limits import INT_MAX, QuietRequestHandler
from timebank.visits.models import ServiceRequest

BAD_IDS = (str(2**31), str(2**63), str(2**64 + 7), "-1", "0", "00", "1e3")
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def int_rules(app):
    rules = [rule for rule in app.url_map.iter_rules()
             if any(type(c).__name__ == "IdConverter" for c in rule._converters.values())]
    assert len(rules) > 40  # every area's id routes, HTML and API
    return rules


def url_for_rule(rule, value: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", value, rule.rule)


def bearer(client, login, password):
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password, "name": "t"})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def error_schema(client) -> dict:
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = dict(spec["components"]["schemas"]["Error"])
    return schema


# --------------------------------------------------------------------------------------------------------
# ids


def test_every_int_route_uses_the_id_converter(app):
    """No route keeps werkzeug's unbounded int converter."""
    for rule in app.url_map.iter_rules():
        for converter in rule._converters.values():
            assert type(converter).__name__ != "IntegerConverter", rule.rule


def test_out_of_range_ids_are_404_on_every_route(app, client):
    for rule in int_rules(app):
        for value in BAD_IDS:
            url = url_for_rule(rule, value)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method)
                assert response.status_code == 404, (method, url, response.status_code)
                if url.startswith("/api/"):
                    assert response.get_json()["error"] == "not_found"


def test_the_largest_id_never_crashes_a_logged_in_admin(app, web, county):
    web.login("root", "Admin-pass-2026")
    token = web.token("/")
    for rule in int_rules(app):
        url = url_for_rule(rule, str(INT_MAX))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method != "GET" else None
            response = web.client.open(url, method=method, data=data)
            assert response.status_code < 500, (method, url, response.status_code)


def test_huge_numbers_in_page_and_id_query_arguments_are_refused(web, county):
    web.login("root", "Admin-pass-2026")
    for path in ("/admin/users?page=99999999999999999999", "/inbox?page=9223372036854775808",
                 "/goods/requests/new?resident_id=99999999999999999999"):
        response = web.client.get(path)
        assert response.status_code in (400, 404), (path, response.status_code)


def test_unicode_digits_in_numeric_query_arguments_never_crash(client, session, make_volunteer):
    """"²" and "٣" are digits to str.isdigit() but not to int(): a page or an API answers 4xx or ignores them."""
    for path in ("/admin/audit?person_id=%C2%B2", "/api/v1/audit/events?person_id=%C2%B2&page=%D9%A3"):
        assert client.get(path).status_code < 500, path


def test_body_ids_out_of_range_are_422(client, session, make_volunteer):
    volunteer = make_volunteer(status="approved")
    headers = bearer(client, volunteer.phone, "Volunteer-pass-2026") | {"Idempotency-Key": "k1"}
    for value in (2**31, 2**63, -1, 0, "7", 1.5):
        response = client.post("/api/v1/ledger/gifts", json={"to_person_id": value, "minutes": 30}, headers=headers)
        assert response.status_code == 422, (value, response.get_json())
    response = client.post("/api/v1/ledger/gifts", json={"to_person_id": 3, "minutes": 2**40}, headers=headers)
    assert response.status_code == 422


# --------------------------------------------------------------------------------------------------------
# text, depth, size


def test_nul_and_lone_surrogate_in_json_are_422_and_nothing_is_written(client, session, make_volunteer,
                                                                        make_resident):
    volunteer = make_volunteer(status="approved")
    headers = bearer(client, volunteer.phone, "Volunteer-pass-2026")
    tokens = count_rows(session, ApiToken)
    for raw in (b'{"login": "a\\u0000b", "password": "x", "name": "n"}',
                b'{"login": "a", "password": "x", "name": "\\ud800"}',
                b'{"login": "a", "password": "x", "\\udfff": 1}'):
        response = client.post("/api/v1/auth/tokens", data=raw, content_type="application/json")
        assert response.status_code == 422, raw
        assert response.get_json()["error"] == "validation_failed"
    assert count_rows(session, ApiToken) == tokens
    before = count_rows(session, ServiceRequest)
    resident = make_resident()
    body = {"resident_id": resident.person_id, "category_id": 1, "earliest_start": "2026-12-01T01:00:00+00:00",
            "latest_end": "2026-12-01T05:00:00+00:00", "description": "买菜\u0000"}
    response = client.post("/api/v1/visits", json=body, headers=headers)
    assert response.status_code == 422
    assert count_rows(session, ServiceRequest) == before


def test_nul_in_a_query_is_refused(client, session, make_volunteer):
    volunteer = make_volunteer(status="approved")
    headers = bearer(client, volunteer.phone, "Volunteer-pass-2026")
    assert client.get("/api/v1/me/transfers?kind=a%00b", headers=headers).status_code == 422
    assert client.get("/station/residents?q=%00").status_code == 400


def test_nul_in_a_form_is_a_400_page_and_nothing_is_written(web, session, county):
    admin = session.scalar(select(User).where(User.username == "root"))
    failures = admin.failed_logins
    response = web.post("/login", {"login": "root\x00", "password": "wrong\x00"}, token_from="/login")
    assert response.status_code == 400
    assert "text/html" in response.content_type
    # A lone surrogate cannot arrive in a form: its UTF-8 bytes are invalid and decode to U+FFFD.
    surrogate = web.client.post("/login", data=b"login=%ED%A0%80&password=x&csrf_token=" + web.token("/login").encode(),
                                content_type="application/x-www-form-urlencoded")
    assert surrogate.status_code < 500
    session.expire_all()
    assert admin.failed_logins == failures


def test_deep_json_is_refused_without_a_crash(client):
    for raw in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000, "[" * 40 + "]" * 40):
        response = client.post("/api/v1/auth/tokens", data=raw, content_type="application/json")
        assert response.status_code == 422
        assert response.get_json()["details"]["reason"] == "depth"


def test_non_json_numbers_are_refused(client):
    for raw in ('{"login": "a", "password": "b", "name": NaN}', '{"login": 1e400, "password": "b"}'):
        response = client.post("/api/v1/auth/tokens", data=raw, content_type="application/json")
        assert response.status_code == 422


def test_a_20_mb_body_is_413(client):
    body = b'{"login": "' + b"a" * (20 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/auth/tokens", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"] == "request_entity_too_large"
    page = client.post("/login", data={"login": "a" * (20 * 1024 * 1024), "password": "x"})
    assert page.status_code == 413
    assert "text/html" in page.content_type


# --------------------------------------------------------------------------------------------------------
# the error body and the document


def test_every_error_body_is_the_documented_error_schema(client, make_volunteer):
    volunteer = make_volunteer(status="approved")
    headers = bearer(client, volunteer.phone, "Volunteer-pass-2026")
    validator = jsonschema_rs.validator_for(error_schema(client))
    answers = [
        client.get("/api/v1/me"),  # 401
        client.get("/api/v1/visits/999999", headers=headers),  # 404 from the service
        client.get("/api/v1/visits/2147483648", headers=headers),  # 404 from routing
        client.put("/api/v1/me", headers=headers),  # 405
        client.post("/api/v1/auth/tokens", json={"login": ""}),  # 422 from the schema
        client.post("/api/v1/auth/tokens", data="{", content_type="application/json"),  # 400
        client.post("/api/v1/auth/tokens", data=b"[" * 50, content_type="application/json"),  # 422 depth
        client.post("/api/v1/ledger/gifts", json={"to_person_id": 1, "minutes": 5}, headers=headers),  # 422 rule
        client.post("/api/v1/charity/donations", json={}, headers=headers),  # 403
    ]
    statuses = set()
    for response in answers:
        assert response.status_code >= 400
        statuses.add(response.status_code)
        body = response.get_json()
        assert validator.is_valid(body), (response.status_code, body)
    assert {400, 401, 403, 404, 405, 422} <= statuses


def test_the_document_lists_statuses_types_and_bounds(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    operations = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            operations += 1
            responses = operation["responses"]
            assert "default" not in responses, (method, path)
            if operation.get("security"):
                assert {"401", "403", "404"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert {"409", "422"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert response == {"$ref": f"#/components/responses/{response['$ref'].rsplit('/', 1)[-1]}"}
            for parameter in operation.get("parameters", ()):
                if parameter.get("schema", {}).get("type") == "integer":
                    assert {"minimum", "maximum"} <= set(parameter["schema"]), (method, path, parameter)
    assert operations >= 30
    for name, schema in schemas.items():
        if name == "PaginationMetadata":  # flask-smorest's own, registered before Timebank's rules; unused
            continue
        for field, prop in schema.get("properties", {}).items():
            assert {"type", "$ref", "allOf", "anyOf"} & set(prop), (name, field, prop)
            if prop.get("type") == "integer":
                assert {"minimum", "maximum"} <= set(prop), (name, field)
    for name in ("Gift", "Donation"):
        minutes = schemas[name]["properties"]["minutes"]
        assert minutes["type"] == "integer" and minutes["minimum"] == 1
    for response in spec["components"]["responses"].values():
        for content in response.get("content", {}).values():
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}


# --------------------------------------------------------------------------------------------------------
# headers


def test_api_answers_are_not_cached(client, make_volunteer):
    volunteer = make_volunteer(status="approved")
    headers = bearer(client, volunteer.phone, "Volunteer-pass-2026")
    for response in (client.get("/api/v1/me", headers=headers), client.get("/api/v1/me"),
                     client.get("/api/v1/me/account", headers=headers)):
        assert response.headers["Cache-Control"] == "no-store"


def test_pages_of_a_logged_in_user_are_not_cached(web, county):
    web.login("root", "Admin-pass-2026")
    assert web.client.get("/admin/users").headers["Cache-Control"] == "no-store"


def test_hsts_only_with_secure_cookies(tmp_path, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = create_app(base_config(f"sqlite:///{tmp_path / 'hsts.db'}", TIMEBANK_COOKIE_SECURE=True))
    response = secure.test_client().get("/api/v1/openapi.json")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_405_names_the_allowed_methods(client):
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}
    page = client.put("/login")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]


def test_the_server_header_names_no_software_version(tmp_path):
    from werkzeug.serving import make_server

    app = create_app(base_config(f"sqlite:///{tmp_path / 'srv.db'}"))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/api/v1/openapi.json"
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a local test server)
            headers = dict(response.headers)
        assert headers["Server"] == "timebank"
        assert "Werkzeug" not in json.dumps(headers) and "Python" not in json.dumps(headers)
    finally:
        server.shutdown()
        server.server_close()


INPUT_RE = re.compile(r'<input[^>]*\bname="([^"]+)"[^>]*>')
VALUE_RE = re.compile(r'\bvalue="([^"]*)"')


def form_values(html: str) -> dict:
    values = {}
    for match in INPUT_RE.finditer(html):
        tag, name = match.group(0), match.group(1)
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = VALUE_RE.search(tag)
        values.setdefault(name, value.group(1) if value else "")
    return values


def test_huge_numbers_in_page_forms_are_a_form_error(web, session, county):
    """Every IntegerField holds a database integer: a larger number is a 422 form error, not a crash."""
    from timebank.policy.models import PolicyVersion

    web.login("root", "Admin-pass-2026")
    page = web.client.get("/admin/policy/").get_data(as_text=True)
    base = form_values(page.split('data-test="priority-form"')[0])  # the rules form, not the priority table
    numeric = [name for name, value in base.items() if value.lstrip("-").isdigit() and name != "csrf_token"]
    assert len(numeric) >= 4
    versions = count_rows(session, PolicyVersion)
    for name in numeric:
        for value in ("99999999999", str(-(2**63))):
            response = web.client.post("/admin/policy/", data={**base, name: value})
            assert response.status_code == 422, (name, value)
    assert count_rows(session, PolicyVersion) == versions
    for name in numeric:  # the largest database integer: refused or saved, never a crash
        response = web.client.post("/admin/policy/", data={**base, name: str(INT_MAX)})
        assert response.status_code < 500, name
