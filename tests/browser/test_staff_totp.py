"""Must show: with staff two-step verification required, the demo admin signs in, is sent to enrolment,
reads the secret from the page, confirms with a code computed here, saves the recovery codes, and signs in
again with the password and a fresh code; a wrong code is refused."""

import re
from datetime import timedelta

import pyotp
import pytest

from tests.browser.conftest import PHONE, shot


@pytest.fixture
def totp_live(live):
    live.app.config["TIMEBANK_STAFF_TOTP_REQUIRED"] = True
    yield live
    live.app.config["TIMEBANK_STAFF_TOTP_REQUIRED"] = False


def password_step(page, base):
    page.goto(f"{base}/login")
    page.fill("#login", "admin")
    page.fill("#password", "Demo-admin-2026")
    page.click("[data-test=login-submit]")


def test_admin_enrols_and_signs_in_with_a_code(totp_live, page_factory):
    base = totp_live.url
    now = totp_live.app.config["TIMEBANK_FIXED_NOW"]
    page = page_factory(viewport=PHONE)
    password_step(page, base)
    page.wait_for_url(re.compile(r".*/account/totp$"))
    page.goto(f"{base}/admin/")  # nothing else opens before enrolment
    page.wait_for_url(re.compile(r".*/account/totp$"))
    assert page.locator(".qr svg").count() == 1
    shot(page, "staff-totp-enrol-phone")
    secret = page.inner_text("[data-test=totp-secret]").strip()
    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.at(now))
    page.click("[data-test=totp-confirm]")
    codes = page.locator("[data-test=recovery-codes] li")
    assert codes.count() == 10
    shot(page, "staff-totp-recovery-codes-phone")
    page.goto(f"{base}/admin/")
    assert page.url.endswith("/admin/")
    page.click("[data-test=logout]")

    other = page_factory()
    password_step(other, base)
    other.wait_for_url(re.compile(r".*/login/code$"))
    other.fill("#code", "000000" if totp.at(now) != "000000" else "111111")
    other.click("[data-test=code-submit]")
    assert "验证码不正确" in other.inner_text("main")
    other.fill("#code", totp.at(now + timedelta(seconds=30)))  # the enrolment step's code was used once
    other.click("[data-test=code-submit]")
    other.wait_for_url(re.compile(r".*/admin/$"))
    shot(other, "staff-totp-signed-in")
