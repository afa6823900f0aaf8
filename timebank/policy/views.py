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
from timebank.i18n import labels
from timebank.policy import domain
from timebank.policy import priority as priority_rules
from timebank.policy import service as policy_service
from timebank.web import attach_error, roles_required

bp = Blueprint("policy", __name__, url_prefix="/admin/policy")


class PolicyForm(FlaskForm):
    depositor_min_age = IntegerField(_l("独立存入时长的最低年龄"), validators=[InputRequired()])
    minor_mode = SelectField(_l("未成年人"), choices=[
        SelectChoice("group_or_guardian", _l("集体活动或经监护人同意")), SelectChoice("group_only", _l("仅限集体活动")),
        SelectChoice("guardian_only", _l("仅限经监护人同意"))])
    redeem_min_age = IntegerField(_l("兑换服务的年龄（本人或配偶）"), validators=[InputRequired()])
    redeem_spouse_counts = BooleanField(_l("配偶达到年龄也可兑换"))
    hardship_exception = BooleanField(_l("经认定有特殊困难的可提前兑换"))
    hardship_redeem_min_age = IntegerField(_l("特殊困难提前兑换的年龄"), validators=[InputRequired()])
    relative_direct_pay = BooleanField(_l("志愿者的时长可直接为年满兑换年龄的直系亲属支付服务（无需先转赠）"))
    gift_kinships = SelectMultipleField(_l("可转赠的亲属（须经核实）"), choices=[
        SelectChoice("spouse", _l("配偶")), SelectChoice("parent", _l("父母")), SelectChoice("child", _l("子女")), SelectChoice("grandparent", _l("祖父母/外祖父母")),
        SelectChoice("grandchild", _l("孙子女/外孙子女")), SelectChoice("sibling", _l("兄弟姐妹"))],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    balance_cap_hours = IntegerField(_l("个人存储上限（小时），超出部分自动捐入县捐赠时间池"), validators=[InputRequired()])
    team_hours_donation_only = BooleanField(_l("团体志愿服务时长仅可捐赠"))
    grant_approval_hours = IntegerField(_l("超过多少小时的发放需要另一位管理员批准"), validators=[InputRequired()])
    hold_expiry_days = IntegerField(_l("预留时长的有效天数"), validators=[InputRequired()])
    death_balance = SelectField(_l("去世后账户余额"), choices=[
        SelectChoice("county_pool", _l("全部转入县捐赠时间池")),
        SelectChoice("heirs", _l("经核实的直系亲属继承（社工站提出，另一人批准）")),
        SelectChoice("frozen", _l("冻结，不再使用"))])
    star_1 = IntegerField(_l("一星所需累计服务小时数"), validators=[Optional()])
    star_2 = IntegerField(_l("二星所需累计服务小时数"), validators=[Optional()])
    star_3 = IntegerField(_l("三星所需累计服务小时数"), validators=[Optional()])
    star_4 = IntegerField(_l("四星所需累计服务小时数"), validators=[Optional()])
    star_5 = IntegerField(_l("五星所需累计服务小时数"), validators=[Optional()])
    note = StringField(_l("修改说明（例如依据的文件）"), validators=[Optional(), Length(max=300)])


STARS = ("star_1", "star_2", "star_3", "star_4", "star_5")


def _form_from(policy: domain.Policy, formdata=None) -> PolicyForm:
    return PolicyForm(formdata=formdata, data={
        **{name: getattr(policy, name) for name in domain.EDITABLE
           if name not in ("gift_kinships", "star_thresholds_hours")},
        **dict(zip(STARS, policy.star_thresholds_hours, strict=False)),
        "gift_kinships": list(policy.gift_kinships),
        "balance_cap_hours": policy.balance_cap_minutes // 60,
        "grant_approval_hours": policy.grant_approval_minutes // 60,
    })


def _render(form, status=200, pform=None):
    version, policy = policy_service.current(db.session)
    return render_template("policy/edit.html", form=form, policy=policy, version=version,
                           history=policy_service.history(db.session),
                           pform=pform or _priority_form(policy.priority), priority_rows=_rows(policy.priority)), status


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
               if name not in ("balance_cap_minutes", "grant_approval_minutes", "star_thresholds_hours")}
    current = policy_service.current(db.session)[1].star_thresholds_hours  # a field left empty keeps its value
    changes["star_thresholds_hours"] = tuple(form[name].data if form[name].data is not None else old
                                             for name, old in zip(STARS, current, strict=True))
    changes["balance_cap_minutes"] = (form.balance_cap_hours.data or 0) * 60
    changes["grant_approval_minutes"] = (form.grant_approval_hours.data or 0) * 60
    try:
        policy_service.save(db.session, current_user, changes, note=form.note.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        field = {"balance_cap_minutes": "balance_cap_hours", "grant_approval_minutes": "grant_approval_hours",
                 "star_thresholds_hours": "star_1"}
        error.field = field.get(error.field, error.field)
        attach_error(form, error)
        return _render(form, error.status)
    db.session.commit()
    flash(_("规则已保存为新版本"))
    return redirect(url_for("policy.edit"))


# ---------------------------------------------------------------------------------------------------------
# the priority table (who is a priority person, which tier, which pools pay)


def _priority_form(table: priority_rules.Table, formdata=None):
    class PriorityForm(FlaskForm):
        backstop_max_tier = IntegerField(_l("政府兜底时间池支付到第几级"), validators=[InputRequired()])
        county_pool_max_tier = IntegerField(_l("县捐赠时间池支付到第几级"), validators=[InputRequired()])
        grace_days = IntegerField(_l("复核日期过后仍计入的宽限天数"), validators=[InputRequired()])
        notice_days = IntegerField(_l("提前多少天提醒社工站复核"), validators=[InputRequired()])
        note = StringField(_l("修改说明（例如依据的文件）"), validators=[Optional(), Length(max=300)])

    data = {"backstop_max_tier": table.backstop_max_tier, "county_pool_max_tier": table.county_pool_max_tier,
            "grace_days": table.grace_days, "notice_days": table.notice_days}
    for group in table.groups:
        setattr(PriorityForm, f"tier_{group.key}", IntegerField(_l("优先级"), validators=[InputRequired()]))
        setattr(PriorityForm, f"watch_{group.key}", BooleanField(_l("主动关爱")))
        setattr(PriorityForm, f"grant_{group.key}", BooleanField(_l("可获发放时长")))
        data.update({f"tier_{group.key}": group.tier, f"watch_{group.key}": group.watch,
                     f"grant_{group.key}": group.grant})
    return PriorityForm(formdata=formdata, data=data)


def describe(rule: priority_rules.Rule) -> str:
    """One rule of a priority group in plain words, e.g. "80岁以上，独居或空巢"."""
    hardship = labels()["hardship"]
    parts = []
    if rule.min_age is not None and rule.max_age is not None:
        parts.append(_("%(low)s到%(high)s岁", low=rule.min_age, high=rule.max_age))
    elif rule.min_age is not None:
        parts.append(_("%(age)s岁以上", age=rule.min_age))
    elif rule.max_age is not None:
        parts.append(_("%(age)s岁以下", age=rule.max_age))
    if set(rule.living) == {"alone", "empty_nest"}:
        parts.append(_("独居或空巢"))
    elif rule.living:
        parts.append(_("或").join(str(labels()["living"][v]) for v in rule.living))
    if rule.statuses:
        parts.append(_("认定为%(kinds)s", kinds=_("或").join(str(hardship[k]) for k in rule.statuses)))
    if rule.all_statuses:
        parts.append(_("认定为%(kinds)s", kinds=_("且").join(str(hardship[k]) for k in rule.all_statuses)))
    if rule.disability_grades:
        parts.append(_("残疾等级为%(grades)s", grades=_("或").join(
            str(labels()["disability"][g]) for g in rule.disability_grades)))
    if rule.min_adl is not None:
        adl = {1: _("轻度失能及以上"), 2: _("中度失能及以上"), 3: _("重度失能及以上"), 4: _("完全失能")}
        parts.append(str(adl.get(rule.min_adl, _("能力评估有记录"))))
    return _("，").join(parts)


def _rows(table: priority_rules.Table) -> list[dict]:
    names = labels()["priority_group"]
    return [{"group": g, "name": names.get(g.key, g.key), "rules": [describe(r) for r in g.rules],
             "backstop": g.tier <= table.backstop_max_tier, "county_pool": g.tier <= table.county_pool_max_tier}
            for g in table.groups]


@bp.post("/priority")
@roles_required("admin")
def priority_save():
    table = policy_service.current(db.session)[1].priority
    pform = _priority_form(table, formdata=request.form)
    if not pform.validate_on_submit():
        return _render(_form_from(policy_service.current(db.session)[1]), 422, pform=pform)
    keys = [g.key for g in table.groups]
    try:
        policy_service.save_priority(
            db.session, current_user, tiers={k: pform[f"tier_{k}"].data for k in keys},
            watch={k: pform[f"watch_{k}"].data for k in keys}, grant={k: pform[f"grant_{k}"].data for k in keys},
            settings={name: pform[name].data for name in
                      ("backstop_max_tier", "county_pool_max_tier", "grace_days", "notice_days")},
            note=pform.note.data, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.field == "tiers":
            error.field = next((f"tier_{k}" for k in keys if not 1 <= (pform[f"tier_{k}"].data or 0) <= 5),
                               f"tier_{keys[0]}")
        attach_error(pform, error)
        return _render(_form_from(policy_service.current(db.session)[1]), error.status, pform=pform)
    db.session.commit()
    flash(_("重点人群与优先级已保存为新版本"))
    return redirect(url_for("policy.edit") + "#priority")
