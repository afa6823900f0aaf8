"""Volunteer profile editing (/me/profile) and staff verification of social-worker certificates."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FloatField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional

from timebank import clock
from timebank.catalog import queries as catalog_queries
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.people import profile_service as profiles
from timebank.people.availability import SocialWorkerCertificate
from timebank.people.weekly_form import TIME, WEEKDAYS, add_week_fields, hhmm, minutes_of, read_week  # noqa: F401
from timebank.web import attach_error, roles_required

bp = Blueprint("profile", __name__)
def _profile_form():
    class ProfileForm(FlaskForm):
        skill_ids = SelectMultipleField(_l("技能"), coerce=int)
        max_hours = IntegerField(_l("每周最多服务小时数"), validators=[DataRequired(), NumberRange(min=0, max=40)])
        travel_radius_km = IntegerField(_l("服务半径（公里）"), validators=[DataRequired(), NumberRange(min=1, max=50)])
        latitude = FloatField(_l("家的纬度（可不填，默认用村/社区位置）"), validators=[Optional()])
        longitude = FloatField(_l("家的经度"), validators=[Optional()])

    return add_week_fields(ProfileForm)


class ExceptionForm(FlaskForm):
    day = DateField(_l("日期"), validators=[DataRequired(_l("请填写日期"))])
    available = BooleanField(_l("这天额外有空（不勾选表示这天没空）"))
    start = StringField(_l("开始"), default="00:00", validators=[DataRequired(), TIME])
    end = StringField(_l("结束"), default="24:00", validators=[DataRequired(), TIME])


class CertificateForm(FlaskForm):
    certificate_no = StringField(_l("社工职业资格证书编号"), validators=[DataRequired(_l("请填写证书编号"))])


class EmptyForm(FlaskForm):
    pass


def _render(form=None, exception_form=None, cert_form=None, status=200):
    profile = profiles.my_profile(db.session, current_user)
    if form is None:
        form = _profile_form()(data={
            "skill_ids": [s.id for s in profile.skills], "max_hours": profile.max_minutes_per_week // 60,
            "travel_radius_km": profile.travel_radius_km, "latitude": profile.person.latitude,
            "longitude": profile.person.longitude,
            **{f"d{a.weekday}_start": hhmm(a.start_minute) for a in profile.availability},
            **{f"d{a.weekday}_end": hhmm(a.end_minute) for a in profile.availability}})
    form.skill_ids.choices = [(s.id, s.name_zh) for s in catalog_queries.skills(db.session)]
    return render_template(
        "people/profile.html", profile=profile, form=form, weekdays=WEEKDAYS,
        exception_form=exception_form or ExceptionForm(prefix="x"), cert_form=cert_form or CertificateForm(prefix="c"),
        exceptions=profiles.exceptions(db.session, profile.person_id, clock.today()),
        certificate=db.session.get(SocialWorkerCertificate, profile.person_id), empty=EmptyForm(), hhmm=hhmm,
    ), status


@bp.get("/me/profile")
@roles_required("volunteer", "social_worker")
def profile_edit():
    return _render()


@bp.post("/me/profile")
@roles_required("volunteer", "social_worker")
def profile_save():
    form = _profile_form()()
    form.skill_ids.choices = [(s.id, s.name_zh) for s in catalog_queries.skills(db.session)]
    weekly = read_week(form) if form.validate_on_submit() else None
    if weekly is None:
        return _render(form=form, status=422)
    data = profiles.ProfileInput(skill_ids=tuple(form.skill_ids.data or ()), weekly=weekly,
                                 max_minutes_per_week=form.max_hours.data * 60,
                                 travel_radius_km=form.travel_radius_km.data, latitude=form.latitude.data,
                                 longitude=form.longitude.data)
    try:
        profiles.update_profile(db.session, current_user, data)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _render(form=form, status=error.status)
    db.session.commit()
    flash(_("资料已保存"))
    return redirect(url_for("profile.profile_edit"))


@bp.post("/me/profile/exceptions")
@roles_required("volunteer", "social_worker")
def exception_add():
    form = ExceptionForm(prefix="x")
    if not form.validate_on_submit():
        return _render(exception_form=form, status=422)
    try:
        profiles.add_exception(db.session, current_user, day=form.day.data, available=form.available.data,
                               start=minutes_of(form.start.data), end=minutes_of(form.end.data), today=clock.today())
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _render(exception_form=form, status=error.status)
    db.session.commit()
    flash(_("已添加"))
    return redirect(url_for("profile.profile_edit"))


@bp.post("/me/profile/exceptions/<int:exception_id>/delete")
@roles_required("volunteer", "social_worker")
def exception_delete(exception_id: int):
    if not EmptyForm().validate_on_submit():
        return _render(status=400)
    profiles.remove_exception(db.session, current_user, exception_id)
    db.session.commit()
    flash(_("已删除"))
    return redirect(url_for("profile.profile_edit"))


@bp.post("/me/profile/certificate")
@roles_required("volunteer", "social_worker")
def certificate_claim():
    form = CertificateForm(prefix="c")
    if not form.validate_on_submit():
        return _render(cert_form=form, status=422)
    try:
        profiles.claim_social_worker(db.session, current_user, form.certificate_no.data)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _render(cert_form=form, status=error.status)
    db.session.commit()
    flash(_("已提交，社工站核实后生效"))
    return redirect(url_for("profile.profile_edit"))


@bp.post("/station/volunteers/<int:person_id>/social-worker")
@roles_required("station", "admin")
def certificate_verify(person_id: int):
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("station.volunteer_detail", person_id=person_id))
    profiles.verify_social_worker(db.session, current_user, person_id, now=clock.now())
    db.session.commit()
    flash(_("社工证书已核实"))
    return redirect(request.referrer or url_for("station.volunteer_detail", person_id=person_id))
