"""The volunteer record pages: the volunteer's own (/me/record) and the staff page for a volunteer in their
subtree (/station/people/<id>/record), where training, awards, evaluations, insurance and skill certificates
are added, corrected and retired, and certificates verified. Views parse, call one service, commit, render."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from timebank import clock
from timebank.accounts.forms import ConfirmActionForm
from timebank.audit.access import after_read
from timebank.catalog.models import Skill
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.i18n import is_english
from timebank.people import record_service, volunteer_record
from timebank.people.record_domain import FIELDS
from timebank.people.record_forms import FORMS, CertificateForm, RetireForm
from timebank.web import attach_error, roles_required

bp = Blueprint("record", __name__)
STAFF = ("station", "admin")
VOLUNTEER = ("volunteer", "social_worker")
KIND = "<any(training,award,evaluation,insurance,certificate):kind>"


@bp.app_template_global("award_levels")
def award_levels() -> dict[str, str]:
    return {"national": _("国家级"), "province": _("省级"), "city": _("市级"), "county": _("县级"),
            "township": _("乡镇（街道）级"), "other": _("其他")}


@bp.app_template_global("counted_skill_ids")
def counted_skill_ids(person_id: int) -> set[int]:
    """The volunteer's skills that count today (a certified skill only with a valid verified certificate)."""
    from timebank.people.skills import counted_skills

    return counted_skills(db.session, [person_id], clock.today())[person_id]


def _choices(form, kind: str):
    if kind == "award":
        form.level.choices = [SelectChoice(k, v) for k, v in award_levels().items()]
    if kind == "certificate":
        form.skill_id.choices = [SelectChoice(s.id, s.name("en" if is_english() else "zh")) for s in db.session.scalars(
            select(Skill).where(Skill.needs_certificate.is_(True)).order_by(Skill.sort_order))]
    return form


def _form(kind: str, *, formdata=None, obj=None, prefix: str | None = None):
    form = FORMS[kind](formdata=formdata, obj=obj, prefix=prefix if prefix is not None else kind)
    return _choices(form, kind)


def _retire_form(kind: str, entry_id: int, formdata=None) -> RetireForm:
    return RetireForm(formdata=formdata, prefix=f"retire-{kind}-{entry_id}")


def _render(profile, *, staff: bool, forms: dict | None = None, retire: dict | None = None, status: int = 200):
    record = volunteer_record.record_of(db.session, profile, today=clock.today())
    all_forms = {kind: _form(kind, formdata=None) for kind in FORMS} if staff else {}
    all_forms.update(forms or {})
    if not staff and "claim" not in all_forms:
        all_forms["claim"] = _choices(CertificateForm(formdata=None, prefix="claim"), "certificate")
    retire = retire or {}
    return render_template(
        "people/record.html", record=record, profile=profile, staff=staff, forms=all_forms,
        retire_form=lambda kind, entry_id: retire.get((kind, entry_id)) or _retire_form(kind, entry_id),
        today=clock.today(),
    ), status


# ---------------------------------------------------------------------------------------------------------
# the volunteer


@bp.get("/me/record")
@roles_required(*VOLUNTEER)
def mine():
    return _render(record_service.load_profile_for(db.session, current_user, None), staff=False)


@bp.post("/me/record/certificates")
@roles_required(*VOLUNTEER)
def certificate_claim():
    profile = record_service.load_profile_for(db.session, current_user, None)
    form = _choices(CertificateForm(prefix="claim"), "certificate")
    if not form.validate_on_submit():
        return _render(profile, staff=False, forms={"claim": form}, status=422)
    try:
        record_service.claim_certificate(db.session, current_user, _data("certificate", form), now=clock.now(),
                                         today=clock.today())
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _render(profile, staff=False, forms={"claim": form}, status=error.status)
    db.session.commit()
    flash(_("证书已提交，请带原件到社工站核验，核验后才计入"))
    return redirect(url_for("record.mine"))


# ---------------------------------------------------------------------------------------------------------
# staff


def _data(kind: str, form) -> dict:
    return {name: form[name].data for name in FIELDS[kind]}


@bp.get("/station/people/<int:person_id>/record")
@roles_required(*STAFF)
def staff_view(person_id: int):
    profile = record_service.load_profile_for_staff(db.session, current_user, person_id)
    return after_read(_render(profile, staff=True), person_id)


@bp.post(f"/station/people/<int:person_id>/record/{KIND}")
@roles_required(*STAFF)
def entry_add(person_id: int, kind: str):
    profile = record_service.load_profile_for_staff(db.session, current_user, person_id)
    form = _form(kind, formdata=request.form)
    if not form.validate_on_submit():
        return _render(profile, staff=True, forms={kind: form}, status=422)
    try:
        record_service.add_entry(db.session, current_user, person_id, kind, _data(kind, form), now=clock.now(),
                                 today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _render(profile, staff=True, forms={kind: form}, status=error.status)
    db.session.commit()
    flash(_("已添加到志愿服务记录"))
    return redirect(url_for("record.staff_view", person_id=person_id) + f"#{kind}")


def _entry(person_id: int, kind: str, entry_id: int):
    row = record_service.load_entry(db.session, current_user, kind, entry_id)
    if row.person_id != person_id:
        abort(404)
    return row


@bp.route(f"/station/people/<int:person_id>/record/{KIND}/<int:entry_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def entry_edit(person_id: int, kind: str, entry_id: int):
    """更正: the entry's form, filled in; saving replaces the values (audited)."""
    row = _entry(person_id, kind, entry_id)
    if request.method == "GET":
        return render_template("people/record_edit.html", row=row, kind=kind,
                               form=_form(kind, obj=row, prefix=""), person_id=person_id)
    form = _form(kind, formdata=request.form, prefix="")
    if not form.validate_on_submit():
        return render_template("people/record_edit.html", row=row, kind=kind, form=form, person_id=person_id), 422
    try:
        record_service.correct_entry(db.session, current_user, kind, entry_id, _data(kind, form), now=clock.now(),
                                     today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        row = _entry(person_id, kind, entry_id)
        return render_template("people/record_edit.html", row=row, kind=kind, form=form,
                               person_id=person_id), error.status
    db.session.commit()
    flash(_("已更正"))
    return redirect(url_for("record.staff_view", person_id=person_id) + f"#{kind}")


@bp.post(f"/station/people/<int:person_id>/record/{KIND}/<int:entry_id>/retire")
@roles_required(*STAFF)
def entry_retire(person_id: int, kind: str, entry_id: int):
    _entry(person_id, kind, entry_id)
    profile = record_service.load_profile_for_staff(db.session, current_user, person_id)
    form = _retire_form(kind, entry_id, formdata=request.form)
    if not form.validate_on_submit():
        return _render(profile, staff=True, retire={(kind, entry_id): form}, status=422)
    try:
        record_service.retire_entry(db.session, current_user, kind, entry_id, form.reason.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _render(profile, staff=True, retire={(kind, entry_id): form}, status=error.status)
    db.session.commit()
    flash(_("已撤销，记录保留在档案中"))
    return redirect(url_for("record.staff_view", person_id=person_id) + f"#{kind}")


@bp.post("/station/people/<int:person_id>/record/certificate/<int:entry_id>/verify")
@roles_required(*STAFF)
def certificate_verify(person_id: int, entry_id: int):
    _entry(person_id, "certificate", entry_id)
    profile = record_service.load_profile_for_staff(db.session, current_user, person_id)
    if not ConfirmActionForm().validate_on_submit():
        return _render(profile, staff=True, status=400)
    try:
        record_service.verify_certificate(db.session, current_user, entry_id, now=clock.now(), today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        cert = _form("certificate", formdata=None)
        cert.form_errors.append(str(error.message))
        return _render(profile, staff=True, forms={"certificate": cert}, status=error.status)
    db.session.commit()
    flash(_("证书已核验，相应技能从现在起计入匹配和接单"))
    return redirect(url_for("record.staff_view", person_id=person_id) + "#certificate")

