"""A home delivery is confirmed once: confirming receipt with a rating also confirms the 送物资 visit, so the
volunteer is credited in the same step; a second confirmation changes nothing (issue 15)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.charity.test_goods import _tekun_setup
from tests.integration.charity.world import NOW
from timebank.charity import allocation
from timebank.errors import InvalidTransition, ValidationFailed
from timebank.visits.models import ServiceRequest


def test_receipt_with_a_rating_confirms_the_delivery_visit_and_credits_the_volunteer(cw):
    _user, _charity, donation, staff, eligible, _ = _tekun_setup(cw)
    relative = cw.relative_user(eligible.id)
    volunteer = cw.volunteer(skills=())
    alloc = cw.allocate(staff, cw.goods_request(staff, eligible), donation, method="delivery")
    visit = cw.session.get(ServiceRequest, alloc.visit_request_id)
    cw.take(volunteer, visit)
    cw.session.refresh(visit)
    cw.serve(volunteer, visit)
    cw.backstop(600)
    before = cw.balance(volunteer.person_id)
    done = allocation.confirm_receipt(cw.session, relative, alloc.id, now=NOW + timedelta(days=2), rating=4,
                                      today=(NOW + timedelta(days=2)).date())
    cw.session.commit()
    assert done.status == "delivered" and done.visit_confirmed_now
    cw.session.refresh(visit)
    assert visit.status in ("confirmed", "settled") and visit.rating == 4
    assert cw.balance(volunteer.person_id) > before  # credited by the one confirmation
    with pytest.raises(InvalidTransition):
        allocation.confirm_receipt(cw.session, relative, alloc.id, now=NOW + timedelta(days=2), rating=4)
    cw.session.rollback()
    assert cw.balance(volunteer.person_id) > before
    cw.stock_ok()
    cw.check()


def test_a_bad_rating_changes_nothing(cw):
    _user, _charity, donation, staff, eligible, _ = _tekun_setup(cw)
    relative = cw.relative_user(eligible.id)
    volunteer = cw.volunteer(skills=())
    alloc = cw.allocate(staff, cw.goods_request(staff, eligible), donation, method="delivery")
    visit = cw.session.get(ServiceRequest, alloc.visit_request_id)
    cw.take(volunteer, visit)
    cw.session.refresh(visit)
    cw.serve(volunteer, visit)
    cw.backstop(600)
    with pytest.raises(ValidationFailed):
        allocation.confirm_receipt(cw.session, relative, alloc.id, now=NOW + timedelta(days=2), rating=9)
    cw.session.rollback()
    cw.session.refresh(visit)
    assert visit.status == "done" and cw.stock(donation) == (9, 1)
