"""Must show: a volunteer signs up in Chromium, a station of the same township approves, the volunteer
logs in and sees the approval; a station of another township gets 404 on that volunteer's page."""

import re
from datetime import date

from tests.browser.conftest import PHONE, shot
from timebank.accounts.domain import make_id_number


def login(page, base, login_name, password):
    page.goto(f"{base}/login")
    page.fill("#login", login_name)
    page.fill("#password", password)
    page.click("[data-test=login-submit]")


def logout(page):
    page.click("[data-test=logout]")


def test_sign_up_approve_and_scope(live, page_factory):
    page = page_factory(viewport=PHONE)
    base = live.url
    page.goto(f"{base}/")
    page.click("[data-test=cta-signup]")
    page.fill("#name", "周晓红")
    page.fill("#id_number", make_id_number("420999", date(1992, 3, 14), 802))
    page.fill("#phone", "13611112222")
    village = page.locator("#village_id option", has_text="城关镇 /").first.get_attribute("value")
    page.select_option("#village_id", village)
    page.check("input[name=skills] >> nth=0")
    page.check("input[name=skills] >> nth=2")
    page.fill("#emergency_contact_name", "周强")
    page.fill("#emergency_contact_phone", "13611113333")
    page.fill("#password", "Serve-elders-2026")
    page.fill("#confirm", "Serve-elders-2026")
    page.check("#privacy_consent")
    page.click("[data-test=signup-submit]")
    page.wait_for_url(re.compile(r".*/signup/done$"))
    assert "已提交，等待审核" in page.inner_text("[data-test=signup-done]")
    page.click("[data-test=to-login]")
    login(page, base, "13611112222", "Serve-elders-2026")
    page.wait_for_url(re.compile(r".*/me$"))
    assert "待审核" in page.inner_text("[data-test=volunteer-status]")
    logout(page)

    station = page_factory()
    login(station, base, "chengguan", "Demo-station-2026")
    station.goto(f"{base}/station/volunteers?status=pending")
    station.click("text=周晓红")
    volunteer_url = station.url
    assert re.search(r"/station/volunteers/\d+$", volunteer_url)
    station.click("[data-test=approve]")
    assert "已通过" in station.inner_text("[data-test=volunteer-status]")

    login(page, base, "13611112222", "Serve-elders-2026")
    page.wait_for_url(re.compile(r".*/me$"))
    assert "已通过" in page.inner_text("[data-test=volunteer-status]")
    shot(page, "volunteer-approved-phone")

    other = page_factory()
    login(other, base, "donghu", "Demo-station-2026")
    response = other.goto(volunteer_url)
    assert response.status == 404
    assert "找不到该页面" in other.inner_text("main")
    other.goto(f"{base}/station/volunteers")
    assert "周晓红" not in other.inner_text("main")
