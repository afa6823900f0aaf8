"""Volunteer sign-up through the HTML form: success, and every bad input writes nothing."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import count_rows, new_id_number, new_phone
from timebank.accounts.models import Person, User
from timebank.catalog.models import Skill
from timebank.people.models import VolunteerProfile


def form(county, **overrides):
    data = {
        "name": "赵敏",
        "id_number": new_id_number(date(1995, 4, 1), male=False),
        "phone": new_phone(),
        "password": "Serve-elders-2026",
        "confirm": "Serve-elders-2026",
        "village_id": str(county["village00"].id),
        "emergency_contact_name": "赵强",
        "emergency_contact_phone": new_phone(),
        "privacy_consent": "y",
    }
    data.update(overrides)
    return data


def rows(session):
    return count_rows(session, Person), count_rows(session, User), count_rows(session, VolunteerProfile)


def test_signup_creates_a_pending_volunteer_who_can_then_log_in(web, session, county):
    skill_ids = [str(skill.id) for skill in session.scalars(select(Skill).limit(2))]
    data = {**form(county), "skills": skill_ids}
    response = web.post("/signup", data, token_from="/signup")
    assert response.status_code == 302 and response.headers["Location"] == "/signup/done"
    assert "已提交，等待审核" in web.client.get("/signup/done").get_data(as_text=True)
    web.login(data["phone"], data["password"])
    page = web.client.get("/me").get_data(as_text=True)
    assert "待审核" in page
    profile = session.scalars(select(VolunteerProfile)).one()
    assert profile.status == "pending"
    assert len(profile.skills) == 2
    user = session.scalars(select(User).where(User.person_id == profile.person_id)).one()
    assert user.privacy_version == "2026-12" and user.privacy_accepted_at is not None


def test_id_number_is_stored_encrypted_and_shown_masked(web, session, county):
    id_number = new_id_number(date(1990, 1, 2))
    web.post("/signup", form(county, id_number=id_number), token_from="/signup")
    person = session.scalars(select(Person)).one()
    assert id_number.encode() not in person.id_number_encrypted
    assert id_number not in person.id_number_hash
    assert person.id_number_masked == id_number[0] + "*" * 16 + id_number[-1]
    assert person.birth_date == date(1990, 1, 2) and person.gender == "male"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": "110105194912310021"}, "身份证号码校验位不正确"),
        ({"id_number": "12345"}, "身份证号码应为18位"),
        ({"phone": "12345"}, "请输入11位手机号码"),
        ({"password": "123456", "confirm": "123456"}, "密码至少8位"),
        ({"password": "password123", "confirm": "password123"}, "密码太常见"),
        ({"confirm": "something-else-1"}, "两次输入的密码不一致"),
        ({"privacy_consent": ""}, "请阅读并同意隐私声明"),
        ({"village_id": "0"}, "请选择居住的村或社区"),
        ({"emergency_contact_phone": "1"}, "紧急联系人的11位手机号码"),
        ({"id_number": new_id_number(date(2010, 6, 1))}, "年满18周岁才能独立注册"),
    ],
)
def test_bad_sign_up_input_gets_a_message_and_writes_nothing(web, session, county, overrides, message):
    before = rows(session)
    response = web.post("/signup", form(county, **overrides), token_from="/signup")
    assert response.status_code in (409, 422)
    assert message in response.get_data(as_text=True)
    assert rows(session) == before


def test_under_age_message_points_to_group_activities(web, session, county):
    response = web.post("/signup", form(county, id_number=new_id_number(date(2012, 1, 1))), token_from="/signup")
    assert "集体志愿活动" in response.get_data(as_text=True)


def signup_answer(web, data):
    response = web.post("/signup", data, token_from="/signup")
    follow = web.client.get(response.headers["Location"]) if response.status_code == 302 else response
    page = re.sub(r'value="[^"]*"', 'value=""', follow.get_data(as_text=True))  # CSRF tokens carry a time
    return response.status_code, response.headers.get("Location"), page


def test_duplicate_id_number_or_phone_cannot_be_told_from_a_new_sign_up(web, session, county):
    """The same answer either way; nothing is created for a duplicate; the registered person is told."""
    from timebank.audit.models import AuditEvent
    from timebank.notify.models import Notification

    id_number, phone = new_id_number(date(1980, 2, 2)), new_phone()
    fresh = signup_answer(web, form(county, id_number=id_number, phone=phone))
    owner = session.scalars(select(User).where(User.phone == phone)).one()
    before = rows(session)
    same_id = signup_answer(web, form(county, id_number=id_number))
    same_phone = signup_answer(web, form(county, phone=phone))
    assert fresh == same_id == same_phone
    assert fresh[0] == 302 and "已提交，等待审核" in fresh[2]
    assert rows(session) == before
    told = session.scalars(select(Notification).where(Notification.user_id == owner.id,
                                                      Notification.event == "signup_attempt")).all()
    assert len(told) == 2
    audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "signup_duplicate")).all()
    assert {event.target for event in audited} == {f"person:{owner.person_id}", f"user:{owner.id}"}


def test_the_person_told_sees_the_attempt_in_their_inbox(web, session, county):
    phone = new_phone()
    data = form(county, phone=phone)
    signup_answer(web, data)
    signup_answer(web, form(county, phone=phone))
    web.login(phone, data["password"])
    inbox = web.client.get("/inbox").get_data(as_text=True)
    assert "有人尝试用您的资料注册" in inbox


def test_forged_csrf_token_is_refused_and_writes_nothing(client, session, county):
    before = rows(session)
    response = client.post("/signup", data={**form(county), "csrf_token": "forged"})
    assert response.status_code == 400
    assert "页面已过期或来源无效" in response.get_data(as_text=True)
    assert rows(session) == before


def test_missing_csrf_token_on_json_request_answers_json(client, session, county):
    response = client.post("/signup", data=form(county), headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf_failed"


def test_signup_asks_for_weekly_hours_with_real_default_values(web, session, county):
    page = web.client.get("/signup").get_data(as_text=True)
    assert page.count('value="09:00"') == 7 and page.count('value="17:00"') == 7  # values, not placeholders
    assert "placeholder=\"09:00\"" not in page
    week = {f"d{d}_start": "" for d in range(7)} | {f"d{d}_end": "" for d in range(7)}
    week |= {"d0_start": "08:30", "d0_end": "11:30", "d5_start": "14:00", "d5_end": "24:00"}
    response = web.post("/signup", {**form(county), **week}, token_from="/signup")
    assert response.status_code == 302
    profile = session.scalars(select(VolunteerProfile)).one()
    assert [(a.weekday, a.start_minute, a.end_minute) for a in profile.availability] == [(0, 510, 690), (5, 840, 1440)]


@pytest.mark.parametrize(("week", "message"), [
    ({"d2_start": "09:00", "d2_end": ""}, "请同时填写开始和结束时间"),
    ({"d2_start": "12:00", "d2_end": "09:00"}, "结束时间须晚于开始时间"),
    ({"d2_start": "9点", "d2_end": "12:00"}, "请按 时：分 填写"),
])
def test_bad_weekly_hours_are_shown_on_that_day_and_nothing_is_written(web, session, county, week, message):
    before = rows(session)
    response = web.post("/signup", {**form(county), **week}, token_from="/signup")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'id="d2_start-err"' in page
    assert rows(session) == before
