"""One clock (issue 13): every date and time a page shows, an export holds or a notification says is in the
county's time zone. The detector: a county far from UTC with a quarter-hour offset (Pacific/Chatham, UTC+13:45
in December), the seeded demo, every page each demo role reaches by following links (as tests/web/test_pages.py
and tests/browser/test_axe_crawl.py do), every CSV and XLSX export linked from them, and every notification's
text. For each timestamp stored in the database, its UTC wall time ("11-27 06:00") must not appear where its
county wall time ("11-27 19:45") does not: that is a UTC or naive time reaching a person. A string that is
also the county time of some other stored moment is not counted (it may be that one)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime, select

from tests.browser.test_axe_crawl import ROLES, pattern
from tests.conftest import Browserless, base_config, upgrade
from timebank import create_app
from timebank.extensions import db

ZONE = "Pacific/Chatham"
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
FORMATS = ("%Y-%m-%d %H:%M", "%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%m月%d日 %H:%M", "%Y/%m/%d %H:%M")
SKIP = re.compile(r"^/(static|api)/|/logout|/lang|/elder|\.(svg|pdf|json)$")
EXPORT = re.compile(r"\.(csv|xlsx)$")
PER_PATTERN = 2
MAX_PAGES = 120


@pytest.fixture(scope="module")
def county_app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('clock') / 'clock.db'}"
    app = create_app(base_config(url, TIMEBANK_TIMEZONE=ZONE, TIMEBANK_FIXED_NOW=NOW))
    upgrade(app)
    with app.app_context():
        from timebank import clock
        from timebank.demo.seed import seed_demo

        seed_demo(db.session, today=clock.today(), volunteers=12, residents=12)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def stored_moments(app) -> list[datetime]:
    """Every timestamp in every DateTime column of every table (aware, UTC)."""
    moments = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, DateTime) or getattr(column.type, "impl", None).__class__ is DateTime:
                    for value in db.session.scalars(select(column).where(column.is_not(None))):
                        if isinstance(value, datetime):
                            moments.append(value if value.tzinfo else value.replace(tzinfo=UTC))
    return moments


def detector(moments: list[datetime]):
    zone = ZoneInfo(ZONE)
    local = {m.astimezone(zone).strftime(f) for m in moments for f in FORMATS}
    utc = {}
    for m in moments:
        for f in FORMATS:
            text = m.astimezone(UTC).strftime(f)
            if text not in local:
                utc[text] = m
    pattern_utc = re.compile("|".join(re.escape(t) for t in sorted(utc, key=len, reverse=True))) if utc else None
    pattern_local = re.compile("|".join(re.escape(t) for t in sorted(local, key=len, reverse=True)))

    def check(text: str) -> tuple[list[str], int]:
        wrong = sorted(set(pattern_utc.findall(text))) if pattern_utc else []
        return wrong, len(pattern_local.findall(text))

    return check


def crawl(web: Browserless, base_path: str = "/") -> tuple[dict[str, str], set[str]]:
    """Pages (path -> html) reachable by links from the first page, bounded per route shape; export links."""
    seen: Counter[str] = Counter()
    queue, pages, exports, visited = [base_path], {}, set(), set()
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in visited or seen[pattern(path)] >= PER_PATTERN:
            continue
        visited.add(path)
        response = web.client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        seen[pattern(path)] += 1
        html = response.get_data(as_text=True)
        pages[path] = html
        for href in re.findall(r'href="([^"#]+)"', html):
            href = href.replace("&amp;", "&")
            url = urlsplit(urljoin("http://localhost" + path, href))
            if url.netloc not in ("", "localhost") or SKIP.search(url.path):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if EXPORT.search(url.path):
                exports.add(target)
            elif target not in visited and target not in queue:
                queue.append(target)
    return pages, exports


def export_text(response) -> str:
    if response.mimetype == "text/csv" or response.headers.get("Content-Disposition", "").endswith('.csv"'):
        body = response.get_data().decode("utf-8-sig")
        return "\n".join(" | ".join(row) for row in csv.reader(io.StringIO(body)))
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                cells.append(value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value or ""))
    return " | ".join(cells)


def test_no_utc_or_naive_time_reaches_a_page_an_export_or_a_message(county_app, capsys):
    check = detector(stored_moments(county_app))
    county_app.test_client_class = None
    failures, pages_checked, exports_checked, local_hits = [], 0, 0, 0
    for role, credentials in ROLES.items():
        client = county_app.test_client()
        web = Browserless(client)
        if credentials:
            web.login(*credentials)
        pages, exports = crawl(web)
        for path, html in pages.items():
            wrong, hits = check(html)
            local_hits += hits
            pages_checked += 1
            failures += [f"{role} page {path}: {w}" for w in wrong]
        for path in sorted(exports):
            response = client.get(path)
            if response.status_code != 200:
                continue
            exports_checked += 1
            wrong, hits = check(export_text(response))
            local_hits += hits
            failures += [f"{role} export {path}: {w}" for w in wrong]
    # the personal-data copy (查阅/复制): a zip of data.json and statement.csv
    import zipfile

    web = Browserless(county_app.test_client())
    web.login(*ROLES["relative"])
    copy = web.post("/me/privacy/export", token_from="/me/privacy")
    assert copy.status_code == 200
    with zipfile.ZipFile(io.BytesIO(copy.get_data())) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8-sig")
            wrong, hits = check(text.replace("T", " ") + "\n" + text)
            local_hits += hits
            exports_checked += 1
            failures += [f"personal data copy {name}: {w}" for w in wrong]
    with county_app.app_context():
        from timebank.notify.models import Notification
        from timebank.notify.texts import render

        notes = list(db.session.scalars(select(Notification)))
        for note in notes:
            for locale in ("zh_CN", "en"):
                with county_app.test_request_context():
                    message = render(note.event, note.params or {}, locale)
                wrong, hits = check(f"{message.title}\n{message.body}")
                local_hits += hits
                failures += [f"notification {note.id} ({note.event}, {locale}): {w}" for w in wrong]
    with capsys.disabled():
        print(f"\none clock ({ZONE}): {pages_checked} pages, {exports_checked} exports, {len(notes)} notifications "
              f"checked; {local_hits} county times seen; {len(failures)} UTC times")
    assert pages_checked > 100 and exports_checked >= 3 and local_hits > 50
    assert not failures, "\n".join(failures[:40]) + f"\n... {len(failures)} in all"


def test_the_detector_catches_a_utc_time(county_app, monkeypatch):
    """The same crawl with the time filter broken on purpose (UTC shown as local) fails."""
    moments = stored_moments(county_app)
    assert len(moments) > 200
    check = detector(moments)
    monkeypatch.setitem(county_app.jinja_env.filters, "local_time",
                        lambda moment, fmt="%m-%d %H:%M": moment.astimezone(UTC).strftime(fmt) if moment else "")
    county_app.test_client_class = None
    web = Browserless(county_app.test_client())
    web.login(*ROLES["station"])
    pages, _exports = crawl(web)
    caught = [path for path, html in pages.items() if check(html)[0]]
    assert len(caught) >= 3, caught
