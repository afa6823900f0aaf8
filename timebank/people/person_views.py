"""Station pages for one person: all roles, corrections, identity corrections (admin), moves, death, heirs.

Every page is scoped to the actor's subtree (outside it: 404). Views parse, call one service, commit, render.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from timebank import clock
from timebank.accounts import queries as accounts_queries
from timebank.accounts import service as accounts
from timebank.accounts.forms import ConfirmActionForm
from timebank.accounts.models import OrgNode
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.i18n import is_english, labels, once_per_request
from timebank.people import corrections, lifecycle, person_queries
from timebank.people.models import ResidentProfile, VolunteerProfile
from timebank.people.person_forms import DeathForm, EditForm, HeirsForm, IdentityForm, MoveAwayForm, MoveForm
from timebank.policy import service as policy_service
from timebank.web import attach_error, roles_required

bp = Blueprint("people", __name__, url_prefix="/station/people")
STAFF = ("station", "admin")


@bp.app_template_global("person_roles")
def person_roles(person_id: int) -> person_queries.Roles:
    """Every role of a person, for the roles box on any page that shows a person."""
    return person_queries.roles_of(db.session, person_id)


@bp.app_template_global("person_labels")
@once_per_request
def person_labels() -> dict:
    return {
        "action": {
            "resident_register": _("登记为服务对象"), "volunteer_signup": _("注册志愿者"),
            "volunteer_approve": _("志愿者审核通过"), "volunteer_reject": _("志愿者审核不通过"),
            "volunteer_register": _("社工站登记志愿者"), "person_edit": _("修改资料"),
            "person_identity_correct": _("更正姓名或身份证号码"), "person_move": _("迁往其他乡镇"),
            "person_move_away": _("迁出本县"), "person_deceased": _("登记为已故"),
            "estate_propose": _("提出继承方案"), "estate_approve": _("批准继承方案"),
            "hardship_add": _("登记困难类别"), "hardship_remove": _("删除困难类别"),
            "relative_add": _("登记家属"), "relative_verify": _("核实家属"), "relative_unlink": _("解除家属关系"),
        },
        "field": {
            "phone": _("联系电话"), "address": _("住址"), "village": _("所在村/社区"),
            "living_situation": _("居住情况"), "disability_grade": _("残疾等级"), "disability_type": _("残疾类别"),
            "adl_level": _("失能等级"), "adl_assessed_on": _("失能评估日期"),
            "emergency_contact_name": _("紧急联系人"), "emergency_contact_phone": _("紧急联系人电话"),
            "volunteer_emergency_contact_name": _("志愿者紧急联系人"),
            "volunteer_emergency_contact_phone": _("志愿者紧急联系人电话"),
            "name": _("姓名"), "id_number": _("身份证号码"), "birth_date": _("出生日期"), "gender": _("性别"),
            "status": _("状态"), "died_on": _("去世日期"), "heirs": _("继承人"), "cancelled": _("取消的服务"),
        },
        "death_balance": {"county_pool": _("全部转入县捐赠时间池"), "heirs": _("由经核实的直系亲属继承"),
                          "frozen": _("冻结，不再使用")},
    }


_VALUE_LABELS = {"living_situation": "living", "disability_type": "disability_type", "adl_level": "adl_level",
                 "disability_grade": "disability", "status": "person_status", "gender": "gender"}


@bp.app_template_global("change_value")
def change_value(field: str, value) -> str:
    """A before/after value as staff read it: enumerations translated, lists of heirs counted, empty as —."""
    if value is None or value == "":
        return "—"
    group = _VALUE_LABELS.get(field)
    if group is not None:
        return str(labels()[group].get(value, value))
    if isinstance(value, list):
        return _("%(n)s人", n=len(value))
    return str(value)


def _person_page(person_id: int, *, edit=None, identity=None, move=None, away=None, death=None, heirs=None,
                 status: int = 200):
    person = lifecycle.load_person(db.session, current_user, person_id)
    policy = policy_service.current(db.session)[1]
    candidates = lifecycle.heir_candidates(db.session, person.id) if person.status == "deceased" else []
    heirs_form = heirs or HeirsForm(prefix="heirs")
    heirs_form.heirs.choices = [(p.id, f"{p.name}（{labels()['kinship'].get(k, k)}）") for p, k in candidates]
    return render_template(
        "people/person.html", person=person, roles=person_queries.roles_of(db.session, person.id),
        history=person_queries.history(db.session, person.id), policy=policy,
        disposition=lifecycle.disposition_of(db.session, person.id),
        balance=_balance(person.id), vrecord=_volunteer_record(person.id),
        move_form=move or _move_form(person, prefix="move"), away_form=away or MoveAwayForm(prefix="away"),
        death_form=death or DeathForm(prefix="death"), heirs_form=heirs_form, action_form=ConfirmActionForm(),
    ), status


def _volunteer_record(person_id: int):
    from timebank.people import volunteer_record

    profile = db.session.get(VolunteerProfile, person_id)
    return volunteer_record.record_of(db.session, profile, today=clock.today()) if profile is not None else None


def _balance(person_id: int) -> int:
    from timebank.ledger import service as ledger

    account = ledger.account_for_person(db.session, person_id)
    return account.balance


def _move_form(person, **kwargs) -> MoveForm:
    form = MoveForm(**kwargs)
    township_path = "/" + "/".join([p for p in person.node.path.split("/") if p][:2]) + "/"
    parent = OrgNode.__table__.alias("parent")
    rows = db.session.execute(select(OrgNode.id, parent.c.name, OrgNode.name)
                              .join(parent, parent.c.id == OrgNode.parent_id)
                              .where(OrgNode.kind == "village", ~OrgNode.path.startswith(township_path))
                              .order_by(OrgNode.code)).all()
    form.village_id.choices = [("", _("请选择"))] + [(i, f"{t} / {v}") for i, t, v in rows]
    return form


@bp.get("/<int:person_id>")
@roles_required(*STAFF)
def detail(person_id: int):
    return _person_page(person_id)


# ---------------------------------------------------------------------------------------------------------
# corrections


def _edit_form(person, formdata=None) -> EditForm:
    resident = db.session.get(ResidentProfile, person.id)
    volunteer = db.session.get(VolunteerProfile, person.id)
    data = {"phone": person.phone or "", "address": person.address or "", "village_id": person.node_id}
    if resident is not None:
        data.update(living_situation=resident.living_situation, disability_grade=resident.disability_grade,
                    disability_type=resident.disability_type or "", adl_level=resident.adl_level,
                    adl_assessed_on=resident.adl_assessed_on,
                    emergency_contact_name=resident.emergency_contact_name or "",
                    emergency_contact_phone=resident.emergency_contact_phone or "")
    if volunteer is not None:
        data.update(volunteer_emergency_contact_name=volunteer.emergency_contact_name or "",
                    volunteer_emergency_contact_phone=volunteer.emergency_contact_phone or "")
    form = EditForm(formdata=formdata, data=data) if formdata is not None else EditForm(data=data)
    form.village_id.choices = accounts_queries.village_choices(db.session, current_user)
    form.living_situation.choices = list(labels()["living"].items())
    form.disability_grade.choices = list(labels()["disability"].items())
    form.disability_type.choices = [("", _("无"))] + list(labels()["disability_type"].items())
    form.adl_level.choices = [("", _("未评估"))] + list(labels()["adl_level"].items())
    form.resident, form.volunteer = resident, volunteer
    return form


def _changes_from(form: EditForm) -> dict:
    keys = list(corrections.PERSON_FIELDS)
    if form.resident is not None:
        keys += corrections.RESIDENT_FIELDS
    if form.volunteer is not None:
        keys += corrections.VOLUNTEER_FIELDS
    return {key: form[key].data for key in keys}


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(person_id: int):
    person = lifecycle.load_person(db.session, current_user, person_id)
    if request.method == "GET":
        return render_template("people/edit.html", person=person, form=_edit_form(person))
    form = _edit_form(person, formdata=request.form)
    if not form.validate_on_submit():
        return render_template("people/edit.html", person=person, form=form), 422
    try:
        done = corrections.edit_person(db.session, current_user, person_id, _changes_from(form),
                                       today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        person = lifecycle.load_person(db.session, current_user, person_id)
        attach_error(form, error)
        return render_template("people/edit.html", person=person, form=form), error.status
    db.session.commit()
    flash(_("资料已更新") if done else _("没有修改任何内容"), "message" if done else "warning")
    return redirect(url_for("people.detail", person_id=person_id))


@bp.route("/<int:person_id>/identity", methods=["GET", "POST"])
@roles_required("admin")
def identity(person_id: int):
    person = lifecycle.load_person(db.session, current_user, person_id)
    form = IdentityForm() if request.method == "POST" else IdentityForm(data={"name": person.name})
    if request.method == "GET":
        return render_template("people/identity.html", person=person, form=form)
    if not form.validate_on_submit():
        return render_template("people/identity.html", person=person, form=form), 422
    try:
        accounts.correct_identity(db.session, current_user, person_id, name=form.name.data,
                                  id_number=form.id_number.data, reason=form.reason.data, today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        person = lifecycle.load_person(db.session, current_user, person_id)
        attach_error(form, error)
        return render_template("people/identity.html", person=person, form=form), error.status
    db.session.commit()
    flash(_("已更正身份信息"))
    return redirect(url_for("people.detail", person_id=person_id))


# ---------------------------------------------------------------------------------------------------------
# moves and death


def _summary(out: lifecycle.Cascade) -> str:
    sep = " " if is_english() else ""  # sentences follow each other without a space in Chinese
    return sep + _("已取消%(n)s项未开始的服务。", n=len(out.cancelled))


@bp.post("/<int:person_id>/move")
@roles_required(*STAFF)
def move(person_id: int):
    person = lifecycle.load_person(db.session, current_user, person_id)
    form = _move_form(person, prefix="move")
    if not form.validate_on_submit():
        return _person_page(person_id, move=form, status=422)
    try:
        out = lifecycle.move_person(db.session, current_user, person_id, village_id=form.village_id.data,
                                    reason=form.reason.data, address=form.address.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _person_page(person_id, move=form, status=error.status)
    db.session.commit()
    flash(_("已迁往其他乡镇，档案已移交当地社工站。") + _summary(out))
    return redirect(url_for("station.dashboard"))


@bp.post("/<int:person_id>/move-away")
@roles_required(*STAFF)
def move_away(person_id: int):
    form = MoveAwayForm(prefix="away")
    if not form.validate_on_submit():
        return _person_page(person_id, away=form, status=422)
    try:
        out = lifecycle.move_away(db.session, current_user, person_id, reason=form.reason.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _person_page(person_id, away=form, status=error.status)
    db.session.commit()
    flash(_("已登记为迁出本县。") + _summary(out))
    return redirect(url_for("people.detail", person_id=person_id))


@bp.post("/<int:person_id>/death")
@roles_required(*STAFF)
def death(person_id: int):
    form = DeathForm(prefix="death")
    if not form.validate_on_submit():
        return _person_page(person_id, death=form, status=422)
    try:
        out = lifecycle.mark_deceased(db.session, current_user, person_id, died_on=form.died_on.data,
                                      today=clock.today(), now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _person_page(person_id, death=form, status=error.status)
    db.session.commit()
    flash(_("已登记为已故。") + _summary(out))
    return redirect(url_for("people.detail", person_id=person_id))


@bp.post("/<int:person_id>/heirs")
@roles_required(*STAFF)
def heirs_propose(person_id: int):
    person = lifecycle.load_person(db.session, current_user, person_id)
    form = HeirsForm(prefix="heirs")
    form.heirs.choices = [(p.id, p.name) for p, _k in lifecycle.heir_candidates(db.session, person.id)]
    if not ConfirmActionForm().validate_on_submit():
        return _person_page(person_id, status=400)
    heir_ids = [int(v) for v in request.form.getlist("heirs-heirs") if v.isdigit()]
    try:
        lifecycle.propose_heirs(db.session, current_user, person_id, heir_ids, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _person_page(person_id, heirs=form, status=error.status)
    db.session.commit()
    flash(_("继承方案已提出，请另一位工作人员批准。"))
    return redirect(url_for("people.detail", person_id=person_id))


@bp.post("/<int:person_id>/heirs/approve")
@roles_required(*STAFF)
def heirs_approve(person_id: int):
    if not ConfirmActionForm().validate_on_submit():
        return _person_page(person_id, status=400)
    try:
        lifecycle.approve_heirs(db.session, current_user, person_id, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        heirs = HeirsForm(prefix="heirs")
        heirs.form_errors.append(str(error.message))
        return _person_page(person_id, heirs=heirs, status=error.status)
    db.session.commit()
    flash(_("继承方案已批准，余额已转给继承人。"))
    return redirect(url_for("people.detail", person_id=person_id))
