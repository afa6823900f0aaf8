"""Every page renders in Chinese, English and elder mode for the roles that may see it, and every
route outside a short public list refuses anonymous users."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PUBLIC_ENDPOINTS = {"core.home", "core.healthz", "core.privacy", "core.api_docs", "core.set_language",
                    "core.set_elder_mode", "accounts.login", "accounts.signup", "static",
                    "accounts.login_code", "accounts.signup_done",
                    "api-docs.openapi_json", "api_accounts.token_create",
                    # 公开透明 (issue 6): the charity transparency pages and their CSV need no login
                    "transparency.county", "transparency.charity_page", "transparency.county_csv",
                    "transparency.charity_csv",
                    # forgotten passwords (issue 15): reachable without a login by design
                    "recovery.forgot", "recovery.link_password", "recovery.code_password",
                    "recovery.email_page", "recovery.email_confirm",
                    # charity onboarding (issue 11): a charity applies without a login
                    "charity_onboarding.apply", "charity_onboarding.applied", "api_charities.application_create",
                    # 志愿服务记录证明 (issue 14): the page a certificate's QR code opens, and its API twin
                    "certificate_public.status", "api_certificates.certificate_status"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def concrete(rule_text: str, ids: dict[str, int]) -> str | None:
    """A URL for a rule: ids for known parameters, the first choice of an any() converter."""
    path = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip(), rule_text)
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value))
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:string:)?\w+>", "x", path)
    return None if "<" in path else path


def get_pages(app, ids):
    pages = []
    for rule in app.url_map.iter_rules():
        if ("GET" not in rule.methods or rule.endpoint.startswith(("static", "api")) or "/api/" in rule.rule
                or rule.endpoint == "core.healthz"):
            continue
        path = concrete(rule.rule, ids)
        if path:
            pages.append(path)
    return sorted(set(pages))


@pytest.fixture
def everyone(web, county, make_staff, make_volunteer, make_resident):
    make_staff("jia")
    volunteer = make_volunteer(status="approved")
    resident = make_resident()
    return {"volunteer": volunteer, "resident": resident}


def crawl(web, pages, login, password):
    """GET every page as one user; returns {path: html} of those that rendered (200)."""
    web.login(login, password)
    rendered = {}
    for path in pages:
        response = web.client.get(path)
        assert response.status_code in (200, 403, 404), (login, path, response.status_code)
        if response.status_code == 200 and response.mimetype == "text/html":
            rendered[path] = response.get_data(as_text=True)
    web.logout()
    return rendered


@pytest.mark.parametrize("mode", ["zh", "en", "elder"])
def test_every_page_renders_in_every_mode(app, web, everyone, county, mode):
    if mode == "en":
        web.client.set_cookie("timebank_lang", "en")
    if mode == "elder":
        web.client.set_cookie("timebank_elder", "1")
    ids = {"person_id": everyone["volunteer"].person_id, "node_id": county["village00"].id}
    pages = get_pages(app, ids)
    resident_pages = [p.replace(f"/{ids['person_id']}", f"/{everyone['resident'].person_id}")
                      for p in pages if "/residents/" in p]
    pages = sorted(set(pages + resident_pages))
    rendered = crawl(web, pages, "root", "Admin-pass-2026")
    rendered.update(crawl(web, pages, everyone["volunteer"].phone, "Volunteer-pass-2026"))
    assert len(rendered) >= 15
    for path, html in rendered.items():
        assert ('<html lang="en"' in html) == (mode == "en"), path
        assert ('class="elder">' in html) == (mode == "elder"), path
        assert '="None"' not in html, path  # no attribute rendered from a missing value (aria-invalid="None")
        if mode == "en":
            leftovers = untranslated_text(html)
            assert not leftovers, (path, leftovers)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.chunks = []

    def handle_data(self, data):
        self.chunks.append(data.strip().lstrip("✔✖⚠… ").strip())

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("placeholder", "aria-label", "title", "value") and value:
                self.chunks.append(value.strip())


def _catalog_ids() -> set[str]:
    path = Path(__file__).resolve().parents[2] / "timebank/translations/en/LC_MESSAGES/messages.po"
    with open(path, "rb") as handle:
        return {message.id for message in read_po(handle) if message.id and isinstance(message.id, str)}


def untranslated_text(html: str) -> list[str]:
    """Whole text nodes (or labels in attributes) that are still a Chinese source string."""
    parser = _Text()
    parser.feed(html)
    ids = _catalog_ids()
    return [chunk for chunk in parser.chunks if chunk in ids and CJK.search(chunk)]


def test_every_non_public_route_refuses_anonymous_users(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith("api-docs"):
            continue
        path = concrete(rule.rule, {})
        if path is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, headers={"Accept": "text/html"})
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path)
            else:
                assert response.status_code in (302, 400, 401), (method, path)  # 400: CSRF before auth
                if response.status_code == 302:
                    assert "/login" in response.headers["Location"]
            checked += 1
    assert checked >= 15


def test_state_changing_routes_are_never_get(app):
    for rule in app.url_map.iter_rules():
        name = rule.endpoint
        if any(word in name for word in ("review", "verify", "delete", "active", "logout", "set_")):
            assert "GET" not in rule.methods, name


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_pages_with_personal_data_are_not_cached(web, everyone):
    web.login("jia", "Station-pass-2026")
    response = web.client.get(f"/station/residents/{everyone['resident'].person_id}")
    assert response.headers["Cache-Control"] == "no-store"


def test_no_page_loads_anything_from_another_host(client):
    for path in ("/", "/signup", "/login", "/privacy", "/api/v1/docs"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html), path


def test_language_cookie_switches_the_whole_page(web):
    response = web.post("/prefs/lang", {"lang": "en", "next": "/signup"})
    assert response.status_code == 302 and response.headers["Location"] == "/signup"
    html = web.client.get("/signup").get_data(as_text=True)
    assert "Volunteer sign-up" in html and 'lang="en"' in html
    bad = web.post("/prefs/lang", {"lang": "xx", "next": "https://evil.example/"})
    assert bad.headers["Location"] == "/"

