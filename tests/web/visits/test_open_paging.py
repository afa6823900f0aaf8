"""可接的服务 in the browser: numbered page links, every page's rows distinct, the same SQL statements per page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event

from tests.integration.visits.world import NOW
from tests.web.visits.conftest import VOLUNTEER_PASSWORD
from timebank.extensions import db
from timebank.visits import open_list
from timebank.visits.models import ServiceRequest

ROW = re.compile(r'<li class="row visit-row[^"]*"[^>]*>.*?href="/visits/(\d+)"', re.S)


def _open_requests(vw, n: int) -> None:
    elder = vw.resident()
    category = vw.category()
    for i in range(n):
        start = NOW + timedelta(days=1, minutes=15 * i)
        vw.session.add(ServiceRequest(resident_id=elder.id, node_id=elder.node_id, category_id=category.id,
                                      earliest_start=start, latest_end=start + timedelta(hours=2),
                                      duration_minutes=60, payer="county_donation", status="open",
                                      priority_tier=1 + i % 5))
    vw.session.commit()


def statements_into(sink: list):
    def listener(conn, cursor, statement, *args):
        sink.append(statement)

    return listener


def test_the_open_list_pages_with_links_and_shows_each_request_once(web, vw):
    volunteer = vw.volunteer()
    _open_requests(vw, open_list.PER_PAGE * 2 + 5)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    first = web.client.get("/visits/open").get_data(as_text=True)
    assert 'data-test="page-links"' in first and 'href="/visits/open?page=3"' in first
    assert f"{open_list.PER_PAGE * 2 + 5}" in first  # the total is shown
    seen = []
    counts = []
    for page in (1, 2, 3):
        statements = []
        listener = statements_into(statements)
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            html = web.client.get(f"/visits/open?page={page}").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(len([s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]))
        seen += [int(x) for x in ROW.findall(html)]
    assert len(seen) == len(set(seen)) == open_list.PER_PAGE * 2 + 5
    assert counts[0] == counts[1] == counts[2]


def test_english_page_and_a_page_past_the_end(web, vw):
    volunteer = vw.volunteer()
    _open_requests(vw, 3)
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    response = web.client.get("/visits/open?page=99")
    assert response.status_code == 200
    assert 'data-test="page-links"' not in response.get_data(as_text=True)
    web.client.set_cookie("timebank_lang", "en")
    english = web.client.get("/visits/open").get_data(as_text=True)
    assert "available times" in english and "3 in all" in english
