"""Must-show (issue 11, point 1) in real Chromium: a new charity registers on the public page (a wrong
checksum is refused first) → signing in while pending shows its status → the county admin approves it from
the pending list → its owner signs in and adds a member → the member signs in, replaces the initial
password and records a goods donation on the existing donation page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, shot
from timebank.charity import domain
from timebank.extensions import db

pytestmark = pytest.mark.browser

OWNER_PASSWORD = "Warm-owner-2026"
MEMBER_INITIAL = "Warm-start-2026"
MEMBER_PASSWORD = "Warm-member-2026"


def login(page, base, login_name, password):
    page.goto(f"{base}/login")
    page.fill("#login", login_name)
    page.fill("#password", password)
    page.click("[data-test=login-submit]")
    page.wait_for_load_state()


def logout(page):
    page.context.clear_cookies()


def _charity(app, name):
    from timebank.charity.models import Charity

    with app.app_context():
        return db.session.scalar(select(Charity).where(Charity.name == name))


def test_a_new_charity_registers_is_approved_adds_a_member_who_donates(live, page_factory):
    app = live.app
    code = domain.make_credit_code("53420999MJ0000777")
    wrong = code[:17] + next(c for c in domain.CREDIT_CHARS if c != code[17])

    # 1. the public application: a wrong checksum first, then the right code
    page = page_factory(viewport=PHONE)
    page.goto(f"{live.url}/login")
    page.click("[data-test=charity-apply]")
    page.fill("#name", "春晖公益基金会")
    page.fill("#credit_code", wrong)
    page.select_option("#registration", "charity")
    page.fill("#registration_number", "53420999MJ0000777")
    page.fill("#contact_name", "李主任")
    page.fill("#contact_phone", "13800001111")
    page.fill("#contact_email", "office@chunhui.example")
    page.fill("#username", "chunhui")
    page.fill("#password", OWNER_PASSWORD)
    page.fill("#confirm", OWNER_PASSWORD)
    page.click("[data-test=submit]")
    assert "校验位不正确" in page.text_content("#credit_code-err")
    assert _charity(app, "春晖公益基金会") is None
    page.fill("#credit_code", code)
    page.fill("#password", OWNER_PASSWORD)
    page.fill("#confirm", OWNER_PASSWORD)
    page.click("[data-test=submit]")
    page.wait_for_selector("[data-test=applied]")
    charity = _charity(app, "春晖公益基金会")
    assert charity.status == "pending"

    # 2. signing in while pending shows the status page
    login(page, live.url, "chunhui", OWNER_PASSWORD)
    assert page.get_attribute("[data-test=charity-status]", "class").endswith("status-pending")
    assert page.locator("[data-test=pending-notice]").count() == 1
    shot(page, "charity-onboarding-pending-phone")
    logout(page)

    # 3. the county admin approves it from the pending list
    admin = page_factory()
    login(admin, live.url, "admin", "Demo-admin-2026")
    admin.goto(f"{live.url}/charity/admin")
    admin.click("[data-test=filter-pending]")
    assert admin.locator(f"[data-test=charity-{charity.id}]").count() == 1
    shot(admin, "charity-onboarding-admin-list")
    admin.click(f"[data-test=approve-{charity.id}]")
    admin.wait_for_load_state()
    assert _charity(app, "春晖公益基金会").status == "approved"

    # 4. the owner signs in and adds a member with an initial password
    login(page, live.url, "chunhui", OWNER_PASSWORD)
    assert page.get_attribute("[data-test=charity-status]", "class").endswith("status-approved")
    page.click("[data-test=members-link]")
    page.fill("#name", "王干事")
    page.fill("#username", "chunhui-wang")
    page.fill("#password", MEMBER_INITIAL)
    page.select_option("#role", "member")
    page.click("[data-test=add-member]")
    page.wait_for_selector("[data-test=member-chunhui-wang]")
    shot(page, "charity-onboarding-members-phone")
    logout(page)

    # 5. the member signs in, replaces the initial password and records a goods donation
    member = page_factory(viewport=PHONE)
    login(member, live.url, "chunhui-wang", MEMBER_INITIAL)
    assert "/account/password" in member.url
    member.fill("#current_password", MEMBER_INITIAL)
    member.fill("#new_password", MEMBER_PASSWORD)
    member.fill("#confirm", MEMBER_PASSWORD)
    member.click("button[type=submit]")
    member.wait_for_load_state()
    member.goto(f"{live.url}/charity/donations/new")
    member.select_option("#item_id", label="棉被(床)")
    member.fill("#quantity", "6")
    member.select_option("#station_id", label="城关镇社工站")
    member.click("[data-test=submit]")
    assert member.text_content("[data-test=stock]").strip() == "6"
    shot(member, "charity-onboarding-member-donation-phone")
    from timebank.charity.models import Donation

    with app.app_context():
        donation = db.session.scalar(select(Donation).where(Donation.charity_id == charity.id))
        from timebank.accounts.models import User

        assert donation.quantity == 6
        assert db.session.get(User, donation.created_by_id).username == "chunhui-wang"
