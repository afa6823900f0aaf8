"""Shared fixtures: the app on SQLite (always) and PostgreSQL (when TIMEBANK_TEST_DATABASE_URL is set),
a per-test transaction that rolls back, factories, and a logged-in client helper."""

from __future__ import annotations

import contextvars
import os
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from timebank import create_app
from timebank.extensions import db

PG_ENV = "TIMEBANK_TEST_DATABASE_URL"
TEST_KEY = "q2V2H9Yb1yX9C0f4o3dXq1J8m6b0Yk2fZr7u8n1s5aA="
TODAY = date(2026, 11, 29)


def base_config(database_url: str, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "TIMEBANK_DATA_KEY": TEST_KEY,
        "TIMEBANK_DATABASE_URL": database_url,
        "TIMEBANK_ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
        "SERVER_NAME": None,
        # sign-in security: off for the suite, the tests in tests/web/accounts/ turn each on
        "TIMEBANK_RATELIMIT_ENABLED": False,
        "TIMEBANK_STAFF_TOTP_REQUIRED": False,
        # tests move the fixed clock by days after signing in: no idle or absolute session limit here
        "TIMEBANK_SESSION_IDLE_MINUTES": 10**7,
        "TIMEBANK_SESSION_IDLE_MINUTES_STAFF": 10**7,
        "TIMEBANK_SESSION_HOURS": 10**5,
    }
    config.update(extra)
    return config


def postgres_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def reset_database(url: str) -> None:
    """Empty a database: a fresh file for SQLite, a fresh public schema for PostgreSQL. Only a scratch
    database (made by this run, timebank/scratch.py) is touched; any other fails the run unchanged."""
    guard(url)
    engine = sa.create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def guard(url: str) -> None:
    from timebank import scratch

    try:
        scratch.ensure(url)
    except scratch.NotScratch as error:
        pytest.fail(f"refusing to use the database: {error}", pytrace=False)


_SCRATCH_NAMES: dict[str, str] = {}


def pg_database_url(name: str) -> str:
    """A separate PostgreSQL database beside the test one, for tests that commit: created empty under a
    unique name (`name` plus this process and a random part, so parallel runs and leftovers never collide)
    and marked as scratch. drop_pg_database(name) drops it."""
    from timebank import scratch

    actual = scratch.unique_name(name)
    _SCRATCH_NAMES[name] = actual
    try:
        return scratch.create(postgres_url(), actual)
    except scratch.NotScratch as error:
        pytest.fail(f"refusing to use the database: {error}", pytrace=False)


def drop_pg_database(name: str) -> None:
    """Drop the database pg_database_url(name) made; a database the tests did not make is refused."""
    from timebank import scratch

    scratch.drop(postgres_url(), _SCRATCH_NAMES.pop(name, name))


def upgrade(app) -> None:
    from flask_migrate import upgrade as alembic_upgrade

    with app.app_context():
        alembic_upgrade()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    if postgres_url() is None:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} (CI does) to run this test on PostgreSQL")
    # A database of this run's own beside the configured one, so parallel runs never collide.
    name = f"timebank_test_{os.getpid()}"
    yield pg_database_url(name)
    drop_pg_database(name)


@pytest.fixture(scope="session")
def app(database_url):
    reset_database(database_url)
    application = create_app(base_config(database_url, TIMEBANK_FIXED_NOW=datetime(2026, 11, 29, 2, 0, tzinfo=UTC)))
    # The mapping passed in code wins over TIMEBANK_DATABASE_URL in the environment (timebank/config.py).
    assert application.config["SQLALCHEMY_DATABASE_URI"] == database_url
    upgrade(application)
    yield application
    with application.app_context():
        db.engine.dispose()


class _BoundSession(FlaskSession):
    """A Flask-SQLAlchemy session that always uses the test's connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


@pytest.fixture
def session(app):
    """Each test runs inside one outer transaction; code under test may commit (savepoints)."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _BoundSession}
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a server would: its own app context, `g` and db session
    (bound to the test's connection), instead of reusing the app context the test body holds."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, session):
    app.test_client_class = IsolatedClient
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Browserless:
    """Helpers for web tests: fetch a CSRF token, post forms, log in."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def post(self, path: str, data: dict | None = None, *, token_from: str = "/", **kwargs):
        payload = {"csrf_token": self.token(token_from), **(data or {})}
        return self.client.post(path, data=payload, **kwargs)

    def login(self, login: str, password: str):
        response = self.post("/login", {"login": login, "password": password}, token_from="/login")
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def logout(self):
        return self.post("/logout")


@pytest.fixture
def web(client):
    return Browserless(client)


# ---------------------------------------------------------------------------------------------------------
# factories


@pytest.fixture
def county(session):
    """A small org tree: county -> two townships -> two villages each, with one station per township."""
    from timebank.accounts import service as accounts

    root = accounts.create_root(session, name="测试县", code="T", latitude=30.5, longitude=114.3)
    admin = accounts.create_user(session, password="Admin-pass-2026", roles=("admin",), username="root",
                                 node_id=root.id)
    tree = {"root": root, "admin": admin}
    for t_index, t_name in enumerate(("甲镇", "乙镇")):
        township = accounts.add_org_node(session, admin, root.id, name=t_name, code=f"T-{t_index}",
                                         latitude=30.5 + t_index / 10, longitude=114.3)
        tree[f"township{t_index}"] = township
        tree[f"station{t_index}"] = accounts.add_station(session, node_id=township.id, name=f"{t_name}社工站")
        for v_index in range(2):
            tree[f"village{t_index}{v_index}"] = accounts.add_org_node(
                session, admin, township.id, name=f"{t_name}{v_index}村", code=f"T-{t_index}-{v_index}",
                latitude=30.5 + t_index / 10 + v_index / 100, longitude=114.3 + v_index / 100,
            )
    from timebank.catalog.seed import ensure_skills

    ensure_skills(session)
    session.commit()
    return tree


@pytest.fixture
def make_staff(session, county):
    from timebank.accounts import service as accounts

    def make(username: str, township_index: int = 0, password: str = "Station-pass-2026"):
        township = county[f"township{township_index}"]
        user = accounts.create_user(session, password=password, roles=("station",), username=username,
                                    node_id=township.id, station_id=county[f"station{township_index}"].id)
        session.commit()
        return user

    return make


_sequence = iter(range(1, 10**6))


def new_id_number(birth: date = date(1990, 5, 17), male: bool = True) -> str:
    from timebank.accounts.domain import make_id_number

    n = next(_sequence)
    return make_id_number("110101", birth, (2 * n - 1 if male else 2 * n) % 1000)


def new_phone() -> str:
    return f"138{next(_sequence):08d}"


@pytest.fixture
def make_volunteer(session, county):
    """Sign a volunteer up through the real service; `status` approves or rejects afterwards."""
    from timebank.accounts import service as accounts
    from timebank.people import service as people

    def make(*, village: str = "village00", status: str = "pending", birth: date = date(1990, 5, 17),
             password: str = "Volunteer-pass-2026", phone: str | None = None, name: str = "张伟"):
        data = people.SignupInput(
            person=accounts.PersonInput(name=name, id_number=new_id_number(birth), phone=phone or new_phone(),
                                        address=None, node_id=county[village].id),
            password=password, skill_ids=(), emergency_contact_name="李娜",
            emergency_contact_phone=new_phone(), privacy_consent=True,
        )
        user = people.signup_volunteer(session, data, today=TODAY, now=datetime(2026, 11, 29, tzinfo=UTC))
        if status != "pending":
            people.review_volunteer(session, county["admin"], user.person_id, approve=status == "approved",
                                    reason=None if status == "approved" else "资料不全",
                                    now=datetime(2026, 11, 29, tzinfo=UTC))
        session.commit()
        return user

    return make


@pytest.fixture
def make_resident(session, county):
    from timebank.accounts import service as accounts
    from timebank.people import service as people

    def make(*, village: str = "village00", birth: date = date(1940, 3, 8), living: str = "alone",
             name: str = "王秀英"):
        data = people.ResidentInput(
            person=accounts.PersonInput(name=name, id_number=new_id_number(birth, male=False), phone=None,
                                        address="幸福路1号", node_id=county[village].id),
            living_situation=living, disability_grade=0, consent_form_ref="ZQ-1",
        )
        profile = people.register_resident(session, county["admin"], data, today=TODAY)
        session.commit()
        return profile

    return make


def count_rows(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


SUMMARY_KEY = pytest.StashKey[list]()


@pytest.fixture
def run_summary(request) -> list[str]:
    """Lines a test wants shown at the end of the run (the Schemathesis figures), with or without -s."""
    return request.config.stash.setdefault(SUMMARY_KEY, [])


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(SUMMARY_KEY, [])
    if lines:
        terminalreporter.section("API fuzzing (Schemathesis)")
        for line in lines:
            terminalreporter.write_line(line)
