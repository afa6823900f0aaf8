"""No double spend under real concurrency: separate connections, threads, a database that commits.

50 threads spend from one account that can afford exactly N spends → exactly N succeed, the rest get
InsufficientBalance, and the balance ends exact. 50 submissions with one idempotency key → one transfer.
Runs on SQLite (a temporary file) always and on PostgreSQL when TIMEBANK_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import threading
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.conftest import base_config, new_id_number, pg_database_url, postgres_url, reset_database, upgrade
from timebank import clock, create_app
from timebank.accounts import service as accounts
from timebank.extensions import db
from timebank.ledger import grants, reconcile
from timebank.ledger import service as ledger
from timebank.ledger.errors import InsufficientBalance
from timebank.ledger.models import Transfer
from timebank.ledger.retry import committed

THREADS = 50
SPEND = 7
AFFORD = 23  # the payer can afford exactly this many spends


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def conc_app(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('conc') / 'ledger.db'}"
    else:
        if postgres_url() is None:
            pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL")
        url = pg_database_url("timebank_ledger_conc")
    reset_database(url)
    app = create_app(base_config(url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 40,
                                                                  "pool_timeout": 120}))
    upgrade(app)
    with app.app_context():
        root = accounts.create_root(db.session, name="并发县", code="C")
        admin = accounts.create_user(db.session, password="Admin-pass-2026", roles=("admin",), username="root",
                                     node_id=root.id)
        town = accounts.add_org_node(db.session, admin, root.id, name="镇", code="C-1", latitude=None,
                                     longitude=None)
        village = accounts.add_org_node(db.session, admin, town.id, name="村", code="C-1-1", latitude=None,
                                        longitude=None)
        db.session.commit()
        app.config["conc"] = {"admin_id": admin.id, "village_id": village.id}
    yield app
    with app.app_context():
        db.engine.dispose()


def _person(app, birth: date) -> int:
    with app.app_context():
        person = accounts.create_person(db.session, accounts.PersonInput(
            name="并发测试", id_number=new_id_number(birth), phone=None, address=None,
            node_id=app.config["conc"]["village_id"]), clock.today())
        db.session.commit()
        return person.id


def _funded_elder(app, minutes: int) -> tuple[int, int, int]:
    """(elder person id, elder account id, volunteer person id) with `minutes` on the elder's account."""
    elder, volunteer = _person(app, date(1950, 1, 1)), _person(app, date(1990, 1, 1))
    with app.app_context(), app.test_request_context():
        admin = db.session.get(accounts.User, app.config["conc"]["admin_id"])
        committed(db.session, lambda: grants.grant(db.session, admin, to="backstop", minutes=minutes, reason="x",
                                                   key=f"fund-{elder}", now=clock.now(), today=clock.today()))
        backstop = ledger.system_account(db.session, "pool:backstop").id
        committed(db.session, lambda: ledger.earn(db.session, payer_account_id=backstop, person_id=elder,
                                                  minutes=minutes, key=f"fund-earn-{elder}", reference="visit:0",
                                                  now=clock.now(), today=clock.today()))
        return elder, ledger.account_for_person(db.session, elder).id, volunteer


def _storm(app, work) -> list:
    """Run `work(i)` in THREADS threads, each in its own app context (its own session and connection)."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(i):
        with app.app_context(), app.test_request_context():
            barrier.wait()
            try:
                outcome = committed(db.session, lambda: work(i))
                # keep plain values: the session ends with this thread
                results[i] = ledger.Outcome(SimpleNamespace(id=outcome.transfer.id), replayed=outcome.replayed)
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _check(app):
    with app.app_context():
        report = reconcile.run_check(db.session, now=clock.now(), record=False)
        assert report.ok, report.violations


def test_fifty_concurrent_spends_from_one_account(conc_app):
    balance = SPEND * AFFORD + SPEND - 1
    _elder, account_id, volunteer = _funded_elder(conc_app, balance)

    def spend(i):
        return ledger.earn(db.session, payer_account_id=account_id, person_id=volunteer, minutes=SPEND,
                           key=f"spend-{account_id}-{i}", reference=f"visit:{i}", now=clock.now(),
                           today=clock.today())

    results = _storm(conc_app, spend)
    ok = [r for r in results if isinstance(r, ledger.Outcome)]
    refused = [r for r in results if isinstance(r, InsufficientBalance)]
    assert len(ok) == AFFORD and len(refused) == THREADS - AFFORD, [r for r in results if isinstance(r, Exception)
                                                                    and not isinstance(r, InsufficientBalance)]
    with conc_app.app_context():
        account = db.session.get(ledger.LedgerAccount, account_id)
        assert account.balance == balance - SPEND * AFFORD == SPEND - 1
    _check(conc_app)


def test_fifty_concurrent_submissions_with_one_key_make_one_transfer(conc_app):
    _elder, account_id, volunteer = _funded_elder(conc_app, 500)
    key = f"same-{account_id}"

    def submit(_i):
        return ledger.earn(db.session, payer_account_id=account_id, person_id=volunteer, minutes=60, key=key,
                           reference="visit:1", now=clock.now(), today=clock.today())

    results = _storm(conc_app, submit)
    assert all(isinstance(r, ledger.Outcome) for r in results), [r for r in results if isinstance(r, Exception)]
    assert len({r.transfer.id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    with conc_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Transfer)
                                 .where(Transfer.idempotency_key == key)) == 1
        assert db.session.get(ledger.LedgerAccount, account_id).balance == 440
    _check(conc_app)
