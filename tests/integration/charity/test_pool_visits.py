"""A charity's hour pool as the payer of a visit through the whole chain: posting checks the pool's rule,
settlement debits the pool, and matching offers the pool as the request's fund."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.charity.test_pools import _funded_pool, _pool_balance
from tests.integration.charity.world import NOW
from timebank.charity import service
from timebank.dispatch.build import build
from timebank.errors import ValidationFailed
from timebank.visits.models import ServiceRequest


@pytest.fixture
def pool(cw):
    user, charity = _funded_pool(cw, minutes=300)
    service.set_pool_rule(cw.session, user, service.PoolRuleInput(statuses=("tekun",)), now=NOW)
    cw.session.commit()
    return charity


def test_charity_pool_pays_a_visit_for_an_eligible_resident(cw, pool):
    resident = cw.resident(kinds=("tekun",))
    volunteer = cw.volunteer()
    req = cw.post(cw.admin, resident, payer="charity", charity_id=pool.id)
    assert (req.payer, req.charity_id) == ("charity", pool.id)
    built = build(cw.session, cw.county["township0"], start=NOW, end=NOW + timedelta(days=7), now=NOW)
    assert built.problem["funds"] == [{"id": f"a{pool.account_id}", "minutes": 300}]
    cw.take(volunteer, req)
    cw.serve(volunteer, req, minutes=45)
    cw.confirm(cw.admin, req)
    assert _pool_balance(cw, pool) == 255
    assert cw.balance(volunteer.person_id) == 45
    assert cw.session.get(ServiceRequest, req.id).status == "settled"
    cw.check()


def test_charity_pool_refuses_an_ineligible_resident_at_posting(cw, pool):
    resident = cw.resident(kinds=("dibao",))
    before = cw.session.scalar(select(func.count()).select_from(ServiceRequest))
    with pytest.raises(ValidationFailed) as refused:
        cw.post(cw.admin, resident, payer="charity", charity_id=pool.id)
    cw.session.rollback()
    assert refused.value.field == "payer"
    assert cw.session.scalar(select(func.count()).select_from(ServiceRequest)) == before
    with pytest.raises(ValidationFailed):
        cw.post(cw.admin, resident, payer="charity")  # a charity payer names its charity
    cw.session.rollback()
    assert _pool_balance(cw, pool) == 300
