"""Charity pages (registration, profile, donations, stock history, write-off, pool rule, cash notes, own
detailed report) and the admin pages (approval, item catalog). Parse, call one service, commit, render."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from timebank import clock
from timebank.accounts.models import Station
from timebank.catalog.models import ServiceCategory
from timebank.charity import onboarding, queries, service
from timebank.charity.forms import (
    CashNoteForm,
    CharityForm,
    DonationForm,
    ItemForm,
    PoolRuleForm,
    ProfileForm,
    ReviewForm,
    WriteOffForm,
)
from timebank.charity.models import Charity, ItemCategory
from timebank.errors import DomainError, NotFound
from timebank.extensions import db
from timebank.web import attach_error, roles_required

bp = Blueprint("charity", __name__, url_prefix="/charity")


def hardship_choices():
    from timebank.i18n import labels

    return list(labels()["hardship"].items())


def _eligibility_choices(form) -> None:
    form.statuses.choices = hardship_choices()
    form.township_ids.choices = [(n.id, n.name) for n in queries.townships(db.session)]


def _charity_input(form) -> service.CharityInput:
    return service.CharityInput(name=form.name.data, credit_code=form.credit_code.data,
                                registration=form.registration.data, contact_name=form.contact_name.data,
                                contact_phone=form.contact_phone.data, address=form.address.data,
                                description=form.description.data)


@bp.get("/")
@roles_required("charity")
def dashboard():
    charity = service.charity_of(db.session, current_user)
    if charity is None:
        return redirect(url_for("charity.register"))
    from timebank.workbench.queries import charity_today

    report = queries.transparency(db.session, charity_id=charity.id, tz=current_app.config["TIMEBANK_TIMEZONE"])
    today = charity_today(db.session, charity) if charity.status == "approved" else None
    return render_template("charity/dashboard.html", charity=charity, report=report, today=today,
                           donations=queries.donations_of(db.session, charity.id),
                           pool=queries.pool_account(db.session, charity),
                           rule=queries.pool_rule(db.session, charity.id),
                           notes=queries.cash_notes(db.session, charity.id), note_form=CashNoteForm(),
                           townships={n.id: n.name for n in queries.townships(db.session)})


@bp.route("/register", methods=["GET", "POST"])
@roles_required("charity")
def register():
    existing = service.charity_of(db.session, current_user)
    form = ProfileForm(obj=existing) if existing is not None else CharityForm()
    if form.validate_on_submit():
        try:
            if existing is None:
                service.register_charity(db.session, current_user, _charity_input(form), now=clock.now())
                message = _("已提交登记，请等待县民政局审核")
            else:
                resubmitted = existing.status == "rejected"
                onboarding.update_profile(db.session, current_user, _charity_input(form),
                                       registration_number=form.registration_number.data,
                                       contact_email=form.contact_email.data, now=clock.now())
                message = _("已重新提交，请等待县民政局审核") if resubmitted else _("机构信息已保存")
            db.session.commit()
            flash(message)
            return redirect(url_for("charity.dashboard"))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
    status = 422 if request.method == "POST" else 200
    return render_template("charity/register.html", form=form, charity=existing), status


@bp.route("/donations/new", methods=["GET", "POST"])
@roles_required("charity")
def donation_new():
    service.require_charity(db.session, current_user)
    form = DonationForm()
    form.item_id.choices = [(i.id, f"{i.name(_locale())}({i.unit})") for i in queries.items(db.session)]
    form.station_id.choices = [(s.id, s.name) for s in db.session.scalars(select(Station).order_by(Station.id))]
    _eligibility_choices(form)
    if form.validate_on_submit():
        try:
            donation = service.create_donation(db.session, current_user, service.DonationInput(
                item_id=form.item_id.data, quantity=form.quantity.data, station_id=form.station_id.data,
                statuses=tuple(form.statuses.data or ()), township_ids=tuple(form.township_ids.data or ()),
                min_age=form.min_age.data, max_age=form.max_age.data, use_by=form.use_by.data,
                delivery=form.delivery.data, note=form.note.data), now=clock.now(), today=clock.today())
            db.session.commit()
            flash(_("捐赠已登记，库存 %(n)s", n=donation.stock))
            return redirect(url_for("charity.donation_detail", donation_id=donation.id))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
    status = 422 if request.method == "POST" else 200
    return render_template("charity/donation_new.html", form=form), status


def _locale() -> str:
    from timebank.i18n import is_english

    return "en" if is_english() else "zh_CN"


@bp.get("/donations/<int:donation_id>")
@roles_required("charity", "admin", "station")
def donation_detail(donation_id: int):
    donation = service.load_donation(db.session, current_user, donation_id)
    mine = service.charity_of(db.session, current_user)
    return render_template("charity/donation.html", donation=donation,
                           movements=queries.movements(db.session, donation.id),
                           form=WriteOffForm() if mine is not None and mine.id == donation.charity_id else None,
                           townships={n.id: n.name for n in queries.townships(db.session)})


@bp.post("/donations/<int:donation_id>/write-off")
@roles_required("charity", "admin")
def donation_write_off(donation_id: int):
    form = WriteOffForm()
    if form.validate_on_submit():
        try:
            service.write_off(db.session, current_user, donation_id, quantity=form.quantity.data,
                              reason=form.reason.data, now=clock.now())
            db.session.commit()
            flash(_("已报损"))
            return redirect(url_for("charity.donation_detail", donation_id=donation_id))
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                raise
            attach_error(form, error)
    donation = service.load_donation(db.session, current_user, donation_id)
    return render_template("charity/donation.html", donation=donation, form=form,
                           movements=queries.movements(db.session, donation.id),
                           townships={n.id: n.name for n in queries.townships(db.session)}), 422


@bp.route("/pool", methods=["GET", "POST"])
@roles_required("charity")
def pool_rule():
    charity = service.require_charity(db.session, current_user)
    rule = queries.pool_rule(db.session, charity.id)
    form = PoolRuleForm()
    _eligibility_choices(form)
    form.category_ids.choices = [(c.id, c.name(_locale())) for c in
                                 db.session.scalars(select(ServiceCategory).order_by(ServiceCategory.id))]
    if request.method == "GET" and rule is not None:
        form.statuses.data, form.township_ids.data = rule.status_codes, rule.township_ids
        form.category_ids.data, form.min_age.data, form.max_age.data = rule.category_ids, rule.min_age, rule.max_age
    if form.validate_on_submit():
        try:
            service.set_pool_rule(db.session, current_user, service.PoolRuleInput(
                statuses=tuple(form.statuses.data or ()), min_age=form.min_age.data, max_age=form.max_age.data,
                township_ids=tuple(form.township_ids.data or ()), category_ids=tuple(form.category_ids.data or ())),
                now=clock.now())
            db.session.commit()
            flash(_("时间池使用范围已保存"))
            return redirect(url_for("charity.dashboard"))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
    status = 422 if request.method == "POST" else 200
    return render_template("charity/pool.html", form=form, charity=charity,
                           pool=queries.pool_account(db.session, charity)), status


@bp.post("/notes")
@roles_required("charity")
def note_add():
    form = CashNoteForm()
    if form.validate_on_submit():
        try:
            service.add_cash_note(db.session, current_user, receipt_ref=form.receipt_ref.data, note=form.note.data,
                                  now=clock.now())
            db.session.commit()
            flash(_("已记录（仅作说明，资金以机构自己的收据为准）"))
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
    else:
        flash(_("请填写收据编号和说明"), "error")
    return redirect(url_for("charity.dashboard"))


# ---------------------------------------------------------------------------------------------------------
# admin


@bp.get("/admin")
@roles_required("admin")
def admin_list():
    """Charities in the admin's subtree, pending applications first, one page at a time."""
    page = int(request.args["page"]) if request.args.get("page", "").isdigit() else 1
    page = min(max(page, 1), 10**6)
    status = request.args.get("status") if request.args.get("status") in queries.ADMIN_FILTERS else None
    rows, more = queries.charities_for_admin(db.session, current_user, status=status, page=page)
    return render_template("charity/admin_list.html", charities=rows, more=more, page=page, status=status,
                           filters=queries.ADMIN_FILTERS, form=ReviewForm())


@bp.post("/admin/<int:charity_id>/review")
@roles_required("admin")
def admin_review(charity_id: int):
    form = ReviewForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "reject"):
        flash(_("请求无效"), "error")
        return redirect(url_for("charity.admin_list"))
    if db.session.get(Charity, charity_id) is None:
        raise NotFound()
    try:
        service.review_charity(db.session, current_user, charity_id, approve=form.decision.data == "approve",
                               reason=form.reason.data, now=clock.now())
        db.session.commit()
        flash(_("已审核"))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    return redirect(url_for("charity.admin_list"))


@bp.route("/admin/items", methods=["GET", "POST"])
@roles_required("admin")
def admin_items():
    form = ItemForm()
    form.category_id.choices = [(c.id, c.name(_locale())) for c in
                                db.session.scalars(select(ItemCategory).order_by(ItemCategory.sort_order))]
    if form.validate_on_submit():
        try:
            service.save_item(db.session, current_user, item_id=int(form.item_id.data) if
                              (form.item_id.data or "").isdigit() else None, category_id=form.category_id.data,
                              code=form.code.data, name_zh=form.name_zh.data, name_en=form.name_en.data,
                              unit=form.unit.data, active=form.active.data == "1")
            db.session.commit()
            flash(_("物资目录已保存"))
            return redirect(url_for("charity.admin_items"))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
    status = 422 if request.method == "POST" else 200
    return render_template("charity/items.html", form=form,
                           items=queries.items(db.session, active_only=False)), status


LABEL_REGISTRATION = {"charity": _l("已登记的慈善组织"), "public_fundraising": _l("具有公开募捐资格的慈善组织"),
                      "enterprise": _l("爱心企业"), "social_org": _l("其他社会组织")}
LABEL_STATUS = {"pending": _l("待审核"), "approved": _l("已通过"), "rejected": _l("未通过")}
LABEL_MOVEMENT = {"received": _l("入库"), "allocated": _l("分配预留"), "delivered": _l("已送达"),
                  "returned": _l("退回库存"), "expired": _l("过期"), "written_off": _l("报损")}
LABEL_DELIVERY = {"both": _l("上门送达或到站领取"), "delivery": _l("仅上门送达"), "pickup": _l("仅到站领取")}
LABEL_REQUEST = {"open": _l("待分配"), "allocated": _l("已分配"), "delivered": _l("已送达"), "cancelled": _l("已取消")}
LABEL_ALLOCATION = {"reserved": _l("待收货"), "delivered": _l("已收货"), "returned": _l("已退回")}
LABEL_METHOD = {"pickup": _l("到站领取"), "delivery": _l("上门送达")}
LABEL_WHY = {"status": _l("困难类型不符"), "age": _l("年龄不符"), "township": _l("不在限定乡镇"),
             "use_by_past": _l("已过保质期"), "item": _l("物资不符"), "charity": _l("机构未审核")}


@bp.app_context_processor
def _charity_labels():
    return {"charity_labels": {"registration": LABEL_REGISTRATION, "status": LABEL_STATUS,
                               "movement": LABEL_MOVEMENT, "delivery": LABEL_DELIVERY, "request": LABEL_REQUEST,
                               "allocation": LABEL_ALLOCATION, "method": LABEL_METHOD, "why": LABEL_WHY}}
