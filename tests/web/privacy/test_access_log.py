"""The access log: staff reads of a resident's or volunteer's page are recorded; the county admin reads every
entry, a station only entries about its subtree and its own staff; filters, paging, CSV and the API."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from tests.conftest import count_rows
from tests.web.privacy.conftest import STATION_PASSWORD, VOLUNTEER_PASSWORD
from timebank.audit.models import AccessEvent
from timebank.audit.views import neutralise


def test_staff_reads_are_logged_and_out_of_scope_reads_are_404_without_a_row(web, session, world, make_staff):
    resident = world.resident(name="王秀英")
    volunteer = world.volunteer()
    station = make_staff("zhan0")
    make_staff("yi0", township_index=1)
    web.login("yi0", STATION_PASSWORD)
    assert web.client.get(f"/station/residents/{resident.person_id}").status_code == 404
    assert count_rows(session, AccessEvent) == 0
    web.logout()
    web.login("zhan0", STATION_PASSWORD)
    assert web.client.get(f"/station/residents/{resident.person_id}").status_code == 200
    assert web.client.get(f"/station/volunteers/{volunteer.person_id}").status_code == 200
    rows = list(session.scalars(select(AccessEvent).order_by(AccessEvent.id)))
    assert [(r.actor_id, r.person_id, r.action) for r in rows] == [
        (station.id, resident.person_id, "read"), (station.id, volunteer.person_id, "read")]
    assert rows[0].ip is not None


def test_admin_sees_all_a_station_only_its_subtree(web, world, make_staff):
    near = world.resident(name="王秀英", village="village00")
    far = world.resident(name="赵桂芝", village="village10")
    make_staff("zhan0")
    make_staff("yi0", township_index=1)
    for login, person in (("zhan0", near), ("yi0", far)):
        web.login(login, STATION_PASSWORD)
        assert web.client.get(f"/station/residents/{person.person_id}").status_code == 200
        web.logout()

    web.login("root", "Admin-pass-2026")
    page = web.client.get("/admin/audit").get_data(as_text=True)
    assert f'data-person="{near.person_id}"' in page and f'data-person="{far.person_id}"' in page
    audit = web.client.get("/admin/audit?log=audit").get_data(as_text=True)
    assert "登记服务对象" in audit
    web.logout()

    web.login("zhan0", STATION_PASSWORD)
    page = web.client.get("/station/audit").get_data(as_text=True)
    assert f'data-person="{near.person_id}"' in page and f'data-person="{far.person_id}"' not in page
    assert "赵桂芝" not in page
    filtered = web.client.get(f"/station/audit?person={far.person_id}").get_data(as_text=True)
    assert 'data-test="log-row"' not in filtered
    audit = web.client.get("/station/audit?log=audit").get_data(as_text=True)
    assert f"人员 {near.person_id}号" in audit and f"人员 {far.person_id}号" not in audit
    assert web.client.get("/admin/audit").status_code == 403
    exported = web.client.get("/station/audit.csv").get_data(as_text=True)
    assert "王秀英" in exported and "赵桂芝" not in exported


def test_filters_and_paging(web, world, make_staff):
    resident = world.resident(name="王秀英")
    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    for _ in range(3):
        web.client.get(f"/station/residents/{resident.person_id}")
    web.logout()
    web.login("root", "Admin-pass-2026")

    def rows(query: str) -> int:
        return web.client.get(f"/admin/audit?{query}").get_data(as_text=True).count('data-test="log-row"')

    assert rows("") == 3
    assert rows("actor=zhan0") == 3 and rows("actor=root") == 0
    assert rows("action=read") == 3 and rows("action=export") == 0
    assert rows(f"person={resident.person_id}") == 3
    assert rows("since=2026-11-29&until=2026-11-29") == 3  # the fixed clock's day, county time
    assert rows("since=2026-11-30") == 0 and rows("until=2026-11-28") == 0
    assert rows("page=2") == 0
    assert rows("since=garbage&person=abc&page=-1") == 3  # bad filters are ignored, never a 500


def test_csv_export_neutralises_formulas_and_is_itself_logged(web, session, world, make_staff):
    resident = world.resident(name="=HYPERLINK(1)")
    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    web.client.get(f"/station/residents/{resident.person_id}")
    web.logout()
    web.login("root", "Admin-pass-2026")
    response = web.client.get("/admin/audit.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][0] == "时间"
    assert any(cell.startswith("'=HYPERLINK(1)") for row in table[1:] for cell in row)
    assert session.scalar(select(AccessEvent).where(AccessEvent.action == "export",
                                                    AccessEvent.field == "access_log")) is not None
    assert [neutralise(v) for v in ("=1", "+1", "-1", "@x", "ok", None)] == ["'=1", "'+1", "'-1", "'@x", "ok", ""]


def test_volunteers_cannot_read_the_log(web, world):
    volunteer = world.volunteer()
    web.login(volunteer.phone, VOLUNTEER_PASSWORD)
    for path in ("/admin/audit", "/station/audit", "/station/audit.csv"):
        assert web.client.get(path).status_code == 403, path


def test_api_is_scoped_like_the_pages(client, web, world, make_staff, bearer):
    near = world.resident(name="王秀英", village="village00")
    far = world.resident(name="赵桂芝", village="village10")
    zhan0 = make_staff("zhan0")
    yi0 = make_staff("yi0", township_index=1)
    for login, person in (("zhan0", near), ("yi0", far)):
        web.login(login, STATION_PASSWORD)
        web.client.get(f"/station/residents/{person.person_id}")
        web.logout()
    body = client.get("/api/v1/audit/access", headers=bearer(zhan0)).get_json()
    assert {item["person_id"] for item in body["items"]} == {near.person_id}
    body = client.get("/api/v1/audit/access", headers=bearer(world.admin)).get_json()
    assert {item["person_id"] for item in body["items"]} == {near.person_id, far.person_id}
    body = client.get(f"/api/v1/audit/access?person_id={near.person_id}", headers=bearer(yi0)).get_json()
    assert body["items"] == []
    events = client.get("/api/v1/audit/events?action=resident_register", headers=bearer(zhan0)).get_json()
    assert {item["target"] for item in events["items"]} == {f"person:{near.person_id}"}
    assert client.get("/api/v1/audit/access?since=nope", headers=bearer(zhan0)).status_code == 422
    volunteer = world.volunteer()
    assert client.get("/api/v1/audit/access", headers=bearer(volunteer)).status_code == 403
