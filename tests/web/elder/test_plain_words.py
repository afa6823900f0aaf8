"""Plain words in elder mode (issue 13): no internal codes ("P1"), file formats ("CSV") or "admin" on any page
a resident's relative reaches in elder mode, nor in the elder header."""

from __future__ import annotations

import re

from tests.browser.test_axe_crawl import ROLES
from tests.conftest import Browserless
from tests.web.test_one_clock import county_app, crawl  # noqa: F401  (the seeded demo county, the crawler)

CODES = re.compile(r"\bP[1-5]\b|CSV|XLSX|\badmin\b", re.I)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_no_codes_on_elder_pages_of_a_relative(county_app):  # noqa: F811
    county_app.test_client_class = None
    client = county_app.test_client()
    client.set_cookie("timebank_elder", "1")
    web = Browserless(client)
    web.login(*ROLES["relative"])
    pages, _exports = crawl(web)
    assert len(pages) >= 8 and "/easy/request" in pages and "/easy/balance" in pages
    found = {path: sorted(set(CODES.findall(visible_text(html)))) for path, html in pages.items()}
    assert not {path: words for path, words in found.items() if words}
