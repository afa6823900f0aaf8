"""Forms for issuing, requesting, revoking and declining certificates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class PeriodForm(FlaskForm):
    period_start = DateField(_l("服务期间从"), validators=[DataRequired(_l("请填写开始日期"))])
    period_end = DateField(_l("到"), validators=[DataRequired(_l("请填写结束日期"))])


class RequestForm(PeriodForm):
    purpose = StringField(_l("用途（可不填，例如：升学、求职）"), validators=[Optional(), Length(max=100)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("撤销原因"), validators=[DataRequired(_l("撤销证明时请填写原因")), Length(max=300)])


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("不予出具的原因"), validators=[DataRequired(_l("请填写不予出具的原因")),
                                                     Length(max=300)])
