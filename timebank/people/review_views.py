"""Station page 待复核的困难认定: statuses due for review in the station's subtree; 复核 or remove."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional

from timebank import clock
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.people import review_service
from timebank.people.views import _page
from timebank.web import roles_required

bp = Blueprint("recheck", __name__, url_prefix="/station/reviews")


class RenewForm(FlaskForm):
    review_date = DateField(_l("下次复核日期"), validators=[Optional()])


def _render(form=None, failed_id=None, status=200):
    page = _page()
    rows, total = review_service.due_list(db.session, current_user, today=clock.today(), page=page)
    return render_template("station/reviews.html", rows=rows, total=total, page=page,
                           more=page * review_service.PAGE_SIZE < total, form=form or RenewForm(),
                           failed_id=failed_id, today=clock.today()), status


@bp.get("/")
@roles_required("station", "admin")
def due_list():
    return _render()


@bp.post("/<int:status_id>/renew")
@roles_required("station", "admin")
def status_renew(status_id: int):
    review_service.load_status(db.session, current_user, status_id)  # 404 outside the subtree first
    form = RenewForm()
    form.validate_on_submit()  # CSRF is checked app-wide; a date that does not parse leaves data None
    if form.review_date.data is None:
        form.review_date.errors = [_("请填写下次复核日期")]
        return _render(form, status_id, 422)
    try:
        review_service.renew(db.session, current_user, status_id, review_date=form.review_date.data,
                             today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        form.review_date.errors = [str(error.message)]
        return _render(form, status_id, error.status)
    db.session.commit()
    flash(_("已复核，下次复核日期已更新"))
    return redirect(url_for("recheck.due_list", page=request.args.get("page", 1)))


@bp.post("/<int:status_id>/remove")
@roles_required("station", "admin")
def status_remove(status_id: int):
    review_service.remove(db.session, current_user, status_id, today=clock.today())
    db.session.commit()
    flash(_("已移除该困难认定"))
    return redirect(url_for("recheck.due_list"))
