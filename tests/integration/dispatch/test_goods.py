"""Goods through matching: eligible goods requests and donations join the solve; stations accept (which
allocates through the charity area) or reject; rejected pairs are not proposed again."""

import pytest
from sqlalchemy import select

from tests.integration.charity.world import CharityWorld
from tests.integration.visits.world import NOW, TODAY
from timebank.charity.models import Allocation
from timebank.dispatch import service
from timebank.dispatch.models import GoodsProposal
from timebank.errors import InvalidTransition, NotFound


@pytest.fixture
def cw(app, session, county, make_volunteer, make_resident):
    saved = app.config["TIMEBANK_MATCH_TIME_LIMIT"]
    app.config["TIMEBANK_MATCH_TIME_LIMIT"] = 2
    with app.test_request_context():
        yield CharityWorld(session, county, make_volunteer, make_resident)
    app.config["TIMEBANK_MATCH_TIME_LIMIT"] = saved


@pytest.fixture
def quilts(cw):
    user, _charity = cw.charity()
    staff = cw.staff(0)
    donation = cw.donate(user, quantity=3, statuses=("tekun",))
    eligible = cw.resident(kinds=("tekun",), name="特困老人")
    ineligible = cw.resident(kinds=("dibao",), name="低保老人")
    wanted = cw.goods_request(staff, eligible, quantity=2)
    refused = cw.goods_request(staff, ineligible, quantity=1)
    return {"staff": staff, "donation": donation, "wanted": wanted, "refused": refused}


def run(cw):
    result = service.run_matching(cw.session, cw.admin, cw.county["township0"], now=NOW)
    cw.session.commit()
    return result


def test_only_eligible_goods_requests_are_proposed_and_accepting_allocates(cw, quilts):
    result = run(cw)
    assert result.status == "ok"
    proposals = list(cw.session.scalars(select(GoodsProposal)))
    assert [(p.goods_request_id, p.donation_id, p.quantity) for p in proposals] == [
        (quilts["wanted"].id, quilts["donation"].id, 2)]
    accepted = service.accept_goods(cw.session, quilts["staff"], proposals[0].id, method="pickup", now=NOW,
                                    today=TODAY)
    cw.session.commit()
    allocation = cw.session.get(Allocation, accepted.allocation_id)
    assert allocation.source == "matching" and allocation.quantity == 2
    assert cw.stock(quilts["donation"])[0] == 1
    assert cw.stock_ok()
    with pytest.raises(InvalidTransition):
        service.accept_goods(cw.session, quilts["staff"], proposals[0].id, method="pickup", now=NOW, today=TODAY)


def test_rejected_pairs_are_not_proposed_again_and_pending_ones_hold_stock(cw, quilts):
    run(cw)
    first = cw.session.scalars(select(GoodsProposal)).one()
    again = run(cw)  # still offered: the request and its units are held back
    assert again.status == "ok"
    assert cw.session.scalars(select(GoodsProposal)).all() == [first]
    service.reject_goods(cw.session, quilts["staff"], first.id, reason="家属已自购", now=NOW)
    cw.session.commit()
    run(cw)
    assert [p.status for p in cw.session.scalars(select(GoodsProposal))] == ["rejected"]


def test_other_townships_cannot_decide(cw, quilts, make_staff):
    run(cw)
    proposal = cw.session.scalars(select(GoodsProposal)).one()
    outsider = make_staff("yi", 1)
    with pytest.raises(NotFound):
        service.accept_goods(cw.session, outsider, proposal.id, method="pickup", now=NOW, today=TODAY)
