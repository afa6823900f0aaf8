"""Forms for personal-data requests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class CorrectionForm(FlaskForm):
    field = SelectField(_l("要更正的信息"), validators=[DataRequired(_l("请选择要更正的信息"))])
    new_value = StringField(_l("正确的内容"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("说明（可不填）"), validators=[Optional(), Length(max=300)])


class ClosureForm(FlaskForm):
    note = TextAreaField(_l("注销原因（可不填）"), validators=[Optional(), Length(max=300)])
    confirm = BooleanField(_l("我知道注销后不能再登录，姓名、电话和住址会被清除，已记入的服务时长记录按规定保留"),
                           validators=[DataRequired(_l("请确认已了解注销的后果"))])


class DecisionForm(FlaskForm):
    reason = StringField(_l("处理意见（不通过时必填）"), validators=[Optional(), Length(max=300)])


class ExportForm(FlaskForm):
    pass
