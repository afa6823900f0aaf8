"""The ledger's write path: statements per transfer, the policy cache, the overflow notification,
ORM copies kept honest, and the replay paths of the keyed INSERT."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from timebank.extensions import db
from timebank.ledger import holds
from timebank.ledger import service as ledger
from timebank.ledger.errors import IdempotencyConflict, InsufficientBalance
from timebank.ledger.models import LedgerAccount, LedgerNotice, Transfer
from timebank.notify.models import Notification
from timebank.policy import service as policy_service

from .conftest import NOW, TODAY


class Statements:
    """Counts the SQL statements a block sends (savepoints of the test harness left out)."""

    def __init__(self):
        self.seen: list[str] = []
        self.full: list[str] = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, params, context, executemany):
        if "SAVEPOINT" not in statement.upper():
            self.seen.append(statement.split()[0].upper())
            self.full.append(statement)


def test_an_earn_is_lock_then_insert_and_update(world):
    """PostgreSQL: the locking SELECT, then INSERT and UPDATE in one statement; SQLite: three statements."""
    volunteer = world.volunteer()
    world.backstop(300)
    backstop = world.pool("backstop").id
    world.session.commit()
    person_id = volunteer.person_id
    with Statements() as sql:
        ledger.earn(world.session, payer_account_id=backstop, person_id=person_id, minutes=60,
                    key=world.key(), reference="visit:1", now=NOW, today=TODAY)
    postgres = world.session.get_bind().dialect.name == "postgresql"
    assert sql.seen == (["SELECT", "WITH"] if postgres else ["SELECT", "INSERT", "UPDATE"]), sql.full
    world.session.commit()
    assert world.account(volunteer.person_id).balance == 60
    world.check()


def test_a_replay_sends_no_write(world):
    volunteer = world.volunteer()
    world.backstop(300)
    backstop = world.pool("backstop").id

    def earn():
        return ledger.earn(world.session, payer_account_id=backstop, person_id=volunteer.person_id, minutes=60,
                           key="replay-me", reference="visit:1", now=NOW, today=TODAY)

    first = world.run(earn)
    volunteer.person_id  # noqa: B018 - load it before counting
    with Statements() as sql:
        again = earn()
    assert again.replayed and again.transfer.id == first.transfer.id
    assert sql.seen and all(kind == "SELECT" for kind in sql.seen), sql.full
    world.session.commit()


def test_a_used_key_wins_over_a_rule_that_now_fails(world):
    """The first call spent everything; the same call again returns the first result, not 'insufficient'."""
    elder = world.resident()
    world.fund(elder.person_id, 60)
    volunteer = world.volunteer()
    payer = world.account(elder.person_id).id

    def spend(minutes):
        return ledger.earn(world.session, payer_account_id=payer, person_id=volunteer.person_id,
                           minutes=minutes, key="spend-all", reference="visit:3", now=NOW, today=TODAY)

    first = world.run(lambda: spend(60))
    assert world.run(lambda: spend(60)).transfer.id == first.transfer.id
    with pytest.raises(IdempotencyConflict):
        world.run(lambda: spend(30))
    with pytest.raises(InsufficientBalance):
        world.run(lambda: ledger.earn(world.session, payer_account_id=payer, person_id=volunteer.person_id,
                                      minutes=1, key="another", reference="visit:3", now=NOW, today=TODAY))
    world.check()


def test_orm_copies_of_accounts_show_the_new_balance(world):
    volunteer = world.volunteer()
    world.backstop(300)
    backstop = world.session.scalar(select(LedgerAccount).where(LedgerAccount.code == "pool:backstop"))
    assert backstop.balance == 300
    ledger.earn(world.session, payer_account_id=backstop.id, person_id=volunteer.person_id, minutes=45,
                key=world.key(), reference="visit:1", now=NOW, today=TODAY)
    assert backstop.balance == 255  # no refresh: the Core UPDATE expired the ORM copy
    world.session.commit()


def test_the_transfer_returned_is_a_full_orm_object(world):
    volunteer = world.volunteer()
    outcome = world.fund(volunteer.person_id, 30)
    transfer = outcome.transfer
    assert transfer in world.session
    assert (transfer.kind, transfer.minutes, transfer.phase) == ("earn", 30, "posted")
    assert transfer.credit_account.person_id == volunteer.person_id
    assert world.session.get(Transfer, transfer.id) is transfer


def test_a_new_policy_version_applies_to_the_next_transfer(world):
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 500)
    world.set_policy(balance_cap_minutes=520)
    version_id, policy = policy_service.current(world.session)
    assert policy.balance_cap_minutes == 520
    outcome = world.fund(volunteer.person_id, 60)
    assert outcome.overflow_minutes == 40
    assert outcome.transfer.policy_version_id == version_id
    world.set_policy(balance_cap_minutes=1000)
    assert world.fund(volunteer.person_id, 60).overflow_minutes == 0
    world.check()


def test_policy_parsing_is_cached_by_the_stored_text():
    text = policy_service.domain.DEFAULT_POLICY.to_json()
    assert policy_service.parsed(text) is policy_service.parsed(text)
    assert policy_service.from_row(None, None) == (None, policy_service.domain.DEFAULT_POLICY)


def test_overflow_notifies_the_persons_login_and_keeps_the_account_page_notice(world, session):
    world.set_policy(balance_cap_minutes=600)
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 650)
    notice = session.scalar(select(LedgerNotice).where(LedgerNotice.person_id == volunteer.person_id))
    assert notice.minutes == 50
    note = session.scalar(select(Notification).where(Notification.user_id == volunteer.id,
                                                     Notification.event == "balance_overflow"))
    assert (note.event, note.params, note.link) == ("balance_overflow", {"minutes": 50}, "/me/account")
    world.check()


def test_overflow_for_a_person_without_login_leaves_only_the_notice(world, session):
    world.set_policy(balance_cap_minutes=600)
    elder = world.person(TODAY.replace(year=1945))
    before = session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1))
    world.fund(elder.id, 700)
    assert session.scalar(select(LedgerNotice.minutes).where(LedgerNotice.person_id == elder.id)) == 100
    assert session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1)) == before
    world.check()


def test_a_posted_hold_over_the_cap_overflows_and_notifies(world, session):
    world.set_policy(balance_cap_minutes=600)
    elder = world.resident()
    world.fund(elder.person_id, 300)
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 550)
    payer = world.account(elder.person_id).id
    hold = world.run(lambda: holds.reserve(world.session, payer_account_id=payer, person_id=volunteer.person_id,
                                           minutes=120, key=world.key(), reference="request:1", now=NOW,
                                           today=TODAY))
    posted = world.run(lambda: holds.post(world.session, hold_id=hold.transfer.id, minutes=100, key=world.key(),
                                          now=NOW))
    assert posted.overflow_minutes == 50
    assert world.account(elder.person_id).balance == 200
    assert world.account(elder.person_id).pending_debits == 0
    assert session.scalar(select(Notification.params).where(
        Notification.user_id == volunteer.id, Notification.event == "balance_overflow")) == {"minutes": 50}
    world.check()
