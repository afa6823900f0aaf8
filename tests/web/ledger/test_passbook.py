"""时间存折 and statement downloads: the print page (A5, name, masked ID, village, balance, lines in the county's
time zone), .xlsx and CSV with the same numbers as the statement page, formula neutralisation, access log."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from timebank.audit.models import AccessEvent
from timebank.ledger import queries


@pytest.fixture
def station0(web, make_staff):
    make_staff("jia", 0)
    web.login("jia", "Station-pass-2026")
    return web


def events(session, person_id):
    session.expire_all()
    return [(e.action, e.field) for e in session.scalars(select(AccessEvent).where(AccessEvent.person_id == person_id)
                                                          .order_by(AccessEvent.id))]


@pytest.fixture
def funded(world):
    """A volunteer who earned 90 minutes and gave 30 to a relative, with a formula in the memo."""
    from timebank.ledger import service as ledger

    volunteer = world.volunteer()
    mother = world.person(__import__("datetime").date(1950, 1, 1), name="母亲")
    world.relate(mother.id, volunteer.person_id, kinship="child")
    world.fund(volunteer.person_id, 90)
    from tests.integration.ledger.world import NOW

    world.run(lambda: ledger.gift(world.session, volunteer, to_person_id=mother.id, minutes=30,
                                  memo='=HYPERLINK("http://x","点我")', key=world.key("gift"), now=NOW))
    return volunteer


def test_passbook_prints_the_person_and_logs_a_print(station0, session, funded):
    pid = funded.person_id
    response = station0.client.get(f"/station/accounts/{pid}/passbook")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    person = funded.person
    assert person.name in page and person.id_number_masked in page and person.node.name in page
    assert "1小时" in page  # balance 60 minutes
    assert "passbook.css" in page and "site-header" not in page  # no navigation chrome
    assert len(re.findall('data-test="passbook-line"', page)) == 2
    assert events(session, pid) == [("print", "passbook")]


def test_passbook_css_is_a5_and_hides_the_toolbar_in_print(client):
    css = client.get("/static/css/passbook.css").get_data(as_text=True)
    assert "size: A5" in css and "@media print" in css and ".toolbar" in css


def test_xlsx_has_the_same_numbers_as_the_statement_page(station0, session, funded):
    pid = funded.person_id
    response = station0.client.get(f"/station/accounts/{pid}/statement.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, row in enumerate(values) if row[0] == "编号")
    assert values[header_at][:3] == ["编号", "时间", "类型"]
    lines = values[header_at + 1:]
    account = queries.account_of_person(session, pid)
    rows, _more = queries.statement(session, account.id)
    assert [(r[0], r[5], r[6]) for r in lines] == [(r.id, r.minutes, r.signed) for r in rows]
    assert sum(r[6] for r in lines) == account.balance == 60
    memo = next(r[7] for r in lines if r[7])
    assert memo.startswith("'=HYPERLINK")
    assert sheet.column_dimensions["B"].width >= 15
    page = station0.client.get(f"/station/accounts/{pid}").get_data(as_text=True)
    assert "+1小时30分" in page and "−30分" in page
    assert events(session, pid) == [("export", "statement_xlsx")]


def test_times_are_in_the_county_time_zone(station0, session, funded, app):
    from zoneinfo import ZoneInfo

    pid = funded.person_id
    csv_text = station0.client.get(f"/station/accounts/{pid}/statement.csv").get_data(as_text=True)
    account = queries.account_of_person(session, pid)
    rows, _more = queries.statement(session, account.id)
    local = rows[0].created_at.astimezone(ZoneInfo(app.config["TIMEBANK_TIMEZONE"])).strftime("%Y-%m-%d %H:%M")
    assert local in csv_text
    assert "'=HYPERLINK" in csv_text and ',=HYPERLINK' not in csv_text
    assert events(session, pid) == [("export", "statement_csv")]


def test_own_statement_csv_is_neutralised_too(web, session, funded):
    web.login(funded.phone, "Volunteer-pass-2026")
    text = web.client.get("/me/account/statement.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_volunteer_page_links_passbook_and_downloads(station0, funded):
    page = station0.client.get(f"/station/volunteers/{funded.person_id}").get_data(as_text=True)
    for link in ("passbook", "statement.xlsx", "statement.csv"):
        assert f"/station/accounts/{funded.person_id}/{link}" in page
