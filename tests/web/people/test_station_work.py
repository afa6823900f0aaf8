"""Station work on people (issue 10): registering a volunteer without a smartphone, minors with a guardian,
reopening a rejection, unlinking a relative, reveals with an access log, a resident's visits and goods pages.
Every page is checked for the other township (404) and the volunteer role (403)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import count_rows, new_id_number, new_phone
from timebank.accounts.models import Person, User
from timebank.audit.models import AccessEvent, AuditEvent
from timebank.notify.models import Notification
from timebank.people.models import Relative, VolunteerProfile


@pytest.fixture
def station0(web, make_staff):
    make_staff("jia", 0)
    web.login("jia", "Station-pass-2026")
    return web


def volunteer_form(county, **overrides):
    data = {"name": "孙玉梅", "id_number": new_id_number(date(1962, 4, 9), male=False), "phone": "",
            "village_id": str(county["village00"].id), "address": "东街2号", "weekdays": ["0", "2"],
            "start": "09:00", "end": "11:30", "emergency_contact_name": "孙强",
            "emergency_contact_phone": new_phone(), "consent_form_ref": "ZY-2026-0031", "login_password": "",
            "guardian_name": "", "guardian_id_number": "", "guardian_phone": "", "guardian_consent_ref": ""}
    data.update(overrides)
    return data


def access_events(session, **where):
    """Reveals, exports and prints (opening a person's page also logs a plain read, counted elsewhere)."""
    session.expire_all()
    stmt = select(AccessEvent).where(AccessEvent.action != "read")
    for key, value in where.items():
        stmt = stmt.where(getattr(AccessEvent, key) == value)
    return list(session.scalars(stmt))


# ---------------------------------------------------------------------------------------------------------
# registering a volunteer who has no smartphone


def test_station_registers_a_volunteer_without_a_phone_approved_at_once(station0, session, county):
    page = station0.client.get("/station/volunteers").get_data(as_text=True)
    assert "/station/volunteers/new" in page
    form = volunteer_form(county)
    response = station0.post("/station/volunteers/new", form, token_from="/station/volunteers/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    person = session.scalars(select(Person).where(Person.name == "孙玉梅")).one()
    profile = session.get(VolunteerProfile, person.id)
    staff = session.scalars(select(User).where(User.username == "jia")).one()
    assert profile.status == "approved" and profile.reviewed_by_id == staff.id
    assert profile.registered_by_id == staff.id and profile.consent_form_ref == "ZY-2026-0031"
    assert person.phone is None and person.user is None
    assert sorted((a.weekday, a.start_minute, a.end_minute) for a in profile.availability) == [
        (0, 540, 690), (2, 540, 690)]
    detail = station0.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "社工站代为登记" in detail and "ZY-2026-0031" in detail


def test_registration_needs_the_paper_consent_form(station0, session, county):
    before = count_rows(session, Person)
    response = station0.post("/station/volunteers/new", volunteer_form(county, consent_form_ref=""),
                             token_from="/station/volunteers/new")
    assert response.status_code == 422
    assert "请填写纸质知情同意书编号" in response.get_data(as_text=True)
    assert count_rows(session, Person) == before


def test_an_existing_id_number_is_refused_naming_the_masked_id(station0, session, county, make_resident):
    resident = make_resident()
    existing = session.get(Person, resident.person_id)
    from timebank.accounts import crypto

    raw = crypto.decrypt(existing.id_number_encrypted)
    before = count_rows(session, VolunteerProfile)
    response = station0.post("/station/volunteers/new", volunteer_form(county, id_number=raw),
                             token_from="/station/volunteers/new")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert f"身份证号码 {existing.id_number_masked} 已经登记过" in text and "已有记录" in text
    assert count_rows(session, VolunteerProfile) == before


def test_a_login_is_optional_and_needs_a_phone(station0, session, county):
    response = station0.post("/station/volunteers/new",
                             volunteer_form(county, login_password="Quiet-river-2026"),
                             token_from="/station/volunteers/new")
    assert response.status_code == 422
    assert "开通登录需要本人的手机号" in response.get_data(as_text=True)
    phone = new_phone()
    response = station0.post("/station/volunteers/new",
                             volunteer_form(county, phone=phone, login_password="Quiet-river-2026"),
                             token_from="/station/volunteers/new")
    assert response.status_code == 302
    user = session.scalars(select(User).where(User.phone == phone)).one()
    assert user.has_role("volunteer") and session.get(VolunteerProfile, user.person_id).status == "approved"


def test_village_outside_the_subtree_is_refused(station0, session, county):
    before = count_rows(session, Person)
    response = station0.post("/station/volunteers/new", volunteer_form(county, village_id=str(county["village10"].id)),
                             token_from="/station/volunteers/new")
    assert response.status_code == 422
    assert count_rows(session, Person) == before


def test_volunteers_cannot_register_others(web, make_volunteer, county):
    volunteer = make_volunteer(status="approved")
    web.login(volunteer.phone, "Volunteer-pass-2026")
    assert web.client.get("/station/volunteers/new").status_code == 403
    assert web.post("/station/volunteers/new", volunteer_form(county)).status_code == 403


# ---------------------------------------------------------------------------------------------------------
# minors


def test_a_minor_needs_a_guardian_and_consent(station0, session, county):
    minor_id = new_id_number(date(2011, 6, 1))
    form = volunteer_form(county, name="周小雨", id_number=minor_id)
    response = station0.post("/station/volunteers/new", form, token_from="/station/volunteers/new")
    assert response.status_code == 422
    assert "监护人" in response.get_data(as_text=True)
    guardian_id = new_id_number(date(1983, 2, 2))
    response = station0.post("/station/volunteers/new", dict(form, guardian_name="周强", guardian_id_number=guardian_id),
                             token_from="/station/volunteers/new")
    assert response.status_code == 422
    assert "请填写监护人书面同意书编号" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Person).where(Person.name == "周小雨")) == 0
    response = station0.post("/station/volunteers/new",
                             dict(form, guardian_name="周强", guardian_id_number=guardian_id,
                                  guardian_consent_ref="JH-7"), token_from="/station/volunteers/new")
    assert response.status_code == 302
    minor = session.scalars(select(Person).where(Person.name == "周小雨")).one()
    profile = session.get(VolunteerProfile, minor.id)
    assert profile.guardian.name == "周强" and profile.guardian_consent_ref == "JH-7"
    page = station0.client.get(f"/station/volunteers/{minor.id}").get_data(as_text=True)
    assert "未成年志愿者只能参加集体活动" in page


def test_a_minor_guardian_must_be_an_adult(station0, session, county):
    form = volunteer_form(county, name="周小雨", id_number=new_id_number(date(2011, 6, 1)), guardian_name="周小风",
                          guardian_id_number=new_id_number(date(2010, 1, 1)), guardian_consent_ref="JH-8")
    response = station0.post("/station/volunteers/new", form, token_from="/station/volunteers/new")
    assert response.status_code == 422
    assert "监护人须年满18周岁" in response.get_data(as_text=True)


def test_sign_up_follows_the_policy_age_and_points_minors_to_the_station(client, web, session, county):
    from timebank.policy import service as policy_service

    policy_service.save(session, county["admin"], {"depositor_min_age": 16}, note="test", now=None or
                        __import__("datetime").datetime(2026, 11, 1, tzinfo=__import__("datetime").UTC))
    session.commit()
    from timebank.accounts import service as accounts
    from timebank.people import service as people

    def signup(birth):
        return people.SignupInput(
            person=accounts.PersonInput(name="钱多多", id_number=new_id_number(birth), phone=new_phone(),
                                        address=None, node_id=county["village00"].id),
            password="Volunteer-pass-2026", skill_ids=(), emergency_contact_name="钱大",
            emergency_contact_phone=new_phone(), privacy_consent=True)

    from timebank import clock
    from timebank.errors import ValidationFailed

    with web.client.application.test_request_context():
        user = people.signup_volunteer(session, signup(date(2009, 1, 1)), today=clock.today(), now=clock.now())
        assert user.person_id is not None  # 17 is enough under a 16 policy
        with pytest.raises(ValidationFailed) as refused:
            people.signup_volunteer(session, signup(date(2012, 1, 1)), today=clock.today(), now=clock.now())
        assert "16" in str(refused.value.message) and "社工站" in str(refused.value.message)
    session.rollback()


# ---------------------------------------------------------------------------------------------------------
# reopen a wrong rejection


def test_reopen_a_rejected_volunteer_with_a_reason(station0, session, make_volunteer):
    volunteer = make_volunteer(status="rejected")
    page = station0.client.get(f"/station/volunteers/{volunteer.person_id}").get_data(as_text=True)
    assert "reopen" in page
    response = station0.post(f"/station/volunteers/{volunteer.person_id}/reopen", {"reopen-reason": ""},
                             token_from=f"/station/volunteers/{volunteer.person_id}")
    assert response.status_code == 422
    session.expire_all()
    assert session.get(VolunteerProfile, volunteer.person_id).status == "rejected"
    response = station0.post(f"/station/volunteers/{volunteer.person_id}/reopen", {"reopen-reason": "材料已补齐"},
                             token_from=f"/station/volunteers/{volunteer.person_id}")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(VolunteerProfile, volunteer.person_id).status == "pending"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "volunteer_reopen")).one()
    assert json.loads(event.changes)["status"] == ["rejected", "pending"] and event.detail == "材料已补齐"
    note = session.scalars(select(Notification).where(Notification.user_id == volunteer.id,
                                                      Notification.event == "volunteer_reopened")).one()
    assert note.params["reason"] == "材料已补齐"
    # the normal review follows
    station0.post(f"/station/volunteers/{volunteer.person_id}/review", {"decision": "approve"},
                  token_from=f"/station/volunteers/{volunteer.person_id}")
    session.expire_all()
    assert session.get(VolunteerProfile, volunteer.person_id).status == "approved"


def test_reopen_only_a_rejection_and_only_in_scope(station0, session, make_volunteer):
    approved = make_volunteer(status="approved")
    response = station0.post(f"/station/volunteers/{approved.person_id}/reopen", {"reopen-reason": "x"},
                             token_from=f"/station/volunteers/{approved.person_id}")
    assert response.status_code == 409
    outsider = make_volunteer(status="rejected", village="village10")
    response = station0.post(f"/station/volunteers/{outsider.person_id}/reopen", {"reopen-reason": "x"},
                             token_from="/station/")
    assert response.status_code == 404
    session.expire_all()
    assert session.get(VolunteerProfile, outsider.person_id).status == "rejected"


# ---------------------------------------------------------------------------------------------------------
# unlink a relative


def add_relative(session, county, resident_id, *, verified=True):
    from timebank import clock
    from timebank.people import service as people

    link = people.add_relative(session, county["admin"], resident_id, people.RelativeInput(
        name="王建国", id_number=new_id_number(date(1970, 1, 1)), phone=new_phone(), kinship="child",
        login_password="Relative-pass-2026"), today=clock.today())
    if verified:
        people.verify_relative(session, county["admin"], resident_id, link.id, now=clock.now())
    session.commit()
    return link


def test_unlink_a_relative_keeps_the_history_and_relinking_needs_verification(station0, session, county,
                                                                              make_resident, app):
    resident = make_resident()
    with app.test_request_context():
        link = add_relative(session, county, resident.person_id)
    path = f"/station/residents/{resident.person_id}"
    response = station0.post(f"{path}/relatives/{link.id}/unlink", {f"unlink{link.id}-reason": ""}, token_from=path)
    assert response.status_code == 422
    response = station0.post(f"{path}/relatives/{link.id}/unlink", {f"unlink{link.id}-reason": "登记错误,不是子女"},
                             token_from=path)
    assert response.status_code == 302
    session.expire_all()
    row = session.get(Relative, link.id)
    assert row.unlinked_at is not None and row.unlink_reason == "登记错误,不是子女" and not row.verified
    page = station0.client.get(path).get_data(as_text=True)
    assert "已解除" in page and "登记错误,不是子女" in page
    again = station0.post(f"{path}/relatives/{link.id}/unlink", {f"unlink{link.id}-reason": "x"}, token_from=path)
    assert again.status_code == 409
    # the same person linked again: the row comes back, unverified
    relative = session.get(Person, row.relative_id)
    from timebank.accounts import crypto

    response = station0.post(f"{path}/relatives", {"r-name": relative.name,
                                                   "r-id_number": crypto.decrypt(relative.id_number_encrypted),
                                                   "r-phone": "", "r-kinship": "child", "r-login_password": "",
                                                   "r-consent_form_ref": "同意书-2026-01"},
                             token_from=path)
    assert response.status_code == 302
    session.expire_all()
    row = session.get(Relative, link.id)
    assert row.unlinked_at is None and not row.verified
    assert session.scalar(select(func.count()).select_from(Relative)
                          .where(Relative.resident_id == resident.person_id)) == 1


def test_unlink_outside_the_subtree_is_404(station0, session, county, make_resident, app):
    resident = make_resident(village="village10")
    with app.test_request_context():
        link = add_relative(session, county, resident.person_id)
    response = station0.post(f"/station/residents/{resident.person_id}/relatives/{link.id}/unlink",
                             {f"unlink{link.id}-reason": "x"}, token_from="/station/")
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Relative, link.id).unlinked_at is None


# ---------------------------------------------------------------------------------------------------------
# reveal with an access log


def test_reveal_a_phone_writes_exactly_one_access_event(station0, session, make_volunteer):
    phone = new_phone()
    volunteer = make_volunteer(status="approved", phone=phone)
    path = f"/station/volunteers/{volunteer.person_id}"
    page = station0.client.get(path).get_data(as_text=True)
    assert phone not in page and "reveal-phone" in page
    response = station0.post(f"/station/people/{volunteer.person_id}/reveal",
                             {"field": "phone", "reason": "电话回访", "page": "volunteer"}, token_from=path)
    assert response.status_code == 200
    assert phone in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    events = access_events(session, person_id=volunteer.person_id)
    assert [(e.action, e.field, e.reason) for e in events] == [("reveal", "phone", "电话回访")]
    staff = session.scalars(select(User).where(User.username == "jia")).one()
    assert events[0].actor_id == staff.id and events[0].at is not None
    assert phone not in station0.client.get(path).get_data(as_text=True)  # shown on that page only


def test_reveal_an_emergency_contact_on_the_resident_page(station0, session, make_resident):
    resident = make_resident()
    from timebank.people.models import ResidentProfile

    profile = session.get(ResidentProfile, resident.person_id)
    contact = new_phone()
    profile.emergency_contact_name, profile.emergency_contact_phone = "刘芳", contact
    session.commit()
    path = f"/station/residents/{resident.person_id}"
    assert contact not in station0.client.get(path).get_data(as_text=True)
    response = station0.post(f"/station/people/{resident.person_id}/reveal",
                             {"field": "emergency_contact", "reason": "", "page": "resident"}, token_from=path)
    assert response.status_code == 200 and contact in response.get_data(as_text=True)
    events = access_events(session, person_id=resident.person_id, action="reveal")
    assert [(e.field, e.reason) for e in events] == [("emergency_contact", None)]


def test_reveal_denials(station0, web, session, make_volunteer):
    outsider = make_volunteer(status="approved", village="village10")
    response = station0.post(f"/station/people/{outsider.person_id}/reveal", {"field": "phone", "page": "volunteer"})
    assert response.status_code == 404
    assert access_events(session) == []
    station0.logout()
    volunteer = make_volunteer(status="approved")
    web.login(volunteer.phone, "Volunteer-pass-2026")
    other = make_volunteer(status="approved")
    assert web.post(f"/station/people/{other.person_id}/reveal", {"field": "phone"}).status_code == 403
    assert access_events(session) == []


# ---------------------------------------------------------------------------------------------------------
# resident page links, visits and goods


def test_resident_page_links_account_passbook_visits_and_goods(station0, session, make_resident):
    resident = make_resident()
    pid = resident.person_id
    page = station0.client.get(f"/station/residents/{pid}").get_data(as_text=True)
    for link in (f"/station/accounts/{pid}", f"/station/accounts/{pid}/passbook",
                 f"/station/accounts/{pid}/statement.xlsx", f"/station/accounts/{pid}/statement.csv",
                 f"/station/residents/{pid}/visits", f"/station/residents/{pid}/goods"):
        assert link in page, link
    visits = station0.client.get(f"/station/residents/{pid}/visits")
    assert visits.status_code == 200 and "还没有服务记录" in visits.get_data(as_text=True)
    goods = station0.client.get(f"/station/residents/{pid}/goods")
    assert goods.status_code == 200 and "还没有物资记录" in goods.get_data(as_text=True)


def test_resident_subpages_are_scoped(station0, web, session, make_resident, make_volunteer):
    outsider = make_resident(village="village10")
    for path in (f"/station/residents/{outsider.person_id}/visits", f"/station/residents/{outsider.person_id}/goods",
                 f"/station/accounts/{outsider.person_id}/passbook",
                 f"/station/accounts/{outsider.person_id}/statement.xlsx",
                 f"/station/accounts/{outsider.person_id}/statement.csv"):
        assert station0.client.get(path).status_code == 404, path
    assert access_events(session) == []
    station0.logout()
    volunteer = make_volunteer(status="approved")
    web.login(volunteer.phone, "Volunteer-pass-2026")
    mine = make_resident()
    for path in (f"/station/residents/{mine.person_id}/visits", f"/station/residents/{mine.person_id}/goods",
                 f"/station/accounts/{mine.person_id}/passbook", f"/station/accounts/{mine.person_id}/statement.csv"):
        assert web.client.get(path).status_code == 403, path


def test_visit_page_shows_the_phone_to_the_seated_volunteer_only(web, app, session, county, make_volunteer,
                                                                 make_resident):
    from tests.integration.visits.world import VisitWorld

    with app.test_request_context():
        vw = VisitWorld(session, county, make_volunteer, make_resident)
        resident = vw.resident()
        resident.phone = "13912345678"
        session.commit()
        volunteer, other = vw.volunteer(), vw.volunteer()
        from datetime import UTC, datetime, timedelta

        from timebank import clock

        now = clock.now()
        req = vw.post(vw.admin, resident, start=datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=2))
    web.login(other.phone, "Volunteer-pass-2026")
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert "13912345678" not in page and "5678" not in page  # before taking a seat: no phone at all
    web.logout()
    with app.test_request_context():
        from timebank.visits import service as visits

        visits.take_seat(session, volunteer, req.id, now=clock.now(), today=clock.today())
        session.commit()
    web.login(volunteer.phone, "Volunteer-pass-2026")
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    assert 'data-test="phone">13912345678' in page


def test_reveal_of_a_field_with_nothing_recorded_is_refused_and_not_logged(station0, session, make_resident):
    resident = make_resident()  # no phone
    path = f"/station/residents/{resident.person_id}"
    response = station0.post(f"/station/people/{resident.person_id}/reveal", {"field": "phone", "page": "resident"},
                             token_from=path)
    assert response.status_code == 422 and "没有登记该信息" in response.get_data(as_text=True)
    response = station0.post(f"/station/people/{resident.person_id}/reveal", {"field": "", "page": "resident"},
                             token_from=path)
    assert response.status_code == 400
    assert access_events(session) == []
