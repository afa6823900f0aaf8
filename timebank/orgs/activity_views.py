"""Group activity pages: list, posting, one activity with sign-up and confirmation, the attendance list
(bulk check-in/out, enrolment, corrections), the printable QR code and the scan page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from timebank import clock
from timebank.catalog.models import ServiceCategory
from timebank.errors import DomainError, NotFound
from timebank.extensions import db
from timebank.i18n import format_minutes, is_english
from timebank.ledger.retry import committed
from timebank.orgs import activities, attendance, queries
from timebank.orgs import service as orgs
from timebank.orgs.forms import ActionForm, ActivityForm, CorrectForm, TickForm
from timebank.orgs.models import ActivitySignup, AttendanceEvent, VolunteerOrg
from timebank.orgs.views import ANYONE_SERVING, bp, page_arg
from timebank.visits import qr
from timebank.web import attach_error, roles_required


def to_utc(local: datetime | None) -> datetime | None:
    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    return local.replace(tzinfo=tz).astimezone(ZoneInfo("UTC")) if local is not None else None


def activity_labels() -> dict[str, str]:
    return {"pending": _("待社工站审核"), "open": _("报名中"), "cancelled": _("已取消"), "confirmed": _("已确认记时")}


@bp.app_context_processor
def _labels():
    return {"activity_status_labels": activity_labels}


def _ids(name: str = "person_id") -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.isdigit() and len(v) < 11]


@bp.get("/activities")
@roles_required(*ANYONE_SERVING)
def activity_list():
    page = page_arg()
    rows, more = queries.activities_for(db.session, current_user, page=page)
    return render_template("orgs/activities.html", rows=rows, more=more, page=page, now=clock.now())


def _activity_form() -> ActivityForm:
    form = ActivityForm()
    led = db.session.scalars(select(VolunteerOrg).where(
        VolunteerOrg.status == "approved", VolunteerOrg.leader_person_id == current_user.person_id)
        .order_by(VolunteerOrg.name)).all() if current_user.person_id else []
    scoped = queries.orgs_for(db.session, current_user, page=1, status="approved", per_page=100)[0] \
        if current_user.has_role("station", "admin") else []
    staff = current_user.has_role("station", "admin")
    form.org_id.choices = ([(0, _("社工站直接组织（不属于某个组织）"))] if staff else []) + \
        [(o.id, o.name) for o in {o.id: o for o in [*led, *scoped]}.values()]
    form.node_id.choices = [(n.id, n.name) for n in queries.nodes_in_scope(db.session, current_user)] or \
        [(0, _("按所选组织"))]
    english = is_english()
    form.category_id.choices = [(0, _("不指定"))] + [
        (c.id, c.name("en" if english else "zh")) for c in db.session.scalars(
            select(ServiceCategory).order_by(ServiceCategory.sort_order))]
    return form


@bp.get("/activities/new")
@roles_required(*ANYONE_SERVING)
def activity_new():
    return render_template("orgs/activity_new.html", form=_activity_form())


@bp.post("/activities/new")
@roles_required(*ANYONE_SERVING)
def activity_create():
    form = _activity_form()
    if not form.validate_on_submit():
        return render_template("orgs/activity_new.html", form=form), 422
    data = activities.ActivityInput(
        title=form.title.data, place=form.place.data, starts_at=to_utc(form.starts_at.data),
        ends_at=to_utc(form.ends_at.data), capacity=form.capacity.data, org_id=form.org_id.data or None,
        node_id=form.node_id.data or None, category_id=form.category_id.data or None,
        beneficiary_count=form.beneficiary_count.data, description=form.description.data)
    try:
        act = activities.post(db.session, current_user, data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_template("orgs/activity_new.html", form=form), error.status
    db.session.commit()
    flash(_("活动已发布，可以报名了") if act.status == "open" else _("活动已提交，等待社工站审核"))
    return redirect(url_for("orgs.activity_detail", activity_id=act.id))


def _detail(activity_id: int, status: int = 200, error: DomainError | None = None):
    act = activities.load(db.session, current_user, activity_id)
    mine = queries.signup_of(db.session, act.id, current_user.person_id)
    return render_template("orgs/activity.html", act=act, mine=mine, error=error, action=ActionForm(),
                           counts=queries.attendance_counts(db.session, act.id),
                           runner=activities.may_run(current_user, act),
                           staff=orgs.is_staff_for(current_user, act.node), now=clock.now()), status


@bp.get("/activities/<int:activity_id>")
@login_required
def activity_detail(activity_id: int):
    return _detail(activity_id)


def _act(activity_id: int, work, done: str, back: str = "orgs.activity_detail"):
    if not ActionForm().validate_on_submit():
        return _detail(activity_id, 400)
    try:
        result = committed(db.session, work)
    except DomainError as error:
        db.session.rollback()
        if back == "orgs.activity_attendees":
            return _attendees(activity_id, error.status, error=error)
        return _detail(activity_id, error.status, error=error)
    flash(done(result) if callable(done) else done)
    return redirect(url_for(back, activity_id=activity_id))


@bp.post("/activities/<int:activity_id>/signup")
@roles_required("volunteer", "social_worker")
def activity_signup(activity_id: int):
    return _act(activity_id, lambda: activities.sign_up(db.session, current_user, activity_id, now=clock.now(),
                                                        today=clock.today()), _("报名成功"))


@bp.post("/activities/<int:activity_id>/withdraw")
@roles_required("volunteer", "social_worker")
def activity_withdraw(activity_id: int):
    return _act(activity_id, lambda: activities.withdraw(db.session, current_user, activity_id, now=clock.now()),
                _("已取消报名"))


@bp.post("/activities/<int:activity_id>/approve")
@roles_required("station", "admin")
def activity_approve(activity_id: int):
    return _act(activity_id, lambda: activities.approve(db.session, current_user, activity_id, now=clock.now()),
                _("活动已批准，成员可以报名了"))


@bp.post("/activities/<int:activity_id>/cancel")
@login_required
def activity_cancel(activity_id: int):
    return _act(activity_id, lambda: activities.cancel(db.session, current_user, activity_id, now=clock.now()),
                _("活动已取消"))


@bp.post("/activities/<int:activity_id>/confirm")
@roles_required("station", "admin")
def activity_confirm(activity_id: int):
    return _act(activity_id, lambda: attendance.confirm(db.session, current_user, activity_id, now=clock.now(),
                                                        today=clock.today()),
                lambda done: _("已确认活动：%(n)s人共%(m)s已记入", n=done.attendees, m=format_minutes(done.minutes)))


# ---------------------------------------------------------------------------------------------------------
# the attendance list


def _attendees(activity_id: int, status: int = 200, error: DomainError | None = None, tick: TickForm | None = None):
    act = activities.load(db.session, current_user, activity_id)
    activities.require_runner(current_user, act)
    page = page_arg()
    rows, more = queries.attendees(db.session, act.id, page=page)
    return render_template("orgs/attendees.html", act=act, rows=rows, more=more, page=page, error=error,
                           tick=tick or TickForm(prefix="t"), action=ActionForm(),
                           to_enrol=activities.members_to_enrol(db.session, act),
                           counts=queries.attendance_counts(db.session, act.id),
                           history=queries.corrections(db.session, act.id)), status


@bp.get("/activities/<int:activity_id>/attendees")
@login_required
def activity_attendees(activity_id: int):
    return _attendees(activity_id)


@bp.post("/activities/<int:activity_id>/attendance")
@login_required
def activity_tick(activity_id: int):
    form = TickForm(prefix="t")
    if not form.validate_on_submit():
        return _attendees(activity_id, 422, tick=form)
    try:
        count = attendance.tick(db.session, current_user, activity_id, _ids(), form.action.data,
                                at=to_utc(form.at.data), now=clock.now())
    except DomainError as error:
        db.session.rollback()
        return _attendees(activity_id, error.status, error=error, tick=form)
    db.session.commit()
    flash(_("已为%(n)s人登记", n=count))
    return redirect(url_for("orgs.activity_attendees", activity_id=activity_id, page=request.args.get("page", 1)))


@bp.post("/activities/<int:activity_id>/enrol")
@login_required
def activity_enrol(activity_id: int):
    return _act(activity_id, lambda: activities.enrol(db.session, current_user, activity_id, _ids(),
                                                      now=clock.now(), today=clock.today()),
                lambda rows: _("已为%(n)s名成员报名", n=len(rows)), back="orgs.activity_attendees")


def _signup_page(activity_id: int, signup_id: int, status: int = 200, form: CorrectForm | None = None):
    act = activities.load(db.session, current_user, activity_id)
    activities.require_runner(current_user, act)
    row = db.session.get(ActivitySignup, signup_id)
    if row is None or row.activity_id != act.id:
        raise NotFound()
    events = db.session.scalars(select(AttendanceEvent).where(AttendanceEvent.signup_id == row.id)
                                .order_by(AttendanceEvent.id)).all()
    return render_template("orgs/signup.html", act=act, row=row, events=events,
                           form=form or CorrectForm(prefix="c")), status


@bp.get("/activities/<int:activity_id>/signups/<int:signup_id>")
@login_required
def signup_detail(activity_id: int, signup_id: int):
    return _signup_page(activity_id, signup_id)


@bp.post("/activities/<int:activity_id>/signups/<int:signup_id>/correct")
@login_required
def signup_correct(activity_id: int, signup_id: int):
    form = CorrectForm(prefix="c")
    if not form.validate_on_submit():
        return _signup_page(activity_id, signup_id, 422, form)
    try:
        attendance.correct(db.session, current_user, activity_id, signup_id, check_in_at=to_utc(form.check_in_at.data),
                           check_out_at=to_utc(form.check_out_at.data), reason=form.reason.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _signup_page(activity_id, signup_id, error.status, form)
    db.session.commit()
    flash(_("已更正，原记录保留在历史中"))
    return redirect(url_for("orgs.signup_detail", activity_id=activity_id, signup_id=signup_id))


# ---------------------------------------------------------------------------------------------------------
# the QR code and scanning it


@bp.get("/activities/<int:activity_id>/qr")
@login_required
def activity_qr(activity_id: int):
    act = activities.load(db.session, current_user, activity_id)
    activities.require_runner(current_user, act)
    url = url_for("orgs.activity_scan", token=attendance.make_token(act.id), _external=True)
    return render_template("orgs/qr.html", act=act, url=url, svg=qr.svg(url))


@bp.get("/a/<token>")
@login_required
def activity_scan(token: str):
    try:
        found = attendance.scan(db.session, current_user, token, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        return render_template("orgs/scan.html", error=error, found=None, action=ActionForm()), error.status
    return render_template("orgs/scan.html", found=found, error=None, action=ActionForm())


@bp.post("/a/<token>")
@login_required
def activity_scan_record(token: str):
    if not ActionForm().validate_on_submit():
        return render_template("orgs/scan.html", found=None, error=None, action=ActionForm()), 400
    try:
        found = attendance.scan_record(db.session, current_user, token, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        return render_template("orgs/scan.html", error=error, found=None, action=ActionForm()), error.status
    db.session.commit()
    flash(_("签到成功") if found.action == "check_in" else _("签退成功，时长待社工站确认后记入"))
    return redirect(url_for("orgs.activity_detail", activity_id=found.activity.id))
