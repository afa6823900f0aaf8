"""Two real web processes (gunicorn, one worker each, on free ports) and one scheduler process on one scratch
PostgreSQL database: a visit posted on the first is taken and checked in and out on the second, confirmed on
the first, and the hours land in the ledger. Nothing a request needs lives in a process."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.conftest import (
    TEST_KEY,
    base_config,
    drop_pg_database,
    new_id_number,
    new_phone,
    pg_database_url,
    postgres_url,
    upgrade,
)
from timebank import create_app

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")
CSRF = re.compile(r'name="(?:\w+-)?csrf_token"[^>]*value="([^"]+)"')
MINUTES = 30


@pytest.fixture
def database():
    if postgres_url() is None:
        pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL (CI does) to run two web "
                    "processes and a scheduler on one database")
    if datetime.now(TZ).hour >= 23:
        pytest.skip("a visit posted after 23:00 county time would cross midnight (volunteers are never "
                    "available across midnight): run it at another hour")
    name = f"timebank_twoweb_{os.getpid()}"
    yield pg_database_url(name)
    drop_pg_database(name)


def seed(url: str) -> dict:
    """A county, a station and its staff, an approved volunteer available all week, a 特困 resident, and the
    backstop pool funded: through the services."""
    from timebank.accounts import service as accounts
    from timebank.catalog.models import ServiceCategory
    from timebank.catalog.seed import ensure_skills
    from timebank.extensions import db
    from timebank.ledger import grants
    from timebank.people import service as people
    from timebank.people.models import Availability, HardshipStatus, VolunteerProfile

    app = create_app(base_config(url))
    upgrade(app)
    now, today = datetime.now(UTC), datetime.now(TZ).date()
    with app.test_request_context():
        s = db.session
        ensure_skills(s)
        root = accounts.create_root(s, name="测试县", code="T", latitude=30.5, longitude=114.3)
        admin = accounts.create_user(s, password="Admin-pass-2026", roles=("admin",), username="root",
                                     node_id=root.id)
        township = accounts.add_org_node(s, admin, root.id, name="甲镇", code="T-0", latitude=30.5, longitude=114.3)
        station = accounts.add_station(s, node_id=township.id, name="甲镇社工站")
        village = accounts.add_org_node(s, admin, township.id, name="甲镇一村", code="T-0-0", latitude=30.5,
                                        longitude=114.3)
        accounts.create_user(s, password="Station-pass-2026", roles=("station",), username="zhan",
                             node_id=township.id, station_id=station.id)
        volunteer = people.signup_volunteer(s, people.SignupInput(
            person=accounts.PersonInput(name="张伟", id_number=new_id_number(date(1990, 5, 17)), phone=new_phone(),
                                        address=None, node_id=village.id),
            password="Volunteer-pass-2026", skill_ids=(), emergency_contact_name="李娜",
            emergency_contact_phone=new_phone(), privacy_consent=True), today=today, now=now)
        people.review_volunteer(s, admin, volunteer.person_id, approve=True, reason=None, now=now)
        profile = s.get(VolunteerProfile, volunteer.person_id)
        profile.availability = [Availability(weekday=d, start_minute=0, end_minute=1440) for d in range(7)]
        category = s.scalar(sa.select(ServiceCategory).where(ServiceCategory.code == "companionship"))
        profile.skills = list(category.skills)
        resident = people.register_resident(s, admin, people.ResidentInput(
            person=accounts.PersonInput(name="王秀英", id_number=new_id_number(date(1940, 3, 8), male=False),
                                        phone=None, address="幸福路1号", node_id=village.id),
            living_situation="alone", disability_grade=0, consent_form_ref="ZQ-1"), today=today)
        s.add(HardshipStatus(person_id=resident.person_id, kind="tekun", evidence_no="MZ1",
                             review_date=today + timedelta(days=365)))
        s.commit()
        grants.grant(s, admin, to="backstop", minutes=300, reason="测试拨付", key="two-web-grant", now=now,
                     today=today)
        s.commit()
        out = {"resident": resident.person_id, "volunteer": volunteer.person_id, "phone": volunteer.phone,
               "category": category.id}
        db.session.remove()  # give the connection back before the pool is closed (no connection left open)
        db.engine.dispose()
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(url: str, instance: Path) -> dict:
    return dict(os.environ, TIMEBANK_DATABASE_URL=url, TIMEBANK_INSTANCE_PATH=str(instance),
                TIMEBANK_SECRET_KEY="two-web-processes", TIMEBANK_DATA_KEY=TEST_KEY,
                TIMEBANK_STAFF_TOTP_REQUIRED="0", TIMEBANK_RATELIMIT_ENABLED="0",
                TIMEBANK_SCHEDULER_POLL_SECONDS="1")


def start_web(url: str, instance: Path, log) -> tuple[subprocess.Popen, str]:
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen([gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{port}", "--log-level",
                                "warning", "wsgi:app"], cwd=ROOT, env=environment(url, instance),
                               stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return process, base
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    stop(process)
    raise AssertionError(f"web process on port {port} did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Browser:
    """One person's browser against one web process: cookies, CSRF tokens, redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def post(self, path: str, data: dict, *, token_from: str, prefix: str = "") -> tuple[int, str, str]:
        _status, _url, html = self.get(token_from)
        token = CSRF.search(html).group(1)
        body = urllib.parse.urlencode({f"{prefix}csrf_token": token, **data}, doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def login(self, login: str, password: str) -> None:
        status, url, _html = self.post("/login", {"login": login, "password": password}, token_from="/login")
        assert status == 200 and "/login" not in url, f"login as {login} failed ({status} {url})"


def problems(html: str) -> str:
    """The form errors of a page, for assertion messages."""
    main = re.search(r"<main.*?</main>", html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", main.group(0) if main else html).split())[:600]


def leading(engine) -> bool:
    """The scheduler process holds the advisory lock of this database."""
    from timebank.jobs.leader import ADVISORY_KEY

    with engine.connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' "
            "AND l.objid = :k AND l.granted AND d.datname = current_database()"), {"k": ADVISORY_KEY}).scalar())


def local(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


def test_a_visit_runs_through_two_web_processes_and_one_scheduler(database, tmp_path):
    world = seed(database)
    engine = sa.create_engine(database)
    logs = {name: open(tmp_path / f"{name}.log", "w+") for name in ("a", "b", "scheduler")}
    first, base_a = start_web(database, tmp_path / "a", logs["a"])
    second, base_b = start_web(database, tmp_path / "b", logs["b"])
    scheduler = subprocess.Popen([sys.executable, "-m", "flask", "--app", "timebank", "scheduler", "run"], cwd=ROOT,
                                 env=environment(database, tmp_path / "s"), stdout=logs["scheduler"],
                                 stderr=logs["scheduler"])
    try:
        assert first.pid != second.pid and base_a != base_b
        deadline = time.time() + 90
        while not leading(engine) and time.time() < deadline and scheduler.poll() is None:
            time.sleep(0.5)
        assert leading(engine), "the scheduler never took the lock"
        # 1. station staff post the visit on the first process
        station_a = Browser(base_a)
        station_a.login("zhan", "Station-pass-2026")
        start = (datetime.now(UTC) + timedelta(minutes=5)).replace(second=0, microsecond=0)
        status, url, html = station_a.post("/visits/new", {
            "resident_id": world["resident"], "category_id": world["category"], "earliest_start": local(start),
            "latest_end": local(start + timedelta(minutes=50)), "duration_minutes": MINUTES,
            "seats_volunteer": 1, "seats_social_worker": 0, "repeat_weeks": 1, "payer": "backstop",
            "description": "两个网页进程"}, token_from=f"/visits/new?resident_id={world['resident']}")
        assert status == 200 and re.search(r"/visits/\d+$", url), (status, url, html[:500])
        request_id = int(url.rsplit("/", 1)[1])
        # 2. the volunteer takes the seat on the second process
        volunteer_b = Browser(base_b)
        volunteer_b.login(world["phone"], "Volunteer-pass-2026")
        status, _url, html = volunteer_b.post(f"/visits/{request_id}/take", {}, token_from=f"/visits/{request_id}")
        assert status == 200, problems(html)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT status FROM visit_request WHERE id = :i"),
                                {"i": request_id}).scalar() == "matched"
        # 3. check in and out on the second process (recorded by the station, as after a phone call)
        station_b = Browser(base_b)
        station_b.login("zhan", "Station-pass-2026")
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        for action, at in (("check_in", now - timedelta(minutes=MINUTES + 1)), ("check_out", now - timedelta(minutes=1))):
            status, _url, html = station_b.post(f"/visits/{request_id}/record", {
                "m-volunteer_id": world["volunteer"], "m-action": action, "m-at": local(at),
                "m-reason": "志愿者手机没电，电话核实"}, token_from=f"/visits/{request_id}", prefix="m-")
            assert status == 200, problems(html)
        # 4. confirmed on the first process
        status, _url, html = station_a.post(f"/visits/{request_id}/confirm", {"c-rating": 5},
                                            token_from=f"/visits/{request_id}", prefix="c-")
        assert status == 200, problems(html)
        # 5. the ledger: the volunteer earned the minutes served, paid by the backstop pool, and it sums to zero
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT status FROM visit_request WHERE id = :i"),
                                {"i": request_id}).scalar() == "settled"
            balance = conn.execute(sa.text("SELECT balance FROM ledger_account WHERE person_id = :p"),
                                   {"p": world["volunteer"]}).scalar()
            pool = conn.execute(sa.text("SELECT balance FROM ledger_account WHERE code = 'pool:backstop'")).scalar()
            total = conn.execute(sa.text("SELECT sum(balance) FROM ledger_account")).scalar()
            earned = conn.execute(sa.text(
                "SELECT count(*) FROM ledger_transfer t JOIN ledger_account a ON a.id = t.credit_account_id "
                "WHERE a.person_id = :p AND t.kind = 'earn' AND t.phase = 'posted'"), {"p": world["volunteer"]}).scalar()
        assert (balance, pool, total, earned) == (MINUTES, 300 - MINUTES, 0, 1)
        assert scheduler.poll() is None and leading(engine)  # the scheduler ran beside them all along
        # each web process answers for the other's data: the first shows the volunteer's record settled
        status, _url, html = station_a.get(f"/visits/{request_id}")
        assert status == 200 and "已结算" in html
    finally:
        for process in (first, second, scheduler):
            stop(process)
        engine.dispose()
        for log in logs.values():
            log.close()
