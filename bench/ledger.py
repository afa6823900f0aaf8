"""Ledger throughput and statement latency on PostgreSQL, as ratios to a baseline from the same run.

Baseline: a bare transaction that updates two balance rows and inserts one row, through the same driver
(psycopg), the same connection pool and the same two account rows per client as the ledger run.
Measured: `ledger.earn` (idempotency, row locks in id order, rules, transfer, cached balances) through the
retry wrapper and a Flask request context, at 1, 8 and 32 concurrent clients (threads), each client on its
own payer and payee. Goal: at least 0.5 of the baseline at 8 clients. Baseline and ledger alternate in
TIMEBANK_BENCH_ROUNDS rounds so that load from elsewhere on the machine hits both alike; the ratio is
total ledger transfers/s over total baseline transactions/s, with the per-round range beside it.
Then the statement page of an account with 100,000 transfers: p95 of rendering it through the app.

    .venv/bin/python bench/ledger.py [--setup-only]

TIMEBANK_BENCH_DATABASE_URL names the PostgreSQL server (default below). The bench creates a database of its
own there under a fresh unique name (timebank_bench_<pid>_<random>, marked as scratch), passes it in code
(which wins over TIMEBANK_DATABASE_URL in the environment), checks the mark before writing anything, and
drops it at the end (TIMEBANK_BENCH_KEEP=1 keeps it). It never writes into a database it did not create.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from timebank import create_app, scratch  # noqa: E402
from timebank.extensions import db  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/timebank_bench"
SECONDS = float(os.environ.get("TIMEBANK_BENCH_SECONDS", "2"))
ROUNDS = int(os.environ.get("TIMEBANK_BENCH_ROUNDS", "3"))
CLIENTS = (1, 8, 32)
STATEMENT_TRANSFERS = 100_000
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def create_database(server_url: str) -> str:
    """A fresh database of the bench's own on that server, marked as scratch; its URL."""
    return scratch.create(server_url, scratch.unique_name("timebank_bench"))


def refuse(message: str) -> None:
    """One line on stderr and a non-zero exit, before anything is written."""
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(2)


def make_app(url: str):
    config = {
        "TESTING": True, "SECRET_KEY": "bench", "TIMEBANK_DATA_KEY": "q2V2H9Yb1yX9C0f4o3dXq1J8m6b0Yk2fZr7u8n1s5aA=",
        "TIMEBANK_DATABASE_URL": url, "TIMEBANK_ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
        "TIMEBANK_FIXED_NOW": NOW, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 40, "max_overflow": 10},
    }
    app = create_app(config)
    if app.config["SQLALCHEMY_DATABASE_URI"] != url:
        refuse("the app is not on the bench's own database; nothing written")
    check_scratch(app)
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    return app


def check_scratch(app) -> None:
    """Refuse unless the app's database is one the bench (or the tests) created and marked."""
    try:
        scratch.ensure(app.config["SQLALCHEMY_DATABASE_URI"])
    except scratch.NotScratch as error:
        refuse(str(error))


def setup_accounts(app, pairs: int):
    """`pairs` (payer account, payee person, payee account) with plenty of minutes on the payer, the user
    whose statement is measured, that user's account, and the issuance account."""
    from timebank.accounts import service as accounts
    from timebank.accounts.domain import make_id_number
    from timebank.ledger import service as ledger
    from timebank.ledger.models import LedgerAccount

    check_scratch(app)
    with app.app_context(), app.test_request_context():
        root = accounts.create_root(db.session, name="基准县", code="B")
        admin = accounts.create_user(db.session, password="Bench-admin-2026", roles=("admin",), username="root",
                                     node_id=root.id)
        town = accounts.add_org_node(db.session, admin, root.id, name="镇", code="B-1", latitude=None,
                                     longitude=None)
        village = accounts.add_org_node(db.session, admin, town.id, name="村", code="B-1-1", latitude=None,
                                        longitude=None)
        people = []
        for n in range(2 * pairs + 1):
            birth = date(1940 + n % 15, 1 + n % 12, 1 + n % 28)  # payers old enough to redeem
            people.append(accounts.create_person(db.session, accounts.PersonInput(
                name="基准", id_number=make_id_number("110101", birth, 2 * n + 1), phone=None, address=None,
                node_id=village.id), date(2026, 11, 29)))
        db.session.flush()
        owner = accounts.create_user(db.session, password="Bench-user-2026", roles=("volunteer",),
                                     phone="13800000000", person=people[-1])
        # Seed balances directly (issuance → payer), keeping the ledger balanced.
        issuance_id = ledger.system_account(db.session, "issuance").id
        result = []
        for i in range(pairs):
            payer_id = ledger.account_for_person(db.session, people[2 * i].id).id
            payee_id = ledger.account_for_person(db.session, people[2 * i + 1].id).id
            locked = ledger.lock(db.session, issuance_id, payer_id)
            ledger.write(db.session, locked[issuance_id], locked[payer_id], 10_000_000 // 60 * 60, kind="grant",
                         key=f"seed-{i}", digest="seed", now=NOW)
            result.append((payer_id, people[2 * i + 1].id, payee_id))
        db.session.commit()
        statement_account = db.session.scalar(sa.select(LedgerAccount.id).where(
            LedgerAccount.person_id == people[-1].id))
        return result, owner.id, statement_account, issuance_id


def baseline(engine, pairs, clients: int) -> float:
    """Transactions/s of: UPDATE two balance rows, INSERT one row (same driver, same pool, same two account
    rows per client as the ledger run: the payer's and the payee's)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS bench_row (id serial PRIMARY KEY, a int, b int, "
                             "minutes int, created_at timestamptz DEFAULT now())")
    return _timed(clients, lambda i, n: _bare(engine, pairs[i], n))


def _bare(engine, pair, n):
    a, _person, b = pair
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE ledger_account SET pending_credits = pending_credits + 0 WHERE id = :a"),
                     {"a": a})
        conn.execute(sa.text("UPDATE ledger_account SET pending_credits = pending_credits + 0 WHERE id = :b"),
                     {"b": b})
        conn.execute(sa.text("INSERT INTO bench_row (a, b, minutes) VALUES (:a, :b, 1)"), {"a": a, "b": b})


def ledger_rate(app, pairs, clients: int, round_no: int = 0) -> float:
    from timebank.ledger import service as ledger
    from timebank.ledger.retry import committed

    def one(i, n):
        payer, payee, _account = pairs[i]
        committed(db.session, lambda: ledger.earn(db.session, payer_account_id=payer, person_id=payee, minutes=1,
                                                  key=f"b{clients}-{round_no}-{i}-{n}", reference="visit:1", now=NOW,
                                                  today=date(2026, 11, 29)))

    def in_context(work):
        def run(i, n):
            return work(i, n)
        return run

    return _timed(clients, in_context(one), app=app)


def _timed(clients: int, work, app=None) -> float:
    counts = [0] * clients
    errors: list[str] = []
    stop = time.perf_counter() + SECONDS
    barrier = threading.Barrier(clients)

    def loop(i):
        ctx = app.test_request_context() if app is not None else None
        if ctx:
            ctx.push()
        try:
            barrier.wait()
            while time.perf_counter() < stop:
                try:
                    work(i, counts[i])
                except Exception as error:  # noqa: BLE001 - a failed transfer is reported, not counted
                    errors.append(repr(error))
                    return
                counts[i] += 1
        finally:
            if ctx:
                db.session.remove()
                ctx.pop()

    start = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{len(errors)} clients failed, first: {errors[0]}")
    return sum(counts) / (time.perf_counter() - start)


def fill_statement(engine, account_id: int, issuance_id: int) -> None:
    """100,000 transfers on one account, inserted in bulk (balances kept consistent)."""
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO ledger_transfer (debit_account_id, credit_account_id, minutes, kind, phase, "
            "idempotency_key, body_hash, created_at) SELECT :i, :a, 1, 'grant', 'posted', 'stmt-' || g, 'x', "
            "now() - (g || ' seconds')::interval FROM generate_series(1, :n) g"),
            {"i": issuance_id, "a": account_id, "n": STATEMENT_TRANSFERS})
        conn.execute(sa.text("UPDATE ledger_account SET balance = balance + :n WHERE id = :a"),
                     {"n": STATEMENT_TRANSFERS, "a": account_id})
        conn.execute(sa.text("UPDATE ledger_account SET balance = balance - :n WHERE id = :i"),
                     {"n": STATEMENT_TRANSFERS, "i": issuance_id})
        conn.exec_driver_sql("ANALYZE ledger_transfer")


def statement_p95(app, samples: int = 60) -> tuple[float, float]:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "login": "13800000000",
                                           "password": "Bench-user-2026"})
    assert response.status_code == 302, response.status_code
    times = []
    for n in range(samples):
        path = "/me/account" if n % 3 else f"/me/account?page={1 + n % 5}&kind=grant"
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times) * 1000, times[int(0.95 * (len(times) - 1))] * 1000


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    server = os.environ.get("TIMEBANK_BENCH_DATABASE_URL", DEFAULT_URL)
    url = create_database(server)
    name = sa.make_url(url).database
    try:
        return run(url, setup_only="--setup-only" in argv)
    finally:
        if os.environ.get("TIMEBANK_BENCH_KEEP") != "1":
            scratch.drop(server, name)


def run(url: str, *, setup_only: bool = False) -> int:
    print(f"ledger bench on {sa.make_url(url).render_as_string(hide_password=True)}, {ROUNDS} rounds of "
          f"{SECONDS:g} s baseline + {SECONDS:g} s ledger per row")
    app = make_app(url)
    pairs, _owner, statement_account, issuance_id = setup_accounts(app, max(CLIENTS))
    if setup_only:
        print(f"setup done in {sa.make_url(url).database}: {len(pairs)} account pairs")
        with app.app_context():
            db.engine.dispose()
        return 0
    with app.app_context():
        engine = db.engine
        print(f"{'clients':>8} {'baseline tx/s':>14} {'ledger tx/s':>12} {'ratio':>6}  per round")
        ratios = {}
        for clients in CLIENTS:
            bases, rates = [], []
            for round_no in range(ROUNDS):
                bases.append(baseline(engine, pairs, clients))
                rates.append(ledger_rate(app, pairs, clients, round_no))
            base, rate = statistics.fmean(bases), statistics.fmean(rates)
            ratios[clients] = rate / base
            spread = [r / b for r, b in zip(rates, bases, strict=True)]
            print(f"{clients:>8} {base:>14.0f} {rate:>12.0f} {rate / base:>6.2f}  "
                  f"{min(spread):.2f}-{max(spread):.2f}")
        fill_statement(engine, statement_account, issuance_id)
    with app.app_context():
        from timebank.ledger import reconcile

        report = reconcile.run_check(db.session, now=NOW, record=False)
        print(f"check after the run: {report.summary()}")
    median, p95 = statement_p95(app)
    print(f"statement page, account with {STATEMENT_TRANSFERS:,} transfers: median {median:.1f} ms, "
          f"p95 {p95:.1f} ms")
    goal = ratios[8] >= 0.5
    print(f"goal ratio >= 0.5 at 8 clients: {'met' if goal else 'NOT met'} ({ratios[8]:.2f})")
    with app.app_context():
        db.engine.dispose()
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
