"""The goods request's resident picker never truncates silently: it says when only the first page is listed,
searches by name, always includes the resident asked for, and preselects nobody (issue 15)."""

from __future__ import annotations

from tests.web.charity.conftest import STATION_PASSWORD


def test_a_long_resident_list_says_so_searches_and_keeps_the_one_asked_for(cw, web):
    staff = cw.staff(0)
    residents = [cw.resident(kinds=("tekun",), name=f"老人{i:02d}") for i in range(33)]
    last = residents[-1]
    web.login(staff.username, STATION_PASSWORD)
    page = web.client.get("/goods/new").get_data(as_text=True)
    assert 'data-test="picker-more"' in page and "只列出了 30 位" in page
    assert '<option selected value="0">' in page or 'value="0" selected' in page or '<option value="0">' in page
    assert f'value="{last.id}"' not in page  # beyond the first page ...
    asked = web.client.get(f"/goods/new?resident_id={last.id}").get_data(as_text=True)
    assert f'<option selected value="{last.id}">' in asked  # ... but the one asked for is always there
    found = web.client.get("/goods/new?q=老人32").get_data(as_text=True)
    assert f'value="{last.id}"' in found and 'data-test="picker-more"' not in found
    refused = web.post("/goods/new", {"resident_id": "0", "item_id": cw.item().id, "quantity": "1", "reason": "御寒"},
                       token_from="/goods/new")
    assert refused.status_code == 422 and "请选择服务对象" in refused.get_data(as_text=True)
