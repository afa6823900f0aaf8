"""Forms for charity registration, donations, pool rules, cash notes, goods requests and allocation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional


def registration_choices():
    return [("charity", _l("已登记的慈善组织")), ("public_fundraising", _l("具有公开募捐资格的慈善组织")),
            ("enterprise", _l("爱心企业")), ("social_org", _l("其他社会组织"))]


class CharityForm(FlaskForm):
    name = StringField(_l("机构名称"), validators=[DataRequired(_l("请填写机构名称")), Length(max=100)])
    credit_code = StringField(_l("统一社会信用代码"), validators=[DataRequired(_l("请填写统一社会信用代码"))])
    registration = SelectField(_l("登记类型"), choices=registration_choices)
    contact_name = StringField(_l("联系人"), validators=[DataRequired(_l("请填写联系人")), Length(max=50)])
    contact_phone = StringField(_l("联系电话"), validators=[DataRequired(_l("请填写联系电话")), Length(max=20)])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("机构简介"), validators=[Optional(), Length(max=500)])


class ReviewForm(FlaskForm):
    decision = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("不通过的原因"), validators=[Optional(), Length(max=300)])


class EligibilityMixin:
    statuses = SelectMultipleField(_l("限困难类型（不选则不限）"), validators=[Optional()])
    min_age = IntegerField(_l("最低年龄"), validators=[Optional()])
    max_age = IntegerField(_l("最高年龄"), validators=[Optional()])
    township_ids = SelectMultipleField(_l("限乡镇（不选则不限）"), coerce=int, validators=[Optional()])


class DonationForm(EligibilityMixin, FlaskForm):
    item_id = SelectField(_l("物资"), coerce=int, validators=[InputRequired(_l("请选择物资"))])
    quantity = StringField(_l("数量"), validators=[DataRequired(_l("请填写数量"))])
    station_id = SelectField(_l("存放在社工站"), coerce=int, validators=[InputRequired(_l("请选择社工站"))])
    use_by = DateField(_l("保质期至（可不填）"), validators=[Optional()])
    delivery = SelectField(_l("领取方式"), choices=lambda: [("both", _l("上门送达或到站领取")),
                                                          ("delivery", _l("仅上门送达")),
                                                          ("pickup", _l("仅到站领取"))])
    note = StringField(_l("备注"), validators=[Optional(), Length(max=300)])


class PoolRuleForm(EligibilityMixin, FlaskForm):
    category_ids = SelectMultipleField(_l("限服务类别（不选则不限）"), coerce=int, validators=[Optional()])


class WriteOffForm(FlaskForm):
    quantity = StringField(_l("报损数量"), validators=[DataRequired(_l("请填写数量"))])
    reason = StringField(_l("报损原因"), validators=[DataRequired(_l("请填写报损原因")), Length(max=300)])


class CashNoteForm(FlaskForm):
    receipt_ref = StringField(_l("机构收据编号"), validators=[DataRequired(_l("请填写收据编号")), Length(max=60)])
    note = StringField(_l("说明"), validators=[DataRequired(_l("请填写说明")), Length(max=300)])


class ItemForm(FlaskForm):
    item_id = HiddenField()
    category_id = SelectField(_l("类别"), coerce=int)
    code = StringField(_l("代码"), validators=[DataRequired(), Length(max=40)])
    name_zh = StringField(_l("中文名称"), validators=[DataRequired(), Length(max=40)])
    name_en = StringField(_l("英文名称"), validators=[DataRequired(), Length(max=60)])
    unit = StringField(_l("单位"), validators=[DataRequired(), Length(max=8)])
    active = SelectField(_l("状态"), choices=lambda: [("1", _l("启用")), ("0", _l("停用"))])


class GoodsRequestForm(FlaskForm):
    resident_id = SelectField(_l("服务对象"), coerce=int, validators=[
        InputRequired(_l("请选择服务对象")), NumberRange(min=1, message=_l("请选择服务对象"))])
    item_id = SelectField(_l("物资"), coerce=int, validators=[InputRequired(_l("请选择物资"))])
    quantity = StringField(_l("数量"), default="1", validators=[DataRequired(_l("请填写数量"))])
    reason = StringField(_l("申请理由"), validators=[DataRequired(_l("请填写申请理由")), Length(max=300)])


class AllocateForm(FlaskForm):
    donation_id = HiddenField(validators=[DataRequired()])
    method = SelectField(_l("领取方式"), choices=lambda: [("delivery", _l("志愿者上门送达（送物资服务）")),
                                                         ("pickup", _l("到社工站领取"))])


class ReasonForm(FlaskForm):
    reason = StringField(_l("原因"), validators=[DataRequired(_l("请填写原因")), Length(max=300)])


class ConfirmForm(FlaskForm):
    pass


class ReceiptForm(FlaskForm):
    """确认收货; for a home delivery also how the delivery went (it confirms the 送物资 visit too)."""
    rating = SelectField(_l("这次送货满意吗"), coerce=int, default=5, choices=[
        SelectChoice(5, _l("很满意")), SelectChoice(4, _l("满意")), SelectChoice(3, _l("一般")),
        SelectChoice(2, _l("不太满意")), SelectChoice(1, _l("不满意"))])


class ApplyForm(CharityForm):
    """The public application: the charity's details and its first login (the owner)."""

    registration_number = StringField(_l("慈善组织登记证书编号"), validators=[Optional(), Length(max=40)])
    contact_email = StringField(_l("电子邮箱（审核结果会发到这里）"), validators=[Optional(), Length(max=200)])
    username = StringField(_l("登录用户名"), validators=[DataRequired(_l("请填写登录用户名")), Length(max=40)])
    password = PasswordField(_l("设置密码（至少8位，含字母和数字）"), validators=[DataRequired(_l("请设置密码"))])
    confirm = PasswordField(_l("再次输入密码"), validators=[EqualTo("password", _l("两次输入的密码不一致"))])


class OpenCharityForm(CharityForm):
    """An admin opens a charity directly: its owner login gets an initial password."""

    registration_number = StringField(_l("慈善组织登记证书编号"), validators=[Optional(), Length(max=40)])
    contact_email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=200)])
    username = StringField(_l("负责人登录用户名"), validators=[DataRequired(_l("请填写登录用户名")), Length(max=40)])
    password = PasswordField(_l("初始密码（至少8位，首次登录后须修改）"), validators=[DataRequired(_l("请设置密码"))])


class ProfileForm(CharityForm):
    registration_number = StringField(_l("慈善组织登记证书编号"), validators=[Optional(), Length(max=40)])
    contact_email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=200)])


class MemberForm(FlaskForm):
    name = StringField(_l("成员姓名"), validators=[DataRequired(_l("请填写成员姓名")), Length(max=50)])
    username = StringField(_l("登录用户名"), validators=[DataRequired(_l("请填写登录用户名")), Length(max=40)])
    password = PasswordField(_l("初始密码（至少8位，成员首次登录后须修改）"),
                             validators=[DataRequired(_l("请设置初始密码"))])
    email = StringField(_l("电子邮箱（可不填）"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("角色"), choices=lambda: [("member", _l("成员")), ("owner", _l("负责人（可管理成员）"))])


class DeactivateForm(FlaskForm):
    reason = StringField(_l("停用原因"), validators=[DataRequired(_l("请填写停用原因")), Length(max=300)])
