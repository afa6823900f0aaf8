"""Web bench: gunicorn (4 sync workers) + PostgreSQL on the demo county and on the county grown 10x (and 100x
with --full), driven by wrk at 10 and 50 concurrent clients; per page: SQL statements per request, median
and p95 latency, requests/s and the ratio to a trivial endpoint (/_bench/ping) under the same server in the
same run, with the machine's load average. Goals are reported, not asserted: every page's p95 <= 150 ms at
50 clients on the 10x county; logged-in pages >= 0.25 of the baseline's throughput; p95 at 100x within 1.5x
of 10x.

    .venv/bin/python bench/web.py            # --quick: demo and 10x, 3 s per measurement (make bench)
    .venv/bin/python bench/web.py --full     # demo, 10x and 100x, 5 s per measurement
    .venv/bin/python bench/web.py --scales 1,10,100 --seconds 4 --clients 10,50

TIMEBANK_BENCH_DATABASE_URL names the PostgreSQL server (default below). The bench creates its own database
there (timebank_web_<pid>_<random>, marked as scratch), and drops it at the end (TIMEBANK_BENCH_KEEP=1 keeps
it); it never writes to a database it did not create. wrk comes from the distribution (apt-get install wrk).
Bench users sign in over HTTP like a browser; staff sign in without the authenticator code and rate limits
are off in this bench only (see bench/web_wsgi.py).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import sqlalchemy as sa  # noqa: E402
from grow import counts, grow  # noqa: E402
from web_wsgi import make_app  # noqa: E402

from timebank import scratch  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/timebank_bench"
WORKERS = 4

# (role, login, password); None: anonymous
USERS = {
    "volunteer": ("13900000001", "Demo-volunteer-2026"),
    "social_worker": ("13900000011", "Demo-social-2026"),
    "station": ("chengguan", "Demo-station-2026"),
    "admin": ("admin", "Demo-admin-2026"),
    "relative": ("13900000002", "Demo-relative-2026"),
    "charity": ("charity1", "Demo-charity-2026"),
}
# (label, role or "api:<role>" or None, path)
PAGES = [
    ("baseline /_bench/ping", None, "/_bench/ping"),
    ("home (anonymous)", None, "/"),
    ("public charity report", None, "/public/charity/"),
    ("volunteer 可接的服务", "volunteer", "/visits/open"),
    ("volunteer 我的任务", "volunteer", "/visits/mine"),
    ("volunteer account", "volunteer", "/me/account"),
    ("volunteer inbox", "volunteer", "/inbox"),
    ("social worker 可接的服务", "social_worker", "/visits/open"),
    ("station dashboard", "station", "/station/"),
    ("station board", "station", "/visits/board"),
    ("station residents", "station", "/station/residents"),
    ("station volunteers", "station", "/station/volunteers"),
    ("station goods", "station", "/goods/"),
    ("admin dashboard", "admin", "/admin/"),
    ("admin board", "admin", "/visits/board"),
    ("admin ledger", "admin", "/admin/ledger"),
    ("relative 我的服务", "relative", "/visits/services"),
    ("charity dashboard", "charity", "/charity/"),
    ("API me/tasks", "api:volunteer", "/api/v1/me/tasks"),
    ("API me/account", "api:volunteer", "/api/v1/me/account"),
    ("API me/transfers", "api:volunteer", "/api/v1/me/transfers"),
    ("API visits/review", "api:station", "/api/v1/visits/review"),
]

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def refuse(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------------------
# the database


def prepare(url: str) -> float:
    """Migrate and load the demo county through the app's own code; seconds taken."""
    from flask_migrate import upgrade

    from timebank import clock
    from timebank.demo.seed import seed_demo
    from timebank.extensions import db

    started = time.perf_counter()
    app = make_app(url)
    with app.app_context():
        upgrade()
        seed_demo(db.session, today=clock.today())
        db.session.commit()
        db.engine.dispose()
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------------------
# logging in over HTTP


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read().decode()

    def login(self, login: str, password: str) -> str:
        _status, html = self.get("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        body = urllib.parse.urlencode({"csrf_token": token.group(1) if token else "", "login": login,
                                       "password": password}).encode()
        with self.opener.open(urllib.request.Request(self.base + "/login", data=body), timeout=60) as response:
            response.read()
        for cookie in self.jar:
            if cookie.name.endswith("timebank_session") or cookie.name == "__Host-timebank":
                return f"{cookie.name}={cookie.value}"
        raise RuntimeError(f"login as {login} gave no session cookie")


def api_token(base: str, login: str, password: str) -> str:
    body = json.dumps({"login": login, "password": password, "name": "bench"}).encode()
    request = urllib.request.Request(base + "/api/v1/auth/tokens", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["token"]


def credentials(base: str) -> dict[str, str]:
    """A header line per role: the session cookie of a real HTTP login, or a bearer token for the API."""
    headers = {}
    for role, (login, password) in USERS.items():
        headers[role] = "Cookie: " + Browser(base).login(login, password)
    for role in ("volunteer", "station"):
        headers[f"api:{role}"] = "Authorization: Bearer " + api_token(base, *USERS[role])
    return headers


# ---------------------------------------------------------------------------------------------------------
# statements per request (a separate, single-request pass in this process)


def statement_counts(url: str) -> dict[str, tuple[int, int]]:
    """(HTTP status, SQL statements) of one request per page, counted with a SQLAlchemy event."""
    from sqlalchemy import event

    from timebank.extensions import db

    app = make_app(url)
    seen: list[int] = [0]

    def count(*_args):
        seen[0] += 1

    out = {}
    with app.app_context():  # requests must not run inside it: flask.g would be shared between them
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    clients = {}
    for role, (login, password) in USERS.items():
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        client.post("/login", data={"csrf_token": token.group(1) if token else "", "login": login,
                                    "password": password})
        clients[role] = client
    tokens = {}
    for role in ("volunteer", "station"):
        response = app.test_client().post("/api/v1/auth/tokens", json={"login": USERS[role][0],
                                                                       "password": USERS[role][1]})
        tokens[f"api:{role}"] = response.get_json()["token"]
    for label, role, path in PAGES:
        if role is None:
            client, headers = app.test_client(), {}
        elif role.startswith("api:"):
            client, headers = app.test_client(), {"Authorization": f"Bearer {tokens[role]}"}
        else:
            client, headers = clients[role], {}
        client.get(path, headers=headers)  # warm: first-request caches are not what a page costs
        seen[0] = 0
        response = client.get(path, headers=headers)
        out[label] = (response.status_code, seen[0])
    event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    return out


# ---------------------------------------------------------------------------------------------------------
# the server and the load


class Server:
    def __init__(self, url: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, TIMEBANK_BENCH_WEB_URL=url, PYTHONPATH=str(HERE.parent))
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [gunicorn, "--workers", str(WORKERS), "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}",
             "--backlog", "2048", "--timeout", "120", "--log-level", "warning", "--chdir", str(HERE),
             "web_wsgi:app"], env=env, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/_bench/ping", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def wrk(base: str, path: str, header: str | None, clients: int, seconds: float, script: str) -> dict:
    args = ["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{max(1, round(seconds))}s", "--timeout", "30s",
            "-s", script]
    if header:
        args += ["-H", header]
    args.append(base + path)
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", text)
    done, micros, p50, p95, bad_status, socket_errors = (int(x) for x in match.groups())
    return {"rps": done / (micros / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "errors": bad_status + socket_errors}


def settle(base: str, limit_s: float = 120.0) -> None:
    """Wait until the server has worked off the requests a finished run left queued (sync workers still
    serve requests whose client has gone): the trivial endpoint answers quickly again."""
    deadline = time.time() + limit_s
    while time.time() < deadline:
        started = time.perf_counter()
        with urllib.request.urlopen(base + "/_bench/ping", timeout=limit_s):
            pass
        if time.perf_counter() - started < 0.1:
            return
        time.sleep(0.2)


def measure(base: str, headers: dict[str, str], clients: tuple[int, ...], seconds: float) -> dict:
    """Every page at each concurrency; the baseline is measured first and again last (their mean is used)."""
    results: dict[tuple[str, int], dict] = {}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(WRK_SCRIPT)
        script = handle.name
    try:
        for n in clients:
            settle(base)
            wrk(base, "/_bench/ping", None, n, 1, script)  # warm the workers
            first = wrk(base, "/_bench/ping", None, n, seconds, script)
            for label, role, path in PAGES[1:]:
                settle(base)
                results[(label, n)] = wrk(base, path, headers.get(role) if role else None, n, seconds, script)
            settle(base)
            last = wrk(base, "/_bench/ping", None, n, seconds, script)
            results[(PAGES[0][0], n)] = {
                "rps": (first["rps"] + last["rps"]) / 2, "p50": (first["p50"] + last["p50"]) / 2,
                "p95": max(first["p95"], last["p95"]), "errors": first["errors"] + last["errors"]}
    finally:
        os.unlink(script)
    return results


# ---------------------------------------------------------------------------------------------------------
# the table


def table(scale: int, sizes: dict, stmts: dict, results: dict, clients, load: tuple[float, ...]) -> str:
    lines = [f"county {scale}x: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()),
             f"load average (1/5/15 min) after this county's runs: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
             f"on {os.cpu_count()} CPUs; gunicorn {WORKERS} sync workers; wrk"]
    head = f"{'page':28} {'stmts':>5} {'http':>4}"
    for n in clients:
        head += f" | c={n:<3} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'ratio':>6} {'err':>4}"
    lines += [head, "-" * len(head)]
    for label, _role, _path in PAGES:
        status, count = stmts.get(label, (0, 0))
        row = f"{label:28} {count:>5} {status:>4}"
        for n in clients:
            r, base = results[(label, n)], results[(PAGES[0][0], n)]
            row += f" |       {r['p50']:7.1f} {r['p95']:7.1f} {r['rps']:7.1f} {r['rps'] / base['rps']:6.3f} {r['errors']:>4}"
        lines.append(row)
    return "\n".join(lines)


def goals(all_results: dict[int, dict], clients) -> list[str]:
    out = []
    top = max(clients)
    logged_in = [label for label, role, _ in PAGES if role is not None]
    for scale, results in sorted(all_results.items()):
        base = results[(PAGES[0][0], top)]["rps"]
        slow = [label for label, *_ in PAGES[1:] if results[(label, top)]["p95"] > 150]
        weak = [label for label in logged_in if results[(label, top)]["rps"] / base < 0.25]
        out.append(f"{scale}x, c={top}: p95 > 150 ms on {len(slow)} of {len(PAGES) - 1} pages"
                   + (f" ({', '.join(slow)})" if slow else "")
                   + f"; logged-in pages below 0.25 of baseline: {len(weak)} of {len(logged_in)}")
    if 10 in all_results and 100 in all_results:
        worse = [(label, all_results[100][(label, top)]["p95"] / max(all_results[10][(label, top)]["p95"], 0.1))
                 for label, *_ in PAGES[1:]]
        over = [f"{label} ×{x:.2f}" for label, x in worse if x > 1.5]
        out.append(f"p95 at 100x vs 10x (c={top}): median ×{statistics.median(x for _, x in worse):.2f}; "
                   f"over 1.5x: {', '.join(over) if over else 'none'}")
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="demo and 10x, 3 s per measurement (default)")
    mode.add_argument("--full", action="store_true", help="demo, 10x and 100x, 5 s per measurement")
    parser.add_argument("--scales", help="comma-separated county sizes, e.g. 1,10,100")
    parser.add_argument("--seconds", type=float, help="seconds per wrk measurement")
    parser.add_argument("--clients", default="10,50", help="comma-separated concurrent clients")
    args = parser.parse_args(argv)
    scales = [int(s) for s in (args.scales or ("1,10,100" if args.full else "1,10")).split(",")]
    seconds = args.seconds or (5.0 if args.full else 3.0)
    clients = tuple(int(c) for c in args.clients.split(","))
    if shutil.which("wrk") is None:
        refuse("wrk not found (apt-get install -y wrk)")
    if scales != sorted(scales) or scales[0] != 1 or any(b % a for a, b in zip(scales, scales[1:], strict=False)):
        refuse("--scales must start at 1 and each must be a multiple of the one before (1,10,100)")

    server_url = os.environ.get("TIMEBANK_BENCH_DATABASE_URL", DEFAULT_URL)
    name = scratch.unique_name("timebank_web")
    url = scratch.create(server_url, name)
    print(f"scratch database {name}; scales {scales}; {seconds:g} s per measurement; clients {clients}", flush=True)
    all_results: dict[int, dict] = {}
    server = None
    try:
        print(f"demo county loaded through the app in {prepare(url):.1f} s", flush=True)
        engine = sa.create_engine(url)
        current = 1
        for scale in scales:
            if scale > current:
                times = grow(engine, scale // current)
                current = scale
                print(f"grown to {scale}x in {sum(times.values()):.1f} s "
                      f"({', '.join(f'{k} {v:.1f} s' for k, v in times.items())})", flush=True)
            sizes = counts(engine)
            stmts = statement_counts(url)
            server = Server(url)
            headers = credentials(server.base)
            results = measure(server.base, headers, clients, seconds)
            server.stop()
            server = None
            all_results[scale] = results
            print("\n" + table(scale, sizes, stmts, results, clients, os.getloadavg()) + "\n", flush=True)
        engine.dispose()
        print("goals (reported, not asserted):")
        for line in goals(all_results, clients):
            print("  " + line)
    finally:
        if server is not None:
            server.stop()
        if os.environ.get("TIMEBANK_BENCH_KEEP") != "1":
            scratch.drop(server_url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
