"""Pages fit a phone screen (no sideways scrolling) in Chinese, English and elder mode; each is saved
as a screenshot under screenshots/ for a person to look at."""

import re

import pytest

from tests.browser.conftest import PHONE, shot

PUBLIC = ["/", "/signup", "/login", "/privacy"]
STATION = ["/station/", "/station/volunteers", "/station/residents", "/station/residents/new", "/dispatch/",
           "/station/care/", "/station/reviews/", "/inbox", "/account/notifications"]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def prepare(page, base, mode):
    page.goto(f"{base}/")
    if mode == "en":
        page.click("[data-test=lang-en]")
        page.wait_for_selector("html[lang=en]")
    if mode == "elder":
        page.click("[data-test=elder-on]")
        page.wait_for_selector("html.elder")


@pytest.mark.parametrize("mode", ["zh", "en", "elder"])
def test_pages_fit_a_phone(live, page_factory, mode):
    page = page_factory(viewport=PHONE)
    prepare(page, live.url, mode)
    for path in PUBLIC:
        page.goto(f"{live.url}{path}")
        assert fits(page), (mode, path)
        shot(page, f"{mode}{path.replace('/', '-').rstrip('-') or '-home'}")
    page.goto(f"{live.url}/login")
    page.fill("#login", "chengguan")
    page.fill("#password", "Demo-station-2026")
    page.click("[data-test=login-submit]")
    page.wait_for_url(re.compile(r".*/station/$"))
    paths = list(STATION)
    page.goto(f"{live.url}/station/residents")
    paths.append(page.locator("main ul.list a").first.get_attribute("href"))
    for path in paths:
        response = page.goto(f"{live.url}{path}")
        assert response.status == 200, path
        assert fits(page), (mode, path)
        name = re.sub(r"\d+", "id", path.strip("/").replace("/", "-"))
        shot(page, f"{mode}-{name}")
