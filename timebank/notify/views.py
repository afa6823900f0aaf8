"""The inbox (消息) and notification preferences."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import Length, Optional

from timebank import clock
from timebank.accounts import recovery, recovery_mail
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.notify import queries, service
from timebank.notify.channels import configured_channels
from timebank.notify.models import NotificationPreference
from timebank.notify.texts import EVENTS, render
from timebank.web import attach_error, safe_next

bp = Blueprint("notify", __name__)


class PreferencesForm(FlaskForm):
    email = StringField(_l("电子邮箱（可不填）"), validators=[Optional(), Length(max=200)])


class ActionForm(FlaskForm):
    pass


@bp.get("/inbox")
@login_required
def inbox():
    page = int(request.args["page"]) if request.args.get("page", "").isdigit() else 1
    rows, more = queries.inbox(db.session, current_user.id, page=max(page, 1))
    items = [(note, render(note.event, note.params, str(get_locale()))) for note in rows]
    return render_template("notify/inbox.html", items=items, page=page, more=more, form=ActionForm())


@bp.post("/inbox/<int:notification_id>/read")
@login_required
def inbox_read(notification_id: int):
    ActionForm().validate_on_submit()
    service.mark_read(db.session, current_user.id, notification_id, now=clock.now())
    db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("notify.inbox"))


@bp.post("/inbox/read-all")
@login_required
def inbox_read_all():
    ActionForm().validate_on_submit()
    count = service.mark_read(db.session, current_user.id, None, now=clock.now())
    db.session.commit()
    flash(_("已将%(n)s条消息标为已读", n=count))
    return redirect(url_for("notify.inbox"))


def _event_groups():
    """Events grouped by their label (several events share one switch, e.g. approval results)."""
    groups: dict[str, list[str]] = {}
    for code, spec in EVENTS.items():
        if code in ("message",):
            continue
        groups.setdefault(str(spec.label), []).append(code)
    return groups


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm(obj=current_user)
    channels = list(configured_channels(current_app.config))
    groups = _event_groups()
    if form.validate_on_submit():
        disabled = set()
        for label, codes in groups.items():
            for channel in channels:
                if request.form.get(f"{channel}:{label}") != "on":
                    disabled.update((code, channel) for code in codes)
        before = current_user.email
        try:
            service.set_preferences(db.session, current_user, email=form.email.data, disabled=disabled)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("notify/preferences.html", form=form, channels=channels, groups=groups,
                                   off=set(), email_verified=False), error.status
        raw = None
        if current_user.email and current_user.email != before and channels:
            raw = recovery.start_email_verification(db.session, current_user, now=clock.now())
        db.session.commit()
        flash(_("通知设置已保存"))
        if raw is not None:
            if recovery_mail.send_verification(current_user, url_for("recovery.email_page", token=raw, _external=True)):
                flash(_("验证邮件已发出，请在48小时内打开邮件里的链接"))
            else:
                flash(_("邮件暂时发不出去，请稍后再试"), "error")
        return redirect(url_for("notify.preferences"))
    off = {(p.event, p.channel) for p in db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == current_user.id, NotificationPreference.enabled.is_(False)))}
    status = 422 if request.method == "POST" else 200
    return render_template("notify/preferences.html", form=form, channels=channels, groups=groups, off=off,
                           email_verified=recovery.email_verified(db.session, current_user)), status
