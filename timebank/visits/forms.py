"""Forms at the HTML edge of the visits area. Times are typed in county-local time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

FORMAT = "%Y-%m-%dT%H:%M"


class RequestForm(FlaskForm):
    resident_id = SelectField(_l("服务对象"), coerce=int, validators=[DataRequired(_l("请选择服务对象"))])
    category_id = SelectField(_l("服务类别"), coerce=int, validators=[DataRequired(_l("请选择服务类别"))])
    description = TextAreaField(_l("需求说明"), validators=[Optional(), Length(max=500)])
    earliest_start = DateTimeLocalField(_l("最早开始时间"), format=FORMAT,
                                        validators=[DataRequired(_l("请填写开始时间"))])
    latest_end = DateTimeLocalField(_l("最晚结束时间"), format=FORMAT, validators=[DataRequired(_l("请填写结束时间"))])
    duration_minutes = IntegerField(_l("服务时长（分钟，不填按类别默认）"),
                                    validators=[Optional(), NumberRange(min=1, max=720, message=_l("服务时长应在1到720分钟之间"))])
    seats_volunteer = IntegerField(_l("志愿者人数"), default=1,
                                   validators=[InputRequired(), NumberRange(min=0, max=10)])
    seats_social_worker = IntegerField(_l("社工人数（不填按类别默认）"), validators=[Optional(), NumberRange(min=0, max=10)])
    skill_ids = SelectMultipleField(_l("所需技能（不选按类别默认）"), coerce=int, validators=[Optional()])
    repeat_weeks = IntegerField(_l("每周重复（周数，1为不重复）"), default=1,
                                validators=[InputRequired(), NumberRange(min=1, max=26, message=_l("每周重复的周数应在1到26之间"))])
    payer = SelectField(_l("由谁支付时长"), validators=[DataRequired()])
    urgent = BooleanField(_l("紧急"))
    safety = BooleanField(_l("安全个案（急难、儿童有危险）：只派本站社工"))


class AssignForm(FlaskForm):
    volunteer_id = SelectField(_l("指派志愿者"), coerce=int, validators=[DataRequired(_l("请选择志愿者"))])


class TakeForm(FlaskForm):
    # optional: without a choice the earliest time that fits is taken (as the page preselects it)
    start = SelectField(_l("我什么时候上门"), validate_choice=False)


class OpenSlotForm(FlaskForm):
    start = HiddenField()


class SeatForm(FlaskForm):
    volunteer_id = IntegerField(validators=[Optional()])


class ManualTimeForm(FlaskForm):
    volunteer_id = SelectField(_l("志愿者"), coerce=int, validators=[DataRequired()])
    action = SelectField(_l("登记"))
    at = DateTimeLocalField(_l("时间"), format=FORMAT, validators=[DataRequired(_l("请填写时间"))])
    reason = StringField(_l("人工登记原因"), validators=[DataRequired(_l("人工登记签到签退时请填写原因")), Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("check_in", _l("签到")), ("check_out", _l("签退"))]


class ConfirmForm(FlaskForm):
    rating = SelectField(_l("评价"), coerce=int, validators=[DataRequired(_l("请选择1到5星的评价"))])
    comment = TextAreaField(_l("留言（可不填）"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating.choices = [(n, "★" * n + f" {n}") for n in (5, 4, 3, 2, 1)]


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("原因"), validators=[DataRequired(_l("请填写原因")), Length(max=500)])


class ResolveForm(FlaskForm):
    outcome = SelectField(_l("处理结果"))
    minutes = IntegerField(_l("部分记入的分钟数（每位志愿者）"), validators=[Optional(), NumberRange(min=0, max=720)])
    reason = TextAreaField(_l("处理理由"), validators=[DataRequired(_l("请填写处理理由")), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [("all", _l("全部记入")), ("part", _l("部分记入")), ("none", _l("不记入"))]


class ReviewForm(FlaskForm):
    reason = TextAreaField(_l("审核意见（不通过时必填）"), validators=[Optional(), Length(max=300)])


class ExcludeForm(FlaskForm):
    volunteer_id = SelectField(_l("志愿者"), coerce=int, validators=[DataRequired(_l("请选择志愿者"))])
    reason = TextAreaField(_l("换人原因"), validators=[DataRequired(_l("请填写原因")), Length(max=300)])


class ActionForm(FlaskForm):
    """A bare CSRF-protected button."""


class BoardArgs(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(validators=[Optional()])
    township_id = SelectField(coerce=int, validators=[Optional()])
    category_id = SelectField(coerce=int, validators=[Optional()])
    tier = SelectField(coerce=int, validators=[Optional()])


class ElderConfirmForm(FlaskForm):
    """On the volunteer's phone, for the person served: satisfied or not, and the card code or a signature."""

    satisfied = RadioField(_l("您对这次服务满意吗？"), validators=[InputRequired(_l("请选择满意或不满意"))])
    code = StringField(_l("服务卡上的号码"), validators=[Optional(), Length(max=20)])
    signature = HiddenField(validators=[Optional(), Length(max=20_000, message=_l("签名太大，请重新签名"))])
    note = TextAreaField(_l("哪里不满意（可不填）"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.satisfied.choices = [("yes", _l("满意")), ("no", _l("不满意"))]


class PhoneConfirmForm(FlaskForm):
    """The station phoned the person served (or their family)."""

    answered_by = StringField(_l("接电话的人"), validators=[DataRequired(_l("请填写接电话的人")), Length(max=50)])
    satisfied = RadioField(_l("是否满意"), validators=[InputRequired(_l("请选择是否满意"))])
    note = TextAreaField(_l("通话记录（可不填）"), validators=[Optional(), Length(max=240)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.satisfied.choices = [("yes", _l("满意")), ("no", _l("不满意"))]
