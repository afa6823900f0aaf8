"""Import of 10,000 residents from one .xlsx (issue 14), as ratios to a baseline from the same run.

Baseline: the same 10,000 people written as plain inserts, one INSERT statement per row (person, resident
profile, hardship status: three statements per person, values prepared beforehand, one transaction, rolled
back), through the same driver and database file. Measured: the dry run (read the .xlsx, check every row: ID checksums, villages,
duplicates against the registry) and the commit (every row through the people services: person, ledger
account, resident profile, hardship status, audit entries; one transaction). Goal: the dry run within 10x
the baseline and the commit within 100x (each row goes through the same services as a station's form).

    .venv/bin/python bench/imports.py [ROWS]

Runs on a SQLite file of its own in a temporary directory (removed at the end); nothing else is touched.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from timebank import create_app  # noqa: E402
from timebank.extensions import db  # noqa: E402

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
TODAY = date(2026, 12, 2)
TOWNSHIPS, VILLAGES = 10, 10
DRY_RUN_GOAL, COMMIT_GOAL = 10.0, 100.0


def make_app(url: str):
    config = {
        "TESTING": True, "SECRET_KEY": "bench", "TIMEBANK_DATA_KEY": "q2V2H9Yb1yX9C0f4o3dXq1J8m6b0Yk2fZr7u8n1s5aA=",
        "TIMEBANK_DATABASE_URL": url, "TIMEBANK_ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
        "TIMEBANK_FIXED_NOW": NOW,
    }
    app = create_app(config)
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    return app


def seed_county():
    from timebank.accounts import service as accounts

    root = accounts.create_root(db.session, name="测速县", code="B", latitude=30.5, longitude=114.3)
    admin = accounts.create_user(db.session, password="Bench-admin-2026", roles=("admin",), username="root",
                                 node_id=root.id)
    villages = []
    for t in range(TOWNSHIPS):
        township = accounts.add_org_node(db.session, admin, root.id, name=f"测速{t}镇", code=f"B-{t}",
                                           latitude=30.5, longitude=114.3)
        for v in range(VILLAGES):
            node = accounts.add_org_node(db.session, admin, township.id, name=f"测速{t}镇{v}村", code=f"B-{t}-{v}",
                                         latitude=30.5, longitude=114.3)
            villages.append((township.name, node.name, node.id))
    db.session.commit()
    return admin, villages


def build_rows(count: int, villages) -> list[dict]:
    from timebank.accounts.domain import make_id_number

    rows = []
    for index in range(count):
        birth = date(1930 + index % 40, 1 + index % 12, 1 + index % 28)
        township, village, node_id = villages[index % len(villages)]
        rows.append({"姓名": f"居民{index:05d}", "公民身份号码": make_id_number("420102", birth, 1 + index // 480 * 2),
                     "所属乡镇(街道)": township, "所属村(社区)": village, "node_id": node_id, "居住情况": "独居",
                     "困难类型": ("特困", "低保", "低保边缘")[index % 3], "认定文书编号": f"MZ-{index}",
                     "复核日期": "2027-12-31", "知情同意书编号": "ZQ-1"})
    return rows


def unique_ids(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        if row["公民身份号码"] not in seen:
            seen.add(row["公民身份号码"])
            out.append(row)
    return out


def xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    from timebank.imports.domain import HEADERS

    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS["residents"]))
    for row in rows:
        sheet.append([row.get(header, "") for header in HEADERS["residents"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def baseline(rows: list[dict]) -> float:
    """Plain inserts of the same people (prepared values), one transaction, rolled back."""
    from timebank.accounts import crypto
    from timebank.accounts.domain import mask_id_number, parse_id_number

    prepared = []
    for index, row in enumerate(rows, start=1):
        parsed = parse_id_number(row["公民身份号码"], today=TODAY)
        prepared.append({"id": 10_000_000 + index, "name": row["姓名"], "enc": crypto.encrypt(parsed.value),
                         "hash": crypto.lookup_hash(parsed.value), "masked": mask_id_number(parsed.value),
                         "birth": parsed.birth_date, "gender": parsed.gender, "node": row["node_id"]})
    connection = db.engine.connect()
    started = time.perf_counter()
    transaction = connection.begin()
    person = sa.text(
        "INSERT INTO person (id, name, id_number_encrypted, id_number_hash, id_number_masked, birth_date, gender, "
        "node_id, status, created_at) VALUES (:id, :name, :enc, :hash, :masked, :birth, :gender, :node, 'active', "
        "CURRENT_TIMESTAMP)")
    profile = sa.text("INSERT INTO resident_profile (person_id, living_situation, disability_grade, created_at) "
                      "VALUES (:id, 'alone', 0, CURRENT_TIMESTAMP)")
    status = sa.text("INSERT INTO hardship_status (person_id, kind, evidence_no, review_date, created_at) "
                     "VALUES (:id, 'tekun', 'MZ', '2027-12-31', CURRENT_TIMESTAMP)")
    for values in prepared:  # one statement per row, as a service writes them
        connection.execute(person, values)
        connection.execute(profile, values)
        connection.execute(status, values)
    elapsed = time.perf_counter() - started
    transaction.rollback()
    connection.close()
    return elapsed


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 10_000
    with tempfile.TemporaryDirectory(prefix="timebank-bench-imports-") as folder:
        app = make_app(f"sqlite:///{Path(folder) / 'bench.db'}")
        with app.app_context(), app.test_request_context():
            from timebank.imports import service
            from timebank.imports.models import ImportBatch

            admin, villages = seed_county()
            rows = unique_ids(build_rows(count, villages))
            content = xlsx(rows)
            base = baseline(rows)
            limits = {"max_bytes": 10 * 1024 * 1024, "max_rows": 20_000}
            started = time.perf_counter()
            batch = service.dry_run(db.session, admin, "residents", filename="bench.xlsx", content=content,
                                    today=TODAY, **limits)
            db.session.commit()
            dry = time.perf_counter() - started
            if batch.error_count:
                print(f"bench: {batch.error_count} rows had errors: {service.report_of(batch)['lines'][:3]}")
                return 1
            started = time.perf_counter()
            service.commit(db.session, admin, batch.id, {}, today=TODAY, now=NOW, **limits)
            db.session.commit()
            done = time.perf_counter() - started
            created = db.session.get(ImportBatch, batch.id).created_count
            db.session.remove()
            db.engine.dispose()
    size = len(content) / (1024 * 1024)
    print(f"import of {len(rows)} residents with hardship statuses ({size:.1f} MB .xlsx), SQLite")
    print(f"  baseline (plain inserts, same rows): {base:7.2f} s")
    print(f"  dry run (read + check every row):    {dry:7.2f} s  = {dry / base:5.1f}x baseline "
          f"(goal <= {DRY_RUN_GOAL:.0f}x)  {len(rows) / dry:7.0f} rows/s")
    print(f"  commit (through the people services): {done:6.2f} s  = {done / base:5.1f}x baseline "
          f"(goal <= {COMMIT_GOAL:.0f}x)  {created / done:7.0f} rows/s")
    ok = created == len(rows) and dry / base <= DRY_RUN_GOAL and done / base <= COMMIT_GOAL
    print("  " + ("within the goals" if ok else "OUTSIDE the goals"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
