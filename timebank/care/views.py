"""Station page: who in the watch groups is overdue for a visit, why, and what is already planned."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from timebank import clock
from timebank.care import service
from timebank.extensions import db
from timebank.web import roles_required

bp = Blueprint("care", __name__, url_prefix="/station/care")


@bp.get("/")
@roles_required("station", "admin")
def overdue_list():
    days, groups = service.settings(db.session)
    rows = service.overdue(db.session, now=clock.now(), today=clock.today(), actor=current_user)
    return render_template("care/overdue.html", rows=rows, days=days, groups=groups)
