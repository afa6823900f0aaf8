"""Station pages: approval inside the subtree, 404 outside it, residents, statuses, relatives."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import count_rows, new_id_number
from timebank.accounts import crypto
from timebank.accounts.models import Person
from timebank.people.models import HardshipStatus, Relative, ResidentProfile, VolunteerProfile


@pytest.fixture
def station0(web, make_staff):
    make_staff("jia", 0)
    web.login("jia", "Station-pass-2026")
    return web


def status_of(session, person_id):
    session.expire_all()
    return session.get(VolunteerProfile, person_id).status


def test_station_approves_a_volunteer_in_its_township(station0, session, make_volunteer):
    volunteer = make_volunteer(village="village01")
    page = station0.client.get("/station/volunteers?status=pending").get_data(as_text=True)
    assert f"/station/volunteers/{volunteer.person_id}" in page
    response = station0.post(f"/station/volunteers/{volunteer.person_id}/review", {"decision": "approve"})
    assert response.status_code == 302
    assert status_of(session, volunteer.person_id) == "approved"


def test_reject_needs_a_reason(station0, session, make_volunteer):
    volunteer = make_volunteer()
    response = station0.post(f"/station/volunteers/{volunteer.person_id}/review", {"decision": "reject"})
    assert response.status_code == 422
    assert "不通过时请填写原因" in response.get_data(as_text=True)
    assert status_of(session, volunteer.person_id) == "pending"
    station0.post(f"/station/volunteers/{volunteer.person_id}/review", {"decision": "reject", "reason": "材料不全"})
    assert status_of(session, volunteer.person_id) == "rejected"


def test_reviewing_twice_is_refused(station0, session, make_volunteer):
    volunteer = make_volunteer(status="approved")
    response = station0.post(f"/station/volunteers/{volunteer.person_id}/review", {"decision": "reject",
                                                                                  "reason": "x"})
    assert response.status_code == 409
    assert status_of(session, volunteer.person_id) == "approved"


def test_other_township_gets_404_and_cannot_approve(station0, session, make_volunteer):
    outsider = make_volunteer(village="village10")
    assert station0.client.get(f"/station/volunteers/{outsider.person_id}").status_code == 404
    response = station0.post(f"/station/volunteers/{outsider.person_id}/review", {"decision": "approve"})
    assert response.status_code == 404
    assert status_of(session, outsider.person_id) == "pending"
    listing = station0.client.get("/station/volunteers").get_data(as_text=True)
    assert f"/station/volunteers/{outsider.person_id}" not in listing


def test_volunteers_cannot_open_station_pages(web, make_volunteer):
    volunteer = make_volunteer(status="approved")
    web.login(volunteer.phone, "Volunteer-pass-2026")
    for path in ("/station/", "/station/volunteers", "/station/residents", "/station/residents/new",
                 "/admin/", "/admin/org", "/admin/users"):
        assert web.client.get(path).status_code == 403, path


def test_anonymous_is_sent_to_login(client):
    for path in ("/station/", "/me", "/admin/org"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def resident_form(county, **overrides):
    data = {"name": "李桂兰", "id_number": new_id_number(date(1938, 2, 3), male=False), "phone": "",
            "village_id": str(county["village00"].id), "address": "光明巷3号", "living_situation": "alone",
            "disability_grade": "1", "consent_form_ref": "ZQ-2026-0009", "notes": ""}
    data.update(overrides)
    return data


def test_station_registers_a_resident_with_statuses_and_a_relative(station0, session, county):
    response = station0.post("/station/residents/new", resident_form(county), token_from="/station/residents/new")
    assert response.status_code == 302
    profile = session.scalars(select(ResidentProfile)).one()
    person_id = profile.person_id
    added = station0.post(f"/station/residents/{person_id}/statuses",
                          {"h-kind": "tekun", "h-evidence_no": "MZ-123", "h-review_date": "2027-06-30"})
    assert added.status_code == 302
    relative = station0.post(f"/station/residents/{person_id}/relatives", {
        "r-name": "李明", "r-id_number": new_id_number(date(1968, 5, 5)), "r-phone": "13812340000",
        "r-kinship": "child", "r-login_password": "Family-pass-2026", "r-consent_form_ref": "ZQ-R-1"})
    assert relative.status_code == 302
    link = session.scalars(select(Relative)).one()
    assert link.verified is False
    station0.post(f"/station/residents/{person_id}/relatives/{link.id}/verify", {})
    session.expire_all()
    assert session.get(Relative, link.id).verified is True
    page = station0.client.get(f"/station/residents/{person_id}").get_data(as_text=True)
    assert "特困" in page and "李明" in page and "已核实" in page
    # the relative can log in with the login the station opened
    other = station0.__class__(station0.client.application.test_client())
    assert other.login("13812340000", "Family-pass-2026").status_code == 302
    # ... and must first replace the password the station chose (docs/en/auth-security.md)
    assert other.client.get("/visits/services").headers["Location"] == "/account/password"


@pytest.mark.parametrize(
    ("overrides", "message", "status"),
    [
        ({"id_number": "11010519491231002Y"}, "身份证号码应为18位", 422),
        ({"id_number": "110105194912310021"}, "校验位不正确", 422),
        ({"phone": "123"}, "请输入11位手机号码", 422),
    ],
)
def test_bad_resident_input_writes_nothing(station0, session, county, overrides, message, status):
    before = count_rows(session, Person), count_rows(session, ResidentProfile)
    response = station0.post("/station/residents/new", resident_form(county, **overrides),
                             token_from="/station/residents/new")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert (count_rows(session, Person), count_rows(session, ResidentProfile)) == before


def test_duplicate_resident_id_number_is_refused(station0, session, county):
    data = resident_form(county)
    assert station0.post("/station/residents/new", data, token_from="/station/residents/new").status_code == 302
    before = count_rows(session, Person)
    again = station0.post("/station/residents/new", data, token_from="/station/residents/new")
    assert again.status_code == 409
    assert "此人已是本站的服务对象" in again.get_data(as_text=True)
    assert count_rows(session, Person) == before


def test_station_cannot_register_outside_its_subtree(station0, session, county):
    before = count_rows(session, Person)
    response = station0.post("/station/residents/new", resident_form(county, village_id=str(county["village10"].id)),
                             token_from="/station/residents/new")
    assert response.status_code == 422  # the village is not among the form's choices
    assert count_rows(session, Person) == before


def test_resident_pages_outside_scope_are_404(station0, session, make_resident):
    outsider = make_resident(village="village11")
    person_id = outsider.person_id
    assert station0.client.get(f"/station/residents/{person_id}").status_code == 404
    response = station0.post(f"/station/residents/{person_id}/statuses",
                             {"h-kind": "dibao", "h-evidence_no": "X", "h-review_date": "2027-01-01"})
    assert response.status_code == 404
    assert count_rows(session, HardshipStatus) == 0


def test_hardship_status_and_id_number_are_not_shown_to_volunteers(web, session, make_volunteer, make_resident):
    resident = make_resident()
    volunteer = make_volunteer(status="approved")
    web.login(volunteer.phone, "Volunteer-pass-2026")
    assert web.client.get(f"/station/residents/{resident.person_id}").status_code == 403


def test_full_id_number_never_appears_on_pages(station0, session, county):
    id_number = new_id_number(date(1939, 9, 9), male=False)
    station0.post("/station/residents/new", resident_form(county, id_number=id_number),
                  token_from="/station/residents/new")
    person = session.scalars(select(Person)).one()
    for path in ("/station/residents", f"/station/residents/{person.id}"):
        page = station0.client.get(path).get_data(as_text=True)
        assert id_number not in page
    assert person.id_number_masked in station0.client.get(f"/station/residents/{person.id}").get_data(as_text=True)


def test_bad_hardship_input_writes_nothing(station0, session, make_resident):
    resident = make_resident()
    response = station0.post(f"/station/residents/{resident.person_id}/statuses",
                             {"h-kind": "tekun", "h-evidence_no": "", "h-review_date": "2027-01-01"})
    assert response.status_code == 422
    assert count_rows(session, HardshipStatus) == 0


def test_relative_cannot_be_the_resident(station0, session, make_resident):
    resident = make_resident()
    session.expire_all()
    person = session.get(Person, resident.person_id)
    raw = crypto.decrypt(person.id_number_encrypted)  # the test session holds an app context
    response = station0.post(f"/station/residents/{person.id}/relatives", {
        "r-name": person.name, "r-id_number": raw, "r-kinship": "child",
        "r-consent_form_ref": "ZQ-R-2"})
    assert response.status_code == 422
    assert "不能把本人登记为家属" in response.get_data(as_text=True)
    assert count_rows(session, Relative) == 0
