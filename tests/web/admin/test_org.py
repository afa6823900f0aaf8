"""Admin pages for the org tree and accounts."""

from sqlalchemy import func, select

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


def test_admin_opens_a_station_and_its_staff_login(web, session, county):
    from timebank.accounts.models import Station, User

    web.login("root", "Admin-pass-2026")
    response = web.post("/admin/stations/new", {"name": "甲镇二站", "node_id": str(county["village01"].id),
                                                "kind": "committee", "phone": "", "address": ""},
                        token_from="/admin/stations/new")
    assert response.status_code == 302
    station = session.scalars(select(Station).where(Station.name == "甲镇二站")).one()
    created = web.post("/admin/users/new", {"username": "erzhan", "password": "Second-station-2026",
                                            "role": "station", "station_id": str(station.id)},
                       token_from="/admin/users/new")
    assert created.status_code == 302
    user = session.scalars(select(User).where(User.username == "erzhan")).one()
    assert user.node_id == county["village01"].id and user.roles == {"station"}
    web.logout()
    web.login("erzhan", "Second-station-2026")
    # the password the admin chose must be replaced first (tests/web/accounts/test_session_limits.py)
    assert web.client.get("/station/").headers["Location"] == "/account/password"
    web.post("/account/password", {"current_password": "Second-station-2026", "new_password": "Own-station-2027",
                                   "confirm": "Own-station-2027"}, token_from="/account/password")
    assert web.client.get("/station/").status_code == 200


def test_staff_account_needs_a_station_and_a_good_password(web, session, county):
    from timebank.accounts.models import User

    web.login("root", "Admin-pass-2026")
    before = session.scalar(select(func.count()).select_from(User))
    no_station = web.post("/admin/users/new", {"username": "nobody", "password": "Good-pass-2026",
                                               "role": "station", "station_id": "0"}, token_from="/admin/users/new")
    assert no_station.status_code == 422 and "请选择所属工作站" in no_station.get_data(as_text=True)
    weak = web.post("/admin/users/new", {"username": "weakling", "password": "12345678", "role": "station",
                                         "station_id": str(county["station0"].id)}, token_from="/admin/users/new")
    assert weak.status_code == 422 and "密码太常见" in weak.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_org_init_and_create_admin_on_an_empty_database(tmp_path):
    from tests.conftest import base_config, upgrade
    from timebank import create_app

    app = create_app(base_config(f"sqlite:///{tmp_path / 'new.db'}"))
    upgrade(app)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["users", "create-admin", "boss"], input="Boss-pass-2026\nBoss-pass-2026\n")
    assert refused.exit_code != 0 and "no county exists yet" in refused.output
    created = runner.invoke(args=["org", "init", "新县", "NEW", "--lat", "30.1", "--lon", "114.2"])
    assert created.exit_code == 0, created.output
    again = runner.invoke(args=["org", "init", "新县", "NEW"])
    assert again.exit_code != 0 and "already exists" in again.output
    admin = runner.invoke(args=["users", "create-admin", "boss"], input="Boss-pass-2026\nBoss-pass-2026\n")
    assert admin.exit_code == 0, admin.output
    weak = runner.invoke(args=["users", "create-admin", "weak"], input="12345678\n12345678\n")
    assert weak.exit_code != 0 and "Traceback" not in weak.output
