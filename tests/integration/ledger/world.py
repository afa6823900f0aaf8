"""A ledger test world: people with accounts, funding through the real operations, snapshots, policy."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from timebank.accounts import service as accounts
from timebank.ledger import grants, reconcile
from timebank.ledger import service as ledger
from timebank.ledger.models import LedgerAccount, Transfer
from timebank.ledger.retry import committed
from timebank.people.models import HardshipStatus, Relative
from timebank.policy import service as policy_service

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 29)
_keys = itertools.count(1)


@dataclass
class LedgerWorld:
    session: object
    county: dict
    make_volunteer: object
    make_resident: object

    @property
    def admin(self):
        return self.county["admin"]

    def key(self, prefix: str = "k") -> str:
        return f"{prefix}-{next(_keys)}"

    def volunteer(self, **kwargs):
        """An approved adult volunteer (a User with a person)."""
        return self.make_volunteer(status="approved", **kwargs)

    def resident(self, **kwargs):
        return self.make_resident(**kwargs)

    def person(self, birth: date, name: str = "赵小明"):
        from tests.conftest import new_id_number

        person = accounts.create_person(self.session, accounts.PersonInput(
            name=name, id_number=new_id_number(birth), phone=None, address=None,
            node_id=self.county["village00"].id), TODAY)
        self.session.commit()
        return person

    def account(self, person_id: int) -> LedgerAccount:
        account = ledger.account_for_person(self.session, person_id)
        self.session.refresh(account)
        return account

    def pool(self, name: str = "county_donation") -> LedgerAccount:
        account = ledger.system_account(self.session, f"pool:{name}")
        self.session.refresh(account)
        return account

    def relate(self, resident_id: int, relative_id: int, kinship: str = "child", verified: bool = True):
        self.session.add(Relative(resident_id=resident_id, relative_id=relative_id, kinship=kinship,
                                  verified=verified, verified_by_id=self.admin.id if verified else None))
        self.session.commit()

    def hardship(self, person_id: int, kind: str = "tekun"):
        self.session.add(HardshipStatus(person_id=person_id, kind=kind, evidence_no="MZ1",
                                        review_date=date(2027, 1, 1)))
        self.session.commit()

    def set_policy(self, **changes):
        policy_service.save(self.session, self.admin, changes, note="test", now=NOW)
        self.session.commit()

    def backstop(self, minutes: int):
        """Fund the backstop pool through small grants (each below the approval threshold)."""
        _version, policy = policy_service.current(self.session)
        while minutes > 0:
            step = min(minutes, policy.grant_approval_minutes)
            self.run(lambda step=step: grants.grant(self.session, self.admin, to="backstop", minutes=step,
                                                    reason="测试拨付", key=self.key("grant"), now=NOW,
                                                    today=TODAY))
            minutes -= step

    def fund(self, person_id: int, minutes: int):
        """Give a person minutes the way a volunteer earns them: backstop pool → person."""
        self.backstop(minutes)
        backstop = self.pool("backstop").id
        return self.run(lambda: ledger.earn(self.session, payer_account_id=backstop, person_id=person_id,
                                            minutes=minutes, key=self.key("earn"), reference="visit:1",
                                            now=NOW, today=TODAY))

    def run(self, work):
        return committed(self.session, work)

    def snapshot(self):
        transfers = self.session.scalar(select(func.count()).select_from(Transfer))
        balances = self.session.execute(select(LedgerAccount.id, LedgerAccount.balance,
                                               LedgerAccount.pending_debits, LedgerAccount.pending_credits)
                                        .order_by(LedgerAccount.id)).all()
        return transfers, [tuple(row) for row in balances]

    def check(self):
        report = reconcile.run_check(self.session, now=NOW, record=False)
        assert report.ok, report.violations
        return report
