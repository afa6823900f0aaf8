"""Holds (reserve/post/void/expire), redemption age, grants with second-admin approval."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from timebank.accounts import service as accounts
from timebank.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from timebank.ledger import grants, holds
from timebank.ledger.errors import AlreadyResolved, InsufficientBalance, NeedsSecondAdmin, PolicyViolation
from timebank.ledger.models import GrantRequest
from timebank.people.models import Relative

from .conftest import NOW, TODAY


def _reserve(world, payer_id, volunteer, minutes, key=None):
    return world.run(lambda: holds.reserve(world.session, payer_account_id=payer_id,
                                           person_id=volunteer.person_id, minutes=minutes,
                                           key=key or world.key("hold"), reference="request:1", now=NOW,
                                           today=TODAY))


def test_hold_reserves_then_posts_fewer_minutes_and_releases_the_rest(world):
    elder, volunteer = world.resident(birth=date(1950, 1, 1)), world.volunteer()
    world.fund(elder.person_id, 300)
    payer = world.account(elder.person_id).id
    hold = _reserve(world, payer, volunteer, 120).transfer
    account = world.account(elder.person_id)
    assert (account.balance, account.pending_debits, account.spendable) == (300, 120, 180)
    world.check()
    world.run(lambda: holds.post(world.session, hold_id=hold.id, minutes=90, key=world.key(), now=NOW))
    account = world.account(elder.person_id)
    assert (account.balance, account.pending_debits, account.spendable) == (210, 0, 210)
    assert world.account(volunteer.person_id).balance == 90
    before = world.snapshot()
    with pytest.raises(AlreadyResolved):
        world.run(lambda: holds.post(world.session, hold_id=hold.id, key=world.key(), now=NOW))
    with pytest.raises(AlreadyResolved):
        world.run(lambda: holds.void(world.session, hold_id=hold.id, key=world.key(), now=NOW))
    assert world.snapshot() == before
    world.check()


def test_pending_minutes_cannot_be_spent_twice(world):
    elder, volunteer = world.resident(birth=date(1950, 1, 1)), world.volunteer()
    world.fund(elder.person_id, 100)
    payer = world.account(elder.person_id).id
    _reserve(world, payer, volunteer, 80)
    before = world.snapshot()
    with pytest.raises(InsufficientBalance):
        _reserve(world, payer, volunteer, 21)
    assert world.snapshot() == before


def test_post_more_than_reserved_or_zero_is_refused(world):
    elder, volunteer = world.resident(birth=date(1950, 1, 1)), world.volunteer()
    world.fund(elder.person_id, 100)
    hold = _reserve(world, world.account(elder.person_id).id, volunteer, 50).transfer
    before = world.snapshot()
    for minutes in (51, 0, -1, 2.5):
        with pytest.raises(ValidationFailed):
            world.run(lambda m=minutes: holds.post(world.session, hold_id=hold.id, minutes=m, key=world.key(),
                                                   now=NOW))
    assert world.snapshot() == before


def test_void_releases_everything_and_expire_waits_for_the_deadline(world, app):
    elder, volunteer = world.resident(birth=date(1950, 1, 1)), world.volunteer()
    world.fund(elder.person_id, 100)
    payer = world.account(elder.person_id).id
    first = _reserve(world, payer, volunteer, 40).transfer
    second = _reserve(world, payer, volunteer, 30).transfer
    world.run(lambda: holds.void(world.session, hold_id=first.id, key=world.key(), now=NOW))
    assert world.account(elder.person_id).pending_debits == 30
    with pytest.raises(ValidationFailed):
        world.run(lambda: holds.expire(world.session, hold_id=second.id, now=NOW))
    later = NOW + timedelta(days=31)
    assert holds.due_holds(world.session, later) == [second.id]
    world.run(lambda: holds.expire(world.session, hold_id=second.id, now=later))
    world.run(lambda: holds.expire(world.session, hold_id=second.id, now=later))  # idempotent job
    assert world.account(elder.person_id).spendable == 100
    assert holds.due_holds(world.session, later) == []
    with pytest.raises(NotFound):
        world.run(lambda: holds.void(world.session, hold_id=10**8, key=world.key(), now=NOW))
    world.check()


def test_holds_are_for_services_only(world):
    elder, volunteer = world.resident(birth=date(1950, 1, 1)), world.volunteer()
    world.fund(elder.person_id, 100)
    with pytest.raises(ValidationFailed):
        world.run(lambda: holds.reserve(world.session, payer_account_id=world.account(elder.person_id).id,
                                        person_id=volunteer.person_id, minutes=10, key=world.key(),
                                        reference="cash:100", now=NOW, today=TODAY))


def test_redeeming_under_the_age_rule_is_refused(world):
    young, volunteer = world.volunteer(birth=date(1980, 1, 1)), world.volunteer()
    world.fund(young.person_id, 100)
    payer = world.account(young.person_id).id
    before = world.snapshot()
    with pytest.raises(PolicyViolation):
        _reserve(world, payer, volunteer, 10)
    assert world.snapshot() == before


def _reserve_for(world, payer_id, volunteer, served_id):
    return world.run(lambda: holds.reserve(world.session, payer_account_id=payer_id,
                                           person_id=volunteer.person_id, minutes=10, key=world.key("hold"),
                                           reference="request:1", served_id=served_id, now=NOW, today=TODAY))


def test_a_depositor_pays_for_a_verified_spouse_of_sixty_not_for_themselves_younger(world):
    """The person served decides the age: a 56-year-old's hours serve a verified 64-year-old spouse, but not
    the 56-year-old; an unverified or unlinked spouse link carries no right."""
    young, volunteer = world.volunteer(birth=date(1970, 1, 1)), world.volunteer()
    world.fund(young.person_id, 100)
    payer = world.account(young.person_id).id
    with pytest.raises(PolicyViolation):
        _reserve(world, payer, volunteer, 10)  # for themselves, at 56
    spouse = world.resident(birth=date(1962, 1, 1))
    world.relate(spouse.person_id, young.person_id, "spouse", verified=False)
    with pytest.raises(PolicyViolation):
        _reserve_for(world, payer, volunteer, spouse.person_id)
    link = world.session.scalar(select(Relative).where(Relative.resident_id == spouse.person_id))
    link.verified = True
    world.session.commit()
    _reserve_for(world, payer, volunteer, spouse.person_id)
    link.unlinked_at = NOW
    world.session.commit()
    with pytest.raises(PolicyViolation):
        _reserve_for(world, payer, volunteer, spouse.person_id)


def test_hardship_lowers_the_age_to_its_floor_not_to_any_age(world):
    volunteer = world.volunteer()
    needy = world.resident(birth=date(1975, 1, 1))  # 51
    world.fund(needy.person_id, 50)
    world.hardship(needy.person_id, "dibao")
    with pytest.raises(PolicyViolation):
        _reserve(world, world.account(needy.person_id).id, volunteer, 10)
    older = world.resident(birth=date(1970, 1, 1))  # 56, over the default floor of 55
    world.fund(older.person_id, 50)
    with pytest.raises(PolicyViolation):
        _reserve(world, world.account(older.person_id).id, volunteer, 10)
    world.hardship(older.person_id, "dibao")
    _reserve(world, world.account(older.person_id).id, volunteer, 10)
    world.set_policy(hardship_exception=False)
    with pytest.raises(PolicyViolation):
        _reserve(world, world.account(older.person_id).id, volunteer, 10)


def test_small_grants_post_at_once_and_large_ones_need_another_admin(world, session):
    admin = world.admin
    second = accounts.create_user(session, password="Second-admin-2026", roles=("admin",), username="admin2",
                                  node_id=world.county["root"].id)
    session.commit()
    small = world.run(lambda: grants.grant(session, admin, to="backstop", minutes=600, reason="年度拨付",
                                           key=world.key(), now=NOW, today=TODAY))
    assert small.transfer.kind == "grant"
    assert world.pool("backstop").balance == 600
    big = world.run(lambda: grants.grant(session, admin, to="backstop", minutes=60_000, reason="年度拨付",
                                         key="big-grant", now=NOW, today=TODAY))
    assert isinstance(big, GrantRequest) and big.status == "awaiting"
    assert world.pool("backstop").balance == 600
    before = world.snapshot()
    with pytest.raises(NeedsSecondAdmin):
        world.run(lambda: grants.decide(session, admin, grant_id=big.id, approve=True, key=world.key(), now=NOW))
    assert world.snapshot() == before
    decided = world.run(lambda: grants.decide(session, second, grant_id=big.id, approve=True, key=world.key(),
                                              now=NOW))
    assert decided.status == "approved" and decided.transfer_id is not None
    assert world.pool("backstop").balance == 60_600
    with pytest.raises(InvalidTransition):
        world.run(lambda: grants.decide(session, second, grant_id=big.id, approve=True, key=world.key(),
                                        now=NOW))
    again = world.run(lambda: grants.grant(session, admin, to="backstop", minutes=60_000, reason="年度拨付",
                                           key="big-grant", now=NOW, today=TODAY))
    assert again.id == big.id
    assert world.check().liability == 60_600


def test_grants_go_only_to_priority_residents_and_only_by_admins(world, session):
    plain = world.resident(birth=date(1970, 1, 1), living="with_family")
    with pytest.raises(PolicyViolation):
        world.run(lambda: grants.grant(session, world.admin, to=plain.person_id, minutes=60, reason="x",
                                       key=world.key(), now=NOW, today=TODAY))
    lone = world.resident(birth=date(1940, 1, 1), living="alone")
    world.run(lambda: grants.grant(session, world.admin, to=lone.person_id, minutes=60, reason="重点空巢独居",
                                   key=world.key(), now=NOW, today=TODAY))
    assert world.account(lone.person_id).balance == 60
    volunteer = world.volunteer()
    with pytest.raises(Forbidden):
        world.run(lambda: grants.grant(session, volunteer, to="backstop", minutes=60, reason="x",
                                       key=world.key(), now=NOW, today=TODAY))
    assert session.scalar(select(GrantRequest.id)) is None
