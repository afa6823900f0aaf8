"""Must show (issue 12): a station reads a resident's page in Chromium, and the county admin sees that read
in the access log page."""

import re

from tests.browser.conftest import PHONE, shot


def login(page, base, login_name, password):
    page.goto(f"{base}/login")
    page.fill("#login", login_name)
    page.fill("#password", password)
    page.click("[data-test=login-submit]")


def test_station_read_shows_in_the_admin_access_log(live, page_factory):
    base = live.url
    station = page_factory()
    login(station, base, "chengguan", "Demo-station-2026")
    station.goto(f"{base}/station/residents")
    link = station.locator("main a[href*='/station/residents/']").filter(has_not_text="登记").first
    name = link.inner_text().strip()
    link.click()
    station.wait_for_url(re.compile(r".*/station/residents/\d+$"))
    person_id = station.url.rsplit("/", 1)[1]
    assert name in station.inner_text("h1")

    admin = page_factory(viewport=PHONE)
    login(admin, base, "admin", "Demo-admin-2026")
    admin.click("[data-test=nav-audit]")
    admin.wait_for_url(re.compile(r".*/admin/audit$"))
    row = admin.locator(f"[data-test=log-row][data-person='{person_id}']").first
    text = row.inner_text()
    assert name in text and "查看" in text
    assert "城关镇" in text or "chengguan" in text
    admin.fill("#person", person_id)
    admin.click("[data-test=log-filters] button[type=submit]")
    rows = admin.locator("[data-test=log-row]")
    assert rows.count() >= 1
    assert all(rows.nth(i).get_attribute("data-person") == person_id for i in range(rows.count()))
    shot(admin, "access-log-phone")
