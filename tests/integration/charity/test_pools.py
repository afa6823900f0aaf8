"""Charity hour pools: designated donations and team hours flow in; the pool pays for a visit to an eligible
resident through the ledger's earn and refuses an ineligible one without changing anything."""

from __future__ import annotations

import pytest

from tests.integration.charity.world import NOW, TODAY
from timebank.charity import queries, service
from timebank.ledger import service as ledger


def _funded_pool(cw, minutes=300):
    user, charity = cw.charity()
    donor = cw.volunteer()
    cw.backstop(minutes)
    backstop = cw.pool("backstop")
    ledger.earn(cw.session, payer_account_id=backstop.id, person_id=donor.person_id, minutes=minutes,
                key=cw.key(), reference="visit:0", now=NOW, today=TODAY)
    ledger.donate(cw.session, donor, pool=f"charity:{charity.id}", minutes=minutes, key=cw.key(), now=NOW)
    cw.session.commit()
    return user, charity


def _pool_balance(cw, charity):
    cw.session.expire_all()
    return queries.pool_account(cw.session, charity).balance


def test_pool_pays_for_an_eligible_visit_and_refuses_an_ineligible_one(cw):
    user, charity = _funded_pool(cw)
    service.set_pool_rule(cw.session, user, service.PoolRuleInput(statuses=("tekun",), min_age=60,
                                                                   township_ids=(cw.county["township0"].id,)),
                          now=NOW)
    cw.session.commit()
    eligible = cw.resident(kinds=("tekun",))
    ineligible = cw.resident(kinds=("dibao",))
    volunteer = cw.volunteer()
    companionship = cw.category().id
    outcome = service.pay_from_pool(cw.session, charity_id=charity.id, resident_id=eligible.id,
                                    category_id=companionship, volunteer_id=volunteer.person_id, minutes=60,
                                    key="charity-visit-1", reference="visit:1", now=NOW, today=TODAY)
    cw.session.commit()
    assert outcome.transfer.debit_account_id == charity.account_id
    assert _pool_balance(cw, charity) == 240
    assert cw.balance(volunteer.person_id) == 60
    before = cw.snapshot()
    with pytest.raises(service.NotEligible) as refused:
        service.pay_from_pool(cw.session, charity_id=charity.id, resident_id=ineligible.id,
                              category_id=companionship, volunteer_id=volunteer.person_id, minutes=60,
                              key="charity-visit-2", reference="visit:2", now=NOW, today=TODAY)
    cw.session.rollback()
    assert refused.value.details["reason"] == "status"
    assert cw.snapshot() == before
    assert _pool_balance(cw, charity) == 240
    assert queries.eligible_pools(cw.session, eligible.id, companionship, TODAY) == [f"charity:{charity.id}"]
    assert queries.eligible_pools(cw.session, ineligible.id, companionship, TODAY) == []
    assert queries.matching_funds(cw.session) == [{"id": f"charity:{charity.id}", "minutes": 240}]
    cw.check()


def test_pool_refuses_a_category_it_does_not_pay_for_and_overspending(cw):
    user, charity = _funded_pool(cw, minutes=60)
    service.set_pool_rule(cw.session, user, service.PoolRuleInput(category_ids=(cw.category().id,)), now=NOW)
    cw.session.commit()
    resident, volunteer = cw.resident(), cw.volunteer()
    with pytest.raises(service.NotEligible):
        service.pay_from_pool(cw.session, charity_id=charity.id, resident_id=resident.id,
                              category_id=cw.category("cleaning").id, volunteer_id=volunteer.person_id,
                              minutes=30, key="c-1", reference="visit:1", now=NOW, today=TODAY)
    cw.session.rollback()
    from timebank.ledger.errors import InsufficientBalance

    with pytest.raises(InsufficientBalance):
        service.pay_from_pool(cw.session, charity_id=charity.id, resident_id=resident.id,
                              category_id=cw.category().id, volunteer_id=volunteer.person_id, minutes=61,
                              key="c-2", reference="visit:2", now=NOW, today=TODAY)
    cw.session.rollback()
    assert _pool_balance(cw, charity) == 60


def test_team_hours_land_in_the_charity_pool(cw):
    _user, charity = cw.charity()
    member = cw.volunteer()
    cw.backstop(120)
    backstop = cw.pool("backstop")
    service.bank_team_hours(cw.session, charity_id=charity.id, payer_account_id=backstop.id,
                            volunteer_id=member.person_id, minutes=120, key="team-1", reference="visit:9",
                            now=NOW, today=TODAY)
    cw.session.commit()
    assert _pool_balance(cw, charity) == 120
    assert cw.balance(member.person_id) == 0
    report = queries.transparency(cw.session, charity_id=charity.id, tz="Asia/Shanghai")
    assert report.hours_donated == 120 and report.hours_paid == 0
    cw.check()


def test_unapproved_charity_has_no_pool(cw):
    _user, charity = cw.charity(approved=False)
    from timebank.errors import NotFound

    with pytest.raises(NotFound):
        service.pay_from_pool(cw.session, charity_id=charity.id, resident_id=1, category_id=None, volunteer_id=1,
                              minutes=1, key="x-1", reference="visit:1", now=NOW, today=TODAY)
