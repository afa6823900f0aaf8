"""Admin page: each job in words (what it does, when it runs, how its last run went), the idle counters,
and the run log, paged."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from timebank.extensions import db
from timebank.jobs import registry, words
from timebank.jobs.models import JobIdleCount, JobRun
from timebank.web import roles_required

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")
PER_PAGE = 50

COUNT_LABELS = {
    "sent": _l("已发送"), "failed": _l("失败"), "ok": _l("核对通过"), "violations": _l("发现问题"),
    "transfers": _l("核对的转账"), "expired": _l("已过期"), "created": _l("新生成"), "confirmed": _l("已确认"),
    "delivered": _l("已送达"), "returned": _l("已退回"), "already_planned": _l("已有安排"),
    "no_public_payer": _l("无公共时间池支付"), "runs": _l("匹配次数"), "offered": _l("发出推荐"),
    "due": _l("到期复核"), "staff_notices": _l("提醒社工站"), "lapse_notices": _l("逾期通知"),
    "tiers_changed": _l("优先级调整"), "steps": _l("自检步骤"),
}


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


@bp.get("/")
@roles_required("admin")
def job_list():
    lang = str(get_locale() or "zh")
    schedules = {job_id: words.describe(text, lang) for job_id, text in registry.schedules(current_app.config).items()}
    page = _page()
    rows = list(db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
                                   .offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    latest = select(JobRun.job_id, func.max(JobRun.id).label("id")).group_by(JobRun.job_id).subquery()
    last = {run.job_id: run for run in db.session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id))}
    idle = {row.job_id: row for row in db.session.scalars(select(JobIdleCount))}
    return render_template("jobs/list.html", jobs=registry.JOBS, schedules=schedules, runs=rows[:PER_PAGE],
                           more=len(rows) > PER_PAGE, page=page, last=last, idle=idle, count_labels=COUNT_LABELS)
