"""Ledger times on pages are in the county's time zone (the app's clock is 02:00 UTC = 10:00 in Shanghai)."""

from __future__ import annotations

from tests.web.ledger.test_pages import login


def test_statement_and_ledger_overview_show_county_time_not_utc(web, world, make_staff):
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 90)
    login(web, volunteer)
    html = web.client.get("/me/account").get_data(as_text=True)
    assert "2026-11-29 10:00" in html
    assert "02:00" not in html
    web.logout()
    web.login("root", "Admin-pass-2026")
    for path in ("/admin/ledger", "/admin/policy/"):
        response = web.client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert "UTC" not in html and " 02:00" not in html, path
