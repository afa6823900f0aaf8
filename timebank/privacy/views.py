"""Personal-data pages: /me/privacy (export, correct, close) and the station's list of requests to decide."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from timebank import clock
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.people.models import ResidentProfile
from timebank.privacy import export, queries
from timebank.privacy import service as privacy
from timebank.privacy.forms import ClosureForm, CorrectionForm, DecisionForm, ExportForm
from timebank.web import attach_error, client_ip, roles_required

bp = Blueprint("privacy", __name__)
STAFF = ("station", "admin")


def _correction_form() -> CorrectionForm:
    form = CorrectionForm(prefix="c")
    form.field.choices = [("", _("请选择"))] + [(k, str(v)) for k, v in privacy.field_labels().items()]
    return form


def _mine(status: int = 200, correction=None, closure=None):
    corrections, closures = queries.mine(db.session, current_user)
    blockers = privacy.closure_blockers(db.session, current_user.person_id) if current_user.person_id else []
    return render_template("privacy/mine.html", corrections=corrections, closures=closures, blockers=blockers,
                           blocker_messages=privacy.blocker_messages(), fields=privacy.field_labels(),
                           correction=correction or _correction_form(), closure=closure or ClosureForm(prefix="x"),
                           export_form=ExportForm()), status


@bp.get("/me/privacy")
@login_required
def mine():
    return _mine()


@bp.post("/me/privacy/export")
@login_required
def export_download():
    if not ExportForm().validate_on_submit():
        return _mine(400)
    data = privacy.export_self(db.session, current_user, now=clock.now(), ip=client_ip())
    db.session.commit()
    stamp = clock.today().isoformat()
    return Response(export.as_zip(data), mimetype="application/zip",
                    headers={"Content-Disposition": f"attachment; filename=personal-data-{stamp}.zip"})


@bp.post("/me/privacy/corrections")
@login_required
def correction_create():
    form = _correction_form()
    if not form.validate_on_submit():
        return _mine(422, correction=form)
    try:
        privacy.submit_correction(db.session, current_user, field=form.field.data, new_value=form.new_value.data,
                                  note=form.note.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _mine(error.status, correction=form)
    db.session.commit()
    flash(_("已提交更正申请，社工站核实后会更正并通知您"))
    return redirect(url_for("privacy.mine"))


@bp.post("/me/privacy/closure")
@login_required
def closure_create():
    form = ClosureForm(prefix="x")
    if not form.validate_on_submit():
        return _mine(422, closure=form)
    try:
        privacy.submit_closure(db.session, current_user, note=form.note.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _mine(error.status, closure=form)
    db.session.commit()
    flash(_("已提交注销申请，社工站处理后账号即注销"))
    return redirect(url_for("privacy.mine"))


# ---------------------------------------------------------------------------------------------------------
# the station decides


def _station(status: int = 200, forms: dict | None = None):
    state = request.args.get("status") if request.args.get("status") in ("open", "done", "rejected") else "open"
    corrections, closures = queries.for_station(db.session, current_user, status=state)
    ids = {row.person_id for row in corrections + closures}
    residents = set(db.session.scalars(select(ResidentProfile.person_id).where(ResidentProfile.person_id.in_(ids))))
    return render_template("privacy/station.html", corrections=corrections, closures=closures, state=state,
                           residents=residents, fields=privacy.field_labels(), forms=forms or {},
                           blank=DecisionForm, blockers={row.id: privacy.closure_blockers(db.session, row.person_id)
                                                         for row in closures if row.status == "open"},
                           blocker_messages=privacy.blocker_messages()), status


@bp.get("/station/privacy")
@roles_required(*STAFF)
def station_list():
    return _station()


def _decide(kind: str, row_id: int, work, message: str):
    form = DecisionForm()
    if not form.validate_on_submit():
        return _station(422, {(kind, row_id): form})
    try:
        work(form.reason.data)
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _station(error.status, {(kind, row_id): form})
    db.session.commit()
    flash(message)
    return redirect(url_for("privacy.station_list"))


@bp.post("/station/privacy/corrections/<int:correction_id>")
@roles_required(*STAFF)
def correction_decide(correction_id: int):
    done = request.form.get("decision") == "done"
    return _decide("correction", correction_id, lambda reason: privacy.decide_correction(
        db.session, current_user, correction_id, done=done, reason=reason, now=clock.now()),
        _("已标记为已更正") if done else _("已标记为不予更正"))


@bp.post("/station/privacy/closures/<int:closure_id>")
@roles_required(*STAFF)
def closure_decide(closure_id: int):
    approve = request.form.get("decision") == "approve"
    return _decide("closure", closure_id, lambda reason: privacy.decide_closure(
        db.session, current_user, closure_id, approve=approve, reason=reason, now=clock.now()),
        _("账号已注销，个人信息已清除") if approve else _("已驳回注销申请"))
