"""Forms at the HTML edge of the people area (station pages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class ReviewForm(FlaskForm):
    reason = TextAreaField(_l("审核意见（不通过时必填）"), validators=[Optional(), Length(max=300)])


class ResidentForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=50)])
    id_number = StringField(_l("身份证号码"), validators=[DataRequired(_l("请填写身份证号码"))])
    phone = StringField(_l("联系电话（可不填）"), validators=[Optional()])
    village_id = SelectField(_l("所在村/社区"), coerce=int, validators=[DataRequired(_l("请选择村或社区"))])
    address = StringField(_l("详细住址"), validators=[Optional(), Length(max=200)])
    living_situation = SelectField(_l("居住情况"), validators=[DataRequired()])
    disability_grade = SelectField(_l("残疾等级"), coerce=int, validators=[Optional()])
    consent_form_ref = StringField(_l("纸质知情同意书编号"), validators=[DataRequired(_l("请填写纸质知情同意书编号")),
                                                                 Length(max=60)])
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=500)])


class HardshipForm(FlaskForm):
    kind = SelectField(_l("困难类别"), validators=[DataRequired(_l("请选择困难类别"))])
    evidence_no = StringField(_l("认定文书编号"), validators=[DataRequired(_l("请填写认定文书编号"))])
    review_date = DateField(_l("下次复核日期"), validators=[DataRequired(_l("请填写复核日期"))])


class RelativeForm(FlaskForm):
    name = StringField(_l("家属姓名"), validators=[DataRequired(_l("请填写家属姓名")), Length(max=50)])
    id_number = StringField(_l("家属身份证号码"), validators=[DataRequired(_l("请填写身份证号码"))])
    phone = StringField(_l("家属手机号码"), validators=[Optional()])
    kinship = SelectField(_l("与老人的关系"), validators=[DataRequired(_l("请选择关系"))])
    consent_form_ref = StringField(_l("家属纸质知情同意书编号"), validators=[DataRequired(_l("请填写纸质知情同意书编号")),
                                                                     Length(max=60)])
    login_password = PasswordField(_l("为家属开通登录的初始密码（可不填）"), validators=[Optional()])


class PageArgs(FlaskForm):
    class Meta:
        csrf = False

    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1, max=100000)])
