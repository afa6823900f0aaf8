"""Forgotten passwords: ask for a mailed link (verified address) or use a station's one-time code;
staff issue codes; an address is verified by a link (opened, then confirmed with a button)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from timebank import clock
from timebank.accounts import recovery, recovery_mail, throttle
from timebank.accounts.forms import ConfirmActionForm
from timebank.accounts.recovery_forms import CodeResetForm, ForgotForm, NewPasswordForm
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.web import attach_error, client_ip, roles_required

bp = Blueprint("recovery", __name__)


@bp.route("/password/forgot", methods=["GET", "POST"])
@throttle.password_per_client
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        found = recovery.request_reset_link(db.session, form.login.data, now=clock.now())
        db.session.commit()
        if found is not None:
            user, raw = found
            recovery_mail.send_reset_link(user, url_for("recovery.link_password", token=raw, _external=True))
        # the same answer whether or not the login exists or has an address: no one learns who is registered
        return render_template("accounts/forgot_sent.html")
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/forgot.html", form=form, can_mail=recovery_mail.can_mail()), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@throttle.password_per_client
def link_password(token: str):
    g.no_store = True
    token = token[:100]
    if not recovery.link_is_open(db.session, token, now=clock.now()):
        return render_template("accounts/reset_link.html", form=None), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.reset_with_link(db.session, token, form.new_password.data, now=clock.now(), ip=client_ip())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("accounts/reset_link.html", form=form), error.status
        db.session.commit()
        flash(_("新密码已设好，请用新密码登录。"))
        return redirect(url_for("accounts.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/reset_link.html", form=form), status


@bp.route("/password/code", methods=["GET", "POST"])
@throttle.password_per_client
def code_password():
    form = CodeResetForm()
    if form.validate_on_submit():
        try:
            recovery.reset_with_code(db.session, form.login.data, form.code.data, form.new_password.data,
                                     now=clock.now(), ip=client_ip())
        except recovery.WrongResetCode as error:
            db.session.commit()  # keep the count of wrong codes and the audit row, as a failed sign-in does
            attach_error(form, error)
            return render_template("accounts/reset_code.html", form=form), error.status
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("accounts/reset_code.html", form=form), error.status
        db.session.commit()
        flash(_("新密码已设好，请用新密码登录。"))
        return redirect(url_for("accounts.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/reset_code.html", form=form), status


@bp.post("/admin/users/<int:user_id>/reset-code")
@roles_required("admin", "station")
def issue_code(user_id: int):
    g.no_store = True
    if not ConfirmActionForm().validate_on_submit():
        flash(_("页面已过期，请刷新后重试"), "error")
        return redirect(url_for("admin.user_list"))
    code = recovery.issue_reset_code(db.session, current_user, user_id, now=clock.now(), ip=client_ip())
    db.session.commit()
    from timebank.accounts.models import User

    return render_template("accounts/reset_code_issued.html", code=code, user=db.session.get(User, user_id),
                           hours=int(recovery.CODE_LIFETIME.total_seconds() // 3600))


@bp.post("/account/email/verification")
@login_required
def email_send():
    raw = recovery.start_email_verification(db.session, current_user, now=clock.now())
    db.session.commit()
    if raw is None:
        flash(_("请先填写电子邮箱"), "error")
    elif recovery_mail.send_verification(current_user, url_for("recovery.email_page", token=raw, _external=True)):
        flash(_("验证邮件已发出，请在48小时内打开邮件里的链接"))
    else:
        flash(_("邮件暂时发不出去，请稍后再试"), "error")
    return redirect(url_for("notify.preferences"))


@bp.get("/email/confirm/<token>")
def email_page(token: str):
    g.no_store = True
    is_open = recovery.verification_is_open(db.session, token[:100], now=clock.now())
    return render_template("accounts/email_confirm.html", token=token[:100], is_open=is_open,
                           form=ConfirmActionForm()), 200 if is_open else 404


@bp.post("/email/confirm/<token>")
def email_confirm(token: str):
    form = ConfirmActionForm()
    if not form.validate_on_submit():
        return render_template("accounts/email_confirm.html", token=token[:100], is_open=True, form=form), 422
    try:
        recovery.confirm_email(db.session, token[:100], now=clock.now())
    except DomainError:
        db.session.rollback()
        return render_template("accounts/email_confirm.html", token=token[:100], is_open=False, form=form), 404
    db.session.commit()
    return render_template("accounts/email_confirmed.html")
