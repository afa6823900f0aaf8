"""Certificate pages: staff issue (from a volunteer's page or a request), list, revoke; a volunteer requests
one and downloads their own; the PDF. The public status page is in public_views.py."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from timebank import clock
from timebank.audit import access
from timebank.certificates import pdf, queries, service
from timebank.certificates.forms import DeclineForm, PeriodForm, RequestForm, RevokeForm
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.web import attach_error, roles_required

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
STAFF = ("station", "admin")


def _tz() -> str:
    return current_app.config["TIMEBANK_TIMEZONE"]


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 100000)) if value.isdigit() else 1


def verify_url(certificate) -> str:
    return url_for("certificate_public.status", token=certificate.token, _external=True)


@bp.get("/")
@roles_required(*STAFF)
def index():
    page = _page()
    certificates, more = queries.certificates_in_scope(db.session, current_user, page=page)
    pending, _more = queries.pending_requests(db.session, current_user, page=1)
    return render_template("certificates/index.html", certificates=certificates, more=more, page=page,
                           pending=pending, decline_form=DeclineForm(formdata=None))


def _default_period(form: PeriodForm) -> None:
    today = clock.today()
    if form.period_start.data is None and not form.is_submitted():
        form.period_start.data = date(today.year, 1, 1)
    if form.period_end.data is None and not form.is_submitted():
        form.period_end.data = today


@bp.route("/issue/<int:person_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def issue(person_id: int):
    person = service.load_volunteer(db.session, current_user, person_id)
    form = PeriodForm()
    _default_period(form)
    status = 200
    if form.validate_on_submit():
        try:
            certificate = service.issue(db.session, current_user,
                                        service.IssueInput(person.id, form.period_start.data, form.period_end.data),
                                        today=clock.today(), now=clock.now(), tz=_tz())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("已出具志愿服务记录证明，编号 %(serial)s", serial=certificate.serial))
            return redirect(url_for("certificates.detail", certificate_id=certificate.id))
    elif form.is_submitted():
        status = 422
    lines = []
    if form.period_start.data and form.period_end.data and form.period_start.data <= form.period_end.data:
        lines = service.records(db.session, person.id, form.period_start.data, form.period_end.data, _tz())
    return render_template("certificates/issue.html", person=person, form=form, lines=lines,
                           total=sum(line.minutes for line in lines)), status


@bp.get("/<int:certificate_id>")
@login_required
def detail(certificate_id: int):
    certificate = service.load_certificate(db.session, current_user, certificate_id)
    return render_template("certificates/detail.html", certificate=certificate,
                           revoke_form=RevokeForm(formdata=None), verify_url=verify_url(certificate))


@bp.post("/<int:certificate_id>/revoke")
@roles_required(*STAFF)
def revoke(certificate_id: int):
    form = RevokeForm()
    certificate = service.load_certificate(db.session, current_user, certificate_id)
    if form.validate_on_submit():
        try:
            service.revoke(db.session, current_user, certificate_id, reason=form.reason.data, now=clock.now())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("证明已撤销"))
            return redirect(url_for("certificates.detail", certificate_id=certificate_id))
    certificate = service.load_certificate(db.session, current_user, certificate_id)
    return render_template("certificates/detail.html", certificate=certificate, revoke_form=form,
                           verify_url=verify_url(certificate)), 422


@bp.get("/<int:certificate_id>/pdf")
@login_required
def download(certificate_id: int):
    certificate = service.load_certificate(db.session, current_user, certificate_id)
    data = queries.pdf_data(db.session, certificate, verify_url=verify_url(certificate), tz=_tz())
    body = pdf.render(data)
    access.log_read(certificate.person_id, field="certificate", action="export")
    db.session.commit()
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f"inline; filename=certificate-{certificate.serial}.pdf"})


@bp.post("/requests/<int:request_id>/issue")
@roles_required(*STAFF)
def request_issue(request_id: int):
    try:
        certificate = service.issue_request(db.session, current_user, request_id, today=clock.today(),
                                            now=clock.now(), tz=_tz())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        flash(str(error.message), "error")
        return redirect(url_for("certificates.index"))
    db.session.commit()
    flash(_("已出具志愿服务记录证明，编号 %(serial)s", serial=certificate.serial))
    return redirect(url_for("certificates.detail", certificate_id=certificate.id))


@bp.post("/requests/<int:request_id>/decline")
@roles_required(*STAFF)
def request_decline(request_id: int):
    form = DeclineForm()
    reason = form.reason.data if form.validate_on_submit() else None
    try:
        service.decline_request(db.session, current_user, request_id, reason=reason, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        flash(str(error.message), "error")
        return redirect(url_for("certificates.index"))
    db.session.commit()
    flash(_("已答复申请"))
    return redirect(url_for("certificates.index"))


@bp.route("/mine", methods=["GET", "POST"])
@roles_required("volunteer", "social_worker")
def mine():
    form = RequestForm()
    _default_period(form)
    status = 200
    if form.validate_on_submit():
        try:
            service.request_certificate(db.session, current_user, period_start=form.period_start.data,
                                        period_end=form.period_end.data, purpose=form.purpose.data,
                                        today=clock.today(), tz=_tz())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("申请已提交，社工站出具后会在这里显示。"))
            return redirect(url_for("certificates.mine"))
    elif form.is_submitted():
        status = 422
    certificates, requests = queries.mine(db.session, current_user.person_id) if current_user.person_id else ([], [])
    return render_template("certificates/mine.html", form=form, certificates=certificates,
                           requests=requests), status
