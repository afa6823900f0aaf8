"""Organisation pages: the list, registration, one organisation with its actions, and its members with their
hours. Views parse, call one service, commit, render; a refused action is shown on the page it came from."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from timebank import clock
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.orgs import queries, service
from timebank.orgs.forms import ActionForm, OrgForm, PersonForm, ReasonForm
from timebank.web import attach_error, roles_required

bp = Blueprint("orgs", __name__, url_prefix="/orgs")
ANYONE_SERVING = ("station", "admin", "volunteer", "social_worker")


def page_arg() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 100000)) if value.isdigit() else 1


def status_labels() -> dict[str, str]:
    return {"pending": _("待审核"), "approved": _("已批准"), "rejected": _("未通过"), "retired": _("已撤销")}


def member_labels() -> dict[str, str]:
    return {"pending": _("待批准"), "approved": _("成员"), "declined": _("已婉拒"), "left": _("已退出")}


@bp.app_context_processor
def _labels():
    return {"org_status_labels": status_labels, "org_member_labels": member_labels,
            "org_kind_labels": service.kind_labels}


@bp.get("/")
@roles_required(*ANYONE_SERVING)
def org_list():
    status = request.args.get("status") if request.args.get("status") in status_labels() else None
    page = page_arg()
    rows, more = queries.orgs_for(db.session, current_user, page=page, status=status)
    mine = queries.my_memberships(db.session, current_user.person_id)
    return render_template("orgs/list.html", rows=rows, more=more, page=page, status=status, mine=mine)


def _org_form() -> OrgForm:
    form = OrgForm()
    form.kind.choices = [("", _("请选择"))] + [(k, str(v)) for k, v in service.kind_labels().items()]
    nodes = queries.nodes_in_scope(db.session, current_user)
    form.node_id.choices = [(n.id, n.name) for n in nodes] or [(0, _("本人所在村（社区）"))]
    return form


@bp.get("/new")
@roles_required(*ANYONE_SERVING)
def org_new():
    return render_template("orgs/new.html", form=_org_form())


@bp.post("/new")
@roles_required(*ANYONE_SERVING)
def org_create():
    form = _org_form()
    if not form.validate_on_submit():
        return render_template("orgs/new.html", form=form), 422
    data = service.OrgInput(name=form.name.data, kind=form.kind.data, node_id=form.node_id.data or None,
                            leader_person_id=form.leader_person_id.data, contact_phone=form.contact_phone.data,
                            description=form.description.data)
    try:
        org = service.register(db.session, current_user, data, now=clock.now(), today=clock.today())
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_template("orgs/new.html", form=form), error.status
    db.session.commit()
    flash(_("志愿服务组织已登记") if org.status == "approved" else _("已提交，等待社工站审核"))
    return redirect(url_for("orgs.org_detail", org_id=org.id))


def _detail(org_id: int, status: int = 200, error: DomainError | None = None, **forms):
    org = service.load(db.session, current_user, org_id)
    staff = service.is_staff_for(current_user, org.node)
    leader = service.is_leader(current_user, org)
    mine = service.membership_of(db.session, org.id, current_user.person_id)
    pending = queries.members(db.session, org.id, page=1, status="pending", per_page=50)[0] if staff or leader else []
    forms.setdefault("reason_form", ReasonForm(prefix="r"))
    forms.setdefault("leader_form", PersonForm(prefix="l"))
    forms.setdefault("add_form", PersonForm(prefix="a"))
    return render_template("orgs/detail.html", org=org, staff=staff, leader=leader, mine=mine, pending=pending,
                           members=queries.member_count(db.session, org.id), action=ActionForm(), error=error,
                           **forms), status


@bp.get("/<int:org_id>")
@login_required
def org_detail(org_id: int):
    return _detail(org_id)


def _act(org_id: int, work, done: str, form=None, form_name: str | None = None):
    """Run one service call for this organisation; on a refusal show the organisation page with the message."""
    try:
        work()
    except DomainError as error:
        db.session.rollback()
        if form is not None and form_name:
            attach_error(form, error)
            return _detail(org_id, error.status, **{form_name: form})
        return _detail(org_id, error.status, error=error)
    db.session.commit()
    flash(done)
    return redirect(url_for("orgs.org_detail", org_id=org_id))


@bp.post("/<int:org_id>/join")
@roles_required("volunteer", "social_worker")
def org_join(org_id: int):
    if not ActionForm().validate_on_submit():
        return _detail(org_id, 400)
    return _act(org_id, lambda: service.request_join(db.session, current_user, org_id, now=clock.now(),
                                                     today=clock.today()), _("已申请加入，等待负责人批准"))


@bp.post("/<int:org_id>/leave")
@login_required
def org_leave(org_id: int):
    if not ActionForm().validate_on_submit():
        return _detail(org_id, 400)
    return _act(org_id, lambda: service.leave(db.session, current_user, org_id, now=clock.now()), _("已退出该组织"))


@bp.post("/<int:org_id>/approve")
@roles_required("station", "admin")
def org_approve(org_id: int):
    if not ActionForm().validate_on_submit():
        return _detail(org_id, 400)
    return _act(org_id, lambda: service.decide(db.session, current_user, org_id, approve=True, reason=None,
                                               now=clock.now()), _("已批准该组织"))


@bp.post("/<int:org_id>/reject")
@roles_required("station", "admin")
def org_reject(org_id: int):
    form = ReasonForm(prefix="r")
    if not form.validate_on_submit():
        return _detail(org_id, 422, reason_form=form)
    return _act(org_id, lambda: service.decide(db.session, current_user, org_id, approve=False,
                                               reason=form.reason.data, now=clock.now()),
                _("已退回该组织的登记"), form, "reason_form")


@bp.post("/<int:org_id>/retire")
@roles_required("station", "admin")
def org_retire(org_id: int):
    form = ReasonForm(prefix="r")
    if not form.validate_on_submit():
        return _detail(org_id, 422, reason_form=form)
    return _act(org_id, lambda: service.retire(db.session, current_user, org_id, reason=form.reason.data,
                                               now=clock.now()), _("该组织已撤销，历史记录保留"), form, "reason_form")


@bp.post("/<int:org_id>/leader")
@roles_required("station", "admin")
def org_leader(org_id: int):
    form = PersonForm(prefix="l")
    if not form.validate_on_submit():
        return _detail(org_id, 422, leader_form=form)
    return _act(org_id, lambda: service.change_leader(db.session, current_user, org_id, form.person_id.data,
                                                      now=clock.now()), _("负责人已更换"), form, "leader_form")


@bp.post("/<int:org_id>/members/add")
@roles_required("station", "admin")
def org_member_add(org_id: int):
    form = PersonForm(prefix="a")
    if not form.validate_on_submit():
        return _detail(org_id, 422, add_form=form)
    return _act(org_id, lambda: service.add_member(db.session, current_user, org_id, form.person_id.data,
                                                   now=clock.now(), today=clock.today()),
                _("已加入该组织"), form, "add_form")


@bp.post("/<int:org_id>/requests/<int:membership_id>/<any(approve, decline):choice>")
@login_required
def member_decide(org_id: int, membership_id: int, choice: str):
    if not ActionForm().validate_on_submit():
        return _detail(org_id, 400)
    return _act(org_id, lambda: service.decide_member(db.session, current_user, membership_id,
                                                      approve=choice == "approve", now=clock.now()),
                _("已批准加入") if choice == "approve" else _("已婉拒该申请"))


@bp.get("/<int:org_id>/members")
@login_required
def org_members(org_id: int):
    org = service.load(db.session, current_user, org_id)
    service.require_leader_or_staff(current_user, org)
    page = page_arg()
    rows, more = queries.members(db.session, org.id, page=page)
    return render_template("orgs/members.html", org=org, rows=rows, more=more, page=page)
