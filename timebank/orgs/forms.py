"""Forms at the HTML edge of the organisations area. Times are typed in county-local time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

FORMAT = "%Y-%m-%dT%H:%M"


class OrgForm(FlaskForm):
    name = StringField(_l("组织名称"), validators=[DataRequired(_l("请填写组织名称")), Length(max=80)])
    kind = SelectField(_l("组织类型"), validators=[DataRequired(_l("请选择组织类型"))])
    node_id = SelectField(_l("所在村（社区）或乡镇"), coerce=int, validators=[Optional()])
    leader_person_id = IntegerField(_l("负责人志愿者编号"), validators=[Optional()])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=20)])
    description = TextAreaField(_l("简介"), validators=[Optional(), Length(max=300)])


class ReasonForm(FlaskForm):
    reason = StringField(_l("原因"), validators=[Optional(), Length(max=300)])


class PersonForm(FlaskForm):
    person_id = IntegerField(_l("志愿者编号"), validators=[DataRequired(_l("请填写志愿者编号"))])


class ActionForm(FlaskForm):
    """A bare POST button (CSRF only)."""


class ActivityForm(FlaskForm):
    title = StringField(_l("活动名称"), validators=[DataRequired(_l("请填写活动名称")), Length(max=100)])
    place = StringField(_l("活动地点"), validators=[DataRequired(_l("请填写活动地点")), Length(max=200)])
    starts_at = DateTimeLocalField(_l("开始时间"), format=FORMAT, validators=[DataRequired(_l("请填写开始时间"))])
    ends_at = DateTimeLocalField(_l("结束时间"), format=FORMAT, validators=[DataRequired(_l("请填写结束时间"))])
    capacity = IntegerField(_l("人数上限"), default=50, validators=[
        DataRequired(_l("请填写人数上限")), NumberRange(min=1, max=1000, message=_l("人数上限应在1到1000之间"))])
    org_id = SelectField(_l("志愿服务组织"), coerce=int, validators=[Optional()])
    node_id = SelectField(_l("所在村（社区）或乡镇"), coerce=int, validators=[Optional()])
    category_id = SelectField(_l("服务类别（可不选）"), coerce=int, validators=[Optional()])
    beneficiary_count = IntegerField(_l("服务对象人数（可不填）"), validators=[
        Optional(), NumberRange(min=0, max=100000, message=_l("服务对象人数应在0到100000之间"))])
    description = TextAreaField(_l("活动说明"), validators=[Optional(), Length(max=500)])


class TickForm(FlaskForm):
    action = SelectField(_l("登记"))
    at = DateTimeLocalField(_l("时间（不填为现在）"), format=FORMAT, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("check_in", _l("批量签到")), ("check_out", _l("批量签退"))]


class CorrectForm(FlaskForm):
    check_in_at = DateTimeLocalField(_l("签到时间"), format=FORMAT, validators=[Optional()])
    check_out_at = DateTimeLocalField(_l("签退时间"), format=FORMAT, validators=[Optional()])
    reason = StringField(_l("更正原因"), validators=[DataRequired(_l("请填写更正原因")), Length(max=300)])
