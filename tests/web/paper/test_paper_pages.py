"""Pages and API of certificates, imports and the equity view: the happy paths, the refusals and the denials."""

from __future__ import annotations

import base64
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import count_rows, new_id_number
from tests.integration.imports.files import resident_row, residents, xlsx
from tests.integration.visits.world import VisitWorld
from timebank.accounts.models import Person
from timebank.certificates.models import Certificate
from timebank.people.models import ResidentProfile

STATION_PASSWORD = "Station-pass-2026"


@pytest.fixture
def served(app, session, county, make_volunteer, make_resident):
    with app.test_request_context():
        vw = VisitWorld(session, county, make_volunteer, make_resident)
        vw.backstop(600)
        elder = vw.resident(kinds=("tekun",))
        volunteer = vw.volunteer(name="陈静")
        req = vw.post(vw.admin, elder, payer="backstop", duration=60)
        vw.take(volunteer, req)
        vw.serve(volunteer, req, minutes=45)
        vw.confirm(vw.admin, req)
        return volunteer


def bearer(client, login, password):
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password, "name": "t"})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_station_issues_a_certificate_and_the_public_page_follows_its_status(web, session, served, make_staff):
    make_staff("zhenA")
    web.login("zhenA", STATION_PASSWORD)
    page = f"/certificates/issue/{served.person_id}"
    assert "陈静" in web.client.get(page).get_data(as_text=True)
    empty = web.post(page, {"period_start": "2020-01-01", "period_end": "2020-12-31"}, token_from=page)
    assert empty.status_code == 422 and "没有志愿服务记录" in empty.get_data(as_text=True)
    backwards = web.post(page, {"period_start": "2026-12-01", "period_end": "2026-01-01"}, token_from=page)
    assert backwards.status_code == 422 and "结束日期不能早于开始日期" in backwards.get_data(as_text=True)
    done = web.post(page, {"period_start": "2026-01-01", "period_end": "2026-12-01"}, token_from=page)
    assert done.status_code == 302
    certificate = session.scalar(select(Certificate))
    pdf = web.client.get(f"/certificates/{certificate.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    web.logout()
    public = web.client.get(f"/public/certificates/{certificate.token}").get_data(as_text=True)
    assert "此证明有效" in public and "陈静" in public and "45" not in public.split("核验")[-1][:0]
    assert certificate.id_masked in public
    web.login("zhenA", STATION_PASSWORD)
    detail = f"/certificates/{certificate.id}"
    no_reason = web.post(f"{detail}/revoke", {"reason": ""}, token_from=detail)
    assert no_reason.status_code == 422
    assert web.post(f"{detail}/revoke", {"reason": "登记有误"}, token_from=detail).status_code == 302
    web.logout()
    assert "已撤销" in web.client.get(f"/public/certificates/{certificate.token}").get_data(as_text=True)
    assert web.client.get("/public/certificates/nonexistent-token").status_code == 404


def test_other_townships_and_volunteers_are_denied(web, session, served, make_staff):
    make_staff("zhenB", township_index=1)
    web.login("zhenB", STATION_PASSWORD)
    assert web.client.get(f"/certificates/issue/{served.person_id}").status_code == 404
    web.logout()
    web.login(served.phone, "Volunteer-pass-2026")
    assert web.client.get("/certificates/").status_code == 403
    assert web.client.get("/imports/").status_code == 403
    assert web.client.get("/equity/").status_code == 403
    mine = web.client.get("/certificates/mine")
    assert mine.status_code == 200
    asked = web.post("/certificates/mine", {"period_start": "2026-01-01", "period_end": "2026-12-01",
                                            "purpose": "升学"}, token_from="/certificates/mine")
    assert asked.status_code == 302


def test_the_api_issues_revokes_and_answers_the_public_status(client, session, served, make_staff):
    make_staff("zhenA")
    headers = bearer(client, "zhenA", STATION_PASSWORD)
    refused = client.post("/api/v1/certificates", headers=headers,
                          json={"person_id": served.person_id, "period_start": "2020-01-01", "period_end": "2020-02-01"})
    assert refused.status_code == 422
    issued = client.post("/api/v1/certificates", headers=headers,
                         json={"person_id": served.person_id, "period_start": "2026-01-01", "period_end": "2026-12-01"})
    assert issued.status_code == 201, issued.get_json()
    body = issued.get_json()
    assert body["total_minutes"] == 45 and body["status"] == "valid"
    token = body["verify_url"].rsplit("/", 1)[-1]
    assert client.get(f"/api/v1/public/certificates/{token}").get_json()["status"] == "valid"
    revoked = client.post(f"/api/v1/certificates/{body['id']}/revoke", headers=headers, json={"reason": "错"})
    assert revoked.get_json()["status"] == "revoked"
    status = client.get(f"/api/v1/public/certificates/{token}").get_json()
    assert status == {"serial": body["serial"], "status": "revoked", "name": "陈静", "id_masked": body["id_masked"]}


def test_a_station_imports_through_the_pages(web, session, county, make_staff):
    make_staff("zhenA")
    web.login("zhenA", STATION_PASSWORD)
    template = web.client.get("/imports/template/residents.xlsx")
    assert template.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template.data))
    assert [c.value for c in book.worksheets[0][1]][:2] == ["姓名", "公民身份号码"]
    assert ("甲镇", "甲镇0村") in [tuple(r) for r in book["村（社区）名单"].iter_rows(min_row=2, values_only=True)]
    rows = residents(5) + [resident_row("外镇人", new_id_number(date(1950, 1, 1)), township="乙镇", village="乙镇0村")]
    upload = web.post("/imports/residents", {"residents-file": (io.BytesIO(xlsx("residents", rows)), "名单.xlsx")},
                      token_from="/imports/", content_type="multipart/form-data")
    assert upload.status_code == 302
    report = web.client.get(upload.location).get_data(as_text=True)
    assert "乙镇0村" in report and "import-commit" not in report
    upload = web.post("/imports/residents", {"residents-file": (io.BytesIO(xlsx("residents", rows[:5])), "名单.xlsx")},
                      token_from="/imports/", content_type="multipart/form-data")
    batch_page = upload.location
    done = web.post(f"{batch_page}/commit", {}, token_from=batch_page)
    assert done.status_code == 302
    assert count_rows(session, ResidentProfile) == 5


def test_bad_uploads_get_a_clear_message_and_nothing_is_written(web, session, county, make_staff):
    make_staff("zhenA")
    web.login("zhenA", STATION_PASSWORD)
    before = count_rows(session, Person)
    text = web.post("/imports/residents", {"residents-file": (io.BytesIO(b"a,b,c"), "list.csv")},
                    token_from="/imports/", content_type="multipart/form-data")
    assert text.status_code == 422 and ".xlsx" in text.get_data(as_text=True)
    merged = web.post("/imports/residents",
                      {"residents-file": (io.BytesIO(xlsx("residents", residents(2), merge="A2:A3")), "m.xlsx")},
                      token_from="/imports/", content_type="multipart/form-data")
    assert merged.status_code == 422 and "合并单元格" in merged.get_data(as_text=True)
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(path="/imports/residents", method="POST", data={
        "csrf_token": web.token("/imports/"), "residents-file": (io.BytesIO(b"0" * (50 * 1024 * 1024)), "big.xlsx")})
    environ = builder.get_environ()
    try:
        huge = web.client.open(environ)
    finally:  # the test client spools the 50 MB body to a temporary file, never read: close it here
        environ["wsgi.input"].close()
        builder.close()
    assert huge.status_code == 413
    assert "MB" in huge.get_data(as_text=True)
    assert count_rows(session, Person) == before


def test_the_import_api_checks_and_commits(client, session, county, make_staff):
    make_staff("zhenA")
    headers = bearer(client, "zhenA", STATION_PASSWORD)
    content = base64.b64encode(xlsx("residents", residents(3))).decode()
    checked = client.post("/api/v1/imports/check", headers=headers,
                          json={"kind": "residents", "filename": "a.xlsx", "content_base64": content})
    assert checked.status_code == 201, checked.get_json()
    batch = checked.get_json()
    assert (batch["rows"], batch["errors"]) == (3, 0)
    done = client.post(f"/api/v1/imports/{batch['id']}/commit", headers=headers, json={"choices": []})
    assert done.status_code == 200 and done.get_json()["created"] == 3
    bad = client.post("/api/v1/imports/check", headers=headers,
                      json={"kind": "residents", "content_base64": base64.b64encode(b"nope").decode()})
    assert bad.status_code == 422 and bad.get_json()["field"] == "file"


def test_equity_page_table_xlsx_and_api_agree(web, client, session, served, make_staff):
    make_staff("zhenA")
    web.login("zhenA", STATION_PASSWORD)
    html = web.client.get("/equity/").get_data(as_text=True)
    assert "甲镇0村" in html and "乙镇0村" not in html  # the station's subtree only
    assert 'data-test="equity-cell"' in html
    for order in ("village", "need", "days", "visits", "bogus"):
        assert web.client.get(f"/equity/?sort={order}&days=90").status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(web.client.get("/equity/villages.xlsx").data))
    sheet = book.active
    villages = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert sorted(villages) == ["甲镇0村", "甲镇1村"]
    headers = bearer(client, "zhenA", STATION_PASSWORD)
    body = client.get("/api/v1/equity?days=365", headers=headers).get_json()
    by_name = {v["name"]: v for v in body["villages"]}
    assert by_name["甲镇0村"]["visits"] == 1 and by_name["甲镇0村"]["in_need"] == 1
    assert by_name["甲镇0村"]["days_since_last_service"] is not None
    assert by_name["甲镇1村"]["days_since_last_service"] is None
    assert client.get("/api/v1/equity?days=7", headers=headers).status_code == 422
    in_need = session.scalar(select(func.count()).select_from(ResidentProfile))
    assert sum(v["in_need"] for v in body["villages"]) == in_need
