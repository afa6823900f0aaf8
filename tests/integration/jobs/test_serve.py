"""`make run`'s path: `flask serve` with TIMEBANK_RUN_SCHEDULER=1 runs the jobs in a background thread of
the web process, and the admin job page shows them (idle runs as a counter)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.conftest import TEST_KEY, base_config, upgrade
from timebank import create_app
from timebank.extensions import db

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_runs_jobs_in_process_and_the_admin_page_lists_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    app = create_app(base_config(url))
    upgrade(app)
    with app.app_context():
        from timebank import clock
        from timebank.demo.seed import seed_demo

        seed_demo(db.session, today=clock.today(), volunteers=5, residents=5)
        db.session.commit()
        db.engine.dispose()
    port = free_port()
    env = dict(os.environ, TIMEBANK_DATABASE_URL=url, TIMEBANK_INSTANCE_PATH=str(tmp_path / "instance"),
               TIMEBANK_SECRET_KEY="serve-test", TIMEBANK_DATA_KEY=TEST_KEY, TIMEBANK_RUN_SCHEDULER="1",
                   TIMEBANK_STAFF_TOTP_REQUIRED="0",  # the admin signs in with the password alone here
               TIMEBANK_SCHEDULER_POLL_SECONDS="1",
               TIMEBANK_JOB_SCHEDULES="deliver_notifications=every 1s; expire_holds=every 2s")
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "timebank", "serve", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 30
        while True:
            try:
                opener.open(f"{base}/healthz", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        login_page = opener.open(f"{base}/login").read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, "login": "admin", "password": "Demo-admin-2026"})
        opener.open(f"{base}/login", data=body.encode())
        page = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            page = opener.open(f"{base}/admin/jobs/").read().decode()
            counted = re.search(r'data-job="deliver_notifications".*?无事可做的运行 (\d+) 次', page, re.S)
            if counted and int(counted.group(1)) >= 2:
                break
            time.sleep(1)
        assert counted and int(counted.group(1)) >= 2, "the in-process scheduler ran nothing"
    finally:
        server.terminate()
        server.wait(timeout=15)
