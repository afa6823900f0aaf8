"""Matching pages: stations run matching and review proposals; volunteers accept or decline theirs."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from timebank import clock
from timebank.dispatch import queries, service
from timebank.errors import DomainError, NotFound
from timebank.extensions import db
from timebank.web import roles_required

bp = Blueprint("dispatch", __name__, url_prefix="/dispatch")
STAFF = ("station", "admin")


class ActionForm(FlaskForm):
    pass


@bp.get("/")
@roles_required(*STAFF)
def run_list():
    return render_template("dispatch/runs.html", runs=queries.runs(db.session, current_user),
                           scopes=queries.scopes(db.session, current_user), form=ActionForm())


@bp.post("/run")
@roles_required(*STAFF)
def run_create():
    ActionForm().validate_on_submit()
    node_id = int(request.form["node_id"]) if request.form.get("node_id", "").isdigit() else None
    scope = service.scope_for(db.session, current_user, node_id)
    run = service.run_matching(db.session, current_user, scope, now=clock.now())
    db.session.commit()
    if run.status == "ok":
        flash(_("匹配完成：向志愿者发出%(n)s个推荐", n=run.assigned))
    else:
        flash(_("匹配失败，已记录原因，数据没有任何改动"), "error")
    return redirect(url_for("dispatch.run_detail", run_id=run.id))


@bp.app_template_global()
def match_outcome(solver_status: str | None) -> str:
    """The solver's status in plain words (never OPTIMAL/FEASIBLE on a page)."""
    return {"OPTIMAL": _("已找到最好的安排"), "FEASIBLE": _("已找到可行的安排（时间到了，未必最好）")}.get(
        solver_status or "", _("没有找到可行的安排"))


@bp.get("/runs/<int:run_id>")
@roles_required(*STAFF)
def run_detail(run_id: int):
    run = queries.run_detail(db.session, current_user, run_id)
    if run is None:
        raise NotFound()
    by_request = {}
    for proposal in run.proposals:
        by_request.setdefault(proposal.request, []).append(proposal)
    goods, goods_requests, donations = queries.goods_of_run(db.session, run.id)
    return render_template("dispatch/run.html", run=run, by_request=by_request, form=ActionForm(), goods=goods,
                           goods_requests=goods_requests, donations=donations)


@bp.post("/proposals/<int:proposal_id>/withdraw")
@roles_required(*STAFF)
def proposal_withdraw(proposal_id: int):
    ActionForm().validate_on_submit()
    proposal = service.withdraw(db.session, current_user, proposal_id, reason=request.form.get("reason", ""),
                                now=clock.now())
    db.session.commit()
    flash(_("已撤回推荐"))
    return redirect(url_for("dispatch.run_detail", run_id=proposal.run_id))


@bp.get("/mine")
@roles_required("volunteer", "social_worker")
def mine():
    return render_template("dispatch/mine.html", proposals=queries.mine(db.session, current_user.person_id),
                           form=ActionForm(), now=clock.now())


@bp.post("/proposals/<int:proposal_id>/accept")
@roles_required("volunteer", "social_worker")
def proposal_accept(proposal_id: int):
    ActionForm().validate_on_submit()
    try:
        proposal = service.accept(db.session, current_user, proposal_id, now=clock.now(), today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        flash(_("无法接受：%(why)s", why=error.message), "error")
        return redirect(url_for("dispatch.mine"))
    db.session.commit()
    flash(_("已接受，服务已加入“我的任务”"))
    return redirect(url_for("visits.detail", request_id=proposal.request_id))


@bp.post("/proposals/<int:proposal_id>/decline")
@roles_required("volunteer", "social_worker")
def proposal_decline(proposal_id: int):
    ActionForm().validate_on_submit()
    service.decline(db.session, current_user, proposal_id, reason=request.form.get("reason"), now=clock.now())
    db.session.commit()
    flash(_("已婉拒，名额会推荐给其他志愿者"))
    return redirect(url_for("dispatch.mine"))


@bp.post("/goods/<int:proposal_id>/accept")
@roles_required(*STAFF)
def goods_accept(proposal_id: int):
    ActionForm().validate_on_submit()
    method = request.form.get("method", "pickup")
    try:
        proposal = service.accept_goods(db.session, current_user, proposal_id, method=method, now=clock.now(),
                                        today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        flash(_("无法分配：%(why)s", why=error.message), "error")
        return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                        else url_for("dispatch.run_list"))
    db.session.commit()
    flash(_("已按推荐分配物资"))
    return redirect(url_for("dispatch.run_detail", run_id=proposal.run_id))


@bp.post("/goods/<int:proposal_id>/reject")
@roles_required(*STAFF)
def goods_reject(proposal_id: int):
    ActionForm().validate_on_submit()
    proposal = service.reject_goods(db.session, current_user, proposal_id, reason=request.form.get("reason"),
                                    now=clock.now())
    db.session.commit()
    flash(_("已拒绝该物资推荐，下次匹配不再推荐这批捐赠给该申请"))
    return redirect(url_for("dispatch.run_detail", run_id=proposal.run_id))
