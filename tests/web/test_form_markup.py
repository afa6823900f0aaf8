"""Form fields carry error attributes only when they have an error, and then point at the message."""

import re

from tests.web.accounts.test_signup import form


def test_a_fresh_form_has_no_error_attributes(web):
    html = web.client.get("/signup").get_data(as_text=True)
    assert "aria-invalid" not in html
    assert "aria-describedby" not in html
    assert '="None"' not in html


def test_an_invalid_field_is_marked_and_described_by_its_message(web, county):
    response = web.post("/signup", form(county, phone="123"), token_from="/signup")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    marked = re.findall(r'<input[^>]*aria-invalid="true"[^>]*>', html)
    assert len(marked) == 1 and 'name="phone"' in marked[0]
    described = re.search(r'aria-describedby="([^"]+)"', marked[0]).group(1)
    assert re.search(rf'<p class="error" id="{described}" role="alert">', html)
