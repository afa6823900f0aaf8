"""Forms for getting back into an account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class ForgotForm(FlaskForm):
    login = StringField(_l("手机号或用户名"), validators=[DataRequired(_l("请填写手机号或用户名")), Length(max=60)])


class NewPasswordForm(FlaskForm):
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码")), Length(max=200)])
    confirm = PasswordField(_l("再次输入新密码"), validators=[EqualTo("new_password", _l("两次输入的新密码不一致"))])


class CodeResetForm(NewPasswordForm):
    login = StringField(_l("手机号或用户名"), validators=[DataRequired(_l("请填写手机号或用户名")), Length(max=60)])
    code = StringField(_l("社工站给的重置码"), validators=[DataRequired(_l("请填写重置码")), Length(max=20)])
