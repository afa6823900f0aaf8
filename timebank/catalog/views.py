"""Admin pages for the service catalog and the visit settings (cut-offs, tolerances). Priority tiers: policy."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from timebank import clock
from timebank.audit import service as audit
from timebank.catalog.models import ServiceCategory, Skill
from timebank.errors import DomainError, NotFound
from timebank.extensions import db
from timebank.visits import queries as visit_queries
from timebank.visits import rules as visit_rules
from timebank.web import attach_error, roles_required

bp = Blueprint("catalog", __name__, url_prefix="/admin/catalog")


class CategoryForm(FlaskForm):
    name_zh = StringField(_l("中文名称"), validators=[DataRequired(_l("请填写名称")), Length(max=40)])
    name_en = StringField(_l("英文名称"), validators=[DataRequired(_l("请填写名称")), Length(max=60)])
    default_minutes = IntegerField(_l("默认时长（分钟）"), validators=[
        DataRequired(), NumberRange(min=15, max=720, message=_l("默认时长应在15到720分钟之间"))])
    skill_ids = SelectMultipleField(_l("所需技能"), coerce=int)
    needs_social_worker = BooleanField(_l("需要社工带领"))
    requires_insurance = BooleanField(_l("需要有效保险（志愿者在服务当天须有有效的保险才能接单）"))
    active = BooleanField(_l("启用"))


def _tier_form():
    class TierForm(FlaskForm):
        pass

    for name, low, high in (("give_back_cutoff_hours", 0, 168),
                            ("checkin_tolerance_minutes", 5, 240), ("overtime_tolerance_minutes", 0, 120),
                            ("auto_confirm_days", 1, 30)):
        setattr(TierForm, name, IntegerField(name, validators=[NumberRange(min=low, max=high)]))
    return TierForm


def _skill_choices():
    return [(s.id, s.name_zh) for s in db.session.scalars(select(Skill).order_by(Skill.sort_order))]


@bp.get("/")
@roles_required("admin")
def index():
    rules = visit_rules.current(db.session)
    form = _tier_form()(data={"give_back_cutoff_hours": rules.give_back_cutoff_hours,
                              "checkin_tolerance_minutes": rules.checkin_tolerance_minutes,
                              "overtime_tolerance_minutes": rules.overtime_tolerance_minutes,
                              "auto_confirm_days": rules.auto_confirm_days})
    return render_template("catalog/index.html", rows=visit_queries.categories(db.session, active_only=False),
                           form=form)


@bp.post("/rules")
@roles_required("admin")
def rules_save():
    form = _tier_form()()
    if not form.validate_on_submit():
        return render_template("catalog/index.html", rows=visit_queries.categories(db.session, active_only=False),
                               form=form), 422
    changes = {}
    for name in ("give_back_cutoff_hours", "checkin_tolerance_minutes",
                 "overtime_tolerance_minutes", "auto_confirm_days"):
        changes[name] = getattr(form, name).data
    try:
        visit_rules.save(db.session, current_user, changes, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_template("catalog/index.html", rows=visit_queries.categories(db.session, active_only=False),
                               form=form), error.status
    db.session.commit()
    flash(_("服务规则已保存"))
    return redirect(url_for("catalog.index"))


@bp.route("/<int:category_id>", methods=["GET", "POST"])
@bp.route("/new", methods=["GET", "POST"], defaults={"category_id": None})
@roles_required("admin")
def category_edit(category_id: int | None):
    category = db.session.get(ServiceCategory, category_id) if category_id else None
    if category_id and category is None:
        raise NotFound()
    form = CategoryForm(obj=category) if request.method == "GET" and category else CategoryForm()
    form.skill_ids.choices = _skill_choices()
    if request.method == "GET":
        form.skill_ids.data = [s.id for s in category.skills] if category else []
        if category is None:
            form.active.data = True
    if form.validate_on_submit():
        if category is None:
            count = len(visit_queries.categories(db.session, active_only=False))
            category = ServiceCategory(code=f"custom_{count + 1}", sort_order=count)
            db.session.add(category)
        category.name_zh, category.name_en = form.name_zh.data.strip(), form.name_en.data.strip()
        category.default_minutes = form.default_minutes.data
        category.needs_social_worker = form.needs_social_worker.data
        category.requires_insurance = form.requires_insurance.data
        category.active = form.active.data
        category.skills = list(db.session.scalars(select(Skill).where(Skill.id.in_(form.skill_ids.data or []))))
        db.session.flush()
        audit.record(db.session, "catalog_change", actor_id=current_user.id, target=f"service_category:{category.id}")
        db.session.commit()
        flash(_("服务类别已保存"))
        return redirect(url_for("catalog.index"))
    return render_template("catalog/edit.html", form=form, category=category), 422 if request.method == "POST" else 200
