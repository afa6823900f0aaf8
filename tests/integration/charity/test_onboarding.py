"""Charity onboarding through the services: a public application waits for the county, a duplicate or a
wrong checksum changes nothing, the applicant is told (inbox and email outbox), an admin opens a charity
directly, owners manage members (never the last owner), and a deactivated charity's logins and pool stop
while its history stays and `ledger check` passes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.charity.test_pools import _funded_pool, _pool_balance
from tests.integration.charity.world import NOW, credit_code
from timebank.accounts import service as accounts
from timebank.accounts.models import User
from timebank.charity import onboarding, service
from timebank.charity.models import Charity, CharityMember
from timebank.dispatch.build import build
from timebank.errors import (
    AuthenticationFailed,
    Duplicate,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from timebank.notify.models import Notification, OutboxMessage
from timebank.visits.models import ServiceRequest

PASSWORD = "Charity-pass-2026"


def application(name="春晖公益基金会", code=None, username="chunhui", email="office@chunhui.example",
                registration="charity", number="53420100MJ0001234X", password=PASSWORD):
    return onboarding.ApplicationInput(
        charity=service.CharityInput(name=name, credit_code=code or credit_code(), registration=registration,
                                     contact_name="李主任", contact_phone="13800001111"),
        registration_number=number, contact_email=email,
        login=onboarding.LoginInput(username=username, password=password))


def counts(session):
    return (session.scalar(select(func.count()).select_from(Charity)),
            session.scalar(select(func.count()).select_from(User)),
            session.scalar(select(func.count()).select_from(CharityMember)))


def test_an_application_waits_for_the_county_and_admins_are_told(cw):
    charity = onboarding.apply(cw.session, application(), now=NOW)
    cw.session.commit()
    assert (charity.status, charity.account_id, charity.contact_email) == ("pending", None, "office@chunhui.example")
    owner = cw.session.get(CharityMember, charity.members[0].user_id)
    assert owner.role == "owner" and owner.user.username == "chunhui" and owner.user.email == "office@chunhui.example"
    assert not owner.user.must_change_password  # the applicant chose this password
    assert cw.session.scalar(select(Notification.id).where(Notification.user_id == cw.admin.id,
                                                           Notification.event == "charity_applied")) is not None
    with pytest.raises(Forbidden):  # a pending charity cannot donate yet
        service.require_charity(cw.session, owner.user)


@pytest.mark.parametrize("change,field,error", [
    ({"code": "91350100M000100Y44"}, "credit_code", ValidationFailed),  # one character off the checksum
    ({"code": "91350100M000100YI3"}, "credit_code", ValidationFailed),  # I is never used
    ({"number": ""}, "registration_number", ValidationFailed),  # a registered charity names its certificate
    ({"email": "not-an-address"}, "contact_email", ValidationFailed),
    ({"password": "password"}, "password", ValidationFailed),  # the existing password rules
    ({"username": "12"}, "username", ValidationFailed),
])
def test_bad_input_changes_nothing(cw, change, field, error):
    before = counts(cw.session)
    with pytest.raises(error) as refused:
        onboarding.apply(cw.session, application(**change), now=NOW)
    cw.session.rollback()
    assert refused.value.field == field
    assert counts(cw.session) == before


def test_a_duplicate_charity_is_refused_by_code_and_by_name(cw):
    code = credit_code()
    onboarding.apply(cw.session, application(code=code), now=NOW)
    cw.session.commit()
    before = counts(cw.session)
    with pytest.raises(Duplicate) as by_code:
        onboarding.apply(cw.session, application(name="另一个基金会", code=code, username="other1"), now=NOW)
    cw.session.rollback()
    assert by_code.value.field == "credit_code" and "已登记" in str(by_code.value.message)
    with pytest.raises(Duplicate) as by_name:
        onboarding.apply(cw.session, application(username="other2"), now=NOW)
    cw.session.rollback()
    assert by_name.value.field == "name"
    with pytest.raises(Duplicate) as by_login:
        onboarding.apply(cw.session, application(name="第三个基金会", username="chunhui"), now=NOW)
    cw.session.rollback()
    assert by_login.value.field == "username"
    assert counts(cw.session) == before


def test_an_enterprise_needs_no_registration_number(cw):
    charity = onboarding.apply(cw.session, application(registration="enterprise", number=""), now=NOW)
    assert charity.registration_number is None


def test_approval_and_rejection_reach_the_applicant_by_inbox_and_email(app, cw):
    app.config["TIMEBANK_SMTP_HOST"] = "smtp.example"
    try:
        approved = onboarding.apply(cw.session, application(), now=NOW)
        rejected = onboarding.apply(cw.session, application(name="夕阳红协会", username="xiyang", email=None),
                                    now=NOW)
        service.review_charity(cw.session, cw.admin, approved.id, approve=True, reason=None, now=NOW)
        service.review_charity(cw.session, cw.admin, rejected.id, approve=False, reason="登记证书不清晰", now=NOW)
        cw.session.commit()
    finally:
        app.config["TIMEBANK_SMTP_HOST"] = None
    for charity, has_email in ((approved, True), (rejected, False)):
        user_id = charity.members[0].user_id
        note = cw.session.scalar(select(Notification).where(Notification.user_id == user_id,
                                                            Notification.event == "charity_reviewed"))
        assert note.params["approved"] == (charity is approved)
        mails = list(cw.session.scalars(select(OutboxMessage).where(OutboxMessage.notification_id == note.id)))
        assert [m.address for m in mails] == (["office@chunhui.example"] if has_email else [])
    assert approved.account_id is not None and rejected.review_reason == "登记证书不清晰"
    with pytest.raises(ValidationFailed):  # rejecting needs a reason
        pending = onboarding.apply(cw.session, application(name="第三家", username="third"), now=NOW)
        service.review_charity(cw.session, cw.admin, pending.id, approve=False, reason=" ", now=NOW)


def test_a_rejected_applicant_corrects_and_resubmits(cw):
    charity = onboarding.apply(cw.session, application(), now=NOW)
    service.review_charity(cw.session, cw.admin, charity.id, approve=False, reason="名称与证书不符", now=NOW)
    owner = charity.members[0].user
    onboarding.update_profile(cw.session, owner, service.CharityInput(
        name="春晖慈善基金会", credit_code=charity.credit_code, registration="charity", contact_name="李主任",
        contact_phone="13800001111"), registration_number="53420100MJ0001234X", contact_email=None, now=NOW)
    assert (charity.status, charity.review_reason, charity.name) == ("pending", None, "春晖慈善基金会")


def test_a_station_cannot_approve_and_an_admin_opens_a_charity_directly(cw):
    charity = onboarding.apply(cw.session, application(), now=NOW)
    staff = cw.staff(0)
    with pytest.raises(Forbidden):
        service.review_charity(cw.session, staff, charity.id, approve=True, reason=None, now=NOW)
    with pytest.raises(Forbidden):
        onboarding.open_charity(cw.session, staff, application(name="站开的", username="station-made"), now=NOW)
    cw.session.rollback()
    opened = onboarding.open_charity(cw.session, cw.admin, application(name="县慈善会", username="xiancs"),
                                     now=NOW)
    cw.session.commit()
    owner = opened.members[0].user
    assert opened.status == "approved" and opened.pool_open and owner.must_change_password
    assert service.require_charity(cw.session, owner) == opened


def test_owners_add_and_remove_members_but_never_the_last_owner(cw):
    charity = onboarding.open_charity(cw.session, cw.admin, application(), now=NOW)
    owner = charity.members[0].user
    member = onboarding.add_member(cw.session, owner, charity.id, onboarding.LoginInput(
        username="chunhui-wang", password="Member-pass-2026", name="王干事"), now=NOW)
    cw.session.commit()
    assert member.role == "member" and member.user.must_change_password and member.added_by_id == owner.id
    with pytest.raises(Forbidden):  # a plain member cannot add members
        onboarding.add_member(cw.session, member.user, charity.id, onboarding.LoginInput(
            username="chunhui-zhao", password="Member-pass-2026", name="赵干事"), now=NOW)
    cw.session.rollback()
    with pytest.raises(InvalidTransition) as last:
        onboarding.remove_member(cw.session, owner, charity.id, owner.id, now=NOW)
    cw.session.rollback()
    assert last.value.details["reason"] == "last_owner"
    version = member.user.session_version
    onboarding.remove_member(cw.session, owner, charity.id, member.user_id, now=NOW)
    cw.session.commit()
    assert not member.user.active and member.user.session_version == version + 1 and member.removed_at == NOW
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(cw.session, "chunhui-wang", "Member-pass-2026", now=NOW)
    second = onboarding.add_member(cw.session, owner, charity.id, onboarding.LoginInput(
        username="chunhui-li", password="Member-pass-2026", name="李干事"), role="owner", now=NOW)
    onboarding.remove_member(cw.session, second.user, charity.id, owner.id, now=NOW)  # two owners: one may go
    assert [m.user.username for m in onboarding.members(cw.session, cw.admin, charity.id)] == [
        "chunhui-li", "chunhui", "chunhui-wang"]


def test_a_member_of_one_charity_cannot_reach_another(cw):
    mine = onboarding.open_charity(cw.session, cw.admin, application(), now=NOW)
    other = onboarding.open_charity(cw.session, cw.admin, application(name="别家基金会", username="other"), now=NOW)
    owner = mine.members[0].user
    for call in (lambda: onboarding.members(cw.session, owner, other.id),
                 lambda: onboarding.load_visible(cw.session, owner, other.id),
                 lambda: onboarding.remove_member(cw.session, owner, other.id, other.members[0].user_id, now=NOW),
                 lambda: onboarding.remove_member(cw.session, owner, mine.id, other.members[0].user_id, now=NOW)):
        with pytest.raises(NotFound):
            call()


def test_deactivation_stops_logins_and_the_pool_and_keeps_history(cw):
    user, charity = _funded_pool(cw, minutes=300)
    resident = cw.resident()
    paid = cw.post(cw.admin, resident, payer="charity", charity_id=charity.id)  # posted while active
    member = onboarding.add_member(cw.session, user, charity.id, onboarding.LoginInput(
        username="pool-member", password="Member-pass-2026", name="钱干事"), now=NOW)
    donation = cw.donate(user, quantity=3)
    plain, _token = accounts.issue_api_token(cw.session, member.user, "t", now=NOW)
    cw.session.commit()
    versions = (user.session_version, member.user.session_version)

    onboarding.deactivate(cw.session, cw.admin, charity.id, reason="年检不合格", now=NOW)
    cw.session.commit()
    assert not charity.active and not charity.pool_open
    assert (user.session_version, member.user.session_version) == (versions[0] + 1, versions[1] + 1)
    assert accounts.user_for_token(cw.session, plain, now=NOW) is None
    for login in (user.username, "pool-member"):
        with pytest.raises(AuthenticationFailed) as refused:
            accounts.authenticate(cw.session, login, PASSWORD if login == user.username else "Member-pass-2026",
                                  now=NOW)
        assert "停用" in str(refused.value.message)
    with pytest.raises(Forbidden):
        service.require_charity(cw.session, user)
    # its pool pays no new request: posting refuses it, and matching leaves its open request unfunded
    before = cw.session.scalar(select(func.count()).select_from(ServiceRequest))
    with pytest.raises(ValidationFailed) as refused:
        cw.post(cw.admin, cw.resident(), payer="charity", charity_id=charity.id)
    cw.session.rollback()
    assert refused.value.field == "payer"
    assert cw.session.scalar(select(func.count()).select_from(ServiceRequest)) == before
    built = build(cw.session, cw.county["township0"], start=NOW, end=NOW + timedelta(days=7), now=NOW)
    assert f"r{paid.id}" not in built.requests
    # history stays: donation, pool balance, public numbers
    assert cw.session.get(type(donation), donation.id).stock == 3
    assert _pool_balance(cw, charity) == 300
    with pytest.raises(InvalidTransition):
        onboarding.deactivate(cw.session, cw.admin, charity.id, reason="again", now=NOW)
    cw.session.rollback()
    cw.check()

    onboarding.reactivate(cw.session, cw.admin, charity.id, now=NOW)
    cw.session.commit()
    assert charity.pool_open
    assert accounts.authenticate(cw.session, user.username, PASSWORD, now=NOW).id == user.id
    cw.post(cw.admin, cw.resident(), payer="charity", charity_id=charity.id)
    cw.check()


def test_only_an_admin_deactivates_and_only_an_approved_charity(cw):
    pending = onboarding.apply(cw.session, application(), now=NOW)
    with pytest.raises(InvalidTransition):
        onboarding.deactivate(cw.session, cw.admin, pending.id, reason="x", now=NOW)
    _user, charity = cw.charity()
    with pytest.raises(Forbidden):
        onboarding.deactivate(cw.session, cw.staff(0), charity.id, reason="x", now=NOW)
    with pytest.raises(ValidationFailed):
        onboarding.deactivate(cw.session, cw.admin, charity.id, reason="  ", now=NOW)


def test_ledger_check_command_passes_after_deactivation(app, cw):
    _user, charity = _funded_pool(cw, minutes=120)
    onboarding.deactivate(cw.session, cw.admin, charity.id, reason="年检不合格", now=NOW)
    cw.session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "check", "--no-record"])
    assert result.exit_code == 0, result.output


def test_the_demo_application_is_seeded_once(cw):
    from timebank.demo.charity_history import APPLICANT, seed_application

    assert seed_application(cw.session, now=NOW) is True
    assert seed_application(cw.session, now=NOW) is False
    rows = list(cw.session.scalars(select(Charity).where(Charity.name == APPLICANT)))
    assert len(rows) == 1 and rows[0].status == "pending"
