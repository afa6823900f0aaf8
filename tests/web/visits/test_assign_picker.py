"""The station's assign picker lists only volunteers who can serve the request (skills, distance, hours,
exclusions), earliest and nearest first, with why; nothing is preselected (issue 15)."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.integration.visits.world import NOW
from timebank.people.models import Availability, VolunteerProfile
from timebank.visits.models import Exclusion


def options(page: str) -> list[tuple[str, bool, str]]:
    form = page.split('data-test="assign-form"', 1)[1].split("</form>", 1)[0]
    return [(value, bool(selected), label) for selected, value, label in
            re.findall(r'<option (selected )?value="([^"]*)">([^<]*)</option>', form)]


def test_only_volunteers_who_can_serve_are_listed_and_none_is_preselected(web, vw, session, make_staff):
    vw.backstop(600)
    elder = vw.resident()
    req = vw.post(vw.admin, elder, start=NOW + timedelta(days=1), hours=2, duration=60)
    able = vw.volunteer(name="能来的")
    busy = vw.volunteer(name="没空的")
    session.get(VolunteerProfile, busy.person_id).availability = [
        Availability(weekday=5, start_minute=540, end_minute=600)]
    excluded = vw.volunteer(name="被排除的")
    session.add(Exclusion(resident_id=elder.id, volunteer_id=excluded.person_id, reason="老人要求",
                          created_by_id=vw.admin.id))
    unskilled = vw.volunteer(name="没技能的", skills=())
    session.commit()
    make_staff("jia")
    web.login("jia", "Station-pass-2026")
    page = web.client.get(f"/visits/{req.id}").get_data(as_text=True)
    listed = options(page)
    assert listed[0][0] == "0" and not any(selected for _v, selected, _l in listed)  # a prompt, nothing chosen
    names = " ".join(label for _v, _s, label in listed)
    assert "能来的" in names and "11-30 10:00" in names
    for absent in ("没空的", "被排除的", "没技能的"):
        assert absent not in names, absent
    assert 'data-test="left-out"' in page
    assert web.post(f"/visits/{req.id}/assign", {"a-volunteer_id": "0"}, token_from=f"/visits/{req.id}").status_code \
        == 422  # the prompt is not a choice
    assert web.post(f"/visits/{req.id}/assign", {"a-volunteer_id": str(busy.person_id)},
                    token_from=f"/visits/{req.id}").status_code == 422  # not someone who can serve
    assert web.post(f"/visits/{req.id}/assign", {"a-volunteer_id": str(able.person_id)},
                    token_from=f"/visits/{req.id}").status_code == 302
    assert unskilled.person_id and excluded.person_id
