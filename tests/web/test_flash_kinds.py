"""Success, warning and refusal messages look different: their own colour class, icon and words, and a
refusal is announced as an alert (never colour alone, never a green tick on a refusal)."""

import re

from flask import flash, render_template


def _flash_page(app, client, category):
    with app.test_request_context("/"):
        if category == "message":
            flash("保存好了")
        else:
            flash("保存好了", category)
        return render_template("base.html")


def _notice(page):
    match = re.search(r'<p class="notice notice-(\w+)" role="(\w+)" data-flash="\w+"><span aria-hidden="true">(.)</span>'
                      r" <strong>([^<]+)</strong>", page)
    assert match, "no flash rendered"
    return match.groups()


def test_each_kind_has_its_own_class_role_icon_and_words(app, client):
    success = _notice(_flash_page(app, client, "message"))
    warning = _notice(_flash_page(app, client, "warning"))
    error = _notice(_flash_page(app, client, "error"))
    assert success == ("success", "status", "✔", "已完成：")
    assert warning == ("warning", "status", "⚠", "请注意：")
    assert error == ("error", "alert", "✖", "没有办成：")


def test_a_real_refusal_reaches_the_page_as_an_error(web, county):
    web.login("root", "Admin-pass-2026")
    web.post(f"/admin/users/{county['admin'].id}/active", {"active": "0"})
    page = web.client.get("/admin/users").get_data(as_text=True)
    kind, role, icon, words = _notice(page)
    assert (kind, role, icon, words) == ("error", "alert", "✖", "没有办成：")
    assert "不能停用自己的账号" in page and "✔" not in page.split('data-flash="error"', 1)[1].split("</p>", 1)[0]
