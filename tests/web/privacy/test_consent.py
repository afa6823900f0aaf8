"""Consent records: a station must record the paper consent form when it registers a resident or a relative;
the resident's page shows each form with the date and who recorded it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.conftest import count_rows, new_id_number
from tests.web.privacy.conftest import STATION_PASSWORD
from timebank.people.models import Relative, ResidentProfile


def resident_form(county, **overrides):
    data = {"name": "李桂兰", "id_number": new_id_number(date(1938, 2, 3), male=False), "phone": "",
            "village_id": str(county["village00"].id), "address": "光明巷3号", "living_situation": "alone",
            "disability_grade": "0", "consent_form_ref": "ZQ-2026-0009", "notes": ""}
    data.update(overrides)
    return data


def test_consent_form_is_required_and_shown_with_date_and_recorder(web, session, county, make_staff):
    make_staff("zhan0")
    web.login("zhan0", STATION_PASSWORD)
    missing = web.post("/station/residents/new", resident_form(county, consent_form_ref=""),
                       token_from="/station/residents/new")
    assert missing.status_code == 422 and "请填写纸质知情同意书编号" in missing.get_data(as_text=True)
    assert count_rows(session, ResidentProfile) == 0
    assert web.post("/station/residents/new", resident_form(county),
                    token_from="/station/residents/new").status_code == 302
    person_id = session.scalars(select(ResidentProfile)).one().person_id
    relative = {"r-name": "李明", "r-id_number": new_id_number(date(1968, 5, 5)), "r-phone": "13812340000",
                "r-kinship": "child"}
    page = f"/station/residents/{person_id}"
    no_form = web.post(f"{page}/relatives", relative, token_from=page)
    assert no_form.status_code == 422 and count_rows(session, Relative) == 0
    assert web.post(f"{page}/relatives", {**relative, "r-consent_form_ref": "ZQ-R-7"}, token_from=page).status_code == 302
    link = session.scalars(select(Relative)).one()
    assert link.consent_form_ref == "ZQ-R-7" and link.consent_recorded_by_id is not None
    assert link.consent_recorded_at is not None
    html = web.client.get(page).get_data(as_text=True)
    assert "ZQ-2026-0009" in html and "ZQ-R-7" in html
    assert "2026-11-29由zhan0登记" in html
