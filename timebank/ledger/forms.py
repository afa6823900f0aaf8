"""Forms for gifts, donations, grants and reversals. Every form carries its idempotency key, generated
when the form is first shown, so a double click or a resubmitted page moves hours only once."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

KEY_VALIDATORS = [DataRequired(), Regexp(r"^[A-Za-z0-9._:\-]{1,80}$")]


def new_key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


class HoursMixin:
    hours = IntegerField(_l("小时"), default=0, validators=[Optional(), NumberRange(min=0, max=16_000,
                                                                                     message=_l("小时数无效"))])
    minutes = IntegerField(_l("分钟"), default=0, validators=[Optional(), NumberRange(min=0, max=59,
                                                                                       message=_l("分钟应在0到59之间"))])

    def total_minutes(self) -> int:
        return (self.hours.data or 0) * 60 + (self.minutes.data or 0)


class GiftForm(HoursMixin, FlaskForm):
    to_person_id = SelectField(_l("转赠给"), coerce=int, validators=[InputRequired(_l("请选择亲属"))])
    memo = StringField(_l("留言（可不填）"), validators=[Optional(), Length(max=200)])
    idempotency_key = HiddenField(validators=KEY_VALIDATORS)
    confirmed = HiddenField()


class DonateForm(HoursMixin, FlaskForm):
    pool = SelectField(_l("捐给"), choices=[SelectChoice("county_donation", _l("县捐赠时间池（优先服务最困难的老人）"))],
                       validators=[DataRequired()])
    memo = StringField(_l("留言（可不填）"), validators=[Optional(), Length(max=200)])
    idempotency_key = HiddenField(validators=KEY_VALIDATORS)
    confirmed = HiddenField()


class GrantForm(HoursMixin, FlaskForm):
    to = SelectField(_l("发放到"), choices=[SelectChoice("backstop", _l("政府兜底时间池")),
                                           SelectChoice("person", _l("一位服务对象"))],
                     validators=[DataRequired(_l("请选择发放到哪里"))])
    person_id = IntegerField(_l("服务对象编号（发给服务对象时填写，在服务对象资料页可以看到）"),
                             validators=[Optional(), NumberRange(min=1, max=2**31 - 1, message=_l("编号不正确"))])
    reason = StringField(_l("发放原因"), validators=[DataRequired(_l("请填写发放原因")), Length(max=200)])
    idempotency_key = HiddenField(validators=KEY_VALIDATORS)


class ReversalForm(FlaskForm):
    transfer_id = IntegerField(_l("要冲正的转账编号"), validators=[InputRequired(_l("请填写转账编号"))])
    reason = StringField(_l("冲正原因"), validators=[DataRequired(_l("请填写冲正原因")), Length(max=200)])
    idempotency_key = HiddenField(validators=KEY_VALIDATORS)


class DecideForm(FlaskForm):
    idempotency_key = HiddenField(validators=KEY_VALIDATORS)
