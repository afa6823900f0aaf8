"""`flask db upgrade` builds the schema on an empty database and `flask db check` finds no drift."""

import os

import pytest
from flask_migrate import check, upgrade

from tests.conftest import base_config, drop_pg_database, pg_database_url, postgres_url
from timebank import create_app


def _migrate_and_check(url):
    app = create_app(base_config(url))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url  # never the database an exported variable names
    with app.app_context():
        upgrade()
        check()  # raises (exits) when models and migrations differ
        from timebank.extensions import db

        tables = set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"org_node", "person", "user_account", "volunteer_profile", "resident_profile"} <= tables


def test_upgrade_then_check_on_sqlite(tmp_path):
    _migrate_and_check(f"sqlite:///{tmp_path / 'fresh.db'}")


def test_upgrade_then_check_on_postgresql():
    if postgres_url() is None:
        pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
    name = f"timebank_migrations_{os.getpid()}"
    try:
        _migrate_and_check(pg_database_url(name))
    finally:
        drop_pg_database(name)


def test_cli_upgrade_and_check_exit_zero(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'cli.db'}"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
