"""Charity, goods and transparency pages: role and scope checks (denials tested), forms with bad input
answer 422 with the error beside the field and change nothing, zh_CN / en / elder mode render."""

from __future__ import annotations

import pytest

from tests.integration.charity.world import credit_code
from tests.web.charity.conftest import CHARITY_PASSWORD, STATION_PASSWORD
from timebank.charity.models import Charity, Donation, GoodsRequest


def _setup(cw):
    user, charity = cw.charity()
    donation = cw.donate(user, quantity=10, statuses=("tekun",), townships=(cw.county["township0"].id,))
    staff = cw.staff(0)
    eligible = cw.resident(kinds=("tekun",), name="特困甲")
    ineligible = cw.resident(kinds=("dibao",), name="低保乙")
    return user, charity, donation, staff, eligible, ineligible


def test_anonymous_is_sent_to_login_and_other_roles_are_refused(cw, client, web):
    for path in ("/charity/", "/charity/donations/new", "/goods/", "/goods/new", "/charity/admin", "/goods/mine"):
        assert client.get(path).status_code == 302
    volunteer = cw.volunteer()
    web.login(volunteer.phone, "Volunteer-pass-2026")
    for path in ("/charity/", "/charity/donations/new", "/goods/", "/charity/admin", "/charity/admin/items",
                 "/goods/mine"):
        assert client.get(path).status_code == 403, path


def test_staff_outside_the_subtree_get_404(cw, client, web):
    _user, _charity, donation, staff, eligible, _ = _setup(cw)
    goods = cw.goods_request(staff, eligible)
    alloc = cw.allocate(staff, goods, donation)
    outsider = cw.staff(1)
    web.login(outsider.username, STATION_PASSWORD)
    assert client.get(f"/goods/{goods.id}").status_code == 404
    assert client.get(f"/charity/donations/{donation.id}").status_code == 404
    assert web.post(f"/goods/{goods.id}/allocate", {"donation_id": donation.id, "method": "pickup"}).status_code == 404
    assert web.post(f"/goods/allocations/{alloc.id}/receipt").status_code == 404
    assert web.post(f"/goods/allocations/{alloc.id}/cancel", {"reason": "x"}).status_code == 404
    assert "特困甲" not in client.get("/goods/").get_data(as_text=True)
    assert cw.stock(donation) == (9, 1)


def test_another_charity_cannot_see_or_write_off_a_donation(cw, client, web):
    _user, _charity, donation, *_ = _setup(cw)
    other, _other_charity = cw.charity()
    web.login(other.username, CHARITY_PASSWORD)
    assert client.get(f"/charity/donations/{donation.id}").status_code == 404
    assert web.post(f"/charity/donations/{donation.id}/write-off", {"quantity": 1, "reason": "x"}).status_code == 404
    assert cw.stock(donation) == (10, 0)


def test_registration_with_a_bad_credit_code_shows_the_error_and_saves_nothing(cw, client, web):
    user = cw.charity_user()
    web.login(user.username, CHARITY_PASSWORD)
    assert client.get("/charity/", follow_redirects=False).headers["Location"].endswith("/charity/register")
    form = {"name": "新基金会", "credit_code": "91350100M000100Y44", "registration": "charity",
            "contact_name": "李", "contact_phone": "13800001111"}
    response = web.post("/charity/register", form, token_from="/charity/register")
    assert response.status_code == 422
    assert "校验位不正确" in response.get_data(as_text=True)
    assert cw.session.query(Charity).filter_by(name="新基金会").count() == 0
    form["credit_code"] = credit_code()
    assert web.post("/charity/register", form, token_from="/charity/register").status_code == 302
    page = client.get("/charity/").get_data(as_text=True)
    assert "待审核" in page and "捐赠物资" not in page.split("审核状态")[1].split("</section>")[0]
    assert client.get("/charity/donations/new").status_code == 403


def test_admin_approves_and_the_charity_donates_through_the_page(cw, client, web):
    user, charity = cw.charity(approved=False)
    web.login("root", "Admin-pass-2026")
    assert web.post(f"/charity/admin/{charity.id}/review", {"decision": "approve"},
                    token_from="/charity/admin").status_code == 302
    cw.session.expire_all()
    assert cw.session.get(Charity, charity.id).status == "approved"
    web.logout()
    web.login(user.username, CHARITY_PASSWORD)
    form = {"item_id": cw.item().id, "quantity": "0", "station_id": cw.county["station0"].id, "delivery": "both"}
    response = web.post("/charity/donations/new", form, token_from="/charity/donations/new")
    assert response.status_code == 422 and "数量应为" in response.get_data(as_text=True)
    assert cw.session.query(Donation).count() == 0
    form.update(quantity="10", statuses="tekun")
    response = web.post("/charity/donations/new", form, token_from="/charity/donations/new")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-test="movement-received"' in page


def test_station_allocates_only_the_eligible_resident(cw, client, web):
    _user, _charity, donation, staff, eligible, ineligible = _setup(cw)
    web.login(staff.username, STATION_PASSWORD)
    response = web.post("/goods/new", {"resident_id": ineligible.id, "item_id": cw.item().id, "quantity": "-1",
                                       "reason": "御寒"}, token_from="/goods/new")
    assert response.status_code == 422
    assert cw.session.query(GoodsRequest).count() == 0
    good = cw.goods_request(staff, eligible)
    bad = cw.goods_request(staff, ineligible)
    page = client.get(f"/goods/{bad.id}").get_data(as_text=True)
    assert f'data-test="allocate-{donation.id}"' not in page and "困难类型不符" in page
    response = web.post(f"/goods/{bad.id}/allocate", {"donation_id": donation.id, "method": "pickup"},
                        token_from=f"/goods/{bad.id}")
    assert response.status_code == 422 and "困难类型" in response.get_data(as_text=True)
    assert cw.stock(donation) == (10, 0)
    page = client.get(f"/goods/{good.id}").get_data(as_text=True)
    assert f'data-test="allocate-{donation.id}"' in page
    response = web.post(f"/goods/{good.id}/allocate", {"donation_id": donation.id, "method": "pickup"},
                        token_from=f"/goods/{good.id}")
    assert response.status_code == 302
    assert cw.stock(donation) == (9, 1)


def test_relative_confirms_on_my_goods_once(cw, client, web):
    _user, _charity, donation, staff, eligible, _ = _setup(cw)
    relative = cw.relative_user(eligible.id)
    alloc = cw.allocate(staff, cw.goods_request(staff, eligible), donation)
    web.login(relative.phone, "Volunteer-pass-2026")
    page = client.get("/goods/mine").get_data(as_text=True)
    assert f'data-test="my-allocation-{alloc.id}"' in page
    assert web.post(f"/goods/allocations/{alloc.id}/receipt", token_from="/goods/mine").status_code == 302
    assert cw.stock(donation) == (9, 0)
    web.post(f"/goods/allocations/{alloc.id}/receipt", token_from="/goods/mine")
    assert "不能重复确认" in client.get("/goods/mine").get_data(as_text=True)
    assert cw.stock(donation) == (9, 0)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_public_pages_show_numbers_and_never_a_resident(cw, client, lang):
    user, charity, donation, staff, eligible, _ = _setup(cw)
    cw.allocate(staff, cw.goods_request(staff, eligible), donation)
    client.set_cookie("timebank_lang", lang)
    client.set_cookie("timebank_elder", "1")
    for path in ("/public/charity/", f"/public/charity/{charity.id}"):
        response = client.get(path)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'data-test="total-stock">9<' in page
        assert "特困甲" not in page and eligible.id_number_masked not in page and "village" not in page
    csv = client.get(f"/public/charity/{charity.id}.csv").get_data(as_text=True)
    assert "特困甲" not in csv and "9" in csv
    assert client.get("/public/charity/99999").status_code == 404
    unapproved_user, unapproved = cw.charity(approved=False)
    assert client.get(f"/public/charity/{unapproved.id}").status_code == 404


@pytest.mark.parametrize("path", ["/charity/", "/charity/donations/new", "/charity/pool"])
def test_charity_pages_render_in_both_languages_and_elder_mode(cw, client, web, path):
    user, _charity = cw.charity()
    cw.donate(user)
    web.login(user.username, CHARITY_PASSWORD)
    for lang in ("zh_CN", "en"):
        client.set_cookie("timebank_lang", lang)
        client.set_cookie("timebank_elder", "1")
        response = client.get(path)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'class="elder"' in page
        assert ('<html lang="en"' in page) == (lang == "en")


def test_station_and_admin_pages_render(cw, client, web):
    _user, _charity, donation, staff, eligible, _ = _setup(cw)
    goods = cw.goods_request(staff, eligible)
    web.login(staff.username, STATION_PASSWORD)
    for path in ("/goods/", "/goods/new", f"/goods/{goods.id}", f"/charity/donations/{donation.id}"):
        assert client.get(path).status_code == 200, path
    web.logout()
    web.login("root", "Admin-pass-2026")
    for path in ("/charity/admin", "/charity/admin/items", f"/goods/{goods.id}"):
        assert client.get(path).status_code == 200, path
