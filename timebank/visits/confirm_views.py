"""Pages for confirmation by the person served: the large screen on the volunteer's phone after check-out,
the station's phone confirmation, the auto-confirmed list, reissuing a service card. Thin: parse, call one
service in visits/elder_confirm.py, commit, render."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank import clock
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.visits import elder_confirm as elder
from timebank.visits import signing
from timebank.visits.forms import ActionForm, ElderConfirmForm, PhoneConfirmForm
from timebank.visits.views import STAFF, VOLUNTEERS, _detail, _page, _run, bp
from timebank.web import attach_error, roles_required


def how_confirmed(req) -> str | None:
    """How the visit was confirmed (or answered), in plain words for the visit page."""
    method, satisfied = req.confirmation_method, req.satisfied
    if method is None:
        return None
    base = {
        "elder_code": _("服务对象在志愿者手机上输入服务卡号码确认"),
        "elder_signature": _("服务对象在志愿者手机上签名确认"),
        "station_phone": _("社工站打电话确认"),
        "resident": _("服务对象本人在手机上确认"),
        "relative": _("家属在手机上确认"),
        "station": _("社工站工作人员确认（没有记录电话）"),
        "auto": _("规定天数内没有人确认，也没有人提出异议，系统自动确认"),
    }.get(method)
    if base is None:
        return None
    if satisfied is True:
        return _("%(how)s，满意。", how=base)
    if satisfied is False:
        return _("%(how)s，不满意，已转社工站处理。", how=base)
    return _("%(how)s。", how=base)


@bp.app_context_processor
def _confirmation_helpers():
    return {"how_confirmed": how_confirmed}


@bp.app_template_filter("signature_path")
def signature_path(stored: str | None) -> str:
    """Stored signature path data, checked again before it is drawn: anything else draws nothing."""
    try:
        return signing.clean_signature(stored)
    except signing.BadSignature:
        return ""


def _elder_page(req, form, status: int = 200):
    return render_template("visits/elder_confirm.html", req=req, form=form, tries_left=elder.tries_left(req),
                           max_tries=signing.MAX_CODE_FAILURES), status


@bp.route("/<int:request_id>/elder-confirm", methods=["GET", "POST"])
@roles_required(*VOLUNTEERS)
def elder_confirm(request_id: int):
    req = elder.holding_seat(db.session, current_user, request_id)
    form = ElderConfirmForm(prefix="e")
    if request.method == "GET":
        return _elder_page(req, form)
    if not form.validate_on_submit():
        return _elder_page(req, form, 422)
    answer = elder.ElderAnswer(satisfied=form.satisfied.data == "yes", code=form.code.data,
                               signature=form.signature.data, note=form.note.data)
    try:
        elder.confirm_on_phone(db.session, current_user, request_id, answer, now=clock.now(), today=clock.today())
    except (elder.WrongCardCode, elder.TooManyTries) as error:
        db.session.commit()  # the wrong try stays counted; nothing else was written
        attach_error(form, error)
        return _elder_page(elder.holding_seat(db.session, current_user, request_id), form, error.status)
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _elder_page(elder.holding_seat(db.session, current_user, request_id), form, error.status)
    db.session.commit()
    flash(_("谢谢！服务已确认，时长已记入志愿者账户。") if answer.satisfied
          else _("已记录不满意，社工站会联系服务对象了解情况。"))
    return redirect(url_for("visits.detail", request_id=request_id))


@bp.post("/<int:request_id>/phone-confirm")
@roles_required(*STAFF)
def phone_confirm(request_id: int):
    form = PhoneConfirmForm(prefix="p")
    if not form.validate_on_submit():
        return _detail(request_id, 422, phone=form)
    satisfied = form.satisfied.data == "yes"
    return _run(request_id, lambda: elder.confirm_by_phone(
        db.session, current_user, request_id, answered_by=form.answered_by.data, satisfied=satisfied,
        note=form.note.data, now=clock.now(), today=clock.today()),
        _("已电话确认，时长已记入志愿者账户") if satisfied else _("已记录电话回访不满意，转为异议处理"), "phone", form)


@bp.get("/auto-confirmed")
@roles_required(*STAFF)
def auto_confirmed():
    page = _page()
    rows, more = elder.auto_confirmed(db.session, current_user, page=page)
    return render_template("visits/auto_confirmed.html", rows=rows, more=more, page=page)


@bp.post("/card/<int:person_id>/reissue")
@roles_required(*STAFF)
def card_reissue(person_id: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for("visits.card", person_id=person_id))
    elder.reissue_card(db.session, current_user, person_id, now=clock.now())
    db.session.commit()
    flash(_("已换发新卡，旧卡上的号码不能再用来确认服务"))
    return redirect(url_for("visits.card", person_id=person_id))
