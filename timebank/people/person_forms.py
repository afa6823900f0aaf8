"""Forms for a person's record: corrections, identity corrections, moves, death and heirs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


def int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class EditForm(FlaskForm):
    phone = StringField(_l("联系电话"), validators=[Optional()])
    address = StringField(_l("详细住址"), validators=[Optional(), Length(max=200)])
    # not checked against the choices: the service answers 404 for a village outside the subtree
    village_id = SelectField(_l("所在村/社区"), coerce=int_or_none, validators=[Optional()], validate_choice=False)
    living_situation = SelectField(_l("居住情况"), validators=[Optional()])
    disability_grade = SelectField(_l("残疾等级"), coerce=int_or_none, validators=[Optional()])
    disability_type = SelectField(_l("残疾类别"), validators=[Optional()])
    adl_level = SelectField(_l("失能等级（能力评估结果）"), coerce=int_or_none, validators=[Optional()])
    adl_assessed_on = DateField(_l("失能评估日期"), validators=[Optional()])
    emergency_contact_name = StringField(_l("紧急联系人姓名"), validators=[Optional(), Length(max=50)])
    emergency_contact_phone = StringField(_l("紧急联系人电话"), validators=[Optional()])
    volunteer_emergency_contact_name = StringField(_l("志愿者紧急联系人姓名"), validators=[Optional(), Length(max=50)])
    volunteer_emergency_contact_phone = StringField(_l("志愿者紧急联系人电话"), validators=[Optional()])


class IdentityForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[Optional(), Length(max=50)])
    id_number = StringField(_l("新的身份证号码（不改可不填）"), validators=[Optional()])
    reason = TextAreaField(_l("更正原因（例如依据的户口簿或身份证）"),
                           validators=[DataRequired(_l("请填写更正原因")), Length(max=300)])


class MoveForm(FlaskForm):
    village_id = SelectField(_l("迁往的村/社区（其他乡镇）"), coerce=int_or_none,
                             validators=[DataRequired(_l("请选择要迁往的村或社区"))])
    address = StringField(_l("新住址（可不填）"), validators=[Optional(), Length(max=200)])
    reason = StringField(_l("说明（可不填）"), validators=[Optional(), Length(max=200)])


class MoveAwayForm(FlaskForm):
    reason = StringField(_l("迁出原因或去向"), validators=[DataRequired(_l("请填写原因")), Length(max=200)])


class DeathForm(FlaskForm):
    died_on = DateField(_l("去世日期"), validators=[DataRequired(_l("请填写去世日期"))])


class HeirsForm(FlaskForm):
    heirs = SelectMultipleField(_l("继承人（经核实的直系亲属，余额平均分配）"), coerce=int,
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class ConfirmPersonForm(FlaskForm):
    confirm_person_id = HiddenField()
