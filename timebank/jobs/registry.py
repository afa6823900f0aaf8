"""Every scheduled job: an explicit id, what it calls, and its default schedule (settings may override)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from timebank.jobs import functions
from timebank.jobs.schedule import ScheduleError, parse, parse_overrides


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: callable
    schedule: str  # "off" disables it
    label: object


JOBS: dict[str, JobSpec] = {}


def register(job_id: str, func, schedule: str, label) -> None:
    JOBS[job_id] = JobSpec(job_id, func, schedule, label)


register("deliver_notifications", functions.deliver_notifications, "every 30s", _l("发送通知（收件箱之外的渠道）"))
register("expire_holds", functions.expire_holds, "every 10m", _l("释放到期的时长预留"))
register("ledger_check", functions.ledger_check, "cron 30 2 * * *", _l("夜间账务核对"))
register("monthly_stats", functions.monthly_stats, "cron 0 1 1 * *", _l("月度统计快照"))
register("monthly_reports", functions.monthly_reports, "cron 30 1 1 * *", _l("月度报表：冻结上月全县和各乡镇的统计数据"))
register("visit_reminders", functions.visit_reminders, "every 5m", _l("服务提醒（提前24小时和1小时）"))
register("auto_confirm_visits", functions.auto_confirm_visits, "every 1h", _l("到期自动确认服务"))
register("expire_visit_requests", functions.expire_visit_requests, "every 10m", _l("过期未完成的服务需求"))
register("proactive_care", functions.proactive_care, "cron 0 6 * * *", _l("主动关爱：为久未探访的重点对象生成探访任务"))
register("hardship_review", functions.hardship_review, "cron 30 5 * * *",
         _l("困难认定复核提醒：到期提醒社工站，逾期不再计入优先级"))
register("certificate_expiry", functions.certificate_expiry, "cron 45 5 * * *",
         _l("技能证书到期：过期的证书不再计入，并通知志愿者"))
register("match_townships", functions.match_townships, "cron 0 7 * * *", _l("每个乡镇运行一次智能匹配"))
register("expire_proposals", functions.expire_proposals, "every 5m", _l("过期未答复的匹配推荐"))
register("expire_goods", functions.expire_goods, "cron 15 0 * * *", _l("过保质期的捐赠物资出库"))
register("sync_goods_deliveries", functions.sync_goods_deliveries, "every 10m", _l("送物资服务确认后登记送达"))
register("scheduler_selftest", functions.scheduler_selftest, "off", _l("调度自检（默认关闭）"))


def schedules(config) -> dict[str, str]:
    """Each job's schedule after TIMEBANK_JOB_SCHEDULES overrides; unknown ids and bad text are refused."""
    overrides = parse_overrides(config.get("TIMEBANK_JOB_SCHEDULES") or "")
    unknown = sorted(set(overrides) - set(JOBS))
    if unknown:
        raise ScheduleError(f"TIMEBANK_JOB_SCHEDULES names unknown jobs: {', '.join(unknown)}")
    result = {job_id: overrides.get(job_id, spec.schedule) for job_id, spec in JOBS.items()}
    for text in result.values():
        if text.strip().lower() != "off":
            parse(text, config["TIMEBANK_TIMEZONE"])
    return result


def trigger_for(job_id: str, config):
    text = schedules(config)[job_id]
    return None if text.strip().lower() == "off" else parse(text, config["TIMEBANK_TIMEZONE"])
