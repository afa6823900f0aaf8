"""Station pages for issue 10: register a volunteer without a smartphone, reopen a rejection, unlink a relative,
reveal a masked phone or emergency contact (logged), and a resident's visits and goods."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank import clock
from timebank.accounts import queries as accounts_queries
from timebank.accounts import service as accounts
from timebank.catalog import queries as catalog_queries
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.people import disclosure, resident_queries
from timebank.people import service as people
from timebank.people import station_volunteers as station
from timebank.people import views as people_views
from timebank.people.profile_views import WEEKDAYS, minutes_of
from timebank.people.station_forms import ReasonForm, RevealForm, StationVolunteerForm
from timebank.web import attach_error, client_ip, roles_required

bp = Blueprint("station_people", __name__, url_prefix="/station")
STAFF = ("station", "admin")


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 100000)) if value.isdigit() else 1


@bp.app_template_global("revealed")
def _revealed(field: str) -> str | None:
    """The value revealed by the POST that rendered this page (never stored, never cached)."""
    return (g.get("revealed") or {}).get(field)


def _volunteer_form() -> StationVolunteerForm:
    form = StationVolunteerForm()
    form.village_id.choices = [(0, _("请选择"))] + accounts_queries.village_choices(db.session, current_user)
    form.skill_ids.choices = [(s.id, s.name("en" if _is_en() else "zh"))
                              for s in catalog_queries.skills(db.session)]
    form.weekdays.choices = [(i, str(day)) for i, day in enumerate(WEEKDAYS)]
    return form


def _is_en() -> bool:
    from timebank.i18n import is_english

    return is_english()


def _input(form: StationVolunteerForm) -> station.StationVolunteerInput:
    weekly = ()
    if form.weekdays.data and form.start.data and form.end.data:
        weekly = tuple((day, minutes_of(form.start.data), minutes_of(form.end.data)) for day in form.weekdays.data)
    guardian = None
    if (form.guardian_id_number.data or "").strip():
        guardian = station.GuardianInput(name=form.guardian_name.data or "", id_number=form.guardian_id_number.data,
                                         phone=form.guardian_phone.data or None)
    return station.StationVolunteerInput(
        person=accounts.PersonInput(name=form.name.data, id_number=form.id_number.data, phone=form.phone.data or None,
                                    address=form.address.data, node_id=form.village_id.data),
        skill_ids=tuple(form.skill_ids.data or ()), weekly=weekly,
        emergency_contact_name=form.emergency_contact_name.data,
        emergency_contact_phone=form.emergency_contact_phone.data, consent_form_ref=form.consent_form_ref.data,
        login_password=form.login_password.data or None, guardian=guardian,
        guardian_consent_ref=form.guardian_consent_ref.data or None)


@bp.route("/volunteers/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def volunteer_new():
    """代为登记志愿者: a paper form filled in at the station, approved in the same step."""
    form = _volunteer_form()
    if form.validate_on_submit():
        try:
            profile = station.register_volunteer(db.session, current_user, _input(form), today=clock.today(),
                                                 now=clock.now())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("station/volunteer_new.html", form=form), error.status
        db.session.commit()
        flash(_("已登记志愿者，审核已通过"))
        return redirect(url_for("station.volunteer_detail", person_id=profile.person_id))
    status = 422 if request.method == "POST" else 200
    return render_template("station/volunteer_new.html", form=form), status


@bp.post("/volunteers/<int:person_id>/reopen")
@roles_required(*STAFF)
def volunteer_reopen(person_id: int):
    form = ReasonForm(prefix="reopen")
    if not form.validate_on_submit():
        people.load_volunteer(db.session, current_user, person_id)
        g.reopen_form = form
        return people_views.volunteer_detail(person_id), 422
    try:
        station.reopen_volunteer(db.session, current_user, person_id, reason=form.reason.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        g.reopen_form = form
        return people_views.volunteer_detail(person_id), error.status
    db.session.commit()
    flash(_("已重新进入审核，请按正常流程审核"))
    return redirect(url_for("station.volunteer_detail", person_id=person_id))


@bp.post("/residents/<int:person_id>/relatives/<int:link_id>/unlink")
@roles_required(*STAFF)
def relative_unlink(person_id: int, link_id: int):
    form = ReasonForm(prefix=f"unlink{link_id}")
    if not form.validate_on_submit():
        people.load_resident(db.session, current_user, person_id)
        g.unlink_errors = {link_id: form.reason.errors or [_("请填写原因")]}
        return _resident_page(person_id, 422)
    try:
        station.unlink_relative(db.session, current_user, person_id, link_id, reason=form.reason.data,
                                now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        g.unlink_errors = {link_id: [str(error.message)]}
        return _resident_page(person_id, error.status)
    db.session.commit()
    flash(_("已解除该家属关系"))
    return redirect(url_for("station.resident_detail", person_id=person_id))


def _resident_page(person_id: int, status: int):
    body, _status = people_views.resident_detail(person_id)
    return body, status


@bp.post("/people/<int:person_id>/reveal")
@roles_required(*STAFF)
def reveal(person_id: int):
    """Show one masked field in full on the page this POST renders, and log who, whose, when, why."""
    form = RevealForm()
    status = 200
    if not form.validate_on_submit():
        flash(_("请选择要查看的信息"), "error")
        status = 400
    else:
        try:
            shown = disclosure.reveal(db.session, current_user, person_id, form.field.data,
                                      reason=form.reason.data, ip=client_ip())
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                raise
            flash(str(error.message), "error")
            status = error.status
        else:
            db.session.commit()
            g.revealed = {shown.field: shown.value}
    g.no_store = True
    if request.form.get("page") == "volunteer":
        return people_views.volunteer_detail(person_id), status
    return _resident_page(person_id, status)


@bp.get("/residents/<int:person_id>/visits")
@roles_required(*STAFF)
def resident_visits(person_id: int):
    profile = people.load_resident(db.session, current_user, person_id)
    page = _page()
    rows, more = resident_queries.visits_of(db.session, person_id, page=page)
    return render_template("station/resident_visits.html", profile=profile, rows=rows, more=more, page=page)


@bp.get("/residents/<int:person_id>/goods")
@roles_required(*STAFF)
def resident_goods(person_id: int):
    profile = people.load_resident(db.session, current_user, person_id)
    page = _page()
    rows, more = resident_queries.goods_of(db.session, person_id, page=page)
    return render_template("station/resident_goods.html", profile=profile, rows=rows, more=more, page=page)


@bp.app_context_processor
def _station_people_forms():
    return {"reveal_form": RevealForm, "reason_form": ReasonForm}
