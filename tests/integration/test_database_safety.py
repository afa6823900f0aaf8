"""The bench and the tests never write into a database they did not create: configuration passed in code
wins over TIMEBANK_DATABASE_URL in the environment, and before writing they check the scratch mark. With
the variable exported at a PostgreSQL database holding a county, the bench's setup leaves it unchanged."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_KEY, base_config, postgres_url, upgrade
from timebank import create_app, scratch
from timebank.extensions import db

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("org_node", "person", "user_account", "ledger_account", "ledger_transfer")


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in TABLES}
    finally:
        engine.dispose()


def seed_county(url: str) -> None:
    app = create_app(base_config(url))
    upgrade(app)
    with app.app_context():
        from timebank.accounts import service as accounts

        root = accounts.create_root(db.session, name="真实县", code="R")
        accounts.create_user(db.session, password="Real-admin-2026", roles=("admin",), username="real",
                             node_id=root.id)
        db.session.commit()
        db.engine.dispose()


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_ledger", ROOT / "bench" / "ledger.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_explicit_config_wins_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TIMEBANK_DATABASE_URL", f"sqlite:///{tmp_path / 'production.db'}")
    monkeypatch.setenv("TIMEBANK_MATCH_TIME_LIMIT", "99")
    mine = f"sqlite:///{tmp_path / 'mine.db'}"
    app = create_app(base_config(mine, TIMEBANK_MATCH_TIME_LIMIT=3))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == mine
    assert app.config["TIMEBANK_MATCH_TIME_LIMIT"] == 3
    # A key the mapping does not name still comes from the environment.
    monkeypatch.setenv("TIMEBANK_CARE_DAYS", "45")
    assert create_app(base_config(mine)).config["TIMEBANK_CARE_DAYS"] == 45


def test_a_sqlite_database_holding_a_county_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'county.db'}"
    scratch.ensure(url)  # empty: fine
    seed_county(url)
    with pytest.raises(scratch.NotScratch):
        scratch.ensure(url)


@pytest.fixture
def real_county():
    """An unmarked PostgreSQL database (as production is) holding a county; dropped directly at the end."""
    if postgres_url() is None:
        pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
    name = f"timebank_real_{os.getpid()}"
    admin = sa.create_engine(sa.make_url(postgres_url()).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(postgres_url()).set(database=name).render_as_string(hide_password=False)
    seed_county(url)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.mark.postgres
def test_bench_setup_with_the_variable_exported_leaves_the_county_unchanged(real_county):
    before = counts(real_county)
    env = dict(os.environ, TIMEBANK_DATABASE_URL=real_county, TIMEBANK_BENCH_DATABASE_URL=postgres_url(),
               TIMEBANK_SECRET_KEY="x", TIMEBANK_DATA_KEY=TEST_KEY)
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "ledger.py"), "--setup-only"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "setup done in timebank_bench_" in result.stdout
    assert counts(real_county) == before


@pytest.mark.postgres
def test_bench_setup_pointed_at_a_county_refuses_and_writes_nothing(real_county, capsys):
    bench = load_bench()
    before = counts(real_county)
    with pytest.raises(SystemExit) as exit_info:
        bench.make_app(real_county)
    assert exit_info.value.code == 2
    assert "not created by the tests or benchmarks" in capsys.readouterr().err
    app = create_app(base_config(real_county))
    with pytest.raises(SystemExit):
        bench.setup_accounts(app, 2)
    with app.app_context():
        db.engine.dispose()
    assert counts(real_county) == before


@pytest.mark.postgres
def test_the_test_suite_refuses_a_database_it_did_not_create(real_county):
    from tests import conftest

    before = counts(real_county)
    with pytest.raises(pytest.fail.Exception, match="refusing"):
        conftest.reset_database(real_county)
    name = sa.make_url(real_county).database
    with pytest.raises(scratch.NotScratch):  # never emptied and made again
        scratch.create(postgres_url(), name)
    with pytest.raises(scratch.NotScratch):
        conftest.drop_pg_database(name)
    made = conftest.pg_database_url(name)  # a database of the tests' own beside it, never the same one
    assert sa.make_url(made).database != name
    conftest.drop_pg_database(name)
    assert counts(real_county) == before
    assert counts(real_county)["org_node"] == 1


def test_a_scratch_database_is_marked_and_dropped():
    if postgres_url() is None:
        pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
    name = scratch.unique_name("timebank_scratch_check")
    url = scratch.create(postgres_url(), name)
    scratch.ensure(url)
    scratch.drop(postgres_url(), name)
    engine = sa.create_engine(url)
    with pytest.raises(sa.exc.OperationalError):  # the database is gone
        engine.connect().close()
    engine.dispose()
