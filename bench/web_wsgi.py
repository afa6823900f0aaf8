"""The app as bench/web.py serves it under gunicorn: the real factory on the bench's own scratch database, plus
one trivial endpoint (/_bench/ping, no database, no template) as the baseline measured under the same server.

Bench-only settings, passed in code so no environment variable can point the app elsewhere: staff sign in
without the authenticator code (TIMEBANK_STAFF_TOTP_REQUIRED False: the load generator cannot type one),
no rate limits (fifty clients share one address) and long idle timeouts. Never use them in production.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timebank import create_app, scratch  # noqa: E402

BENCH_KEY = "q2V2H9Yb1yX9C0f4o3dXq1J8m6b0Yk2fZr7u8n1s5aA="


def bench_config(url: str) -> dict:
    return {
        "SECRET_KEY": "bench-web", "TIMEBANK_DATA_KEY": BENCH_KEY, "TIMEBANK_DATABASE_URL": url,
        "TIMEBANK_ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
        "TIMEBANK_STAFF_TOTP_REQUIRED": False, "TIMEBANK_RATELIMIT_ENABLED": False,
        "TIMEBANK_SESSION_IDLE_MINUTES": 600, "TIMEBANK_SESSION_IDLE_MINUTES_STAFF": 600,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 5, "max_overflow": 5},
    }


def make_app(url: str):
    scratch.ensure(url)  # refuse any database the bench did not create
    app = create_app(bench_config(url))

    @app.get("/_bench/ping")
    def bench_ping():
        return "ok"

    return app


def _from_environment():
    url = os.environ.get("TIMEBANK_BENCH_WEB_URL")
    if not url:
        raise RuntimeError("bench/web_wsgi.py is started by bench/web.py (TIMEBANK_BENCH_WEB_URL unset)")
    return make_app(url)


app = _from_environment() if os.environ.get("TIMEBANK_BENCH_WEB_URL") else None
