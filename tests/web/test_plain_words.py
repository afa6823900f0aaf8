"""Plain words (issue 15): every page each demo role can reach, found by following the pages' own links on a
seeded demo county, shows no English words or internal codes in its Chinese visible text (an allow-list for
names like API and QR), and no untranslated Chinese in English."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import base_config, upgrade
from tests.web.test_pages import untranslated_text
from timebank import create_app
from timebank.extensions import db

ROLES = {  # demo logins (README)
    "anonymous": None,
    "volunteer": ("13900000001", "Demo-volunteer-2026"),
    "social_worker": ("13900000011", "Demo-social-2026"),
    "relative": ("13900000002", "Demo-relative-2026"),
    "station": ("chengguan", "Demo-station-2026"),
    "admin": ("admin", "Demo-admin-2026"),
    "charity": ("charity1", "Demo-charity-2026"),
}
# names people use as they are, in Chinese too
ALLOWED = {"English", "API", "QR", "ID", "Excel", "CSV", "PDF", "App", "Email", "SMTP", "OpenAPI", "JSON", "Token"}
SKIP = re.compile(r"^/(static|api)/|\.(csv|xlsx|svg|pdf|json)$|/logout|/lang|/elder|/card/|/export")
PER_PATTERN = 2
MAX_PAGES = 80
WORD = re.compile(r"(?<![\w@./:-])[A-Za-z][A-Za-z0-9_]*(?:[:_-][A-Za-z0-9]+)*(?![\w@.-])")
HIDDEN_TAGS = {"script", "style", "template", "noscript", "title"}


class VisibleText(HTMLParser):
    """Text a person sees: no scripts, no hidden elements, no closed <details> bodies; labels in attributes."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # translate="no" marks data shown as it is (a secret to type into an authenticator app, a code)
        hidden = (tag in HIDDEN_TAGS or "hidden" in attrs or attrs.get("aria-hidden") == "true"
                  or attrs.get("translate") == "no" or (tag == "input" and attrs.get("type") == "hidden"))
        if tag in ("input", "img", "br", "meta", "link", "hr", "source"):
            if not hidden and not self._hidden():
                for name in ("placeholder", "aria-label", "alt", "title"):
                    if attrs.get(name):
                        self.chunks.append(attrs[name])
                if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                    self.chunks.append(attrs["value"])
            return
        if not hidden and not self._hidden():
            for name in ("aria-label", "title", "placeholder"):
                if attrs.get(name):
                    self.chunks.append(attrs[name])
        details_closed = tag == "details" and "open" not in attrs
        self.stack.append((tag, hidden or details_closed))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("input", "img", "br", "meta", "link", "hr", "source"):
            self.handle_endtag(tag)

    def handle_data(self, data):
        if data.strip() and not self._hidden():
            self.chunks.append(data.strip())


def visible_text(html: str) -> list[str]:
    body = html.split("<body", 1)[-1]
    parser = VisibleText()
    parser.feed("<body" + body)
    # a <details> keeps its <summary> visible while closed
    return parser.chunks


def machine_words(chunks: list[str], data_words: set[str]) -> list[str]:
    found = []
    for chunk in chunks:
        for word in WORD.findall(chunk):
            if word in ALLOWED or word in data_words or len(word) < 2:
                continue
            found.append(word)
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('plainwords') / 'demo.db'}"
    app = create_app(base_config(url, TIMEBANK_FIXED_NOW=datetime(2026, 11, 29, 2, 0, tzinfo=UTC)))
    upgrade(app)
    with app.app_context():
        from timebank import clock
        from timebank.accounts.models import User
        from timebank.demo.seed import seed_demo

        seed_demo(db.session, today=clock.today(), volunteers=24, residents=24)
        db.session.commit()
        usernames = {u for u in db.session.scalars(db.select(User.username)) if u}
    yield app, usernames
    with app.app_context():
        db.engine.dispose()


def pattern(path: str) -> str:
    return re.sub(r"/\d+", "/<id>", path)


def walk(app, credentials, lang: str):
    """{path: html} for the pages one role reaches by links from its first page."""
    client = app.test_client()
    if lang == "en":
        client.set_cookie("timebank_lang", "en")
    if credentials:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        answer = client.post("/login", data={"csrf_token": token, "login": credentials[0],
                                             "password": credentials[1]})
        assert answer.status_code == 302, credentials[0]
    seen: Counter[str] = Counter()
    queue, pages = ["/"], {}
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in pages or seen[pattern(path)] >= PER_PATTERN:
            continue
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        seen[pattern(path)] += 1
        html = response.get_data(as_text=True)
        pages[path] = html
        for href in re.findall(r'<a [^>]*href="([^"]+)"', html):
            url = urlsplit(urljoin("http://localhost" + path, href.replace("&amp;", "&")))
            if url.netloc not in ("", "localhost") or SKIP.search(url.path):
                continue
            target = url.path + (f"?{url.query}" if url.query and "page=" not in url.query else "")
            if target not in pages and target not in queue:
                queue.append(target)
    return pages


@pytest.mark.parametrize("role", sorted(ROLES))
def test_chinese_pages_use_plain_words(demo, role):
    app, usernames = demo
    pages = walk(app, ROLES[role], "zh")
    assert len(pages) >= 2
    problems = {}
    for path, html in pages.items():
        words = machine_words(visible_text(html), usernames)
        if words:
            problems[path] = sorted(set(words))
    print(f"\n{role}: {len(pages)} pages walked in Chinese, {len(problems)} with machine words")
    assert not problems, "\n".join(f"{path}: {words}" for path, words in problems.items())


@pytest.mark.parametrize("role", sorted(ROLES))
def test_english_pages_leave_no_chinese_untranslated(demo, role):
    app, _usernames = demo
    pages = walk(app, ROLES[role], "en")
    problems = {path: found for path, html in pages.items() if (found := untranslated_text(html))}
    print(f"\n{role}: {len(pages)} pages walked in English")
    assert not problems, problems
