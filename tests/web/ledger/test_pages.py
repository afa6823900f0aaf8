"""我的时间账户, gift and donate with confirmation, CSV, staff and admin pages, role and scope denials."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import count_rows
from timebank.ledger.models import GrantRequest, Transfer
from timebank.policy.models import PolicyVersion

PASSWORD = "Volunteer-pass-2026"


def login(web, user, password=PASSWORD):
    web.login(user.phone or user.username, password)


def test_account_page_shows_balance_pending_spendable_and_statement(web, world):
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 150)
    login(web, volunteer)
    html = web.client.get("/me/account").get_data(as_text=True)
    assert re.search(r'data-test="balance">2小时30分<', html)
    assert re.search(r'data-test="spendable">2小时30分<', html)
    assert "服务所得" in html and "政府兜底时间池" in html and "+2小时30分" in html


def test_account_page_in_english_and_elder_mode(web, world):
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 150)
    login(web, volunteer)
    web.client.set_cookie("timebank_lang", "en")
    web.client.set_cookie("timebank_elder", "1")
    html = web.client.get("/me/account").get_data(as_text=True)
    assert 'lang="en"' in html and 'class="elder"' in html
    assert "2 h 30 min" in html
    assert '<meta name="viewport"' in html


def test_anonymous_is_sent_to_login_and_a_user_without_person_sees_why(web, world, client):
    assert client.get("/me/account").status_code == 302
    assert client.get("/me/account/gift").status_code == 302
    web.login("root", "Admin-pass-2026")
    response = client.get("/me/account")
    assert response.status_code == 200 and "没有时间账户" in response.get_data(as_text=True)
    assert client.get("/me/account/statement.csv").status_code == 404


def test_gift_page_names_each_relative_from_the_viewers_side(web, world):
    daughter, mother = world.volunteer(), world.volunteer(name="王秀英")  # the mother has a login too
    world.relate(mother.person_id, daughter.person_id, "child")  # the daughter is the mother's child
    world.fund(daughter.person_id, 300)
    world.fund(mother.person_id, 300)
    login(web, daughter)
    row = web.client.get("/me/account/gift").get_data(as_text=True).split('<li class="row">', 1)[1].split("</li>")[0]
    assert "父母" in row and "子女" not in row  # the daughter sees her mother as a parent
    web.logout()
    login(web, mother)
    row = web.client.get("/me/account/gift").get_data(as_text=True).split('<li class="row">', 1)[1].split("</li>")[0]
    assert "子女" in row and "父母" not in row  # and the mother sees her daughter as a child


def test_a_policy_naming_the_receiver_reads_the_link_from_the_givers_side(web, world, session):
    daughter, mother = world.volunteer(), world.resident()
    world.relate(mother.person_id, daughter.person_id, "child")
    world.fund(daughter.person_id, 300)
    world.set_policy(gift_kinships=["child"])  # only to one's children: the daughter may not give to her mother
    login(web, daughter)
    page = web.client.get("/me/account/gift").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
    before = count_rows(session, Transfer)
    refused = web.post("/me/account/gift", {"to_person_id": mother.person_id, "hours": 1, "minutes": 0,
                                            "memo": "", "idempotency_key": key, "confirmed": "1"},
                       token_from="/me/account/gift")
    assert refused.status_code == 422 and "不能转赠给这位亲属" in refused.get_data(as_text=True)
    assert count_rows(session, Transfer) == before


def test_gift_needs_a_confirmation_step_and_moves_hours_once(web, world, session):
    daughter, mother = world.volunteer(), world.resident()
    world.relate(mother.person_id, daughter.person_id, "child")
    world.fund(daughter.person_id, 300)
    login(web, daughter)
    page = web.client.get("/me/account/gift").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
    form = {"to_person_id": mother.person_id, "hours": 1, "minutes": 30, "memo": "给妈妈", "idempotency_key": key}
    before = count_rows(session, Transfer)
    confirm = web.post("/me/account/gift", form, token_from="/me/account/gift")
    assert confirm.status_code == 200 and 'data-test="confirm"' in confirm.get_data(as_text=True)
    assert count_rows(session, Transfer) == before
    done = web.post("/me/account/gift", {**form, "confirmed": "1"}, token_from="/me/account/gift")
    assert done.status_code == 302
    again = web.post("/me/account/gift", {**form, "confirmed": "1"}, token_from="/me/account/gift")
    assert again.status_code == 302
    assert count_rows(session, Transfer) == before + 1
    assert world.account(mother.person_id).balance == 90


@pytest.mark.parametrize("form,message", [
    ({"hours": 0, "minutes": 0}, "时长必须大于0分钟"),
    ({"hours": 9, "minutes": 0}, "可用时长不足"),
    ({"hours": -1, "minutes": 0}, "小时数无效"),
    ({"hours": "1.5", "minutes": 0}, ""),
])
def test_bad_gifts_show_an_error_and_write_nothing(web, world, session, form, message):
    daughter, mother = world.volunteer(), world.resident()
    world.relate(mother.person_id, daughter.person_id, "child")
    world.fund(daughter.person_id, 300)
    login(web, daughter)
    before = world.snapshot()
    response = web.post("/me/account/gift", {"to_person_id": mother.person_id, "idempotency_key": "gift-abc",
                                             "confirmed": "1", **form}, token_from="/me/account/gift")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert world.snapshot() == before


def test_gift_to_an_unverified_relative_is_refused_on_the_page(web, world):
    giver, mother = world.volunteer(), world.resident()
    world.relate(mother.person_id, giver.person_id, "child", verified=False)
    world.fund(giver.person_id, 300)
    login(web, giver)
    page = web.client.get("/me/account/gift").get_data(as_text=True)
    assert "待核实" in page
    before = world.snapshot()
    response = web.post("/me/account/gift", {"to_person_id": mother.person_id, "hours": 1, "minutes": 0,
                                             "idempotency_key": "gift-u", "confirmed": "1"},
                        token_from="/me/account/gift")
    assert response.status_code == 422 and "尚未经社工站核实" in response.get_data(as_text=True)
    assert world.snapshot() == before


def test_donate_with_confirmation(web, world):
    giver = world.volunteer()
    world.fund(giver.person_id, 120)
    login(web, giver)
    form = {"pool": "county_donation", "hours": 1, "minutes": 0, "idempotency_key": "donate-xyz"}
    confirm = web.post("/me/account/donate", form, token_from="/me/account/donate")
    assert "捐给县捐赠时间池" in confirm.get_data(as_text=True)
    assert web.post("/me/account/donate", {**form, "confirmed": "1"}, token_from="/me/account/donate").status_code == 302
    assert world.pool().balance == 60
    html = web.client.get("/me/account").get_data(as_text=True)
    assert "感谢您捐出 1小时" in html


def test_statement_filters_pagination_and_csv(web, world):
    volunteer = world.volunteer()
    for _ in range(3):
        world.fund(volunteer.person_id, 10)
    world.run(lambda: __import__("timebank.ledger.service", fromlist=["donate"]).donate(
        world.session, volunteer, pool="county_donation", minutes=5, key=world.key(), now=__import__(
            "tests.integration.ledger.world", fromlist=["NOW"]).NOW))
    login(web, volunteer)
    html = web.client.get("/me/account?kind=donate").get_data(as_text=True)
    assert html.count('class="row statement-row"') == 1
    assert web.client.get("/me/account?since=2099-01-01").get_data(as_text=True).count("statement-row") == 0
    assert web.client.get("/me/account?page=abc&since=bad").status_code == 200
    csv = web.client.get("/me/account/statement.csv")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 1 + 4 and "-5" in lines[1]


def test_staff_see_accounts_only_inside_their_subtree(web, world, make_staff):
    resident = world.resident(village="village00")
    far = world.resident(village="village10")
    make_staff("zhen0", 0)
    web.login("zhen0", "Station-pass-2026")
    assert web.client.get(f"/station/accounts/{resident.person_id}").status_code == 200
    assert web.client.get(f"/station/accounts/{far.person_id}").status_code == 404
    assert web.client.get("/station/accounts/999999").status_code == 404
    assert web.client.get("/admin/ledger").status_code == 403
    assert web.client.get("/admin/policy/").status_code == 403
    assert web.post("/admin/ledger/grants", {"to": "backstop", "hours": 1, "reason": "x",
                                             "idempotency_key": "g-1"}).status_code == 403


def test_volunteers_cannot_reach_staff_or_admin_pages(web, world):
    volunteer = world.volunteer()
    login(web, volunteer)
    for path in ("/station/accounts/1", "/admin/ledger", "/admin/policy/"):
        assert web.client.get(path).status_code == 403
    assert web.post("/admin/ledger/reversals", {"transfer_id": 1, "reason": "x",
                                                "idempotency_key": "r-1"}).status_code == 403


def test_admin_overview_grant_approval_reversal_and_check(web, world, session):
    from timebank.accounts import service as accounts

    web.login("root", "Admin-pass-2026")
    page = web.client.get("/admin/ledger")
    assert page.status_code == 200 and 'data-test="liability"' in page.get_data(as_text=True)
    small = web.post("/admin/ledger/grants", {"to": "backstop", "hours": 10, "minutes": 0, "reason": "年度拨付",
                                              "idempotency_key": "grant-web-1"}, token_from="/admin/ledger")
    assert small.status_code == 302 and world.pool("backstop").balance == 600
    big = web.post("/admin/ledger/grants", {"to": "backstop", "hours": 500, "minutes": 0, "reason": "年度拨付",
                                            "idempotency_key": "grant-web-2"}, token_from="/admin/ledger")
    assert big.status_code == 302
    grant = session.scalar(select(GrantRequest))
    assert "需要另一位管理员批准" in web.client.get("/admin/ledger").get_data(as_text=True)
    refused = web.post(f"/admin/ledger/grants/{grant.id}/approve", {"idempotency_key": "d-1"},
                       token_from="/admin/ledger")
    assert refused.status_code == 403
    bad = web.post("/admin/ledger/grants", {"to": "person", "person_id": "12345678", "hours": 1, "reason": "x",
                                            "idempotency_key": "grant-web-3"}, token_from="/admin/ledger")
    assert bad.status_code == 404
    first = session.scalar(select(func.min(Transfer.id)))
    reversed_ = web.post("/admin/ledger/reversals", {"transfer_id": first, "reason": "误发",
                                                     "idempotency_key": "rev-1"}, token_from="/admin/ledger")
    assert reversed_.status_code == 302
    twice = web.post("/admin/ledger/reversals", {"transfer_id": first, "reason": "误发",
                                                 "idempotency_key": "rev-2"}, token_from="/admin/ledger")
    assert twice.status_code == 409 and "已经冲正过" in twice.get_data(as_text=True)
    assert web.post("/admin/ledger/check", {}, token_from="/admin/ledger").status_code == 302
    assert "✔" in web.client.get("/admin/ledger").get_data(as_text=True)
    accounts.create_user(session, password="Second-admin-2026", roles=("admin",), username="admin2",
                         node_id=world.county["root"].id)
    session.commit()
    web.logout()
    web.login("admin2", "Second-admin-2026")
    assert web.post(f"/admin/ledger/grants/{grant.id}/approve", {"idempotency_key": "d-2"},
                    token_from="/admin/ledger").status_code == 302
    assert world.pool("backstop").balance == 30_000


def test_admin_edits_the_policy_as_a_new_version(web, world, session):
    web.login("root", "Admin-pass-2026")
    page = web.client.get("/admin/policy/").get_data(as_text=True)
    assert "默认规则" in page
    form = {"depositor_min_age": 18, "minor_mode": "group_only", "redeem_min_age": 65, "redeem_spouse_counts": "y",
            "hardship_exception": "y", "hardship_redeem_min_age": 60, "relative_direct_pay": "y",
            "gift_kinships": ["spouse", "child"], "balance_cap_hours": 1000,
            "team_hours_donation_only": "y", "grant_approval_hours": 100, "hold_expiry_days": 30,
            "death_balance": "heirs", "note": "依据县民政局通知"}
    assert web.post("/admin/policy/", form, token_from="/admin/policy/").status_code == 302
    version = session.scalar(select(PolicyVersion).order_by(PolicyVersion.id.desc()))
    assert version.created_by_id == world.admin.id and '"redeem_min_age": 65' in version.settings
    assert '"death_balance": "heirs"' in version.settings
    assert '"hardship_redeem_min_age": 60' in version.settings and '"relative_direct_pay": true' in version.settings
    html = web.client.get("/admin/policy/").get_data(as_text=True)
    assert "依据县民政局通知" in html
    bad = web.post("/admin/policy/", {**form, "redeem_min_age": 5}, token_from="/admin/policy/")
    assert bad.status_code == 422 and "兑换年龄应在50到80岁之间" in bad.get_data(as_text=True)
    above = web.post("/admin/policy/", {**form, "hardship_redeem_min_age": 70}, token_from="/admin/policy/")
    assert above.status_code == 422 and "特殊困难提前兑换的年龄应在50岁到兑换年龄之间" in above.get_data(as_text=True)
    assert count_rows(session, PolicyVersion) == 1


def test_statement_page_query_count_is_bounded(web, world, count_queries):
    volunteer = world.volunteer(birth=date(1990, 1, 1))
    world.fund(volunteer.person_id, 10)
    login(web, volunteer)
    with count_queries() as few:
        assert web.client.get("/me/account").status_code == 200
    for _ in range(40):
        world.fund(volunteer.person_id, 1)
    with count_queries() as many:
        assert web.client.get("/me/account?page=2").status_code == 200
    assert many.count == few.count <= 10, many.statements
