"""Login (with the staff code step), logout, password change, volunteer sign-up and the "my account" page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from timebank import clock
from timebank.accounts import queries, throttle, totp
from timebank.accounts import service as accounts
from timebank.accounts.forms import CodeForm, ConfirmActionForm, LoginForm, PasswordChangeForm, SignupForm
from timebank.accounts.models import User
from timebank.catalog import queries as catalog_queries
from timebank.errors import AuthenticationFailed, DomainError
from timebank.extensions import db
from timebank.people import queries as people_queries
from timebank.people import service as people
from timebank.people.weekly_form import SIGNUP_DEFAULT, WEEKDAYS, add_week_fields, read_week
from timebank.web import attach_error, client_ip, safe_next

bp = Blueprint("accounts", __name__)

CODE_STEP_SECONDS = 300  # the code must follow the password within five minutes
CODE_STEP_TRIES = 5


def start_session(user) -> None:
    """A fresh session (no fixation); it ends after TIMEBANK_SESSION_HOURS or when idle too long."""
    session.clear()
    session.permanent = True
    login_user(user)
    stamp = int(clock.now().timestamp())
    session["auth_at"] = stamp
    session["seen_at"] = stamp


def _home_for(user) -> str:
    if user.has_role("admin"):
        return url_for("admin.dashboard")
    if user.has_role("station"):
        return url_for("station.dashboard")
    if user.has_role("charity"):  # a pending or rejected applicant lands on its status page
        return url_for("charity.dashboard")
    return url_for("accounts.me")


# While one of these is pending, every other page leads to it.
_OPEN_WHILE_PENDING = {"accounts.logout", "accounts.password_change", "accounts.totp_enrol", "static",
                       "core.set_language", "core.set_elder_mode"}


def _idle_limit_seconds(user) -> int:
    config = current_app.config
    minutes = config["TIMEBANK_SESSION_IDLE_MINUTES_STAFF"] if user.is_staff else config["TIMEBANK_SESSION_IDLE_MINUTES"]
    return int(minutes) * 60


@bp.before_app_request
def session_gate():
    """Idle and absolute session limits; then the steps a login must finish first (own password, 2FA)."""
    if request.endpoint in (None, "static") or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated:
        return None
    now = int(clock.now().timestamp())
    started, seen = session.get("auth_at"), session.get("seen_at")
    too_old = started is None or now - started > current_app.config["TIMEBANK_SESSION_HOURS"] * 3600
    too_idle = seen is None or now - seen > _idle_limit_seconds(current_user)
    if too_old or too_idle:
        logout_user()
        session.clear()
        flash(_("为保护账号安全，长时间未操作或登录时间过长后会自动退出，请重新登录。"), "warning")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("accounts.login", next=target))
    if now - seen >= 60:  # refresh the idle clock at most once a minute (fewer new cookies)
        session["seen_at"] = now
    if request.endpoint in _OPEN_WHILE_PENDING:
        return None
    if totp.required_for(current_user) and not current_user.totp_enabled:
        return redirect(url_for("accounts.totp_enrol"))
    if current_user.must_change_password:
        flash(_("请先把别人为您设置的初始密码改成只有您自己知道的密码。"), "warning")
        return redirect(url_for("accounts.password_change"))
    return None


@bp.route("/login", methods=["GET", "POST"])
@throttle.login_per_client
@throttle.login_per_account
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
        target = safe_next(request.args.get("next"))
        if totp.required_for(user) and user.totp_enabled:
            session.clear()
            session["code_step"] = {"user": user.id, "version": user.session_version,
                                    "at": int(clock.now().timestamp()), "next": target, "tries": 0}
            return redirect(url_for("accounts.login_code"))
        start_session(user)
        return redirect(target or _home_for(user))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


def _pending_code_user() -> tuple[dict, User] | None:
    pending = session.get("code_step")
    if not isinstance(pending, dict):
        return None
    if int(clock.now().timestamp()) - pending.get("at", 0) > CODE_STEP_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_version != pending.get("version"):
        return None
    return pending, user


@bp.route("/login/code", methods=["GET", "POST"])
@throttle.login_per_client
def login_code():
    """Second step for staff: a code from the authenticator app, or a recovery code."""
    found = _pending_code_user()
    if found is None:  # no password step before it, or it is too old: start again
        session.pop("code_step", None)
        return render_template("accounts/login_code.html", expired=True), 200 if request.method == "GET" else 401
    pending, user = found
    form = CodeForm()
    if form.validate_on_submit():
        ok = totp.verify(db.session, user, form.code.data, now=clock.now(), ip=client_ip())
        db.session.commit()
        if ok:
            start_session(user)
            return redirect(pending.get("next") or _home_for(user))
        pending["tries"] = pending.get("tries", 0) + 1
        if pending["tries"] >= CODE_STEP_TRIES:
            session.pop("code_step", None)
            flash(_("验证码错误次数过多，请重新登录。"), "error")
            return redirect(url_for("accounts.login"))
        session["code_step"] = pending
        form.code.errors.append(_("验证码不正确或已经用过，请输入手机上显示的最新验证码。"))
        return render_template("accounts/login_code.html", form=form), 401
    return render_template("accounts/login_code.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/account/totp", methods=["GET", "POST"])
@login_required
def totp_enrol():
    """Staff set up the authenticator app: QR code and secret, a first code, then recovery codes once."""
    if not current_user.is_staff:
        abort(404)
    if current_user.totp_enabled:
        return render_template("accounts/totp.html", enabled=True)
    secret = totp.pending_secret(db.session, current_user)
    db.session.commit()
    form = CodeForm()
    uri = totp.provisioning_uri(current_user, secret)
    if form.validate_on_submit():
        codes = totp.confirm_enrolment(db.session, current_user, form.code.data, now=clock.now())
        db.session.commit()
        if codes:
            return render_template("accounts/totp.html", enabled=True, recovery_codes=codes)
        form.code.errors.append(_("验证码不正确，请检查手机时间是否准确后，输入最新的验证码。"))
        return render_template("accounts/totp.html", form=form, secret=secret, qr=totp.qr_svg(uri)), 422
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/totp.html", form=form, secret=secret, qr=totp.qr_svg(uri)), status


@bp.post("/logout")
@login_required
def logout():
    accounts.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("已退出登录"))
    return redirect(url_for("core.home"))


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    ConfirmActionForm().validate_on_submit()
    accounts.logout_everywhere(db.session, current_user, now=clock.now(), ip=client_ip())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("已在所有设备上退出登录，所有访问令牌已作废。"))
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@throttle.password_per_client
def password_change():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, current_user, form.current_password.data,
                                     form.new_password.data, now=clock.now())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("accounts/password.html", form=form), error.status
        db.session.commit()
        login_user(current_user._get_current_object())  # this browser keeps a session with the new version
        flash(_("密码已修改，其他设备上的登录已全部退出"))
        return redirect(url_for("accounts.me"))
    return render_template("accounts/password.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/signup", methods=["GET", "POST"])
@throttle.signup_per_client
def signup():
    form = add_week_fields(SignupForm, default=SIGNUP_DEFAULT)()
    form.village_id.choices = [(0, _("请选择"))] + queries.village_choices(db.session)
    skills = catalog_queries.skills(db.session)
    chosen = [int(v) for v in request.form.getlist("skills") if v.isdigit()]
    weekly = read_week(form) if form.validate_on_submit() else None
    if weekly is not None:
        data = people.SignupInput(
            person=accounts.PersonInput(name=form.name.data, id_number=form.id_number.data,
                                        phone=form.phone.data, address=None, node_id=form.village_id.data),
            password=form.password.data,
            skill_ids=tuple(chosen),
            emergency_contact_name=form.emergency_contact_name.data,
            emergency_contact_phone=form.emergency_contact_phone.data,
            privacy_consent=form.privacy_consent.data,
            weekly=weekly,
        )
        try:
            people.signup_volunteer(db.session, data, today=clock.today(), now=clock.now(), ip=client_ip())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("accounts/signup.html", form=form, skills=skills, chosen=chosen,
                                   weekdays=WEEKDAYS), error.status
        db.session.commit()
        # The same answer whether or not the ID number or phone was already registered (no enumeration).
        return redirect(url_for("accounts.signup_done"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/signup.html", form=form, skills=skills, chosen=chosen, weekdays=WEEKDAYS), status


@bp.get("/signup/done")
def signup_done():
    return render_template("accounts/signup_done.html")


@bp.get("/me")
@login_required
def me():
    from timebank.workbench import queries as workbench

    profile = people_queries.volunteer_profile(db.session, current_user.person_id)
    volunteer = (workbench.volunteer_today(db.session, current_user, now=clock.now())
                 if profile is not None and profile.status == "approved" else None)
    relative = workbench.relative_today(db.session, current_user) if current_user.person_id else None
    return render_template("accounts/me.html", profile=profile, form=ConfirmActionForm(),
                           today_volunteer=volunteer, today_relative=relative)
