"""Must show: a station registers a volunteer who has no smartphone (paper consent, approved at once), the
volunteer's page links the passbook, and the passbook prints on A5 with the name, masked ID and balance and
without the site's navigation."""

import re
from datetime import date

from tests.browser.conftest import PHONE, shot
from timebank.accounts.domain import make_id_number


def login(page, base, login_name, password):
    page.goto(f"{base}/login")
    page.fill("#login", login_name)
    page.fill("#password", password)
    page.click("[data-test=login-submit]")


def test_station_registers_a_volunteer_without_a_smartphone_and_prints_the_passbook(live, page_factory):
    base = live.url
    page = page_factory(viewport=PHONE)
    login(page, base, "chengguan", "Demo-station-2026")
    page.goto(f"{base}/station/volunteers")
    page.click("[data-test=volunteer-new]")
    page.fill("#name", "韩桂芝")
    page.fill("#id_number", make_id_number("420999", date(1961, 9, 3), 624))
    village = page.locator("#village_id option", has_text="城关镇 /").first.get_attribute("value")
    page.select_option("#village_id", village)
    page.check("input[name=skill_ids] >> nth=0")
    page.check("input[name=weekdays] >> nth=1")
    page.check("input[name=weekdays] >> nth=3")
    page.fill("#emergency_contact_name", "韩东")
    page.fill("#emergency_contact_phone", "13722224444")
    page.fill("#consent_form_ref", "ZY-2026-0107")
    shot(page, "station-volunteer-new-phone")
    page.click("[data-test=volunteer-submit]")
    page.wait_for_url(re.compile(r".*/station/volunteers/\d+$"))
    assert "已通过" in page.inner_text("[data-test=volunteer-status]")
    assert "社工站代为登记" in page.inner_text("[data-test=registered-by-station]")
    page.click("[data-test=reveal-emergency_contact]")
    page.fill("#why-emergency_contact", "电话回访")
    page.click("[data-test=reveal-submit-emergency_contact]")
    assert "13722224444" in page.inner_text("[data-test=revealed-emergency_contact]")
    shot(page, "station-volunteer-revealed-phone")
    page.click("[data-test=passbook-link]")
    page.wait_for_url(re.compile(r".*/passbook$"))
    assert "韩桂芝" in page.inner_text("[data-test=passbook-name]")
    assert re.fullmatch(r"4\*{16}\w", page.inner_text("[data-test=passbook-id]").strip())
    assert page.inner_text("[data-test=passbook-balance]").strip() in ("0分", "0 min")
    assert page.locator(".site-header").count() == 0
    shot(page, "passbook-screen-phone")
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    printed = page_factory(viewport={"width": 559, "height": 794})  # A5 at 96 dpi
    printed.context.add_cookies(page.context.cookies())
    printed.goto(page.url)
    printed.emulate_media(media="print")
    shot(printed, "passbook-print-a5")
    pdf = printed.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")


def test_passbook_of_a_volunteer_with_history_prints_lines_and_balance(live, page_factory):
    base = live.url
    page = page_factory(viewport={"width": 559, "height": 794})
    login(page, base, "chengguan", "Demo-station-2026")
    page.goto(f"{base}/station/volunteers?status=approved")
    links = page.locator("a[href*='/station/volunteers/']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(min(links.count(), 30))]
    for href in hrefs:
        person_id = href.rstrip("/").split("/")[-1]
        page.goto(f"{base}/station/accounts/{person_id}/passbook")
        if page.locator("[data-test=passbook-line]").count() >= 2:
            break
    assert page.locator("[data-test=passbook-line]").count() >= 2
    page.emulate_media(media="print")
    assert page.locator(".toolbar").count() == 1 and not page.locator(".toolbar").is_visible()
    shot(page, "passbook-with-lines-a5")
