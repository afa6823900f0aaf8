"""Charity onboarding pages: the public application, the owner's member page, and the admin's pages to
open a charity directly, see one charity with its members, and deactivate or reactivate it. Parse, call one
service, commit, render."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank import clock
from timebank.accounts import throttle
from timebank.accounts.forms import ConfirmActionForm
from timebank.charity import onboarding, service
from timebank.charity.forms import ApplyForm, DeactivateForm, MemberForm, OpenCharityForm
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.web import attach_error, client_ip, roles_required

bp = Blueprint("charity_onboarding", __name__, url_prefix="/charity")


def application_input(form) -> onboarding.ApplicationInput:
    return onboarding.ApplicationInput(
        charity=service.CharityInput(name=form.name.data, credit_code=form.credit_code.data,
                                     registration=form.registration.data, contact_name=form.contact_name.data,
                                     contact_phone=form.contact_phone.data, address=form.address.data,
                                     description=form.description.data),
        registration_number=form.registration_number.data, contact_email=form.contact_email.data,
        login=onboarding.LoginInput(username=form.username.data, password=form.password.data,
                                    name=form.contact_name.data))


@bp.route("/apply", methods=["GET", "POST"])
@throttle.signup_per_client
def apply():
    """Public: a charity registers itself and its first login, then waits for the county's approval."""
    form = ApplyForm()
    if form.validate_on_submit():
        try:
            onboarding.apply(db.session, application_input(form), now=clock.now(), ip=client_ip())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("charity/apply.html", form=form), error.status
        db.session.commit()
        return redirect(url_for("charity_onboarding.applied"))
    return render_template("charity/apply.html", form=form), 422 if request.method == "POST" else 200


@bp.get("/apply/done")
def applied():
    return render_template("charity/applied.html")


# ---------------------------------------------------------------------------------------------------------
# members (the charity's owners; the county admin from the charity's admin page)


def _members_page(charity, form, status: int = 200):
    own = onboarding.membership(db.session, current_user)
    return render_template("charity/members.html", charity=charity, form=form, confirm=ConfirmActionForm(),
                           members=onboarding.members(db.session, current_user, charity.id),
                           is_owner=own is not None and own.is_owner and own.removed_at is None), status


@bp.get("/members")
@roles_required("charity")
def members():
    charity = service.require_charity(db.session, current_user, approved=False)
    return _members_page(charity, MemberForm())


@bp.post("/members")
@roles_required("charity")
def member_add():
    charity = service.require_charity(db.session, current_user, approved=False)
    form = MemberForm()
    if not form.validate_on_submit():
        return _members_page(charity, form, 422)
    try:
        member = onboarding.add_member(db.session, current_user, charity.id, onboarding.LoginInput(
            username=form.username.data, password=form.password.data, name=form.name.data, email=form.email.data),
            role=form.role.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 403:
            raise
        attach_error(form, error)
        return _members_page(service.require_charity(db.session, current_user, approved=False), form, error.status)
    db.session.commit()
    flash(_("已添加成员%(name)s，请把用户名和初始密码告诉对方，首次登录后须修改密码。", name=member.name))
    return redirect(url_for("charity_onboarding.members"))


@bp.post("/members/<int:user_id>/remove")
@roles_required("charity")
def member_remove(user_id: int):
    ConfirmActionForm().validate_on_submit()
    charity = service.require_charity(db.session, current_user, approved=False)
    try:
        onboarding.remove_member(db.session, current_user, charity.id, user_id, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        flash(str(error.message))
        return redirect(url_for("charity_onboarding.members"))
    db.session.commit()
    flash(_("已移除该成员，其登录已停用。"))
    return redirect(url_for("charity_onboarding.members"))


# ---------------------------------------------------------------------------------------------------------
# admin


@bp.route("/admin/new", methods=["GET", "POST"])
@roles_required("admin")
def admin_open():
    """The county opens a charity directly (approved at once, owner login with an initial password)."""
    form = OpenCharityForm()
    if form.validate_on_submit():
        try:
            charity = onboarding.open_charity(db.session, current_user, application_input(form), now=clock.now())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("charity/admin_new.html", form=form), error.status
        db.session.commit()
        flash(_("已开通机构%(name)s，负责人首次登录后须修改初始密码。", name=charity.name))
        return redirect(url_for("charity_onboarding.admin_detail", charity_id=charity.id))
    return render_template("charity/admin_new.html", form=form), 422 if request.method == "POST" else 200


def _detail(charity, form, status: int = 200):
    return render_template("charity/admin_detail.html", charity=charity, form=form, confirm=ConfirmActionForm(),
                           members=onboarding.members(db.session, current_user, charity.id)), status


@bp.get("/admin/<int:charity_id>")
@roles_required("admin")
def admin_detail(charity_id: int):
    return _detail(onboarding.load_for_admin(db.session, current_user, charity_id), DeactivateForm())


@bp.post("/admin/<int:charity_id>/deactivate")
@roles_required("admin")
def admin_deactivate(charity_id: int):
    form = DeactivateForm()
    charity = onboarding.load_for_admin(db.session, current_user, charity_id)
    if form.validate_on_submit():
        try:
            onboarding.deactivate(db.session, current_user, charity_id, reason=form.reason.data, now=clock.now())
            db.session.commit()
            flash(_("机构已停用，其所有成员的登录已失效，时间池不再支付新的服务。"))
            return redirect(url_for("charity_onboarding.admin_detail", charity_id=charity_id))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return _detail(onboarding.load_for_admin(db.session, current_user, charity_id), form, error.status)
    return _detail(charity, form, 422)


@bp.post("/admin/<int:charity_id>/reactivate")
@roles_required("admin")
def admin_reactivate(charity_id: int):
    ConfirmActionForm().validate_on_submit()
    try:
        onboarding.reactivate(db.session, current_user, charity_id, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        flash(str(error.message))
        return redirect(url_for("charity_onboarding.admin_detail", charity_id=charity_id))
    db.session.commit()
    flash(_("机构已恢复使用。"))
    return redirect(url_for("charity_onboarding.admin_detail", charity_id=charity_id))
