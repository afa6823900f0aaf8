"""Forms of the volunteer record pages (one per kind of entry; the service checks the rules again)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

REQUIRED = _l("请填写此项")


class TrainingForm(FlaskForm):
    course = StringField(_l("培训课程"), validators=[DataRequired(REQUIRED), Length(max=100)])
    held_on = DateField(_l("培训日期"), validators=[DataRequired(_l("请填写日期"))])
    minutes = IntegerField(_l("培训时长（分钟）"), validators=[
        InputRequired(REQUIRED), NumberRange(min=1, max=60000, message=_l("培训时长应在1到60000分钟之间"))])
    issuer = StringField(_l("培训单位"), validators=[DataRequired(REQUIRED), Length(max=100)])


class AwardForm(FlaskForm):
    title = StringField(_l("表彰名称"), validators=[DataRequired(REQUIRED), Length(max=100)])
    level = SelectField(_l("级别"))
    awarded_on = DateField(_l("表彰日期"), validators=[DataRequired(_l("请填写日期"))])
    issuer = StringField(_l("表彰单位"), validators=[DataRequired(REQUIRED), Length(max=100)])


class EvaluationForm(FlaskForm):
    evaluated_on = DateField(_l("评价日期"), validators=[DataRequired(_l("请填写日期"))])
    rating = SelectField(_l("评分"), coerce=int, choices=[SelectChoice(n, str(n)) for n in (5, 4, 3, 2, 1)])
    comment = StringField(_l("评语"), validators=[Optional(), Length(max=300)])


class InsuranceForm(FlaskForm):
    insurer = StringField(_l("保险公司"), validators=[DataRequired(REQUIRED), Length(max=100)])
    policy_no = StringField(_l("保单号"), validators=[DataRequired(REQUIRED), Length(max=60)])
    valid_from = DateField(_l("保险起期"), validators=[DataRequired(_l("请填写日期"))])
    valid_to = DateField(_l("保险止期"), validators=[DataRequired(_l("请填写日期"))])


class CertificateForm(FlaskForm):
    skill_id = SelectField(_l("技能"), coerce=int)
    certificate_no = StringField(_l("证书编号"), validators=[DataRequired(REQUIRED), Length(max=60)])
    issuer = StringField(_l("发证机关"), validators=[DataRequired(REQUIRED), Length(max=100)])
    valid_until = DateField(_l("有效期至"), validators=[DataRequired(_l("请填写日期"))])


class RetireForm(FlaskForm):
    reason = StringField(_l("撤销原因"), validators=[DataRequired(_l("请填写撤销原因")), Length(max=300)])


FORMS = {"training": TrainingForm, "award": AwardForm, "evaluation": EvaluationForm, "insurance": InsuranceForm,
         "certificate": CertificateForm}
