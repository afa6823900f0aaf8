"""Real headless Chromium (Debian's /usr/bin/chromium) driving a live server on a free local port.

Skipped with a reason when Chromium is missing, unless TIMEBANK_REQUIRE_BROWSER=1 (CI), where a
missing browser fails instead. The server runs against SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import base_config, drop_pg_database, pg_database_url, postgres_url, upgrade
from timebank import create_app
from timebank.extensions import db

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("TIMEBANK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"TIMEBANK_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request, tmp_path_factory):
    """A seeded demo county served for real; one per module and database."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
    else:
        if postgres_url() is None:
            pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does)")
        name = f"timebank_live_{os.getpid()}"
        url = pg_database_url(name)
    app = create_app(base_config(url, TESTING=False, TIMEBANK_FIXED_NOW=datetime(2026, 11, 29, 2, 0, tzinfo=UTC)))
    upgrade(app)
    with app.app_context():
        from timebank import clock
        from timebank.demo.seed import seed_demo

        seed_demo(db.session, today=clock.today(), volunteers=12, residents=12)
        db.session.commit()
    with LiveServer(app) as server:
        yield server
    with app.app_context():
        db.engine.dispose()
    if name:
        drop_pg_database(name)


@pytest.fixture
def page_factory(browser):
    contexts = []

    def make(viewport=None, locale="zh-CN"):
        context = browser.new_context(viewport=viewport or {"width": 1200, "height": 900}, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
