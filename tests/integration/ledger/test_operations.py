"""Ledger operations against the database: earn, gift, donate, reversal, overflow, team hours, minors."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from timebank.errors import Forbidden, ValidationFailed
from timebank.ledger import service as ledger
from timebank.ledger.errors import (
    AlreadyReversed,
    IdempotencyConflict,
    InsufficientBalance,
    PolicyViolation,
)
from timebank.ledger.models import LedgerAccount, LedgerNotice, Transfer

from .conftest import NOW, TODAY


def test_every_person_gets_an_account_and_system_accounts_exist(world, session):
    volunteer = world.volunteer()
    account = world.account(volunteer.person_id)
    assert (account.kind, account.balance, account.spendable) == ("person", 0, 0)
    codes = set(session.scalars(select(LedgerAccount.code).where(LedgerAccount.code.is_not(None))))
    assert {"issuance", "pool:county_donation", "pool:backstop"} <= codes


def test_earn_moves_minutes_from_payer_to_volunteer(world):
    volunteer = world.volunteer()
    world.backstop(300)
    backstop = world.pool("backstop")
    outcome = world.run(lambda: ledger.earn(world.session, payer_account_id=backstop.id,
                                            person_id=volunteer.person_id, minutes=120, key="visit-1-settle",
                                            reference="visit:1", now=NOW, today=TODAY))
    assert not outcome.replayed
    assert world.account(volunteer.person_id).balance == 120
    assert world.pool("backstop").balance == 180
    assert world.check().liability == 300


def test_same_key_same_body_returns_the_first_result_and_another_body_is_a_conflict(world):
    volunteer = world.volunteer()
    world.backstop(300)
    backstop = world.pool("backstop").id

    def earn(minutes):
        return ledger.earn(world.session, payer_account_id=backstop, person_id=volunteer.person_id,
                           minutes=minutes, key="same-key", reference="visit:9", now=NOW, today=TODAY)

    first = world.run(lambda: earn(60))
    again = world.run(lambda: earn(60))
    assert again.replayed and again.transfer.id == first.transfer.id
    before = world.snapshot()
    with pytest.raises(IdempotencyConflict) as caught:
        world.run(lambda: earn(61))
    assert caught.value.status == 409
    assert world.snapshot() == before
    assert world.account(volunteer.person_id).balance == 60


@pytest.mark.parametrize("minutes", [0, -5, 1.5, "12.5", "abc", None, True, 10**9, 2**63])
def test_bad_minutes_are_refused_and_nothing_is_written(world, minutes):
    giver, elder = world.volunteer(), world.resident()
    world.relate(elder.person_id, giver.person_id, "child")
    world.fund(giver.person_id, 100)
    before = world.snapshot()
    with pytest.raises(ValidationFailed) as caught:
        world.run(lambda: ledger.gift(world.session, giver, to_person_id=elder.person_id, minutes=minutes,
                                      memo=None, key=world.key(), now=NOW))
    assert caught.value.field == "minutes"
    with pytest.raises(ValidationFailed):
        world.run(lambda: ledger.donate(world.session, giver, pool="county_donation", minutes=minutes,
                                        key=world.key(), now=NOW))
    assert world.snapshot() == before


def test_gift_to_a_verified_direct_relative(world):
    daughter, mother = world.volunteer(), world.resident()
    world.relate(mother.person_id, daughter.person_id, "child")
    world.fund(daughter.person_id, 200)
    outcome = world.run(lambda: ledger.gift(world.session, daughter, to_person_id=mother.person_id, minutes=150,
                                            memo="给妈妈", key=world.key(), now=NOW))
    assert outcome.transfer.kind == "gift"
    assert world.account(daughter.person_id).balance == 50
    assert world.account(mother.person_id).balance == 150
    world.check()


@pytest.mark.parametrize("link", [None, ("child", False), ("sibling", True), ("other", True)])
def test_gifts_to_non_relatives_unverified_or_non_direct_relatives_are_refused(world, link):
    giver, other = world.volunteer(), world.resident()
    if link:
        world.relate(other.person_id, giver.person_id, link[0], verified=link[1])
    world.fund(giver.person_id, 100)
    before = world.snapshot()
    with pytest.raises(PolicyViolation) as caught:
        world.run(lambda: ledger.gift(world.session, giver, to_person_id=other.person_id, minutes=10, memo=None,
                                      key=world.key(), now=NOW))
    assert caught.value.field == "to_person_id"
    assert world.snapshot() == before


def test_gift_to_self_or_unknown_person_is_refused(world):
    giver = world.volunteer()
    world.fund(giver.person_id, 100)
    with pytest.raises(ValidationFailed):
        world.run(lambda: ledger.gift(world.session, giver, to_person_id=giver.person_id, minutes=10, memo=None,
                                      key=world.key(), now=NOW))
    with pytest.raises(PolicyViolation):
        world.run(lambda: ledger.gift(world.session, giver, to_person_id=10**8, minutes=10, memo=None,
                                      key=world.key(), now=NOW))


def test_policy_may_allow_siblings(world):
    giver, sister = world.volunteer(), world.resident()
    world.relate(sister.person_id, giver.person_id, "sibling")
    world.fund(giver.person_id, 100)
    world.set_policy(gift_kinships=["spouse", "parent", "child", "grandparent", "grandchild", "sibling"])
    outcome = world.run(lambda: ledger.gift(world.session, giver, to_person_id=sister.person_id, minutes=10,
                                            memo=None, key=world.key(), now=NOW))
    assert outcome.transfer.policy_version_id is not None


def test_spending_more_than_spendable_is_refused(world):
    giver, mother = world.volunteer(), world.resident()
    world.relate(mother.person_id, giver.person_id, "child")
    world.fund(giver.person_id, 100)
    before = world.snapshot()
    with pytest.raises(InsufficientBalance) as caught:
        world.run(lambda: ledger.gift(world.session, giver, to_person_id=mother.person_id, minutes=101,
                                      memo=None, key=world.key(), now=NOW))
    assert caught.value.status == 422
    with pytest.raises(InsufficientBalance):
        world.run(lambda: ledger.donate(world.session, giver, pool="county_donation", minutes=101,
                                        key=world.key(), now=NOW))
    assert world.snapshot() == before


def test_donation_goes_to_the_county_pool_and_unknown_pools_are_refused(world):
    giver = world.volunteer()
    world.fund(giver.person_id, 100)
    world.run(lambda: ledger.donate(world.session, giver, pool="county_donation", minutes=40, key=world.key(),
                                    now=NOW))
    assert world.pool().balance == 40
    for pool in ("backstop", "issuance", "charity:999", ""):
        with pytest.raises(ValidationFailed):
            world.run(lambda pool=pool: ledger.donate(world.session, giver, pool=pool, minutes=1,
                                                      key=world.key(), now=NOW))


def test_donation_to_a_charity_pool(world):
    giver = world.volunteer()
    world.fund(giver.person_id, 100)
    charity = ledger.open_charity_account(world.session, 7, "示范县慈善总会")
    world.session.commit()
    world.run(lambda: ledger.donate(world.session, giver, pool="charity:7", minutes=30, key=world.key(), now=NOW))
    world.session.refresh(charity)
    assert charity.balance == 30


def test_a_user_without_person_cannot_gift(world):
    with pytest.raises(Forbidden):
        world.run(lambda: ledger.donate(world.session, world.admin, pool="county_donation", minutes=1,
                                        key=world.key(), now=NOW))


def test_balance_cap_overflow_goes_to_the_county_pool_and_the_person_is_told(world, session):
    world.set_policy(balance_cap_minutes=600)
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 500)
    outcome = world.fund(volunteer.person_id, 200)
    assert outcome.overflow_minutes == 100
    assert world.account(volunteer.person_id).balance == 600
    assert world.pool().balance == 100
    notice = session.scalar(select(LedgerNotice).where(LedgerNotice.person_id == volunteer.person_id))
    assert (notice.kind, notice.minutes) == ("overflow", 100)
    overflow = session.get(Transfer, notice.transfer_id)
    assert (overflow.kind, overflow.parent_id) == ("overflow", outcome.transfer.id)
    world.check()


def test_team_hours_are_donation_only(world):
    volunteer = world.volunteer()
    world.backstop(90)
    backstop = world.pool("backstop").id
    world.run(lambda: ledger.earn(world.session, payer_account_id=backstop, person_id=volunteer.person_id,
                                  minutes=90, key=world.key(), reference="visit:2", team=True, now=NOW,
                                  today=TODAY))
    assert world.account(volunteer.person_id).balance == 0
    assert world.pool().balance == 90
    world.check()


def test_minors_earn_only_in_groups_or_with_guardian_consent(world):
    teen = world.person(date(2011, 1, 1))
    world.backstop(100)
    backstop = world.pool("backstop").id

    def earn(**flags):
        return world.run(lambda: ledger.earn(world.session, payer_account_id=backstop, person_id=teen.id,
                                             minutes=30, key=world.key(), reference="visit:3", now=NOW,
                                             today=TODAY, **flags))

    with pytest.raises(PolicyViolation):
        earn()
    earn(guardian_consent=True)
    assert world.account(teen.id).balance == 30
    world.set_policy(minor_mode="group_only")
    with pytest.raises(PolicyViolation):
        earn(guardian_consent=True)
    earn(team=True)


def test_reversal_restores_balances_once(world):
    admin = world.admin
    volunteer = world.volunteer()
    outcome = world.fund(volunteer.person_id, 100)
    reversal = world.run(lambda: ledger.reverse(world.session, admin, transfer_id=outcome.transfer.id,
                                                reason="重复记录", key=world.key(), now=NOW))
    assert reversal.transfer.reverses_id == outcome.transfer.id
    assert world.account(volunteer.person_id).balance == 0
    before = world.snapshot()
    with pytest.raises(AlreadyReversed):
        world.run(lambda: ledger.reverse(world.session, admin, transfer_id=outcome.transfer.id, reason="再来",
                                         key=world.key(), now=NOW))
    assert world.snapshot() == before
    undo = world.run(lambda: ledger.reverse(world.session, admin, transfer_id=reversal.transfer.id,
                                            reason="冲正有误", key=world.key(), now=NOW))
    assert world.account(volunteer.person_id).balance == 100
    with pytest.raises(AlreadyReversed):
        world.run(lambda: ledger.reverse(world.session, admin, transfer_id=reversal.transfer.id,
                                         reason="冲正有误", key=world.key(), now=NOW))
    assert undo.transfer.kind == "reversal"
    world.check()


def test_reversal_needs_admin_reason_and_minutes_still_there(world):
    volunteer, mother = world.volunteer(), world.resident()
    world.relate(mother.person_id, volunteer.person_id, "child")
    outcome = world.fund(volunteer.person_id, 100)
    with pytest.raises(Forbidden):
        world.run(lambda: ledger.reverse(world.session, volunteer, transfer_id=outcome.transfer.id, reason="x",
                                         key=world.key(), now=NOW))
    with pytest.raises(ValidationFailed):
        world.run(lambda: ledger.reverse(world.session, world.admin, transfer_id=outcome.transfer.id, reason=" ",
                                         key=world.key(), now=NOW))
    world.run(lambda: ledger.gift(world.session, volunteer, to_person_id=mother.person_id, minutes=60, memo=None,
                                  key=world.key(), now=NOW))
    before = world.snapshot()
    with pytest.raises(InsufficientBalance):
        world.run(lambda: ledger.reverse(world.session, world.admin, transfer_id=outcome.transfer.id,
                                         reason="错记", key=world.key(), now=NOW))
    assert world.snapshot() == before


def test_missing_or_malformed_idempotency_key_is_refused(world):
    giver = world.volunteer()
    world.fund(giver.person_id, 10)
    for key in ("", None, "x" * 81, "has space", "中文"):
        with pytest.raises(ValidationFailed) as caught:
            world.run(lambda key=key: ledger.donate(world.session, giver, pool="county_donation", minutes=1,
                                                    key=key, now=NOW))
        assert caught.value.field == "idempotency_key"
