"""Charity onboarding pages: the public application (a wrong checksum or a duplicate shows a message and
saves nothing), sign-in while pending or rejected lands on the status page, the admin's paged list,
approval, rejection, direct opening, deactivation (the members cannot sign in), and the denials: a member
of another charity, a plain member, a station."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.integration.charity.world import credit_code
from timebank.accounts.models import User
from timebank.charity import onboarding
from timebank.charity.models import Charity, CharityMember

ADMIN = ("root", "Admin-pass-2026")
PASSWORD = "Charity-pass-2026"


def form(**change) -> dict:
    data = {"name": "春晖公益基金会", "credit_code": credit_code(), "registration": "charity",
            "registration_number": "53420100MJ0001234X", "contact_name": "李主任", "contact_phone": "13800001111",
            "contact_email": "office@chunhui.example", "username": "chunhui", "password": PASSWORD,
            "confirm": PASSWORD}
    data.update(change)
    return data


def rows(session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(Charity)),
            session.scalar(select(func.count()).select_from(User)))


def test_the_public_page_refuses_a_wrong_checksum_and_a_duplicate(cw, web, client):
    page = client.get("/charity/apply")
    assert page.status_code == 200 and "慈善组织入驻申请" in page.get_data(as_text=True)
    before = rows(cw.session)
    bad = web.post("/charity/apply", form(credit_code="91350100M000100Y44"), token_from="/charity/apply")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "校验位不正确" in html and 'aria-invalid="true"' in html
    assert rows(cw.session) == before
    ok = web.post("/charity/apply", form(credit_code="91350100M000100Y43"), token_from="/charity/apply")
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/charity/apply/done")
    assert "等待审核" in client.get("/charity/apply/done").get_data(as_text=True)
    after = rows(cw.session)
    dup = web.post("/charity/apply", form(name="另一家", credit_code="91350100M000100Y43", username="other"),
                   token_from="/charity/apply")
    assert dup.status_code == 409 and "该统一社会信用代码已登记" in dup.get_data(as_text=True)
    dup = web.post("/charity/apply", form(username="other"), token_from="/charity/apply")
    assert dup.status_code == 409 and "已有同名机构登记" in dup.get_data(as_text=True)
    assert rows(cw.session) == after


def test_signing_in_while_pending_or_rejected_shows_the_status(cw, web, client):
    web.post("/charity/apply", form(), token_from="/charity/apply")
    login = web.login("chunhui", PASSWORD)
    assert login.headers["Location"].endswith("/charity/")
    page = client.get("/charity/").get_data(as_text=True)
    assert 'data-test="pending-notice"' in page and "待审核" in page
    assert client.get("/charity/donations/new").status_code == 403
    web.logout()
    charity = cw.session.scalar(select(Charity).where(Charity.name == "春晖公益基金会"))
    web.login(*ADMIN)
    listing = client.get("/charity/admin?status=pending").get_data(as_text=True)
    assert f'data-test="charity-{charity.id}"' in listing
    response = web.post(f"/charity/admin/{charity.id}/review", {"decision": "reject", "reason": "登记证书不清晰"},
                        token_from="/charity/admin")
    assert response.status_code == 302
    web.logout()
    web.login("chunhui", PASSWORD)
    page = client.get("/charity/").get_data(as_text=True)
    assert 'data-test="rejected-notice"' in page and "登记证书不清晰" in page
    assert "机构登记未通过审核" in client.get("/inbox").get_data(as_text=True)  # told in the inbox too


def test_the_admin_list_pages_and_filters(cw, web, client):
    for n in range(23):
        onboarding.apply(cw.session, onboarding.ApplicationInput(
            charity=onboarding.CharityInput(name=f"互助会{n:02d}", credit_code=credit_code(), registration="enterprise",
                                            contact_name="张", contact_phone="13800001111"),
            registration_number=None, contact_email=None,
            login=onboarding.LoginInput(username=f"huzhu{n:02d}", password=PASSWORD)), now=cw_now())
    cw.session.commit()
    web.login(*ADMIN)
    first = client.get("/charity/admin?status=pending").get_data(as_text=True)
    second = client.get("/charity/admin?status=pending&page=2").get_data(as_text=True)
    assert first.count('data-test="charity-') == 20 and second.count('data-test="charity-') == 3
    assert "下一页" in first and "互助会22" in second
    assert client.get("/charity/admin?status=approved").get_data(as_text=True).count('data-test="charity-') == 0


def cw_now():
    from tests.integration.charity.world import NOW

    return NOW


def test_admin_opens_a_charity_and_its_owner_adds_a_member(cw, web, client):
    web.login(*ADMIN)
    response = web.post("/charity/admin/new", {k: v for k, v in form().items() if k != "confirm"},
                        token_from="/charity/admin/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    charity = cw.session.scalar(select(Charity).where(Charity.name == "春晖公益基金会"))
    assert charity.status == "approved" and charity.pool_open
    bad = web.post("/charity/admin/new", {k: v for k, v in form(username="x2").items() if k != "confirm"},
                   token_from="/charity/admin/new")
    assert bad.status_code == 409
    web.logout()
    web.login("chunhui", PASSWORD)  # the initial password must be changed first
    assert client.get("/charity/members").headers["Location"].endswith("/account/password")
    owner = cw.session.scalar(select(User).where(User.username == "chunhui"))
    owner.must_change_password = False
    cw.session.commit()
    page = client.get("/charity/members").get_data(as_text=True)
    assert 'data-test="add-member"' in page
    added = web.post("/charity/members", {"name": "王干事", "username": "chunhui-wang",
                                          "password": "Member-pass-2026", "role": "member"},
                     token_from="/charity/members")
    assert added.status_code == 302
    weak = web.post("/charity/members", {"name": "赵干事", "username": "chunhui-zhao", "password": "12345678",
                                         "role": "member"}, token_from="/charity/members")
    assert weak.status_code == 422
    last = web.post(f"/charity/members/{owner.id}/remove", token_from="/charity/members", follow_redirects=True)
    assert "最后一名负责人" in last.get_data(as_text=True)
    assert cw.session.get(CharityMember, owner.id).removed_at is None


def test_denials_between_charities_members_and_stations(cw, web, client, make_staff):
    mine = onboarding.open_charity(cw.session, cw.admin, _input("甲基金会", "jia-owner"), now=cw_now())
    other = onboarding.open_charity(cw.session, cw.admin, _input("乙基金会", "yi-owner"), now=cw_now())
    member = onboarding.add_member(cw.session, mine.members[0].user, mine.id, onboarding.LoginInput(
        username="jia-member", password="Member-pass-2026", name="甲成员"), now=cw_now())
    for row in (mine.members[0].user, other.members[0].user, member.user):
        row.must_change_password = False
    cw.session.commit()
    web.login("jia-owner", PASSWORD)
    assert web.post(f"/charity/members/{other.members[0].user_id}/remove",
                    token_from="/charity/members").status_code == 404
    assert client.get(f"/charity/admin/{other.id}").status_code == 403
    web.logout()
    web.login("jia-member", "Member-pass-2026")
    page = client.get("/charity/members").get_data(as_text=True)
    assert 'data-test="add-member"' not in page and "只有机构负责人" in page
    refused = web.post("/charity/members", {"name": "偷加", "username": "sneaky", "password": "Member-pass-2026",
                                            "role": "owner"}, token_from="/charity/members")
    assert refused.status_code == 403
    assert cw.session.scalar(select(User.id).where(User.username == "sneaky")) is None
    web.logout()
    make_staff("jia")
    web.login("jia", "Station-pass-2026")
    assert client.get("/charity/admin").status_code == 403
    pending = onboarding.apply(cw.session, _input("丙基金会", "bing-owner"), now=cw_now())
    cw.session.commit()
    assert web.post(f"/charity/admin/{pending.id}/review", {"decision": "approve"}).status_code == 403
    assert web.post(f"/charity/admin/{mine.id}/deactivate", {"reason": "x"}).status_code == 403
    assert cw.session.get(Charity, pending.id).status == "pending"


def _input(name, username):
    return onboarding.ApplicationInput(
        charity=onboarding.CharityInput(name=name, credit_code=credit_code(), registration="social_org",
                                        contact_name="李主任", contact_phone="13800001111"),
        registration_number=None, contact_email=None, login=onboarding.LoginInput(username=username,
                                                                                  password=PASSWORD))


def test_a_deactivated_charitys_member_cannot_sign_in(cw, web, client):
    charity = onboarding.open_charity(cw.session, cw.admin, _input("丁基金会", "ding-owner"), now=cw_now())
    charity.members[0].user.must_change_password = False
    cw.session.commit()
    web.login("ding-owner", PASSWORD)
    assert client.get("/charity/").status_code == 200
    web.logout()
    web.login(*ADMIN)
    assert client.get(f"/charity/admin/{charity.id}").status_code == 200
    assert web.post(f"/charity/admin/{charity.id}/deactivate", {"reason": ""},
                    token_from=f"/charity/admin/{charity.id}").status_code == 422
    done = web.post(f"/charity/admin/{charity.id}/deactivate", {"reason": "年检不合格"},
                    token_from=f"/charity/admin/{charity.id}")
    assert done.status_code == 302
    assert 'data-test="charity-deactivated"' in client.get(f"/charity/admin/{charity.id}").get_data(as_text=True)
    web.logout()
    refused = web.post("/login", {"login": "ding-owner", "password": PASSWORD}, token_from="/login")
    assert refused.status_code == 401 and "已被县民政局停用" in refused.get_data(as_text=True)
    web.login(*ADMIN)
    assert web.post(f"/charity/admin/{charity.id}/reactivate",
                    token_from=f"/charity/admin/{charity.id}").status_code == 302
    web.logout()
    web.login("ding-owner", PASSWORD)


def test_the_onboarding_pages_read_in_english(cw, web, client):
    from tests.web.test_pages import untranslated_text

    charity = onboarding.open_charity(cw.session, cw.admin, _input("戊基金会", "wu-owner"), now=cw_now())
    charity.members[0].user.must_change_password = False
    cw.session.commit()
    client.set_cookie("timebank_lang", "en")
    pages = {"/charity/apply": client.get("/charity/apply"), "/charity/apply/done": client.get("/charity/apply/done")}
    web.login("wu-owner", PASSWORD)
    pages.update({path: client.get(path) for path in ("/charity/", "/charity/members")})
    web.logout()
    web.login(*ADMIN)
    pages.update({path: client.get(path) for path in ("/charity/admin", "/charity/admin/new",
                                                       f"/charity/admin/{charity.id}")})
    for path, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert '<html lang="en"' in html and '="None"' not in html, path
        assert not untranslated_text(html), (path, untranslated_text(html))
