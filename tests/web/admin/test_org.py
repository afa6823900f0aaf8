"""Admin pages for the org tree and accounts."""

from sqlalchemy import select

from timebank.accounts.models import OrgNode


def test_admin_sees_and_edits_the_tree(web, session, county):
    web.login("root", "Admin-pass-2026")
    page = web.client.get("/admin/org").get_data(as_text=True)
    assert "甲镇" in page and "乙镇1村" in page
    village = county["village00"]
    response = web.post(f"/admin/org/{village.id}/edit", {"name": "甲镇新村", "code": village.code,
                                                          "latitude": "30.61", "longitude": "114.2"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(OrgNode, village.id).name == "甲镇新村"


def test_admin_adds_a_village_with_its_path(web, session, county):
    web.login("root", "Admin-pass-2026")
    township = county["township1"]
    response = web.post(f"/admin/org/{township.id}/children/new", {"name": "丙村", "code": "T-1-9"})
    assert response.status_code == 302
    node = session.scalars(select(OrgNode).where(OrgNode.code == "T-1-9")).one()
    assert node.kind == "village"
    assert node.path == f"{township.path}{node.id}/"


def test_bad_node_input_is_refused(web, session, county):
    web.login("root", "Admin-pass-2026")
    before = session.scalar(select(OrgNode.name).where(OrgNode.id == county["village00"].id))
    duplicate = web.post(f"/admin/org/{county['village00'].id}/edit",
                         {"name": "x", "code": county["village01"].code})
    assert duplicate.status_code == 409 and "该编码已被其他节点使用" in duplicate.get_data(as_text=True)
    half = web.post(f"/admin/org/{county['village00'].id}/edit",
                    {"name": "x", "code": county["village00"].code, "latitude": "30", "longitude": ""})
    assert half.status_code == 422 and "经度和纬度要么都填" in half.get_data(as_text=True)
    below_village = web.post(f"/admin/org/{county['village00'].id}/children/new", {"name": "y", "code": "Q"})
    assert below_village.status_code == 422
    session.expire_all()
    assert session.scalar(select(OrgNode.name).where(OrgNode.id == county["village00"].id)) == before


def test_station_staff_cannot_edit_the_tree(web, make_staff, county):
    make_staff("jia")
    web.login("jia", "Station-pass-2026")
    assert web.client.get(f"/admin/org/{county['village00'].id}/edit").status_code == 403


def test_admin_cannot_deactivate_itself(web, session, county):
    web.login("root", "Admin-pass-2026")
    web.post(f"/admin/users/{county['admin'].id}/active", {"active": "0"})
    assert web.client.get("/admin/").status_code == 200
