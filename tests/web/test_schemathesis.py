"""Schemathesis against the whole /api/v1 OpenAPI document, in process, as four callers: anonymous, a
volunteer, station staff and an admin (API tokens). Every check is on (the CLI's `--checks all`); the
requirement is no server error and no answer that breaks the document. Each operation that exists when
the suite runs is covered, so a new endpoint is tested without being listed here. A summary per caller
(operations, requests, failures) is printed at the end of the pytest run, with or without -s."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime

import pytest
import schemathesis
from schemathesis.engine import events

from tests.conftest import base_config, drop_pg_database, pg_database_url, postgres_url, upgrade
from timebank import create_app
from timebank.extensions import db

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
ROLES = ("anonymous", "volunteer", "station", "admin")
LOGINS = {"volunteer": "13900000001", "station": "chengguan", "admin": "admin"}
MAX_EXAMPLES = int(os.environ.get("TIMEBANK_SCHEMATHESIS_EXAMPLES", "10"))
@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, tmp_path_factory):
    """A database of this module's own (requests commit), with a small demo county and one token per role."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'api.db'}"
    else:
        if postgres_url() is None:
            pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
        name = f"timebank_schemathesis_{os.getpid()}"
        url = pg_database_url(name)
    app = create_app(base_config(url, TIMEBANK_FIXED_NOW=NOW))
    upgrade(app)
    tokens = {}
    with app.app_context():
        from sqlalchemy import or_, select

        from timebank.accounts import service as accounts
        from timebank.accounts.models import User
        from timebank.demo.seed import seed_demo

        seed_demo(db.session, today=NOW.date(), volunteers=30, residents=40)
        for role, login in LOGINS.items():
            user = db.session.scalar(select(User).where(or_(User.username == login, User.phone == login)))
            tokens[role], _token = accounts.issue_api_token(db.session, user, f"schemathesis-{role}", now=NOW)
        db.session.commit()
    yield request.param, app, tokens
    with app.app_context():
        db.engine.dispose()
    if name:
        drop_pg_database(name)


def _text(payload) -> str:
    if payload is None:
        return ""
    if isinstance(payload, str):
        try:
            import base64

            return base64.b64decode(payload).decode("utf-8", "replace")
        except ValueError:
            return payload
    return bytes(payload).decode("utf-8", "replace")


@pytest.fixture(autouse=True)
def _wsgi_transport_without_socket_options(monkeypatch):
    """Schemathesis 4.32 hands its in-process WSGI client the socket options of a network session
    (max_redirects, verify, cert, proxies), which werkzeug's EnvironBuilder refuses; drop them."""
    from schemathesis.transport.wsgi import WSGITransport

    original = WSGITransport.send

    def send(self, case, *, session=None, **kwargs):
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return original(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", send)


def run_schemathesis(app, token: str | None, seed: int):
    """Every phase and every check against the app's own document; returns (operations, requests, failures)."""
    config = schemathesis.Config.from_dict({
        "seed": seed,
        "max-failures": 50,
        "headers": {"Authorization": f"Bearer {token}"} if token else {},
        "generation": {"max-examples": MAX_EXAMPLES},
        "phases": {"stateful": {"enabled": False}},  # flask-smorest documents no links between operations
        # Well-formed input that a business rule refuses (a gift to oneself, a pool of a charity that does not
        # exist) is answered 422 with the error body; the schema cannot know the county's data. Every other
        # expectation of every check is the library's own.
        "checks": {"positive_data_acceptance": {"expected-statuses": [
            "2xx", "3xx", "401", "403", "404", "409", "422", "429"]}},
    })
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    operations: set[str] = set()
    requests = 0
    failures: list[str] = []
    errors: list[str] = []
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            operations.add(event.recorder.label)
            requests += len(event.recorder.interactions)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    interaction = event.recorder.interactions.get(case_id)
                    request_line = ""
                    if interaction is not None:
                        body = interaction.request.body
                        request_line = (f"{interaction.request.method} {interaction.request.uri} "
                                        f"{_text(body)[:200]} -> "
                                        f"{interaction.response.status_code if interaction.response else '-'} "
                                        f"{_text(interaction.response.content)[:300] if interaction.response else ''}")
                    failure = check.failure_info.failure
                    failures.append(f"{event.recorder.label}: {check.name}: {failure.title}: "
                                    f"{failure.message.splitlines()[0] if failure.message else ''} [{request_line}]")
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    return operations, requests, failures, errors


@pytest.mark.parametrize("role", ROLES)
def test_api_answers_every_generated_request_as_documented(seeded, role, run_summary):
    kind, app, tokens = seeded
    operations, requests, failures, errors = run_schemathesis(app, tokens.get(role), seed=20261129)
    kinds = Counter(line.split(": ")[1] for line in failures)
    run_summary.append(
        f"schemathesis {kind:10} {role:9}: {len(operations)} operations, {requests} requests, "
        f"{len(failures)} failures {dict(kinds) if kinds else ''}{f', {len(errors)} errors' if errors else ''}")
    unique = sorted(set(failures))
    assert not unique and not errors, "\n".join(unique[:40] + errors[:10])
    assert len(operations) >= 20 and requests > len(operations)
