"""Forms for the station's volunteer registration, reopening, unlinking and reveals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

TIME = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", message=_l("请按 时：分 填写，例如 09:00"))


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StationVolunteerForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=50)])
    id_number = StringField(_l("身份证号码"), validators=[DataRequired(_l("请填写身份证号码"))])
    phone = StringField(_l("手机号码（没有可不填）"), validators=[Optional()])
    village_id = SelectField(_l("所在村/社区"), coerce=int, validators=[DataRequired(_l("请选择村或社区"))])
    address = StringField(_l("详细住址"), validators=[Optional(), Length(max=200)])
    skill_ids = MultiCheckbox(_l("技能"), coerce=int, validators=[Optional()])
    weekdays = MultiCheckbox(_l("每周可服务的日子"), coerce=int, validators=[Optional()])
    start = StringField(_l("可服务时间从"), default="09:00", validators=[Optional(), TIME])
    end = StringField(_l("到"), default="11:30", validators=[Optional(), TIME])
    emergency_contact_name = StringField(_l("紧急联系人姓名"), validators=[DataRequired(_l("请填写紧急联系人姓名")),
                                                                      Length(max=50)])
    emergency_contact_phone = StringField(_l("紧急联系人手机号码"),
                                          validators=[DataRequired(_l("请填写紧急联系人的11位手机号码"))])
    consent_form_ref = StringField(_l("纸质知情同意书编号"),
                                   validators=[DataRequired(_l("请填写纸质知情同意书编号")), Length(max=60)])
    login_password = PasswordField(_l("开通登录的初始密码（可不填，需要本人手机号）"), validators=[Optional()])
    guardian_name = StringField(_l("监护人姓名"), validators=[Optional(), Length(max=50)])
    guardian_id_number = StringField(_l("监护人身份证号码"), validators=[Optional()])
    guardian_phone = StringField(_l("监护人手机号码"), validators=[Optional()])
    guardian_consent_ref = StringField(_l("监护人书面同意书编号"), validators=[Optional(), Length(max=60)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("原因"), validators=[DataRequired(_l("请填写原因")), Length(max=300)])


class RevealForm(FlaskForm):
    field = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("为什么查看（可不填，例如：电话回访）"), validators=[Optional(), Length(max=200)])
