"""Station goods pages (requests, allocation by hand, cancellation, receipt) and 我的物资 for residents and
relatives (receipt confirmation). Every write goes through charity.allocation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from timebank import clock
from timebank.charity import allocation, queries
from timebank.charity.forms import AllocateForm, GoodsRequestForm, ReasonForm, ReceiptForm
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.people import queries as people_queries
from timebank.web import attach_error, roles_required

bp = Blueprint("goods", __name__, url_prefix="/goods")
STAFF = ("station", "admin")


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


@bp.get("/")
@roles_required(*STAFF)
def request_list():
    status = request.args.get("status") or None
    page = _page()
    rows, more = queries.goods_requests(db.session, current_user, status=status, page=page)
    return render_template("charity/goods_list.html", rows=rows, more=more, page=page, status=status)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def request_new():
    form = GoodsRequestForm()
    q = (request.args.get("q") or "").strip()[:40]
    residents, more = people_queries.residents(db.session, current_user, page=1, q=q or None)
    wanted = request.values.get("resident_id", "")
    if wanted.isascii() and wanted.isdigit() and all(r.person_id != int(wanted) for r in residents):
        chosen = people_queries.resident_in_scope(db.session, current_user, int(wanted))
        residents = ([chosen] if chosen is not None else []) + residents  # the one asked for, even if not listed
    form.resident_id.choices = [SelectChoice(0, _("请选择服务对象"))] + [
        SelectChoice(r.person_id, f"{r.person.name}（{r.person.node.name}）") for r in residents]
    if wanted.isascii() and wanted.isdigit() and request.method == "GET":
        form.resident_id.data = int(wanted)
    form.item_id.choices = [(i.id, f"{i.name_en if _en() else i.name_zh}({i.unit})") for i in queries.items(db.session)]
    if form.validate_on_submit():
        try:
            goods = allocation.post_request(db.session, current_user, allocation.GoodsRequestInput(
                resident_id=form.resident_id.data, item_id=form.item_id.data, quantity=form.quantity.data,
                reason=form.reason.data), now=clock.now(), today=clock.today())
            db.session.commit()
            flash(_("物资申请已提交"))
            return redirect(url_for("goods.request_detail", request_id=goods.id))
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                raise
            attach_error(form, error)
    status = 422 if request.method == "POST" else 200
    return render_template("charity/goods_new.html", form=form, more=more, shown=len(residents), q=q), status


def _en() -> bool:
    from timebank.i18n import is_english

    return is_english()


def _detail(request_id: int, form=None, status: int = 200):
    goods = allocation.load_request(db.session, current_user, request_id)
    candidates = queries.candidate_donations(db.session, goods, clock.today()) if goods.status == "open" else []
    return render_template("charity/goods_detail.html", goods=goods, candidates=candidates,
                           form=form or AllocateForm(), reason_form=ReasonForm(), confirm_form=ReceiptForm()), status


@bp.get("/<int:request_id>")
@roles_required(*STAFF)
def request_detail(request_id: int):
    return _detail(request_id)


@bp.post("/<int:request_id>/allocate")
@roles_required(*STAFF)
def request_allocate(request_id: int):
    form = AllocateForm()
    if form.validate_on_submit():
        try:
            donation_id = int(form.donation_id.data) if form.donation_id.data.isdigit() else None
            allocation.allocate(db.session, current_user, request_id, donation_id, method=form.method.data,
                                now=clock.now(), today=clock.today())
            db.session.commit()
            flash(_("已分配，库存已预留"))
            return redirect(url_for("goods.request_detail", request_id=request_id))
        except DomainError as error:
            db.session.rollback()
            if error.status == 404 and error.field is None:
                raise
            attach_error(form, error)
    return _detail(request_id, form, 422)


@bp.post("/<int:request_id>/cancel")
@roles_required(*STAFF)
def request_cancel(request_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        return _detail(request_id, status=422)
    allocation.cancel_request(db.session, current_user, request_id, reason=form.reason.data, now=clock.now())
    db.session.commit()
    flash(_("物资申请已取消，预留的物资已退回库存"))
    return redirect(url_for("goods.request_detail", request_id=request_id))


@bp.post("/allocations/<int:allocation_id>/cancel")
@roles_required(*STAFF)
def allocation_cancel(allocation_id: int):
    form = ReasonForm()
    request_id = request.form.get("request_id", "")
    if not form.validate_on_submit():
        flash(_("请填写取消原因"), "error")
    else:
        alloc = allocation.cancel_allocation(db.session, current_user, allocation_id, reason=form.reason.data,
                                             now=clock.now())
        db.session.commit()
        request_id = str(alloc.request_id)
        flash(_("分配已取消，物资已退回库存"))
    if request_id.isdigit():
        return redirect(url_for("goods.request_detail", request_id=int(request_id)))
    return redirect(url_for("goods.request_list"))


@bp.post("/allocations/<int:allocation_id>/receipt")
@login_required
def allocation_receipt(allocation_id: int):
    form = ReceiptForm()
    if not form.validate_on_submit():
        flash(_("页面已过期，请刷新后重试"), "error")
    else:
        try:
            alloc = allocation.confirm_receipt(db.session, current_user, allocation_id, now=clock.now(),
                                               rating=form.rating.data if "rating" in request.form else None,
                                               today=clock.today())
            db.session.commit()
            flash(_("已确认收货，送物资服务也已确认，志愿者的时长已记入") if alloc.visit_confirmed_now
                  else _("已确认收货"))
            if alloc.received_role == "staff":
                return redirect(url_for("goods.request_detail", request_id=alloc.request_id))
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                raise
            flash(str(error.message), "error")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("goods.mine"))


@bp.get("/mine")
@roles_required("resident", "relative")
def mine():
    return render_template("charity/goods_mine.html", rows=queries.allocations_for_person(
        db.session, current_user.person_id), form=ReceiptForm())
