"""Model-based test (TigerBeetle's workload + auditor, in Hypothesis): random sequences of every ledger
operation, including failing ones, against the real services and database. After every step the full
`ledger check` must pass and every tracked balance must equal the model's; a failed step writes nothing."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from timebank.errors import DomainError
from timebank.ledger import domain, grants, holds, reconcile
from timebank.ledger import service as ledger

from .conftest import NOW, TODAY

CAP = 600
MINUTES = st.one_of(st.integers(1, 400), st.sampled_from([0, -3, 2.5, "7", 10**9]))


def _valid(minutes) -> int | None:
    try:
        return domain.parse_minutes(minutes)
    except domain.LedgerRuleBroken:
        return None


def test_random_operation_sequences_keep_every_invariant(world, session):
    world.set_policy(balance_cap_minutes=CAP)
    elder = world.resident(birth=date(1950, 6, 1))
    child, stranger = world.volunteer(), world.volunteer()
    world.relate(elder.person_id, child.person_id, "child")
    ids = {
        "I": ledger.system_account(session, "issuance").id, "B": world.pool("backstop").id,
        "P": world.pool().id, "E": world.account(elder.person_id).id, "V1": world.account(child.person_id).id,
        "V2": world.account(stranger.person_id).id,
    }
    persons = {"E": elder.person_id, "V1": child.person_id, "V2": stranger.person_id}
    users = {"V1": child, "V2": stranger}
    keys = itertools.count()

    class Ledger(RuleBasedStateMachine):
        holds = Bundle("holds")
        posted = Bundle("posted")

        def __init__(self):
            super().__init__()
            self.model = {}
            for name, account_id in ids.items():
                account = session.get(ledger.LedgerAccount, account_id)
                session.refresh(account)
                self.model[name] = [account.balance, account.pending_debits]
            self.by_id = {v: k for k, v in ids.items()}
            self.reversed: set[int] = set()
            self.last = None  # (callable factory, key) of the last success, for replays

        # helpers -------------------------------------------------------------------------------------------
        def spendable(self, name):
            balance, pending = self.model[name]
            return float("inf") if name == "I" else balance - pending

        def move(self, debit, credit, minutes):
            self.model[debit][0] -= minutes
            self.model[credit][0] += minutes

        def cap(self, name):
            if name in persons:
                balance, pending = self.model[name]
                extra = domain.overflow(balance, pending, CAP)
                self.move(name, "P", extra)

        def attempt(self, expect_ok: bool, call):
            """Run one operation; a predicted failure must fail and leave the database untouched."""
            key = f"sm-{next(keys)}"
            before = world.snapshot()
            try:
                result = world.run(lambda: call(key))
            except DomainError:
                assert not expect_ok, "the model expected success"
                assert world.snapshot() == before
                return None
            assert expect_ok, "the model expected a failure"
            self.last = (call, key)
            return result

        # rules ---------------------------------------------------------------------------------------------
        @rule(minutes=MINUTES)
        def grant_backstop(self, minutes):
            m = _valid(minutes)
            if self.attempt(m is not None, lambda k: grants.grant(session, world.admin, to="backstop", minutes=minutes,
                                                                  reason="拨付", key=k, now=NOW, today=TODAY)):
                self.move("I", "B", m)

        @rule(target=posted, payer=st.sampled_from(["B", "E", "V2"]), payee=st.sampled_from(["V1", "V2"]),
              minutes=MINUTES)
        def earn(self, payer, payee, minutes):
            m = _valid(minutes)
            ok = m is not None and payer != payee and payer != "V2" and self.spendable(payer) >= m
            outcome = self.attempt(ok, lambda k: ledger.earn(
                session, payer_account_id=ids[payer], person_id=persons[payee], minutes=minutes, key=k,
                reference="visit:1", now=NOW, today=TODAY))
            if outcome:
                self.move(payer, payee, m)
                self.cap(payee)
                return (outcome.transfer.id, payer, payee, m)
            return None

        @rule(target=posted, giver=st.sampled_from(["V1", "V2"]), minutes=MINUTES)
        def gift(self, giver, minutes):
            m = _valid(minutes)
            ok = m is not None and giver == "V1" and self.spendable(giver) >= m
            outcome = self.attempt(ok, lambda k: ledger.gift(session, users[giver], to_person_id=persons["E"],
                                                             minutes=minutes, memo=None, key=k, now=NOW))
            if outcome:
                self.move(giver, "E", m)
                self.cap("E")
                return (outcome.transfer.id, giver, "E", m)
            return None

        @rule(giver=st.sampled_from(["V1", "V2"]), minutes=MINUTES)
        def donate(self, giver, minutes):
            m = _valid(minutes)
            ok = m is not None and self.spendable(giver) >= m
            if self.attempt(ok, lambda k: ledger.donate(session, users[giver], pool="county_donation",
                                                        minutes=minutes, key=k, now=NOW)):
                self.move(giver, "P", m)

        @rule(target=holds, payer=st.sampled_from(["E", "V2"]), minutes=MINUTES)
        def reserve(self, payer, minutes):
            m = _valid(minutes)
            ok = m is not None and payer == "E" and self.spendable("E") >= m
            outcome = self.attempt(ok, lambda k: holds.reserve(
                session, payer_account_id=ids[payer], person_id=persons["V1"], minutes=minutes, key=k,
                reference="request:1", now=NOW, today=TODAY))
            if outcome:
                self.model["E"][1] += m
                return [outcome.transfer.id, m, True]
            return [10**8, 1, False]  # a hold that does not exist: resolving it must fail

        @rule(target=posted, hold=holds, minutes=st.one_of(st.none(), MINUTES))
        def post(self, hold, minutes):
            hold_id, reserved, is_open = hold
            m = reserved if minutes is None else _valid(minutes)
            ok = is_open and m is not None and m <= reserved
            outcome = self.attempt(ok, lambda k: holds.post(session, hold_id=hold_id, minutes=minutes, key=k,
                                                            now=NOW))
            if outcome:
                hold[2] = False
                self.model["E"][1] -= reserved
                self.move("E", "V1", m)
                self.cap("V1")
                return (outcome.transfer.id, "E", "V1", m)
            return None

        @rule(hold=holds, expire=st.booleans())
        def void_or_expire(self, hold, expire):
            hold_id, reserved, is_open = hold
            if expire:
                call = lambda k: holds.expire(session, hold_id=hold_id, now=NOW + timedelta(days=31))  # noqa: E731
            else:
                call = lambda k: holds.void(session, hold_id=hold_id, key=k, now=NOW)  # noqa: E731
            if self.attempt(is_open, call):
                hold[2] = False
                self.model["E"][1] -= reserved

        @rule(target=posted, original=consumes(posted))
        def reverse(self, original):
            if original is None:
                return None
            tid, debit, credit, m = original
            ok = tid not in self.reversed and self.spendable(credit) >= m
            outcome = self.attempt(ok, lambda k: ledger.reverse(session, world.admin, transfer_id=tid,
                                                                reason="更正", key=k, now=NOW))
            if outcome:
                self.reversed.add(tid)
                self.move(credit, debit, m)
                return (outcome.transfer.id, credit, debit, m)
            return original

        @rule(original=posted)
        def reverse_again(self, original):
            if original is None or original[0] not in self.reversed:
                return
            self.attempt(False, lambda k: ledger.reverse(session, world.admin, transfer_id=original[0],
                                                         reason="再次", key=k, now=NOW))

        @rule(other_body=st.booleans())
        def reuse_key(self, other_body):
            """The same key again: the same body replays (nothing new), another body is a 409."""
            if self.last is None:
                return
            call, key = self.last
            before = world.snapshot()
            if other_body:
                try:
                    world.run(lambda: ledger.donate(session, child, pool="county_donation", minutes=1, key=key,
                                                    now=NOW))
                except DomainError as error:
                    assert error.status == 409
                else:
                    raise AssertionError("a reused key with another body was accepted")
            else:
                result = world.run(lambda: call(key))
                assert getattr(result, "replayed", True)
            assert world.snapshot() == before

        # invariants ----------------------------------------------------------------------------------------
        @invariant()
        def ledger_check_passes_and_balances_match_the_model(self):
            report = reconcile.run_check(session, now=NOW, record=False)
            assert report.ok, report.violations
            for name, account_id in ids.items():
                account = session.get(ledger.LedgerAccount, account_id)
                session.refresh(account)
                assert [account.balance, account.pending_debits] == self.model[name], name

    run_state_machine_as_test(Ledger, settings=settings(
        max_examples=6, stateful_step_count=20, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
