"""Login, logout, password change, volunteer sign-up and the "my account" page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from timebank import clock
from timebank.accounts import queries
from timebank.accounts import service as accounts
from timebank.accounts.forms import LoginForm, PasswordChangeForm, SignupForm
from timebank.catalog import queries as catalog_queries
from timebank.errors import AuthenticationFailed, DomainError
from timebank.extensions import db
from timebank.people import queries as people_queries
from timebank.people import service as people
from timebank.web import attach_error, client_ip, safe_next

bp = Blueprint("accounts", __name__)


def start_session(user) -> None:
    """A fresh session (no fixation) that expires after TIMEBANK_SESSION_HOURS."""
    session.clear()
    session.permanent = True
    login_user(user)


def _home_for(user) -> str:
    if user.has_role("admin"):
        return url_for("admin.dashboard")
    if user.has_role("station"):
        return url_for("station.dashboard")
    return url_for("accounts.me")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db.session, form.login.data, form.password.data,
                                         now=clock.now(), ip=client_ip())
        except AuthenticationFailed as error:
            db.session.commit()  # keep the failure count and the audit row
            form.password.errors.append(str(error.message))
            return render_template("accounts/login.html", form=form), 401
        db.session.commit()
        start_session(user)
        return redirect(safe_next(request.args.get("next")) or _home_for(user))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    accounts.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("已退出登录"))
    return redirect(url_for("core.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_change():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, current_user, form.current_password.data,
                                     form.new_password.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("accounts/password.html", form=form), error.status
        db.session.commit()
        login_user(current_user._get_current_object())  # this browser keeps a session with the new version
        flash(_("密码已修改,其他设备上的登录已全部退出"))
        return redirect(url_for("accounts.me"))
    return render_template("accounts/password.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    form.village_id.choices = [(0, _("请选择"))] + queries.village_choices(db.session)
    skills = catalog_queries.skills(db.session)
    chosen = [int(v) for v in request.form.getlist("skills") if v.isdigit()]
    if form.validate_on_submit():
        data = people.SignupInput(
            person=accounts.PersonInput(name=form.name.data, id_number=form.id_number.data,
                                        phone=form.phone.data, address=None, node_id=form.village_id.data),
            password=form.password.data,
            skill_ids=tuple(chosen),
            emergency_contact_name=form.emergency_contact_name.data,
            emergency_contact_phone=form.emergency_contact_phone.data,
            privacy_consent=form.privacy_consent.data,
        )
        try:
            user = people.signup_volunteer(db.session, data, today=clock.today(), now=clock.now())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("accounts/signup.html", form=form, skills=skills, chosen=chosen), error.status
        db.session.commit()
        start_session(user)
        flash(_("注册成功!社工站审核通过后即可接受服务任务"))
        return redirect(url_for("accounts.me"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/signup.html", form=form, skills=skills, chosen=chosen), status


@bp.get("/me")
@login_required
def me():
    profile = people_queries.volunteer_profile(db.session, current_user.person_id)
    return render_template("accounts/me.html", profile=profile)
