"""The simpler elder pages for residents and relatives (简单模式): a request in three steps, one finished
visit per screen to confirm, the balance as one number. Thin: parse, call one service, commit, render."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from timebank import clock
from timebank.elder import service as elder
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.i18n import is_english
from timebank.ledger import queries as ledger_queries
from timebank.visits import settle
from timebank.visits.forms import ActionForm
from timebank.web import roles_required

bp = Blueprint("elder", __name__, url_prefix="/easy")
FAMILY = ("resident", "relative")


class PostForm(FlaskForm):
    resident_id = HiddenField(validators=[DataRequired(), Length(max=12)])
    category_id = HiddenField(validators=[DataRequired(), Length(max=12)])
    slot = HiddenField(validators=[DataRequired(), Length(max=20)])


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None


def day_words(day) -> str:
    today = clock.today()
    words = format_date(day, _("M月d日 EEEE"))
    if day == today:
        return _("今天，%(day)s", day=words)
    if (day - today).days == 1:
        return _("明天，%(day)s", day=words)
    return words


def part_words(part: str) -> tuple[str, str]:
    return (_("上午"), _("8点到12点")) if part == "am" else (_("下午"), _("1点半到5点半"))


def slot_label(slot: elder.Slot) -> str:
    part = _("上午，8点到12点之间") if slot.part == "am" else _("下午，1点半到5点半之间")
    return _("%(day)s，%(part)s", day=day_words(slot.day), part=part)


def payer_words(preview: elder.Preview, resident) -> str:
    words = {"own": _("用%(name)s时间账户里的时间", name=resident.name),
             "backstop": _("由政府兜底的时间支付"),
             "county_donation": _("由县里大家捐出的时间支付"),
             "charity": _("由慈善组织捐出的时间支付")}[preview.payer]
    return words + (_("；社工站看过后才会安排志愿者。") if preview.review else _("。"))


def day_label(moment) -> str:
    """The county-local calendar day of a stored (UTC) moment, in words: 12月1日 星期二."""
    return format_date(moment.astimezone(_tz()).date(), _("M月d日 EEEE")) if moment is not None else ""


@bp.app_context_processor
def _helpers():
    return {"easy_slot_label": slot_label, "easy_day": day_label, "easy_day_words": day_words,
            "easy_part_words": part_words}


def _category_name(category) -> str:
    return category.name("en" if is_english() else "zh")


def _step1(resident, status: int = 200, message: str | None = None):
    return render_template("elder/request_what.html", people=elder.residents(db.session, current_user),
                           resident=resident, categories=elder.categories(db.session), name=_category_name,
                           message=message), status


@bp.get("/request")
@roles_required(*FAMILY)
def request_what():
    resident = elder.resident_of(db.session, current_user, _int(request.args.get("resident_id")))
    return _step1(resident)


@bp.get("/request/when")
@roles_required(*FAMILY)
def request_when():
    resident = elder.resident_of(db.session, current_user, _int(request.args.get("resident_id")))
    category = elder.category_of(db.session, _int(request.args.get("category_id")))
    if category is None:
        return _step1(resident, 422, _("请先选要什么服务。"))
    days: dict = {}
    for number, slot in enumerate(elder.slots(clock.today(), clock.now(), _tz()), start=1):
        days.setdefault(slot.day, []).append((number, slot))
    return render_template("elder/request_when.html", resident=resident, category=category,
                           category_name=_category_name(category), days=days)


def _step3(resident, category, slot, form: PostForm, status: int = 200, message: str | None = None):
    preview, refusal = None, message
    try:
        preview = elder.post(db.session, current_user, resident, category, slot, tz=_tz(), now=clock.now(),
                             today=clock.today(), dry_run=True)
    except DomainError as error:
        if error.status == 404:
            raise
        refusal = refusal or str(error.message)
    db.session.rollback()
    return render_template("elder/request_check.html", resident=resident, category=category, slot=slot,
                           category_name=_category_name(category), preview=preview,
                           payer=payer_words(preview, resident) if preview else None,
                           refusal=refusal, form=form), status if refusal is None else max(status, 422)


@bp.get("/request/check")
@roles_required(*FAMILY)
def request_check():
    resident = elder.resident_of(db.session, current_user, _int(request.args.get("resident_id")))
    category = elder.category_of(db.session, _int(request.args.get("category_id")))
    slot = elder.parse_slot(request.args.get("slot"), clock.today(), clock.now(), _tz())
    if category is None:
        return _step1(resident, 422, _("请先选要什么服务。"))
    if slot is None:
        return request_when()
    form = PostForm(data={"resident_id": str(resident.id), "category_id": str(category.id), "slot": slot.code})
    return _step3(resident, category, slot, form)


@bp.post("/request")
@roles_required(*FAMILY)
def request_post():
    form = PostForm()
    resident = elder.resident_of(db.session, current_user, _int(form.resident_id.data))
    category = elder.category_of(db.session, _int(form.category_id.data))
    slot = elder.parse_slot(form.slot.data, clock.today(), clock.now(), _tz())
    if not form.validate_on_submit() or category is None:
        return _step1(resident, 422, _("请重新选要什么服务。"))
    if slot is None:
        return _step1(resident, 422, _("这个时间已经过了，请重新选。"))
    try:
        req = elder.post(db.session, current_user, resident, category, slot, tz=_tz(), now=clock.now(),
                         today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        return _step3(resident, category, slot, form, error.status, str(error.message))
    db.session.commit()
    flash(_("已经申请好了：%(what)s，%(when)s。", what=_category_name(category), when=slot_label(slot))
          + (_("社工站看过后会安排志愿者。") if req.status == "review" else _("有志愿者接单后会通知您。")))
    return redirect(url_for("visits.services"))


def _finished_page(form: ActionForm, status: int = 200, message: str | None = None):
    waiting = elder.awaiting_confirmation(db.session, current_user)
    return render_template("elder/finished.html", req=waiting[0] if waiting else None, more=len(waiting) - 1,
                           form=form, message=message,
                           name=_category_name(waiting[0].category) if waiting else ""), status


@bp.get("/finished")
@roles_required(*FAMILY)
def finished():
    return _finished_page(ActionForm())


@bp.post("/finished/<int:request_id>")
@roles_required(*FAMILY)
def finished_confirm(request_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        return _finished_page(form, 400, _("页面已过期，请再点一次。"))
    try:
        settle.confirm(db.session, current_user, request_id, rating=5, comment=None, now=clock.now(),
                       today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        return _finished_page(form, error.status, str(error.message))
    db.session.commit()
    flash(_("谢谢！服务已确认，志愿者的时间已经记上了。"))
    return redirect(url_for("elder.finished"))


@bp.get("/balance")
@roles_required(*FAMILY)
def balance():
    account = ledger_queries.account_of_person(db.session, current_user.person_id)
    return render_template("elder/balance.html", account=account,
                           available=(account.balance - account.pending_debits) if account else 0)
