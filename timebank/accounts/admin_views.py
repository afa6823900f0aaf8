"""County bureau pages: the org tree and user accounts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank import clock
from timebank.accounts import queries
from timebank.accounts import service as accounts
from timebank.accounts.forms import ConfirmActionForm, NodeForm, StaffUserForm, StationForm
from timebank.accounts.models import OrgNode
from timebank.accounts.scope import require_node, scope_path
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.i18n import labels
from timebank.web import attach_error, roles_required, safe_next

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required("admin")
def dashboard():
    from zoneinfo import ZoneInfo

    from flask import current_app

    from timebank.workbench.queries import admin_today

    today = admin_today(db.session, current_user, today=clock.today(),
                        tz=ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"]))
    return render_template("admin/dashboard.html", stations=queries.stations(db.session), today=today)


@bp.get("/org")
@roles_required("admin")
def org_tree():
    nodes = queries.org_tree(db.session, scope_path(current_user))
    return render_template("admin/org_tree.html", nodes=nodes)


def _load_node(node_id: int) -> OrgNode:
    node = db.session.get(OrgNode, node_id)
    require_node(current_user, node)
    return node


@bp.route("/org/<int:node_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def org_node_edit(node_id: int):
    node = _load_node(node_id)
    form = NodeForm(obj=node)
    if form.validate_on_submit():
        try:
            accounts.update_org_node(db.session, current_user, node_id, name=form.name.data, code=form.code.data,
                                     latitude=form.latitude.data, longitude=form.longitude.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("admin/org_node.html", form=form, node=_load_node(node_id),
                                   mode="edit"), error.status
        db.session.commit()
        flash(_("已保存"))
        return redirect(url_for("admin.org_tree"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/org_node.html", form=form, node=node, mode="edit"), status


@bp.route("/org/<int:node_id>/children/new", methods=["GET", "POST"])
@roles_required("admin")
def org_node_add(node_id: int):
    parent = _load_node(node_id)
    form = NodeForm()
    if form.validate_on_submit():
        try:
            accounts.add_org_node(db.session, current_user, node_id, name=form.name.data, code=form.code.data,
                                  latitude=form.latitude.data, longitude=form.longitude.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("admin/org_node.html", form=form, node=_load_node(node_id),
                                   mode="add"), error.status
        db.session.commit()
        flash(_("已添加下级节点"))
        return redirect(url_for("admin.org_tree"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/org_node.html", form=form, node=parent, mode="add"), status


@bp.get("/users")
@roles_required("admin", "station")
def user_list():
    """Logins in the actor's subtree; station staff see them to lift a sign-in lock, admins manage them."""
    page = int(request.args["page"]) if request.args.get("page", "").isdigit() else 1
    rows, more = queries.users_in_scope(db.session, current_user, page=max(page, 1), q=request.args.get("q"))
    return render_template("admin/users.html", rows=rows, more=more, page=page, form=ConfirmActionForm(),
                           now=clock.now())


@bp.post("/users/<int:user_id>/active")
@roles_required("admin")
def user_set_active(user_id: int):
    ConfirmActionForm().validate_on_submit()
    active = request.form.get("active") == "1"
    if user_id == current_user.id and not active:
        flash(_("不能停用自己的账号"), "error")
        return redirect(url_for("admin.user_list"))
    accounts.set_active(db.session, current_user, user_id, active, now=clock.now())
    db.session.commit()
    flash(_("账号已启用") if active else _("账号已停用，该用户的所有登录已失效"))
    return redirect(url_for("admin.user_list"))


@bp.post("/users/<int:user_id>/unlock")
@roles_required("admin", "station")
def user_unlock(user_id: int):
    """Lift a sign-in lock (audited); station staff may do it for logins in their subtree."""
    ConfirmActionForm().validate_on_submit()
    accounts.unlock_user(db.session, current_user, user_id)
    db.session.commit()
    flash(_("已解除登录锁定。"))
    return redirect(request.referrer if safe_next(request.referrer) else url_for("admin.user_list"))


@bp.post("/users/<int:user_id>/totp-reset")
@roles_required("admin")
def user_totp_reset(user_id: int):
    """A lost phone: the colleague sets up two-step verification again at the next sign-in (audited)."""
    ConfirmActionForm().validate_on_submit()
    accounts.reset_second_factor(db.session, current_user, user_id)
    db.session.commit()
    flash(_("已重置两步验证，对方下次登录时需要重新设置。"))
    return redirect(url_for("admin.user_list"))


@bp.route("/stations/new", methods=["GET", "POST"])
@roles_required("admin")
def station_new():
    form = StationForm()
    form.node_id.choices = [(0, _("请选择"))] + queries.node_choices(db.session, current_user, ("township", "village"))
    form.kind.choices = list(labels()["station_kind"].items())
    if form.validate_on_submit():
        try:
            accounts.create_station(db.session, current_user, node_id=form.node_id.data, name=form.name.data,
                                    kind=form.kind.data, phone=form.phone.data, address=form.address.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("admin/station_new.html", form=form), error.status
        db.session.commit()
        flash(_("已添加工作站"))
        return redirect(url_for("admin.dashboard"))
    return render_template("admin/station_new.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def staff_user_new():
    form = StaffUserForm()
    form.role.choices = [("station", labels()["role"]["station"]), ("admin", labels()["role"]["admin"])]
    form.station_id.choices = [(0, _("请选择"))] + queries.station_choices(db.session, current_user)
    if form.validate_on_submit():
        try:
            accounts.create_staff_user(db.session, current_user, username=form.username.data,
                                       password=form.password.data, role=form.role.data,
                                       station_id=form.station_id.data or None, node_id=None)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("admin/staff_new.html", form=form), error.status
        db.session.commit()
        flash(_("已开通工作人员账号"))
        return redirect(url_for("admin.user_list"))
    return render_template("admin/staff_new.html", form=form), 422 if request.method == "POST" else 200
