"""What each event says, in the recipient's language. Titles and bodies are rendered at delivery time
(email) or display time (inbox) from the stored event and parameters, never stored as text."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Event:
    code: str
    label: object  # lazy string shown on the preferences page
    title: callable
    body: callable


def _minutes(params) -> str:
    from timebank.i18n import format_minutes

    return format_minutes(params.get("minutes", 0))


EVENTS: dict[str, Event] = {}


def event(code, label, title, body):
    EVENTS[code] = Event(code, label, title, body)


event("volunteer_approved", _l("志愿者审核结果"),
      lambda p: _("您的志愿者注册已审核通过"),
      lambda p: _("%(station)s已审核通过您的志愿者注册，现在可以接受服务任务了。", station=p.get("station", "")))
event("volunteer_rejected", _l("志愿者审核结果"),
      lambda p: _("您的志愿者注册未通过审核"),
      lambda p: _("原因：%(reason)s。如有疑问请联系社工站。", reason=p.get("reason", "")))
event("volunteer_reopened", _l("志愿者审核结果"),
      lambda p: _("您的志愿者注册已重新进入审核"),
      lambda p: _("%(station)s重新受理了您的志愿者注册（原因：%(reason)s），审核结果会另行通知。",
                  station=p.get("station", ""), reason=p.get("reason", "")))
event("signup_attempt", _l("账号安全"),
      lambda p: _("有人尝试用您的资料注册"),
      lambda p: _("有人用您的身份证号或手机号提交了志愿者注册，系统没有创建新账号。如果不是您本人操作，请联系社工站。"))
event("balance_overflow", _l("时间账户超出上限"),
      lambda p: _("超出存储上限的时长已转入县时间池"),
      lambda p: _("您的时间账户超过存储上限，%(minutes)s已按规定转入县公益时间池，用于帮助更困难的老人。",
                  minutes=_minutes(p)))
event("visit_reminder", _l("服务提醒"),
      lambda p: _("服务提醒：%(when)s", when=p.get("when", "")),
      lambda p: _("您报名的服务“%(title)s”将于%(when)s开始，地点：%(place)s。请按时到达并扫码签到。",
                  title=p.get("title", ""), when=p.get("when", ""), place=p.get("place", "")))
event("visit_auto_confirmed", _l("服务自动确认"),
      lambda p: _("服务已自动确认"),
      lambda p: _("服务“%(title)s”在规定天数内无人提出异议，已自动确认，%(minutes)s已记入您的时间账户。",
                  title=p.get("title", ""), minutes=_minutes(p)))
event("visit_awaiting_confirmation", _l("服务待确认"),
      lambda p: _("服务已完成，请确认"),
      lambda p: _("志愿者已为%(resident)s完成服务“%(title)s”并签退。请打开服务页面确认服务是否满意；"
                  "%(days)s天内没有人提出异议，系统会自动确认。",
                  resident=p.get("resident", ""), title=p.get("title", ""), days=p.get("days", "")))
event("visit_review_approved", _l("需求审核结果"),
      lambda p: _("您发布的服务需求已通过审核"),
      lambda p: _("服务需求“%(title)s”已通过社工站审核，志愿者现在可以接单了。", title=p.get("title", "")))
event("visit_review_rejected", _l("需求审核结果"),
      lambda p: _("您发布的服务需求未通过审核"),
      lambda p: _("服务需求“%(title)s”未通过社工站审核，已取消。原因：%(reason)s",
                  title=p.get("title", ""), reason=p.get("reason", "")))
event("proposal_offered", _l("匹配推荐"),
      lambda p: _("有一项服务推荐给您"),
      lambda p: _("系统为您推荐了服务“%(title)s”（%(when)s），请在%(deadline)s前接受或婉拒。",
                  title=p.get("title", ""), when=p.get("when", ""), deadline=p.get("deadline", "")))
event("proposal_expired", _l("匹配推荐"),
      lambda p: _("推荐已过期"),
      lambda p: _("服务“%(title)s”的推荐已过期，名额已交给其他志愿者。", title=p.get("title", "")))
event("care_visit_created", _l("主动关爱"),
      lambda p: _("已生成探访关爱任务"),
      lambda p: _("%(name)s已有%(days)s天没有接受探访，系统已生成探访关爱任务。",
                  name=p.get("name", ""), days=p.get("days", "")))
event("ledger_check_failed", _l("账务核对异常"),
      lambda p: _("时间账务核对发现问题"),
      lambda p: _("夜间核对发现%(count)s处问题：%(summary)s", count=p.get("count", 0), summary=p.get("summary", "")))
event("charity_reviewed", _l("机构审核结果"),
      lambda p: _("机构登记已审核通过") if p.get("approved") else _("机构登记未通过审核"),
      lambda p: _("%(name)s的登记已审核通过，现在可以捐赠物资和时长了。", name=p.get("name", "")) if p.get("approved")
      else _("%(name)s的登记未通过审核，原因：%(reason)s", name=p.get("name", ""), reason=p.get("reason", "")))
event("charity_applied", _l("机构登记申请"),
      lambda p: _("有新的机构登记申请待审核"),
      lambda p: _("%(name)s提交了机构登记申请，请在“慈善组织审核”中审核。", name=p.get("name", "")))
event("charity_deactivated", _l("机构停用"),
      lambda p: _("机构已被停用"),
      lambda p: _("%(name)s已被县民政局停用，原因：%(reason)s。停用期间机构账号不能登录，时间池不再支付新的服务。",
                  name=p.get("name", ""), reason=p.get("reason", "")))
event("charity_reactivated", _l("机构停用"),
      lambda p: _("机构已恢复使用"),
      lambda p: _("%(name)s已由县民政局恢复使用，机构成员可以重新登录。", name=p.get("name", "")))
event("goods_delivered", _l("捐赠物资送达"),
      lambda p: _("您捐赠的物资已送达"),
      lambda p: _("您捐赠的%(item)s %(quantity)s%(unit)s已送到受助人手中并确认收货。",
                  item=p.get("item", ""), quantity=p.get("quantity", ""), unit=p.get("unit", "")))
def _kind(params) -> str:
    from timebank.i18n import labels

    return str(labels()["hardship"].get(params.get("kind"), params.get("kind", "")))


event("status_review_due", _l("困难认定待复核"),
      lambda p: _("困难认定待复核：%(name)s", name=p.get("name", "")),
      lambda p: _("%(name)s的“%(kind)s”认定应于%(review_date)s复核。未复核的，自%(lapses_on)s起不再计入优先级。",
                  name=p.get("name", ""), kind=_kind(p), review_date=p.get("review_date", ""),
                  lapses_on=p.get("lapses_on", "")))
event("status_lapsed", _l("困难认定到期"),
      lambda p: _("困难认定已到期，服务优先级已调整"),
      lambda p: _("%(name)s的“%(kind)s”认定已过复核日期%(review_date)s且未复核，自%(lapses_on)s起不再计入，"
                  "服务优先级现为第%(tier)s级。如情况未变，请联系社工站复核。",
                  name=p.get("name", ""), kind=_kind(p), review_date=p.get("review_date", ""),
                  lapses_on=p.get("lapses_on", ""), tier=p.get("tier", "")))
event("person_moved", _l("迁移与服务变更"),
      lambda p: _("服务已转由新社工站负责"),
      lambda p: _("%(name)s已迁往%(village)s，今后由当地社工站负责。尚未开始的%(cancelled)s项服务已取消，"
                  "如仍需要，请与新社工站联系重新预约。时间账户余额不变。",
                  name=p.get("name", ""), village=p.get("village", ""), cancelled=p.get("cancelled", 0)))
event("person_moved_away", _l("迁移与服务变更"),
      lambda p: _("已登记为迁出本县"),
      lambda p: _("%(name)s已登记为迁出本县，尚未开始的%(cancelled)s项服务已取消。时间账户余额保留。",
                  name=p.get("name", ""), cancelled=p.get("cancelled", 0)))
event("person_arrived", _l("迁入人员"),
      lambda p: _("有人员迁入本站"),
      lambda p: _("%(name)s从%(from)s迁入%(village)s，请核对资料，按需要重新安排服务。",
                  name=p.get("name", ""), village=p.get("village", ""), **{"from": p.get("from", "")}))
def _skill(params) -> str:
    from timebank.i18n import is_english

    return params.get("skill_en" if is_english() else "skill", params.get("skill", ""))


event("certificate_expired", _l("技能证书到期"),
      lambda p: _("您的技能证书已过期"),
      lambda p: _("您的“%(skill)s”证书（%(number)s）有效期至%(day)s，已过期。在社工站核验新的证书之前，"
                  "需要这项证书的服务不会再推荐给您，也不能接单。",
                  skill=_skill(p), number=p.get("number", ""), day=p.get("day", "")))
event("message", _l("通知"),
      lambda p: p.get("title", ""),
      lambda p: p.get("body", ""))


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


def render(code: str, params: dict, locale: str | None) -> Rendered:
    """Title and body of an event in `locale` (the default language when None)."""
    spec = EVENTS.get(code) or EVENTS["message"]
    with force_locale(locale or "zh_CN"):
        return Rendered(title=str(spec.title(params)), body=str(spec.body(params)))
