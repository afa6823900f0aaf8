"""A charity's workbench: open requests its stock could meet (no resident names), donations running out,
the hour pool's balance (issue 15)."""

from __future__ import annotations

from tests.web.charity.test_pages import _setup


def section(page: str, key: str) -> str:
    return page.split(f'data-test="today-{key}"', 1)[1].split("</section>", 1)[0]


def test_the_charity_sees_what_its_goods_could_meet_and_what_runs_out(cw, web):
    user, charity, donation, staff, eligible, _ = _setup(cw)
    cw.goods_request(staff, eligible)
    donation.stock = 1  # of 10 given: running out
    cw.session.commit()
    web.login(user.username, "Charity-pass-2026")
    page = web.client.get("/charity/").get_data(as_text=True)
    meetable = section(page, "meetable")
    assert '<span class="badge-count">1</span>' in meetable and eligible.name not in meetable
    assert f"/charity/donations/{donation.id}" in section(page, "low")
    assert 'data-test="today-pool"' in page
