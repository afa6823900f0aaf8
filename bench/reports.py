"""Dashboard latency on a county ten times the demo, as a ratio to the demo county measured in the same run.

Baseline: the demo county (`seed_demo` defaults: 300 volunteers, 500 residents, two months of visits through
the real services), the county admin's dashboard page for the last three months rendered through the app
(every query, the SVG charts and the tables), p50 of TIMEBANK_BENCH_REPEAT renders. Then the county grows to
ten times the demo by bulk inserts (every person, volunteer profile, request, request event, service record,
pool transfer and stock movement copied nine more times into the same villages) and the same page is timed
again. Goal: the 10x page takes at most 3x the baseline (the figures are GROUP BY statements whose number
does not grow with the county), and stays under one second.

    .venv/bin/python bench/reports.py

TIMEBANK_BENCH_DATABASE_URL names the PostgreSQL server; the bench makes a scratch database of its own there
(timebank/scratch.py: created fresh, marked, checked before writing, dropped at the end unless
TIMEBANK_BENCH_KEEP=1). It never writes into a database it did not create.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.ledger import DEFAULT_URL, NOW, check_scratch, create_database  # noqa: E402
from timebank import create_app, scratch  # noqa: E402
from timebank.extensions import db  # noqa: E402

REPEAT = int(os.environ.get("TIMEBANK_BENCH_REPEAT", "7"))
COPIES = 9
PATH = "/reports/?from=2026-09-01&to=2026-11-29"
REFERENCE = "/reports/monthly"


def make_app(url: str):
    """The app on the bench's own scratch database, signing in without the staff second factor (the page is
    what is timed, not the sign-in)."""
    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench", "TIMEBANK_DATA_KEY": "q2V2H9Yb1yX9C0f4o3dXq1J8m6b0Yk2fZr7u8n1s5aA=",
        "TIMEBANK_DATABASE_URL": url, "TIMEBANK_ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
        "TIMEBANK_FIXED_NOW": NOW, "TIMEBANK_STAFF_TOTP_REQUIRED": False, "TIMEBANK_RATELIMIT_ENABLED": False,
    })
    if app.config["SQLALCHEMY_DATABASE_URI"] != url:
        raise SystemExit("bench: the app is not on the bench's own database; nothing written")
    check_scratch(app)
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    return app


def seed(app) -> None:
    from timebank.demo.seed import seed_demo

    with app.app_context(), app.test_request_context():
        seed_demo(db.session, today=NOW.date())
        db.session.commit()


def _rows(conn, table):
    return [dict(row._mapping) for row in conn.execute(sa.select(table))]


def grow(app) -> dict[str, int]:
    """Copy the county's people and activity nine more times (bulk inserts, new ids, unique keys varied)."""
    meta = db.metadata
    t = {name: meta.tables[name] for name in ("person", "volunteer_profile", "visit_request", "visit_event",
                                              "service_record", "ledger_transfer", "ledger_account",
                                              "goods_movement")}
    counts = {}
    with app.app_context(), db.engine.begin() as conn:
        people = _rows(conn, t["person"])
        volunteers = _rows(conn, t["volunteer_profile"])
        requests = _rows(conn, t["visit_request"])
        events = _rows(conn, t["visit_event"])
        records = _rows(conn, t["service_record"])
        pools = set(conn.execute(sa.select(t["ledger_account"].c.id).where(
            t["ledger_account"].c.kind.in_(("pool", "charity")))).scalars())
        transfers = [row for row in _rows(conn, t["ledger_transfer"])
                     if row["phase"] == "posted" and row["reverses_id"] is None
                     and (row["credit_account_id"] in pools or row["debit_account_id"] in pools)]
        movements = _rows(conn, t["goods_movement"])
        for k in range(1, COPIES + 1):
            person_map, request_map = {}, {}
            for row in people:
                new = {key: value for key, value in row.items() if key != "id"}
                new["id_number_hash"] = f"{k:02d}{row['id_number_hash']}"[:64]
                new["phone"] = None
                person_map[row["id"]] = conn.execute(sa.insert(t["person"]).values(**new)
                                                     .returning(t["person"].c.id)).scalar_one()
            conn.execute(sa.insert(t["volunteer_profile"]), [
                {**row, "person_id": person_map[row["person_id"]], "guardian_person_id": None} for row in volunteers])
            for row in requests:
                new = {key: value for key, value in row.items() if key != "id"}
                new.update(resident_id=person_map[row["resident_id"]], series_key=None,
                           paid_by_person_id=person_map.get(row["paid_by_person_id"]))
                request_map[row["id"]] = conn.execute(sa.insert(t["visit_request"]).values(**new)
                                                      .returning(t["visit_request"].c.id)).scalar_one()
            conn.execute(sa.insert(t["visit_event"]), [
                {**{key: v for key, v in row.items() if key != "id"}, "request_id": request_map[row["request_id"]],
                 "seat_id": None} for row in events])
            conn.execute(sa.insert(t["service_record"]), [
                {**{key: v for key, v in row.items() if key != "id"}, "request_id": request_map[row["request_id"]],
                 "volunteer_id": person_map[row["volunteer_id"]], "transfer_id": None} for row in records])
            if transfers:
                conn.execute(sa.insert(t["ledger_transfer"]), [
                    {**{key: v for key, v in row.items() if key != "id"}, "parent_id": None,
                     "idempotency_key": f"bench:{k}:{row['id']}", "body_hash": None} for row in transfers])
            if movements:
                conn.execute(sa.insert(t["goods_movement"]), [
                    {**{key: v for key, v in row.items() if key != "id"}, "allocation_id": None} for row in movements])
        for name in ("person", "service_record", "visit_request"):
            counts[name] = conn.execute(sa.select(sa.func.count()).select_from(t[name])).scalar_one()
        conn.exec_driver_sql("ANALYZE")
    return counts


def time_page(app) -> tuple[float, float]:
    """p50 seconds of the dashboard and of a light reference page (the monthly list), timed alternately so
    load from elsewhere on the machine hits both alike."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"csrf_token": token, "login": "admin", "password": "Demo-admin-2026"})
    assert response.status_code == 302, response.status_code
    assert client.get(PATH).status_code == 200  # warm
    samples: dict[str, list[float]] = {PATH: [], REFERENCE: []}
    for _ in range(REPEAT):
        for path in (PATH, REFERENCE):
            start = time.perf_counter()
            response = client.get(path)
            samples[path].append(time.perf_counter() - start)
            assert response.status_code == 200
    return statistics.median(samples[PATH]), statistics.median(samples[REFERENCE])


def main() -> int:
    server = os.environ.get("TIMEBANK_BENCH_DATABASE_URL", DEFAULT_URL)
    name = None
    try:
        url = create_database(server)
        name = sa.make_url(url).database
        app = make_app(url)
        started = time.perf_counter()
        seed(app)
        print(f"demo county seeded in {time.perf_counter() - started:.1f}s", flush=True)
        baseline, baseline_ref = time_page(app)
        started = time.perf_counter()
        counts = grow(app)
        print(f"grown to 10x by bulk inserts in {time.perf_counter() - started:.1f}s: "
              f"{counts['person']} persons, {counts['visit_request']} requests, "
              f"{counts['service_record']} service records", flush=True)
        grown, grown_ref = time_page(app)
        ratio = grown / baseline
        normalised = (grown / grown_ref) / (baseline / baseline_ref)
        print(f"dashboard page, county admin, 3 months (p50 of {REPEAT}): demo county {baseline * 1000:.0f} ms "
              f"(baseline), 10x county {grown * 1000:.0f} ms: ratio {ratio:.2f}; against the monthly list page "
              f"timed alongside ({baseline_ref * 1000:.0f} / {grown_ref * 1000:.0f} ms): {normalised:.2f} "
              f"(goal <= 3.0, and under 1 s) {'OK' if ratio <= 3.0 and grown < 1.0 else 'MISSED'}")
        return 0
    finally:
        if name and os.environ.get("TIMEBANK_BENCH_KEEP") != "1":
            scratch.drop(server, name)


if __name__ == "__main__":
    sys.exit(main())
