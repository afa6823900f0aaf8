"""Donations, goods requests, allocation, receipt and return through the real services; every bad input
is refused with a clear error and leaves stock, movements and requests exactly as they were."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.integration.charity.world import NOW, TODAY
from timebank.charity import allocation, queries, service
from timebank.charity.models import StockMovement
from timebank.errors import DomainError, Forbidden, InvalidTransition, NotInScope, ValidationFailed
from timebank.visits.models import ServiceRequest


def _tekun_setup(cw):
    user, charity = cw.charity()
    township = cw.county["township0"]
    donation = cw.donate(user, quantity=10, statuses=("tekun",), townships=(township.id,), min_age=60)
    staff = cw.staff(0)
    eligible = cw.resident(kinds=("tekun",), name="特困老人")
    ineligible = cw.resident(kinds=("dibao",), name="低保老人")
    return user, charity, donation, staff, eligible, ineligible


def test_donation_starts_with_one_received_movement(cw):
    user, _charity = cw.charity()
    donation = cw.donate(user, quantity=10)
    assert cw.stock(donation) == (10, 0)
    kinds = [(m.kind, m.quantity) for m in queries.movements(cw.session, donation.id)]
    assert kinds == [("received", 10)]
    cw.stock_ok()


def test_only_the_eligible_resident_can_be_allocated(cw):
    _user, _charity, donation, staff, eligible, ineligible = _tekun_setup(cw)
    good = cw.goods_request(staff, eligible)
    bad = cw.goods_request(staff, ineligible)
    before = cw.goods_snapshot()
    with pytest.raises(service.NotEligible) as refused:
        cw.allocate(staff, bad, donation)
    cw.session.rollback()
    assert refused.value.details["reason"] == "status"
    assert cw.goods_snapshot() == before
    candidates = dict((d.id, why) for d, why in queries.candidate_donations(cw.session, bad, TODAY))
    assert candidates[donation.id] == "status"
    cw.allocate(staff, good, donation)
    assert cw.stock(donation) == (9, 1)
    cw.session.refresh(good)
    assert good.status == "allocated"
    cw.stock_ok()


def test_pickup_receipt_moves_reserved_to_delivered_exactly_once(cw):
    _user, _charity, donation, staff, eligible, _ = _tekun_setup(cw)
    relative = cw.relative_user(eligible.id)
    request = cw.goods_request(staff, eligible)
    alloc = cw.allocate(staff, request, donation)
    allocation.confirm_receipt(cw.session, relative, alloc.id, now=NOW)
    cw.session.commit()
    assert cw.stock(donation) == (9, 0)
    before = cw.goods_snapshot()
    with pytest.raises(InvalidTransition):
        allocation.confirm_receipt(cw.session, relative, alloc.id, now=NOW)
    cw.session.rollback()
    assert cw.goods_snapshot() == before
    kinds = [m.kind for m in queries.movements(cw.session, donation.id)]
    assert kinds == ["received", "allocated", "delivered"]
    cw.session.refresh(request)
    assert request.status == "delivered"
    cw.stock_ok()


def test_an_unverified_relative_or_a_stranger_cannot_confirm(cw):
    _user, _charity, donation, staff, eligible, _ = _tekun_setup(cw)
    unverified = cw.relative_user(eligible.id, verified=False)
    other_staff = cw.staff(1)
    alloc = cw.allocate(staff, cw.goods_request(staff, eligible), donation)
    for actor in (unverified, other_staff):
        with pytest.raises(NotInScope):
            allocation.confirm_receipt(cw.session, actor, alloc.id, now=NOW)
        cw.session.rollback()
    assert cw.stock(donation) == (9, 1)


def test_cancelling_returns_the_units_and_reopens_the_request(cw):
    _user, _charity, donation, staff, eligible, _ = _tekun_setup(cw)
    request = cw.goods_request(staff, eligible, quantity=2)
    alloc = cw.allocate(staff, request, donation)
    assert cw.stock(donation) == (8, 2)
    allocation.cancel_allocation(cw.session, staff, alloc.id, reason="老人已入住养老院", now=NOW)
    cw.session.commit()
    assert cw.stock(donation) == (10, 0)
    cw.session.refresh(request)
    assert request.status == "open"
    with pytest.raises(InvalidTransition):
        allocation.cancel_allocation(cw.session, staff, alloc.id, reason="again", now=NOW)
    cw.session.rollback()
    with pytest.raises(InvalidTransition):
        allocation.confirm_receipt(cw.session, staff, alloc.id, now=NOW)
    cw.session.rollback()
    assert cw.stock(donation) == (10, 0)
    cw.stock_ok()


def test_delivery_posts_a_supplies_visit_and_receipt_waits_for_the_handover(cw):
    _user, _charity, donation, staff, eligible, _ = _tekun_setup(cw)
    relative = cw.relative_user(eligible.id)
    volunteer = cw.volunteer(skills=())
    alloc = cw.allocate(staff, cw.goods_request(staff, eligible), donation, method="delivery")
    visit = cw.session.get(ServiceRequest, alloc.visit_request_id)
    assert visit.category.code == "supplies" and visit.resident_id == eligible.id
    with pytest.raises(InvalidTransition):
        allocation.confirm_receipt(cw.session, relative, alloc.id, now=NOW)
    cw.session.rollback()
    cw.take(volunteer, visit)
    cw.session.refresh(visit)
    cw.serve(volunteer, visit)
    allocation.confirm_receipt(cw.session, relative, alloc.id, now=NOW + timedelta(days=2))
    cw.session.commit()
    assert cw.stock(donation) == (9, 0)
    cw.stock_ok()
    cw.check()


def test_a_confirmed_visit_delivers_and_a_cancelled_one_returns(cw):
    _user, _charity, donation, staff, eligible, _ = _tekun_setup(cw)
    relative = cw.relative_user(eligible.id)
    volunteer = cw.volunteer(skills=())
    first = cw.allocate(staff, cw.goods_request(staff, eligible), donation, method="delivery")
    second = cw.allocate(staff, cw.goods_request(staff, eligible), donation, method="delivery")
    visit = cw.session.get(ServiceRequest, first.visit_request_id)
    cw.take(volunteer, visit)
    cw.session.refresh(visit)
    cw.serve(volunteer, visit)
    cw.backstop(600)
    cw.confirm(relative, visit)
    from timebank.visits import service as visits

    visits.cancel(cw.session, staff, second.visit_request_id, reason="老人外出", now=NOW)
    cw.session.commit()
    assert allocation.sync_delivery_visits(cw.session, now=NOW) == (1, 1)
    cw.session.commit()
    assert allocation.sync_delivery_visits(cw.session, now=NOW) == (0, 0)
    assert cw.stock(donation) == (9, 0)
    cw.stock_ok()


# ---------------------------------------------------------------------------------------------------------
# bad input: clear errors, nothing changed


@pytest.mark.parametrize("quantity", [0, -1, "0", "-3", "abc", 2.5, None, True, 100_001])
def test_bad_donation_quantities_are_refused(cw, quantity):
    user, _charity = cw.charity()
    before = cw.goods_snapshot()
    with pytest.raises(ValidationFailed) as refused:
        cw.donate(user, quantity=quantity)
    cw.session.rollback()
    assert refused.value.field == "quantity"
    assert cw.goods_snapshot() == before


@pytest.mark.parametrize("quantity", [0, -1, "x"])
def test_bad_request_and_allocation_quantities_are_refused(cw, quantity):
    _user, _charity, donation, staff, eligible, _ = _tekun_setup(cw)
    before = cw.goods_snapshot()
    with pytest.raises(ValidationFailed):
        cw.goods_request(staff, eligible, quantity=quantity)
    cw.session.rollback()
    request = cw.goods_request(staff, eligible, quantity=2)
    before = cw.goods_snapshot()
    with pytest.raises(ValidationFailed):
        cw.allocate(staff, request, donation, quantity=quantity)
    cw.session.rollback()
    assert cw.goods_snapshot() == before


def test_allocating_more_than_the_stock_is_refused(cw):
    user, _charity = cw.charity()
    donation = cw.donate(user, quantity=3)
    staff = cw.staff(0)
    request = cw.goods_request(staff, cw.resident(), quantity=5)
    before = cw.goods_snapshot()
    with pytest.raises(service.StockShort) as refused:
        cw.allocate(staff, request, donation)
    cw.session.rollback()
    assert refused.value.status == 409
    assert cw.goods_snapshot() == before
    assert cw.stock(donation) == (3, 0)


def test_allocating_more_than_requested_is_refused(cw):
    user, _charity = cw.charity()
    donation = cw.donate(user, quantity=3)
    staff = cw.staff(0)
    request = cw.goods_request(staff, cw.resident(), quantity=1)
    with pytest.raises(ValidationFailed):
        cw.allocate(staff, request, donation, quantity=2)
    cw.session.rollback()
    assert cw.stock(donation) == (3, 0)


def test_a_donation_past_its_use_by_date_is_refused_and_expires(cw):
    user, _charity = cw.charity()
    with pytest.raises(ValidationFailed) as refused:
        cw.donate(user, quantity=5, item="milk", use_by=TODAY - timedelta(days=1))
    cw.session.rollback()
    assert refused.value.field == "use_by"
    donation = cw.donate(user, quantity=5, item="milk", use_by=TODAY + timedelta(days=3))
    staff = cw.staff(0)
    request = cw.goods_request(staff, cw.resident(), item="milk")
    before = cw.goods_snapshot()
    later = TODAY + timedelta(days=4)
    with pytest.raises(ValidationFailed) as refused:
        cw.allocate(staff, request, donation, today=later)
    cw.session.rollback()
    assert refused.value.details["reason"] == "use_by_past"
    assert cw.goods_snapshot() == before
    assert service.expire_due(cw.session, today=later, now=NOW) == [donation.id]
    assert service.expire_due(cw.session, today=later, now=NOW) == []
    cw.session.commit()
    assert cw.stock(donation) == (0, 0)
    cw.stock_ok()


@pytest.mark.parametrize("code", ["", "123", "91350100M000100Y4", "91350100M000100Y44", "91350100M000100YI3",
                                  "91350100m000100y43x"])
def test_invalid_credit_codes_are_refused(cw, code):
    from timebank.charity.models import Charity

    user = cw.charity_user()
    with pytest.raises(ValidationFailed) as refused:
        service.register_charity(cw.session, user, service.CharityInput(
            name="某基金会", credit_code=code, registration="charity", contact_name="李", contact_phone="13800001111"),
            now=NOW)
    cw.session.rollback()
    assert refused.value.field == "credit_code"
    assert cw.session.scalar(select(Charity.id).where(Charity.name == "某基金会")) is None


def test_write_off_needs_a_reason_and_free_stock(cw):
    user, _charity = cw.charity()
    donation = cw.donate(user, quantity=2)
    with pytest.raises(ValidationFailed):
        service.write_off(cw.session, user, donation.id, quantity=1, reason=" ", now=NOW)
    cw.session.rollback()
    with pytest.raises(service.StockShort):
        service.write_off(cw.session, user, donation.id, quantity=3, reason="受潮", now=NOW)
    cw.session.rollback()
    service.write_off(cw.session, user, donation.id, quantity=1, reason="受潮霉变", now=NOW)
    cw.session.commit()
    assert cw.stock(donation) == (1, 0)
    row = cw.session.scalar(select(StockMovement).where(StockMovement.kind == "written_off"))
    assert row.reason == "受潮霉变"
    cw.stock_ok()


def test_only_approved_charities_donate_and_staff_stay_in_their_subtree(cw):
    user, _charity = cw.charity(approved=False)
    with pytest.raises(Forbidden):
        cw.donate(user)
    cw.session.rollback()
    other = cw.staff(1)
    resident = cw.resident()
    with pytest.raises(NotInScope):
        cw.goods_request(other, resident)
    cw.session.rollback()
    _u, _c, donation, staff, eligible, _ = _tekun_setup(cw)
    request = cw.goods_request(staff, eligible)
    with pytest.raises(NotInScope):
        cw.allocate(other, request, donation)
    cw.session.rollback()
    assert cw.stock(donation) == (10, 0)


def test_a_goods_request_is_served_once(cw):
    _user, _charity, donation, staff, eligible, _ = _tekun_setup(cw)
    request = cw.goods_request(staff, eligible)
    cw.allocate(staff, request, donation)
    with pytest.raises(DomainError):
        cw.allocate(staff, request, donation)
    cw.session.rollback()
    assert cw.stock(donation) == (9, 1)


def test_the_stock_check_names_a_tampered_donation(cw):
    user, _charity = cw.charity()
    donation = cw.donate(user, quantity=4)
    cw.stock_ok()
    cw.session.expire_all()
    cw.session.execute(Donation_update(donation.id, 3))
    report = queries.check_stock(cw.session)
    assert not report.ok and report.mismatches[0].donation_id == donation.id
    assert report.mismatches[0].recomputed == (4, 0)


def Donation_update(donation_id: int, stock: int):
    from sqlalchemy import update

    from timebank.charity.models import Donation

    return update(Donation).where(Donation.id == donation_id).values(stock=stock)


def test_matching_goods_lists_only_eligible_donations(cw):
    user, _charity, donation, staff, eligible, ineligible = _tekun_setup(cw)
    other = cw.donate(user, quantity=2)  # no restriction
    expired = cw.donate(user, quantity=2, use_by=TODAY)
    good = cw.goods_request(staff, eligible)
    bad = cw.goods_request(staff, ineligible)
    out = queries.matching_goods(cw.session, today=TODAY + timedelta(days=1))
    requests = {r["id"]: r for r in out["requests"]}
    assert requests[f"g{good.id}"]["donations"] == [f"d{donation.id}", f"d{other.id}"]
    assert requests[f"g{bad.id}"]["donations"] == [f"d{other.id}"]
    assert requests[f"g{good.id}"] | {"donations": None} == {
        "id": f"g{good.id}", "kind": "goods", "resident": f"p{eligible.id}", "item": "quilt", "quantity": 1,
        "priority": 100, "donations": None}
    donations = {d["id"]: d for d in out["donations"]}
    assert set(donations) == {f"d{donation.id}", f"d{other.id}"}
    assert f"d{expired.id}" not in donations
    assert donations[f"d{donation.id}"]["quantity"] == 10
    assert set(donations[f"d{donation.id}"]) == {"id", "item", "quantity", "x_km", "y_km"}
    cw.allocate(staff, good, donation)
    out = queries.matching_goods(cw.session, today=TODAY)
    assert [r["id"] for r in out["requests"]] == [f"g{bad.id}"]
    scoped = queries.matching_goods(cw.session, scope_path=cw.county["township1"].path, today=TODAY)
    assert scoped["requests"] == []
    assert isinstance(date.today(), date)
