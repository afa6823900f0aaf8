"""`flask ledger check` passes on an honest ledger and names each violation on a tampered one;
transfers are append-only in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import count_rows
from timebank.ledger.models import CheckRun, LedgerAccount, Transfer


def test_check_passes_and_records_the_run(world, app):
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 90)
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ledger ok:")
    assert "outstanding liability 90 min" in result.output
    assert count_rows(world.session, CheckRun) == 1


def test_check_fails_naming_a_tampered_cached_balance(world, app, session):
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 90)
    account = world.account(volunteer.person_id)
    session.execute(text("UPDATE ledger_account SET balance = balance + 5 WHERE id = :id"), {"id": account.id})
    session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 1
    assert "ledger BROKEN" in result.output
    assert f"cached balance differs: account {account.id}" in result.output
    assert "cached 95, recomputed 90" in result.output
    assert "sum of cached balances is 5, not 0" in result.output


def test_check_names_tampered_pending_and_overdrawn_accounts(world, session):
    from timebank.ledger import reconcile

    from .conftest import NOW

    volunteer = world.volunteer()
    account = world.account(volunteer.person_id)
    session.execute(text("UPDATE ledger_account SET pending_credits = 7 WHERE id = :id"), {"id": account.id})
    report = reconcile.run_check(session, now=NOW, record=False)
    assert any("cached pending differs" in v for v in report.violations)


@pytest.mark.parametrize("statement", ["UPDATE ledger_transfer SET minutes = 1", "DELETE FROM ledger_transfer"])
def test_transfers_cannot_be_updated_or_deleted(world, session, statement):
    volunteer = world.volunteer()
    world.fund(volunteer.person_id, 90)
    with pytest.raises(DBAPIError, match="append-only"):
        with session.begin_nested():
            session.execute(text(statement))
    assert count_rows(session, Transfer) >= 2
    assert world.account(volunteer.person_id).balance == 90
    assert isinstance(world.account(volunteer.person_id), LedgerAccount)
