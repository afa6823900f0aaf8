"""Error pages say what happened in plain words, in the page's language, and lead back to where the
person was (a page on this site only)."""


def test_a_missing_page_explains_and_links_back_to_the_referring_page(client):
    response = client.get("/no-such-page", headers={"Referer": "http://localhost/privacy?x=1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<title>找不到该页面" in html and "链接可能已经失效" in html
    assert 'href="/privacy?x=1" data-test="error-back"' in html


def test_another_site_is_never_the_way_back(client):
    html = client.get("/no-such-page", headers={"Referer": "https://evil.example/phish"}).get_data(as_text=True)
    assert "evil.example" not in html and 'data-test="error-back"' not in html
    assert "返回首页" in html


def test_english_error_page(client):
    client.set_cookie("timebank_lang", "en")
    html = client.get("/no-such-page").get_data(as_text=True)
    assert "The link may be out of date" in html and "找不到" not in html
