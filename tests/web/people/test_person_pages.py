"""Person pages: linking an existing person as a resident, corrections, moves, death and heirs through the
forms; every refusal shows a message and changes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import count_rows
from tests.integration.visits.world import NOW, TODAY
from timebank.accounts import crypto
from timebank.accounts.models import Person
from timebank.audit.models import AuditEvent
from timebank.ledger import reconcile
from timebank.ledger.models import LedgerAccount, Transfer
from timebank.people.models import ResidentProfile
from timebank.visits.models import ServiceRequest

STATION_PASSWORD = "Station-pass-2026"


@pytest.fixture
def jia(web, make_staff):
    make_staff("jia", 0)
    web.login("jia", STATION_PASSWORD)
    return web


def resident_form(county, **overrides):
    data = {"name": "刘建国", "id_number": "", "phone": "", "village_id": str(county["village00"].id),
            "address": "光明巷3号", "living_situation": "alone", "disability_grade": "0",
            "consent_form_ref": "ZQ-1", "notes": ""}
    data.update(overrides)
    return data


def state(session):
    return (count_rows(session, Person), count_rows(session, ResidentProfile), count_rows(session, LedgerAccount),
            count_rows(session, AuditEvent))


def test_a_67_year_old_volunteer_is_confirmed_and_added_as_a_resident(jia, session, county, make_volunteer):
    user = make_volunteer(status="approved", birth=date(1959, 4, 2), name="刘建国")
    person = session.get(Person, user.person_id)
    id_number = crypto.decrypt(person.id_number_encrypted)
    before = state(session)
    asked = jia.post("/station/residents/new", resident_form(county, id_number=id_number),
                     token_from="/station/residents/new")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'data-test="existing-person"' in page
    assert person.id_number_masked in page and "甲镇0村" in page
    assert state(session) == before
    done = jia.post("/station/residents/new", resident_form(county, id_number=id_number,
                                                            confirm_person_id=str(person.id)),
                    token_from="/station/residents/new")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/station/residents/{person.id}")
    persons, residents, ledger_accounts, _audit = state(session)
    assert (persons, residents, ledger_accounts) == (before[0], before[1] + 1, before[2])
    detail = jia.client.get(f"/station/residents/{person.id}").get_data(as_text=True)
    assert 'data-test="role-volunteer"' in detail and 'data-test="role-resident"' in detail
    volunteer_page = jia.client.get(f"/station/volunteers/{person.id}").get_data(as_text=True)
    assert 'data-test="role-resident"' in volunteer_page
    account_page = jia.client.get(f"/station/accounts/{person.id}").get_data(as_text=True)
    assert 'data-test="role-resident"' in account_page


def test_wrong_name_when_linking_changes_nothing(jia, session, county, make_volunteer):
    user = make_volunteer(status="approved", birth=date(1959, 4, 2), name="刘建国")
    id_number = crypto.decrypt(session.get(Person, user.person_id).id_number_encrypted)
    before = state(session)
    response = jia.post("/station/residents/new", resident_form(county, id_number=id_number, name="刘建军",
                                                                confirm_person_id=str(user.person_id)),
                        token_from="/station/residents/new")
    assert response.status_code == 422
    assert "姓名与登记的不一致" in response.get_data(as_text=True)
    assert state(session) == before


def test_person_in_another_township_is_refused_with_name_and_masked_id_only(jia, session, county, make_volunteer):
    user = make_volunteer(status="approved", village="village10", name="刘建国")
    person = session.get(Person, user.person_id)
    before = state(session)
    response = jia.post("/station/residents/new",
                        resident_form(county, id_number=crypto.decrypt(person.id_number_encrypted)),
                        token_from="/station/residents/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert person.id_number_masked in page and "请联系对方社工站或县民政局" in page
    assert "乙镇0村" not in page
    assert state(session) == before


def test_the_me_page_shows_all_roles(web, session, county, make_volunteer, make_resident):
    from timebank.people.models import Relative

    user = make_volunteer(status="approved")
    resident = make_resident()
    session.add(Relative(resident_id=resident.person_id, relative_id=user.person_id, kinship="child",
                         verified=True))
    session.commit()
    web.login(user.phone, "Volunteer-pass-2026")
    page = web.client.get("/me").get_data(as_text=True)
    assert 'data-test="role-volunteer"' in page and 'data-test="role-relative"' in page
    assert "王秀英" in page


def test_edit_form_saves_and_shows_history(jia, session, county, make_resident):
    profile = make_resident()
    url = f"/station/people/{profile.person_id}/edit"
    assert jia.client.get(url).status_code == 200
    form = {"phone": "13912345678", "address": "新街5号", "village_id": str(county["village01"].id),
            "living_situation": "empty_nest", "disability_grade": "2", "disability_type": "physical",
            "adl_level": "3", "adl_assessed_on": (TODAY - timedelta(days=5)).isoformat(),
            "emergency_contact_name": "王强", "emergency_contact_phone": "13700001111"}
    response = jia.post(url, form, token_from=url)
    assert response.status_code == 302
    page = jia.client.get(f"/station/people/{profile.person_id}").get_data(as_text=True)
    assert "139****5678" in page and "甲镇1村" in page and "重度失能" in page
    assert "13912345678" not in page


@pytest.mark.parametrize("changes, message", [
    ({"adl_level": "2", "adl_assessed_on": ""}, "要么都填"),
    ({"adl_level": "2", "adl_assessed_on": (TODAY + timedelta(days=2)).isoformat()}, "评估日期不能晚于今天"),
    ({"phone": "123"}, "请输入11位手机号码"),
])
def test_bad_edits_show_a_message_and_change_nothing(jia, session, county, make_resident, changes, message):
    profile = make_resident()
    url = f"/station/people/{profile.person_id}/edit"
    form = {"phone": "", "address": "幸福路1号", "village_id": str(county["village00"].id),
            "living_situation": "alone", "disability_grade": "0", "disability_type": "", "adl_level": "",
            "adl_assessed_on": "", "emergency_contact_name": "", "emergency_contact_phone": "", **changes}
    before = state(session)
    response = jia.post(url, form, token_from=url)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert state(session) == before


def test_village_outside_the_subtree_is_404(jia, session, county, make_resident):
    profile = make_resident()
    url = f"/station/people/{profile.person_id}/edit"
    form = {"address": "x", "village_id": str(county["village10"].id), "living_situation": "alone",
            "disability_grade": "0"}
    assert jia.post(url, form, token_from=url).status_code == 404
    outsider = make_resident(village="village10")
    assert jia.client.get(f"/station/people/{outsider.person_id}").status_code == 404
    assert jia.client.get(f"/station/people/{outsider.person_id}/edit").status_code == 404
    session.expire_all()
    assert session.get(Person, profile.person_id).node_id == county["village00"].id


def test_identity_page_is_for_the_county_admin_only(jia, web, session, make_resident):
    profile = make_resident()
    assert jia.client.get(f"/station/people/{profile.person_id}/identity").status_code in (403, 404)


def test_moving_outside_the_subtree_is_404_and_moving_hands_over(jia, web, session, county, make_resident,
                                                              make_staff):
    outsider = make_resident(village="village10")
    token_page = "/station/"
    response = jia.post(f"/station/people/{outsider.person_id}/move", {"move-village_id": str(county["village00"].id)},
                        token_from=token_page)
    assert response.status_code == 404
    profile = make_resident()
    response = jia.post(f"/station/people/{profile.person_id}/move", {"move-village_id": str(county["village10"].id),
                                                                      "move-reason": "随子女"},
                        token_from=f"/station/people/{profile.person_id}")
    assert response.status_code == 302
    assert jia.client.get(f"/station/people/{profile.person_id}").status_code == 404
    make_staff("yi", 1)
    web.logout()
    web.login("yi", STATION_PASSWORD)
    page = web.client.get(f"/station/people/{profile.person_id}").get_data(as_text=True)
    assert "乙镇0村" in page


def test_death_future_date_422_and_twice_409(jia, session, county, make_resident):
    profile = make_resident()
    url = f"/station/people/{profile.person_id}"
    response = jia.post(f"{url}/death", {"death-died_on": (TODAY + timedelta(days=1)).isoformat()}, token_from=url)
    assert response.status_code == 422 and "去世日期不能晚于今天" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Person, profile.person_id).status == "active"
    assert jia.post(f"{url}/death", {"death-died_on": TODAY.isoformat()}, token_from=url).status_code == 302
    again = jia.post(f"{url}/death", {"death-died_on": TODAY.isoformat()}, token_from=url)
    assert again.status_code == 409 and "已登记为已故" in again.get_data(as_text=True)
    report = reconcile.run_check(session, now=NOW, record=False)
    assert report.ok, report.violations


def test_heir_not_a_verified_direct_relative_is_422(jia, session, county, make_resident, make_volunteer):
    from timebank.people.models import Relative
    from timebank.policy import service as policy_service

    policy_service.save(session, county["admin"], {"death_balance": "heirs"}, note=None, now=NOW)
    profile = make_resident()
    nephew = make_volunteer(name="张三")
    session.add(Relative(resident_id=profile.person_id, relative_id=nephew.person_id, kinship="other",
                         verified=True))
    session.commit()
    url = f"/station/people/{profile.person_id}"
    assert jia.post(f"{url}/death", {"death-died_on": TODAY.isoformat()}, token_from=url).status_code == 302
    page = jia.client.get(url).get_data(as_text=True)
    assert 'data-test="heirs-propose"' in page
    before = (count_rows(session, Transfer), count_rows(session, AuditEvent))
    response = jia.post(f"{url}/heirs", {"heirs-heirs": str(nephew.person_id)}, token_from=url)
    assert response.status_code == 422 and "直系亲属" in response.get_data(as_text=True)
    assert (count_rows(session, Transfer), count_rows(session, AuditEvent)) == before


def test_history_lists_who_changed_what(jia, session, county, make_resident):
    profile = make_resident()
    url = f"/station/people/{profile.person_id}/edit"
    jia.post(url, {"address": "新街9号", "village_id": str(county["village00"].id), "living_situation": "alone",
                   "disability_grade": "0"}, token_from=url)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "person_edit"))
    assert json.loads(event.changes)["address"] == ["幸福路1号", "新街9号"]
    page = jia.client.get(f"/station/people/{profile.person_id}").get_data(as_text=True)
    assert "新街9号" in page and "jia" in page


def test_a_deceased_resident_gets_no_new_request(jia, session, county, make_resident):
    from timebank.people import lifecycle

    profile = make_resident()
    lifecycle.mark_deceased(session, county["admin"], profile.person_id, died_on=TODAY, today=TODAY, now=NOW)
    session.commit()
    before = session.scalar(select(func.count()).select_from(ServiceRequest))
    page = jia.client.get(f"/station/people/{profile.person_id}").get_data(as_text=True)
    assert "已故" in page
    assert session.scalar(select(func.count()).select_from(ServiceRequest)) == before
