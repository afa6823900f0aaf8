"""Admin page: each job, its schedule, and the recent run log."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import select

from timebank.extensions import db
from timebank.jobs import registry
from timebank.jobs.models import JobRun
from timebank.web import roles_required

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


@bp.get("/")
@roles_required("admin")
def job_list():
    schedules = registry.schedules(current_app.config)
    runs = list(db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(100)))
    last = {}
    for run in runs:
        last.setdefault(run.job_id, run)
    return render_template("jobs/list.html", jobs=registry.JOBS, schedules=schedules, runs=runs, last=last)
