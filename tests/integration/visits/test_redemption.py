"""One person on both sides of the time bank: a depositor redeems their own hours, pays for a spouse or a
verified 60+ direct relative (policy), checked when the request is posted; nothing is created on refusal."""

from __future__ import annotations

from datetime import date

import pytest

from tests.integration.visits.world import NOW, TODAY
from timebank.errors import DomainError, ValidationFailed
from timebank.ledger.errors import InsufficientBalance, PolicyViolation
from timebank.people.models import Relative, ResidentProfile
from timebank.visits.models import ServiceRequest


def _recipient(vw, user):
    """The station registers a volunteer as a recipient too (same person, same account)."""
    vw.session.add(ResidentProfile(person_id=user.person_id, living_situation="alone", consent_form_ref="ZQ-2"))
    vw.session.commit()
    return user.person


def _age(years: int) -> date:
    """A birth date giving exactly `years` on TODAY (2026-11-29)."""
    return date(TODAY.year - years, 6, 1)


def _refused(vw, actor, resident, **kwargs) -> DomainError:
    before = vw.snapshot()
    with pytest.raises(DomainError) as caught:
        vw.post(actor, resident, **kwargs)
    vw.session.rollback()
    assert vw.snapshot() == before  # nothing created, no hold, no event
    return caught.value


def test_a_volunteer_under_sixty_is_refused_at_posting_with_their_age(vw):
    depositor = vw.volunteer(birth=_age(58))
    vw.fund(depositor.person_id, 300)
    me = _recipient(vw, depositor)
    error = _refused(vw, depositor, me, payer="own")
    assert isinstance(error, PolicyViolation) and error.status == 422 and error.field == "payer"
    assert str(error.message) == "本人年满60周岁才能使用自己的时长（当前58岁）"
    assert error.to_dict()["details"] == {"reason": "age", "age": 58}


def test_a_volunteer_of_sixty_redeems_own_hours_from_the_same_account(vw):
    depositor = vw.volunteer(birth=_age(60))
    vw.fund(depositor.person_id, 300)
    me = _recipient(vw, depositor)
    req = vw.post(depositor, me, payer="own")
    assert req.status == "open" and req.paid_by_person_id == depositor.person_id
    helper = vw.volunteer(name="服务者")
    vw.take(helper, req)
    assert vw.account(depositor.person_id).pending_debits == 60 + 30  # duration + overtime tolerance
    vw.serve(helper, req, minutes=50)
    vw.confirm(depositor, req)
    assert vw.balance(depositor.person_id) == 300 - 50 and vw.balance(helper.person_id) == 50
    vw.check()


def test_hardship_floor_and_balance_are_checked_at_posting(vw):
    young = vw.volunteer(birth=_age(54))
    vw.fund(young.person_id, 300)
    me = _recipient(vw, young)
    vw.hardship(young.person_id, "dibao")
    error = _refused(vw, young, me, payer="own")
    assert "年满55周岁可提前使用时长（当前54岁）" in str(error.message)
    older = vw.volunteer(birth=_age(56))
    vw.fund(older.person_id, 30)
    me2 = _recipient(vw, older)
    vw.hardship(older.person_id, "dibao")
    assert isinstance(_refused(vw, older, me2, payer="own"), ValidationFailed)  # 30 min < 60: balance
    vw.fund(older.person_id, 100)
    assert vw.post(older, me2, payer="own").status == "open"


def test_relative_direct_pay_needs_the_policy_a_verified_live_link_and_sixty(vw):
    elder = vw.resident(birth=_age(70))
    son = vw.relative_user(elder.id)  # verified child link
    vw.fund(son.person_id, 300)
    error = _refused(vw, son, elder, payer="own", paid_by_person_id=son.person_id)
    assert error.details["reason"] == "relative_off"
    vw.set_policy(relative_direct_pay=True)
    req = vw.post(son, elder, payer="own", paid_by_person_id=son.person_id)
    assert req.status == "open" and req.payer_person_id == son.person_id
    helper = vw.volunteer(name="服务者")
    vw.take(helper, req)
    assert vw.account(son.person_id).pending_debits == 90 and vw.account(elder.id).pending_debits == 0
    vw.serve(helper, req, minutes=60)
    vw.confirm(son, req)
    assert vw.balance(son.person_id) == 240 and vw.balance(helper.person_id) == 60
    vw.check()
    # an unlinked link carries no right any more
    link = vw.session.query(Relative).filter_by(resident_id=elder.id, relative_id=son.person_id).one()
    link.unlinked_at = NOW
    vw.session.commit()
    with pytest.raises(DomainError):
        vw.post(son, elder, payer="own", paid_by_person_id=son.person_id)
    vw.session.rollback()


def test_relative_direct_pay_refuses_an_unverified_link_and_a_younger_relative(vw):
    vw.set_policy(relative_direct_pay=True)
    elder = vw.resident(birth=_age(70))
    cousin = vw.relative_user(elder.id, verified=False)
    vw.fund(cousin.person_id, 300)
    staff_posted = vw.admin
    # an unverified relative cannot even post for the resident
    with pytest.raises(DomainError):
        vw.post(cousin, elder, payer="own", paid_by_person_id=cousin.person_id)
    vw.session.rollback()
    mother = vw.resident(birth=_age(58))
    daughter = vw.relative_user(mother.id)
    vw.fund(daughter.person_id, 300)
    error = _refused(vw, daughter, mother, payer="own", paid_by_person_id=daughter.person_id)
    assert str(error.message) == "服务对象年满60周岁才能用您的时长支付（当前58岁）"
    # staff may not spend a relative's hours for them
    error = _refused(vw, staff_posted, mother, payer="own", paid_by_person_id=daughter.person_id)
    assert error.field == "payer" and "只能用您本人的时间账户" in str(error.message)


def test_spouse_rule_pays_for_a_spouse_of_sixty(vw):
    husband = vw.volunteer(birth=_age(57))
    vw.fund(husband.person_id, 300)
    wife = vw.resident(birth=_age(62))
    vw.session.add(Relative(resident_id=wife.id, relative_id=husband.person_id, kinship="spouse", verified=True,
                            verified_by_id=vw.admin.id))
    vw.session.commit()
    assert vw.post(husband, wife, payer="own", paid_by_person_id=husband.person_id).status == "open"
    vw.set_policy(redeem_spouse_counts=False)
    error = _refused(vw, husband, wife, payer="own", paid_by_person_id=husband.person_id)
    assert error.details["reason"] == "spouse_off"


def test_the_late_guard_still_holds_when_the_policy_changes_after_posting(vw):
    depositor = vw.volunteer(birth=_age(62))
    vw.fund(depositor.person_id, 300)
    me = _recipient(vw, depositor)
    req = vw.post(depositor, me, payer="own")
    vw.set_policy(redeem_min_age=65, hardship_redeem_min_age=60)
    with pytest.raises(PolicyViolation):
        vw.take(vw.volunteer(name="服务者"), req)
    vw.session.rollback()
    assert vw.session.get(ServiceRequest, req.id).status == "open"


def test_a_volunteer_cannot_serve_a_request_they_pay_for(vw):
    depositor = vw.volunteer(birth=_age(65))
    vw.fund(depositor.person_id, 300)
    me = _recipient(vw, depositor)
    req = vw.post(depositor, me, payer="own")
    with pytest.raises(DomainError) as caught:
        vw.take(depositor, req)
    vw.session.rollback()
    assert "不能为自己" in str(caught.value.message)


def test_insufficient_balance_is_still_refused(vw):
    depositor = vw.volunteer(birth=_age(65))
    me = _recipient(vw, depositor)
    error = _refused(vw, depositor, me, payer="own")
    assert error.field == "payer" and not isinstance(error, InsufficientBalance)
