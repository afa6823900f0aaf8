"""Station pages: approve volunteers, register residents, statuses and relatives (scoped to the subtree)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank import clock
from timebank.accounts import queries as accounts_queries
from timebank.accounts import service as accounts
from timebank.accounts.forms import ConfirmActionForm
from timebank.audit.access import after_read
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.i18n import labels
from timebank.people import domain, priority_facts, queries
from timebank.people import service as people
from timebank.people.forms import HardshipForm, RelativeForm, ResidentForm, ReviewForm
from timebank.web import attach_error, roles_required

bp = Blueprint("station", __name__, url_prefix="/station")
STAFF = ("station", "admin")


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 100000)) if value.isdigit() else 1


@bp.get("/")
@roles_required(*STAFF)
def dashboard():
    from timebank.visits.elder_confirm import confirmation_stats
    from timebank.workbench.queries import station_today

    counts = queries.station_counts(db.session, current_user)
    return render_template("station/dashboard.html", counts=counts,
                           today=station_today(db.session, current_user, now=clock.now(), today=clock.today()),
                           confirm_stats=confirmation_stats(db.session, current_user, now=clock.now()))


@bp.get("/volunteers")
@roles_required(*STAFF)
def volunteer_list():
    status = request.args.get("status") or None
    if status not in (None, *domain.VOLUNTEER_STATUSES):
        status = None
    page = _page()
    rows, more = queries.volunteers(db.session, current_user, status=status, page=page,
                                    q=request.args.get("q"))
    return render_template("station/volunteers.html", rows=rows, more=more, page=page, status=status)


@bp.get("/volunteers/<int:person_id>")
@roles_required(*STAFF)
def volunteer_detail(person_id: int):
    profile = people.load_volunteer(db.session, current_user, person_id)
    return after_read(render_template("station/volunteer.html", profile=profile, form=ReviewForm()), person_id)


@bp.post("/volunteers/<int:person_id>/review")
@roles_required(*STAFF)
def volunteer_review(person_id: int):
    form = ReviewForm()
    approve = request.form.get("decision") == "approve"
    if not form.validate_on_submit():
        profile = people.load_volunteer(db.session, current_user, person_id)
        return render_template("station/volunteer.html", profile=profile, form=form), 422
    try:
        people.review_volunteer(db.session, current_user, person_id, approve=approve,
                                reason=form.reason.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        profile = people.load_volunteer(db.session, current_user, person_id)
        attach_error(form, error)
        return render_template("station/volunteer.html", profile=profile, form=form), error.status
    db.session.commit()
    flash(_("已审核通过") if approve else _("已标记为不通过"))
    return redirect(url_for("station.volunteer_detail", person_id=person_id))


@bp.get("/residents")
@roles_required(*STAFF)
def resident_list():
    page = _page()
    rows, more = queries.residents(db.session, current_user, page=page, q=request.args.get("q"))
    return render_template("station/residents.html", rows=rows, more=more, page=page)


def _resident_form() -> ResidentForm:
    form = ResidentForm()
    form.village_id.choices = [(0, _("请选择"))] + accounts_queries.village_choices(db.session, current_user)
    form.living_situation.choices = list(labels()["living"].items())
    form.disability_grade.choices = list(labels()["disability"].items())
    return form


@bp.route("/residents/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def resident_new():
    form = _resident_form()
    if form.validate_on_submit():
        data = people.ResidentInput(
            person=accounts.PersonInput(name=form.name.data, id_number=form.id_number.data,
                                        phone=form.phone.data, address=form.address.data,
                                        node_id=form.village_id.data),
            living_situation=form.living_situation.data,
            disability_grade=form.disability_grade.data or 0,
            consent_form_ref=form.consent_form_ref.data,
            notes=form.notes.data,
        )
        confirm = request.form.get("confirm_person_id", "")
        try:
            profile = people.register_resident(db.session, current_user, data, today=clock.today(),
                                               confirm_person_id=int(confirm) if confirm.isdigit() else None)
        except people.PersonExists as error:
            db.session.rollback()
            return render_template("station/resident_new.html", form=form, existing=error.details), 200
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("station/resident_new.html", form=form), error.status
        db.session.commit()
        flash(_("已添加为服务对象（与已登记的同一人，共用一个时间账户）") if confirm else _("已登记服务对象"))
        return redirect(url_for("station.resident_detail", person_id=profile.person_id))
    return render_template("station/resident_new.html", form=form), 422 if request.method == "POST" else 200


def _detail_forms():
    hardship = HardshipForm(prefix="h")
    hardship.kind.choices = list(labels()["hardship"].items())
    relative = RelativeForm(prefix="r")
    relative.kinship.choices = list(labels()["kinship"].items())
    return hardship, relative


def _render_detail(person_id: int, hardship=None, relative=None, status=200):
    profile = people.load_resident(db.session, current_user, person_id)
    default_h, default_r = _detail_forms()
    return render_template(
        "station/resident.html", profile=profile, relatives=queries.relatives_of(db.session, person_id),
        hardship_form=hardship or default_h, relative_form=relative or default_r,
        action_form=ConfirmActionForm(), priority=priority_facts.priority_of(db.session, person_id, clock.today()),
    ), status


@bp.get("/residents/<int:person_id>")
@roles_required(*STAFF)
def resident_detail(person_id: int):
    return after_read(_render_detail(person_id), person_id)


@bp.post("/residents/<int:person_id>/statuses")
@roles_required(*STAFF)
def resident_status_add(person_id: int):
    form, _unused = _detail_forms()
    if not form.validate_on_submit():
        return _render_detail(person_id, hardship=form, status=422)
    try:
        people.add_hardship_status(db.session, current_user, person_id, kind=form.kind.data,
                                   evidence_no=form.evidence_no.data, review_date=form.review_date.data,
                                   today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _render_detail(person_id, hardship=form, status=error.status)
    db.session.commit()
    flash(_("已登记困难类别"))
    return redirect(url_for("station.resident_detail", person_id=person_id))


@bp.post("/residents/<int:person_id>/statuses/<int:status_id>/delete")
@roles_required(*STAFF)
def resident_status_delete(person_id: int, status_id: int):
    if not ConfirmActionForm().validate_on_submit():
        return _render_detail(person_id, status=400)
    people.remove_hardship_status(db.session, current_user, person_id, status_id, today=clock.today())
    db.session.commit()
    flash(_("已删除该困难类别"))
    return redirect(url_for("station.resident_detail", person_id=person_id))


@bp.post("/residents/<int:person_id>/relatives")
@roles_required(*STAFF)
def resident_relative_add(person_id: int):
    _unused, form = _detail_forms()
    if not form.validate_on_submit():
        return _render_detail(person_id, relative=form, status=422)
    data = people.RelativeInput(name=form.name.data, id_number=form.id_number.data, phone=form.phone.data,
                                kinship=form.kinship.data, login_password=form.login_password.data or None,
                                consent_form_ref=form.consent_form_ref.data)
    try:
        people.add_relative(db.session, current_user, person_id, data, today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _render_detail(person_id, relative=form, status=error.status)
    db.session.commit()
    flash(_("已登记家属，请核实关系后点击“核实”"))
    return redirect(url_for("station.resident_detail", person_id=person_id))


@bp.post("/residents/<int:person_id>/relatives/<int:link_id>/verify")
@roles_required(*STAFF)
def resident_relative_verify(person_id: int, link_id: int):
    if not ConfirmActionForm().validate_on_submit():
        return _render_detail(person_id, status=400)
    people.verify_relative(db.session, current_user, person_id, link_id, now=clock.now())
    db.session.commit()
    flash(_("家属关系已核实"))
    return redirect(url_for("station.resident_detail", person_id=person_id))
