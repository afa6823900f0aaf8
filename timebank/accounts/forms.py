"""Forms at the HTML edge of the accounts area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    login = StringField(_l("手机号或用户名"), validators=[DataRequired(_l("请填写手机号或用户名"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码"))])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请填写当前密码"))])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码"))])
    confirm = PasswordField(_l("再次输入新密码"),
                            validators=[EqualTo("new_password", _l("两次输入的新密码不一致"))])


class NodeForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称")), Length(max=80)])
    code = StringField(_l("编码"), validators=[DataRequired(_l("请填写编码")), Length(max=32)])
    latitude = FloatField(_l("纬度"), validators=[Optional()])
    longitude = FloatField(_l("经度"), validators=[Optional()])


class ConfirmActionForm(FlaskForm):
    """A bare form for POST buttons (carries only the CSRF token)."""


class SignupForm(FlaskForm):
    name = StringField(_l("真实姓名"), validators=[DataRequired(_l("请填写真实姓名")), Length(max=50)])
    id_number = StringField(_l("身份证号码"), validators=[DataRequired(_l("请填写身份证号码"))])
    phone = StringField(_l("手机号码（用于登录）"), validators=[DataRequired(_l("请填写手机号码"))])
    password = PasswordField(_l("设置密码（至少8位）"), validators=[DataRequired(_l("请设置密码"))])
    confirm = PasswordField(_l("再次输入密码"), validators=[EqualTo("password", _l("两次输入的密码不一致"))])
    village_id = SelectField(_l("居住的村/社区"), coerce=int,
                             validators=[DataRequired(_l("请选择居住的村或社区"))])
    emergency_contact_name = StringField(_l("紧急联系人姓名"),
                                         validators=[DataRequired(_l("请填写紧急联系人姓名"))])
    emergency_contact_phone = StringField(_l("紧急联系人手机"),
                                          validators=[DataRequired(_l("请填写紧急联系人手机"))])
    privacy_consent = BooleanField(_l("我已阅读并同意《隐私声明》"))


class StationForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称")), Length(max=80)])
    node_id = SelectField(_l("所在乡镇/街道或村/社区"), coerce=int, validators=[DataRequired(_l("请选择地点"))])
    kind = SelectField(_l("类型"), validators=[DataRequired()])
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=20)])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=200)])


class StaffUserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=40)])
    password = PasswordField(_l("初始密码（至少8位）"), validators=[DataRequired(_l("请设置密码"))])
    role = SelectField(_l("角色"), validators=[DataRequired()])
    station_id = SelectField(_l("所属工作站（社工站工作人员必选）"), coerce=int, validators=[Optional()])


class CodeForm(FlaskForm):
    code = StringField(_l("验证码"), validators=[DataRequired(_l("请输入验证码")), Length(max=20)])
