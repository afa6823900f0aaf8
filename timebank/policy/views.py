"""The admin page for the county's time-bank rules: edit (a new version each save) and history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from timebank import clock
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.policy import domain
from timebank.policy import service as policy_service
from timebank.web import attach_error, roles_required

bp = Blueprint("policy", __name__, url_prefix="/admin/policy")


class PolicyForm(FlaskForm):
    depositor_min_age = IntegerField(_l("独立存入时长的最低年龄"), validators=[InputRequired()])
    minor_mode = SelectField(_l("未成年人"), choices=[
        SelectChoice("group_or_guardian", _l("集体活动或经监护人同意")), SelectChoice("group_only", _l("仅限集体活动")),
        SelectChoice("guardian_only", _l("仅限经监护人同意"))])
    redeem_min_age = IntegerField(_l("兑换服务的年龄(本人或配偶)"), validators=[InputRequired()])
    redeem_spouse_counts = BooleanField(_l("配偶达到年龄也可兑换"))
    hardship_exception = BooleanField(_l("经认定有特殊困难的可提前兑换"))
    hardship_redeem_min_age = IntegerField(_l("特殊困难提前兑换的年龄"), validators=[InputRequired()])
    relative_direct_pay = BooleanField(_l("志愿者的时长可直接为年满兑换年龄的直系亲属支付服务（无需先转赠）"))
    gift_kinships = SelectMultipleField(_l("可转赠的亲属(须经核实)"), choices=[
        SelectChoice("spouse", _l("配偶")), SelectChoice("parent", _l("父母")), SelectChoice("child", _l("子女")), SelectChoice("grandparent", _l("祖父母/外祖父母")),
        SelectChoice("grandchild", _l("孙子女/外孙子女")), SelectChoice("sibling", _l("兄弟姐妹"))],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    balance_cap_hours = IntegerField(_l("个人存储上限(小时),超出部分自动捐入县捐赠时间池"), validators=[InputRequired()])
    team_hours_donation_only = BooleanField(_l("团体志愿服务时长仅可捐赠"))
    grant_approval_hours = IntegerField(_l("超过多少小时的发放需要另一位管理员批准"), validators=[InputRequired()])
    hold_expiry_days = IntegerField(_l("预留时长的有效天数"), validators=[InputRequired()])
    note = StringField(_l("修改说明(例如依据的文件)"), validators=[Optional(), Length(max=300)])


def _form_from(policy: domain.Policy, formdata=None) -> PolicyForm:
    return PolicyForm(formdata=formdata, data={
        **{name: getattr(policy, name) for name in domain.EDITABLE if name != "gift_kinships"},
        "gift_kinships": list(policy.gift_kinships),
        "balance_cap_hours": policy.balance_cap_minutes // 60,
        "grant_approval_hours": policy.grant_approval_minutes // 60,
    })


def _render(form, status=200):
    version, policy = policy_service.current(db.session)
    return render_template("policy/edit.html", form=form, policy=policy, version=version,
                           history=policy_service.history(db.session)), status


@bp.get("/")
@roles_required("admin")
def edit():
    return _render(_form_from(policy_service.current(db.session)[1]))


@bp.post("/")
@roles_required("admin")
def save():
    form = _form_from(policy_service.current(db.session)[1], formdata=request.form)
    if not form.validate_on_submit():
        return _render(form, 422)
    changes = {name: form[name].data for name in domain.EDITABLE
               if name not in ("balance_cap_minutes", "grant_approval_minutes")}
    changes["balance_cap_minutes"] = (form.balance_cap_hours.data or 0) * 60
    changes["grant_approval_minutes"] = (form.grant_approval_hours.data or 0) * 60
    try:
        policy_service.save(db.session, current_user, changes, note=form.note.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        field = {"balance_cap_minutes": "balance_cap_hours", "grant_approval_minutes": "grant_approval_hours"}
        error.field = field.get(error.field, error.field)
        attach_error(form, error)
        return _render(form, error.status)
    db.session.commit()
    flash(_("规则已保存为新版本"))
    return redirect(url_for("policy.edit"))
