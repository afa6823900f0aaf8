"""Visit pages: station board, request detail with timeline and actions, posting, 我的任务, 我的服务, records,
the printable QR card and the scan page. Views parse, call one service, commit, render."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from timebank import clock
from timebank.accounts.models import Person
from timebank.catalog.models import Skill
from timebank.errors import DomainError, NotInScope
from timebank.extensions import db
from timebank.i18n import is_english, once_per_request
from timebank.visits import (
    assign_picker,
    disclosure,
    domain,
    onsite,
    open_list,
    queries,
    review,
    settle,
    take_options,
)
from timebank.visits import rules as visit_rules
from timebank.visits import service as visits
from timebank.visits.forms import (
    ActionForm,
    AssignForm,
    BoardArgs,
    ConfirmForm,
    ExcludeForm,
    ManualTimeForm,
    OpenSlotForm,
    PhoneConfirmForm,
    ReasonForm,
    RequestForm,
    ResolveForm,
    ReviewForm,
    TakeForm,
)
from timebank.web import attach_error, roles_required

bp = Blueprint("visits", __name__, url_prefix="/visits")
scan_bp = Blueprint("scan", __name__, url_prefix="/v")
STAFF = ("station", "admin")
VOLUNTEERS = ("volunteer", "social_worker")


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])


def to_utc(local: datetime | None) -> datetime | None:
    return local.replace(tzinfo=_tz()).astimezone(ZoneInfo("UTC")) if local is not None else None


@bp.app_template_filter("local_time")
def local_time(moment: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    return moment.astimezone(_tz()).strftime(fmt) if moment is not None else ""


@once_per_request
def status_labels() -> dict[str, str]:
    return {"review": _("待审核"), "open": _("待接单"), "matched": _("已满员"), "in_service": _("服务中"), "done": _("待确认"),
            "confirmed": _("已确认"), "settled": _("已结算"), "cancelled": _("已取消"), "expired": _("已过期"),
            "disputed": _("有异议"), "resolved": _("已处理")}


@once_per_request
def tier_labels() -> dict[int, str]:
    return {1: _("一级（特困/孤儿）"), 2: _("二级（空巢独居/重残/困境儿童）"), 3: _("三级（低保）"),
            4: _("四级（低保边缘/支出型）"), 5: _("五级（其他）")}


@once_per_request
def payer_labels() -> dict[str, str]:
    return {"own": _("本人时间账户"), "backstop": _("政府兜底时间池"), "county_donation": _("县捐赠时间池"),
            "charity": _("慈善组织时间池")}


@once_per_request
def action_labels() -> dict[str, str]:
    return {"post": _("发布"), "approve": _("审核通过"), "reject": _("审核不通过"), "take": _("接单"), "give_back": _("退出"), "no_show": _("未到场"), "check_in": _("签到"),
            "check_out": _("签退"), "cancel": _("取消"), "expire": _("过期"), "confirm": _("确认"),
            "auto_confirm": _("自动确认"), "dispute": _("提出异议"), "resolve": _("处理异议"), "settle": _("结算")}


@bp.app_context_processor
def _labels():
    return {"visit_status": status_labels, "visit_tier": tier_labels, "visit_payer": payer_labels,
            "visit_action": action_labels}


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 100000)) if value.isdigit() else 1


# ---------------------------------------------------------------------------------------------------------
# station board and posting


@bp.get("/board")
@roles_required(*STAFF)
def board():
    args = BoardArgs(request.args)
    args.status.choices = [("", _("进行中的全部"))] + list(status_labels().items())
    args.township_id.choices = [(0, _("全部乡镇"))] + [(t.id, t.name) for t in queries.townships(db.session, current_user)]
    cats = queries.categories(db.session)
    lang = "en" if is_english() else "zh"
    args.category_id.choices = [(0, _("全部类别"))] + [(c.id, c.name(lang)) for c in cats]
    args.tier.choices = [(0, _("全部优先级"))] + list(tier_labels().items())
    args.validate()
    filters = queries.BoardFilters(
        status=args.status.data if args.status.data in domain.STATES else None,
        township_id=args.township_id.data or None if not args.township_id.errors else None,
        category_id=args.category_id.data or None if not args.category_id.errors else None,
        tier=args.tier.data or None if not args.tier.errors else None)
    page = _page()
    now = clock.now()
    rows, more = queries.board(db.session, current_user, filters, now=now, page=page)
    return render_template("visits/board.html", rows=rows, more=more, page=page, args=args, now=now,
                           overdue=lambda r: queries.is_overdue(r, now))


def _request_form() -> RequestForm:
    form = RequestForm()
    if current_user.has_role(*STAFF):
        wanted = request.values.get("resident_id", type=int)
        people = [db.session.get(Person, wanted)] if wanted else []
        people = [p for p in people if p is not None and visits.is_staff_for(current_user, p.node)]
    else:
        people = queries.residents_for_poster(db.session, current_user)
    form.resident_id.choices = [(p.id, p.name) for p in people]
    form.category_id.choices = [(0, _("请选择"))] + [(c.id, c.name("en" if is_english() else "zh"))
                                                     for c in queries.categories(db.session)]
    form.skill_ids.choices = [(s.id, s.name("en" if is_english() else "zh"))
                              for s in db.session.scalars(select(Skill).order_by(Skill.sort_order))]
    form.payer.choices = list(payer_labels().items()) + charity_payers()
    if not current_user.has_role(*STAFF) and current_user.person_id is not None:
        form.payer.choices.insert(1, (MY_HOURS, _("我的时间账户（为配偶或直系亲属支付）")))
    return form


MY_HOURS = "own:me"


def charity_payers() -> list[tuple[str, str]]:
    """Approved charities' hour pools as payer choices ("charity:<id>"); each pool's own rule decides."""
    from timebank.charity.models import Charity

    rows = db.session.execute(select(Charity.id, Charity.name).where(Charity.status == "approved",
                                                                            Charity.deactivated_at.is_(None))
                              .order_by(Charity.id)).all()
    return [(f"charity:{cid}", _("%(name)s时间池", name=name)) for cid, name in rows]


def split_payer(value: str) -> tuple[str, int | None, int | None]:
    """(payer, charity id, paying person id) from the form's payer choice."""
    if value.startswith("charity:") and value[8:].isdigit():
        return "charity", int(value[8:]), None
    if value == MY_HOURS:
        return "own", None, current_user.person_id
    return value, None, None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def request_new():
    form = _request_form()
    if not form.resident_id.choices:
        raise NotInScope()
    if form.validate_on_submit():
        payer, charity_id, paid_by = split_payer(form.payer.data)
        data = visits.RequestInput(
            resident_id=form.resident_id.data, category_id=form.category_id.data,
            earliest_start=to_utc(form.earliest_start.data), latest_end=to_utc(form.latest_end.data),
            duration_minutes=form.duration_minutes.data, description=form.description.data,
            seats_volunteer=form.seats_volunteer.data, seats_social_worker=form.seats_social_worker.data,
            skill_ids=tuple(form.skill_ids.data) if form.skill_ids.data else None,
            repeat_weeks=form.repeat_weeks.data, payer=payer, charity_id=charity_id, paid_by_person_id=paid_by,
            urgent=form.urgent.data, safety=form.safety.data)
        try:
            created = visits.post_request(db.session, current_user, data, now=clock.now(), today=clock.today())
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                raise
            attach_error(form, error)
            return render_template("visits/new.html", form=form), error.status
        db.session.commit()
        if created[0].status == "review":
            flash(_("服务需求已提交，由公共时间池支付，需社工站审核后才会发布（共%(n)s次）", n=len(created)))
        else:
            flash(_("已发布服务需求（共%(n)s次）", n=len(created)))
        return redirect(url_for("visits.detail", request_id=created[0].id))
    return render_template("visits/new.html", form=form), 422 if request.method == "POST" else 200


# ---------------------------------------------------------------------------------------------------------
# one request


def _detail(request_id: int, status: int = 200, **forms):
    req = visits.load(db.session, current_user, request_id)
    roles = visits.roles_of(db.session, current_user, req)
    staff = "staff" in roles
    assign = forms.get("assign") or AssignForm(prefix="a")
    manual = forms.get("manual") or ManualTimeForm(prefix="m")
    candidates, reliability, picker = [], {}, None
    if staff:
        picker = assign_picker.for_request(db.session, current_user, req, today=clock.today())
        candidates = picker.candidates
        reliability = queries.reliability(db.session, [c.person_id for c in candidates]
                                          + [s.volunteer_id for s in req.seats])
        assign.volunteer_id.choices = _assign_choices(picker)
        manual.volunteer_id.choices = [(s.volunteer_id, s.volunteer.name) for s in req.active_seats]
    mine = next((s for s in req.active_seats if s.volunteer_id == current_user.person_id), None)
    recipient = "resident" in roles or "relative" in roles
    exclude = forms.get("exclude") or ExcludeForm(prefix="e")
    served = {s.volunteer_id: s.volunteer for s in req.seats if staff or s.check_in_at is not None}
    exclude.volunteer_id.choices = [(pid, person.name) for pid, person in served.items()]
    can_take = (req.status == "open" and current_user.has_role(*VOLUNTEERS) and mine is None
                and not any(s.volunteer_id == current_user.person_id for s in req.seats))
    take, take_reason, openable = forms.get("take"), None, None
    if can_take and current_user.person_id is not None:
        take = take or TakeForm(prefix="t")
        starts, take_reason = take_options.start_options(db.session, current_user.person_id, req)
        take.start.choices = [(s.astimezone(_tz()).isoformat(), local_time(s, "%m-%d %H:%M")) for s in starts]
        if take.start.choices and not take.start.data:
            take.start.data = take.start.choices[0][0]  # the earliest that fits, proposed
        if take_reason == "unavailable":
            openable = take_options.first_openable(db.session, current_user.person_id, req)
    return render_template(
        "visits/detail.html", req=req, roles=roles, staff=staff, mine=mine, events=queries.timeline(db.session, req.id),
        take=take, take_reason=take_reason, take_reason_text=visits.MESSAGES.get(take_reason) if take_reason
        else None, openable=openable, open_slot=OpenSlotForm(prefix="o"),
        view=disclosure.view(db.session, current_user, req),
        assign=assign, manual=manual, confirm=forms.get("confirm") or ConfirmForm(prefix="c"),
        dispute=forms.get("dispute") or ReasonForm(prefix="d"), resolve=forms.get("resolve") or ResolveForm(prefix="r"),
        cancel=forms.get("cancel") or ReasonForm(prefix="x"), action=ActionForm(), candidates=candidates,
        phone=forms.get("phone") or PhoneConfirmForm(prefix="p"),
        reliability=reliability, allowed=domain.allowed, now=clock.now(), picker=picker,
        review_form=forms.get("review") or ReviewForm(prefix="v"),
        exclude=exclude if (staff or recipient) and exclude.volunteer_id.choices else None,
        can_take=can_take, refusal=forms.get("refusal"),
    ), status


@bp.get("/<int:request_id>")
@login_required
def detail(request_id: int):
    return _detail(request_id)


def _run(request_id: int, work, message: str, form_name: str | None = None, form=None):
    """Call one service; on a rule error show the detail page with the message; else commit and go back."""
    try:
        work()
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        if form is not None:
            attach_error(form, error)
            return _detail(request_id, error.status, **{form_name: form})
        # a button without a form of its own: the reason is shown on the same page, next to the actions
        return _detail(request_id, error.status, refusal=str(error.message))
    db.session.commit()
    flash(message)
    return redirect(url_for("visits.detail", request_id=request_id))


@bp.post("/<int:request_id>/take")
@roles_required(*VOLUNTEERS)
def take(request_id: int):
    form = TakeForm(prefix="t")
    req = visits.load(db.session, current_user, request_id)
    starts, _reason = take_options.start_options(db.session, current_user.person_id, req) \
        if current_user.person_id is not None else ([], None)
    form.start.choices = [(s.astimezone(_tz()).isoformat(), local_time(s, "%m-%d %H:%M")) for s in starts]
    if not form.validate_on_submit():
        return _detail(request_id, 422, take=form)
    if form.start.data and form.start.data not in {value for value, _label in form.start.choices}:
        form.start.errors = [_("这个时间已经不合适了，请重新选择")]
        return _detail(request_id, 422, take=form)
    start = take_options.parse_start(form.start.data)
    return _run(request_id, lambda: visits.take_seat(db.session, current_user, request_id, start=start,
                                                     now=clock.now(), today=clock.today()),
                _("已接单，请按时上门服务"), "take", form)


@bp.post("/<int:request_id>/take-extra-time")
@roles_required(*VOLUNTEERS)
def take_extra_time(request_id: int):
    """Open the visit's slot as extra time on that day and take the seat, in one step."""
    form = OpenSlotForm(prefix="o")
    start = take_options.parse_start(form.start.data) if form.validate_on_submit() else None
    if start is None:
        return _detail(request_id, 400)
    return _run(request_id, lambda: take_options.open_slot_and_take(db.session, current_user, request_id, start,
                                                                    now=clock.now(), today=clock.today()),
                _("已把这段时间加为当天的可服务时间，并已接单"), "take", TakeForm(prefix="t"))


@bp.app_template_global()
def assign_reasons() -> dict:
    return {"already": _("已在这项服务里或是服务对象本人"), "excluded": _("服务对象要求不再安排"),
            "skills": _("缺少所需技能或证书"), "distance": _("超出服务半径"),
            "unavailable": _("这段时间没空"), "overlap": _("与其他服务时间冲突"), "capacity": _("本周服务时长已满")}


def _assign_choices(picker) -> list:
    """Nothing preselected: a prompt first, then who can serve, best first, each with when and how far."""
    rows = [SelectChoice(0, _("请选择志愿者"))]
    for c in picker.candidates:
        far = _("，距离%(km)s公里", km=f"{c.distance_km:.1f}") if c.distance_km is not None else ""
        rows.append(SelectChoice(c.person_id, _("%(name)s：最早%(when)s可上门%(far)s", name=c.name,
                                                when=local_time(c.start), far=far)))
    return rows


@bp.post("/<int:request_id>/assign")
@roles_required(*STAFF)
def assign(request_id: int):
    form = AssignForm(prefix="a")
    req = visits.load(db.session, current_user, request_id)
    form.volunteer_id.choices = _assign_choices(assign_picker.for_request(db.session, current_user, req,
                                                                          today=clock.today()))
    if not form.validate_on_submit():
        return _detail(request_id, 422, assign=form)
    return _run(request_id, lambda: visits.take_seat(db.session, current_user, request_id,
                                                     volunteer_id=form.volunteer_id.data, now=clock.now(),
                                                     today=clock.today()), _("已指派志愿者"), "assign", form)


@bp.post("/<int:request_id>/give-back")
@login_required
def give_back(request_id: int):
    if not ActionForm().validate_on_submit():
        return _detail(request_id, 400)
    volunteer_id = request.form.get("volunteer_id", type=int)
    return _run(request_id, lambda: visits.give_back(db.session, current_user, request_id, volunteer_id=volunteer_id,
                                                     now=clock.now()), _("已退出该服务"))


@bp.post("/<int:request_id>/no-show")
@roles_required(*STAFF)
def no_show(request_id: int):
    if not ActionForm().validate_on_submit():
        return _detail(request_id, 400)
    volunteer_id = request.form.get("volunteer_id", type=int) or 0
    return _run(request_id, lambda: visits.no_show(db.session, current_user, request_id, volunteer_id,
                                                   now=clock.now()), _("已记录未到场"))


@bp.post("/<int:request_id>/record")
@roles_required(*STAFF)
def record(request_id: int):
    form = ManualTimeForm(prefix="m")
    req = visits.load(db.session, current_user, request_id)
    form.volunteer_id.choices = [(s.volunteer_id, s.volunteer.name) for s in req.active_seats]
    if not form.validate_on_submit():
        return _detail(request_id, 422, manual=form)
    return _run(request_id, lambda: onsite.record(db.session, current_user, request_id, form.volunteer_id.data,
                                                  form.action.data, at=to_utc(form.at.data), reason=form.reason.data,
                                                  now=clock.now()), _("已登记"), "manual", form)


@bp.post("/<int:request_id>/confirm")
@login_required
def confirm(request_id: int):
    form = ConfirmForm(prefix="c")
    if not form.validate_on_submit():
        return _detail(request_id, 422, confirm=form)
    return _run(request_id, lambda: settle.confirm(db.session, current_user, request_id, rating=form.rating.data,
                                                   comment=form.comment.data, now=clock.now(), today=clock.today()),
                _("已确认服务，时长已记入志愿者账户"), "confirm", form)


@bp.post("/<int:request_id>/dispute")
@login_required
def dispute(request_id: int):
    form = ReasonForm(prefix="d")
    if not form.validate_on_submit():
        return _detail(request_id, 422, dispute=form)
    return _run(request_id, lambda: settle.dispute(db.session, current_user, request_id, reason=form.reason.data,
                                                   now=clock.now()), _("已提出异议，社工站会尽快处理"), "dispute", form)


@bp.post("/<int:request_id>/resolve")
@roles_required(*STAFF)
def resolve(request_id: int):
    form = ResolveForm(prefix="r")
    if not form.validate_on_submit():
        return _detail(request_id, 422, resolve=form)
    return _run(request_id, lambda: settle.resolve(db.session, current_user, request_id, outcome=form.outcome.data,
                                                   minutes=form.minutes.data, reason=form.reason.data,
                                                   now=clock.now(), today=clock.today()),
                _("异议已处理"), "resolve", form)


@bp.post("/<int:request_id>/cancel")
@login_required
def cancel(request_id: int):
    form = ReasonForm(prefix="x")
    if not form.validate_on_submit():
        return _detail(request_id, 422, cancel=form)
    return _run(request_id, lambda: visits.cancel(db.session, current_user, request_id, reason=form.reason.data,
                                                  now=clock.now()), _("已取消该服务"), "cancel", form)


# ---------------------------------------------------------------------------------------------------------
# volunteers, residents and relatives


@bp.get("/open")
@roles_required(*VOLUNTEERS)
def open_requests():
    listing = open_list.open_for_volunteer(db.session, current_user, now=clock.now(), page=_page())
    return render_template("visits/open.html", rows=listing.rows, listing=listing, action=ActionForm(),
                           approved=disclosure.viewer_for(db.session, current_user).volunteer == "approved")


@bp.get("/mine")
@roles_required(*VOLUNTEERS)
def mine():
    tolerance = visit_rules.current(db.session).checkin_tolerance_minutes
    groups = queries.my_tasks(db.session, current_user, now=clock.now(), tolerance=tolerance)
    return render_template("visits/mine.html", groups=groups, action=ActionForm())


@bp.get("/history")
@roles_required(*VOLUNTEERS)
def history():
    count, minutes = queries.record_totals(db.session, current_user.person_id)
    return render_template("visits/history.html", rows=queries.records(db.session, current_user.person_id),
                           count=count, minutes=minutes)


@bp.get("/services")
@roles_required("resident", "relative")
def services():
    return render_template("visits/services.html", rows=queries.services_for(db.session, current_user),
                           posters=queries.residents_for_poster(db.session, current_user))


@bp.get("/card/<int:person_id>")
@roles_required(*STAFF)
def card(person_id: int):
    resident = db.session.get(Person, person_id)
    if resident is None or not visits.is_staff_for(current_user, resident.node):
        raise NotInScope()
    token = onsite.card_token(resident.id, clock.now())
    url = url_for("scan.scan_page", token=token, _external=True)
    from timebank.visits import elder_confirm, qr, signing

    code = signing.grouped(elder_confirm.card_code(db.session, resident.id))
    return render_template("visits/card.html", resident=resident, url=url, svg=qr.svg(url), code=code,
                           action=ActionForm())


# ---------------------------------------------------------------------------------------------------------
# scanning a card


@scan_bp.get("/<token>")
@login_required
def scan_page(token: str):
    try:
        found = onsite.scan(db.session, current_user, token, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        return render_template("visits/scan.html", error=error, found=None, action=ActionForm()), error.status
    return render_template("visits/scan.html", found=found, error=None, action=ActionForm(), token=token)


@scan_bp.post("/<token>")
@login_required
def scan_record(token: str):
    if not ActionForm().validate_on_submit():
        return render_template("visits/scan.html", found=None, error=None, action=ActionForm()), 400
    try:
        found = onsite.scan_record(db.session, current_user, token, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        return render_template("visits/scan.html", error=error, found=None, action=ActionForm()), error.status
    db.session.commit()
    flash(_("签到成功") if found.action == "check_in" else _("签退成功，服务时长已记录，待服务对象确认"))
    if found.action == "check_out" and found.request.status == "done":  # hand the phone to the person served
        return redirect(url_for("visits.elder_confirm", request_id=found.request.id))
    return redirect(url_for("visits.detail", request_id=found.request.id))


# ---------------------------------------------------------------------------------------------------------
# station review of requests paid by public money, and 换人 (exclusions)


@bp.get("/review")
@roles_required(*STAFF)
def awaiting():
    page = _page()
    rows, total = review.queue(db.session, current_user, page=page)
    return render_template("visits/review.html", rows=rows, total=total, page=page,
                           more=page * review.PER_PAGE < total)


@bp.post("/<int:request_id>/approve")
@roles_required(*STAFF)
def approve(request_id: int):
    form = ReviewForm(prefix="v")
    if not form.validate_on_submit():
        return _detail(request_id, 422, review=form)
    return _run(request_id, lambda: review.approve(db.session, current_user, request_id, reason=form.reason.data,
                                                   now=clock.now()), _("已审核通过，需求已发布"), "review", form)


@bp.post("/<int:request_id>/reject")
@roles_required(*STAFF)
def reject(request_id: int):
    form = ReviewForm(prefix="v")
    if not form.validate_on_submit():
        return _detail(request_id, 422, review=form)
    return _run(request_id, lambda: review.reject(db.session, current_user, request_id, reason=form.reason.data or "",
                                                  now=clock.now()), _("已退回该需求，发布人会收到通知"), "review", form)


@bp.post("/<int:request_id>/exclude")
@login_required
def exclude(request_id: int):
    req = visits.load(db.session, current_user, request_id)
    form = ExcludeForm(prefix="e")
    form.volunteer_id.choices = [(s.volunteer_id, s.volunteer.name) for s in req.seats]
    if not form.validate_on_submit():
        return _detail(request_id, 422, exclude=form)
    resident_id = req.resident_id
    return _run(request_id, lambda: visits.add_exclusion(db.session, current_user, resident_id,
                                                         form.volunteer_id.data, reason=form.reason.data,
                                                         now=clock.now()),
                _("已记录：不再安排该志愿者为这位服务对象服务"), "exclude", form)


def _exclusions_page(person_id: int, form: ExcludeForm | None = None, status: int = 200):
    rows = visits.exclusions_for(db.session, current_user, person_id)
    form = form or ExcludeForm(prefix="e")
    excluded = {x.volunteer_id for x in rows}
    form.volunteer_id.choices = [(p.person_id, p.person.name) for p in queries.assignable(db.session, current_user)
                                 if p.person_id not in excluded and p.person_id != person_id]
    return render_template("visits/exclusions.html", resident=db.session.get(Person, person_id), rows=rows,
                           action=ActionForm(), form=form), status


@bp.get("/exclusions/<int:person_id>")
@roles_required(*STAFF)
def exclusions(person_id: int):
    return _exclusions_page(person_id)


@bp.post("/exclusions/<int:person_id>")
@roles_required(*STAFF)
def exclusion_add(person_id: int):
    visits.exclusions_for(db.session, current_user, person_id)  # 404 outside the subtree
    form = ExcludeForm(prefix="e")
    form.volunteer_id.choices = [(p.person_id, p.person.name) for p in queries.assignable(db.session, current_user)]
    if not form.validate_on_submit():
        return _exclusions_page(person_id, form, 422)
    try:
        visits.add_exclusion(db.session, current_user, person_id, form.volunteer_id.data, reason=form.reason.data,
                             now=clock.now())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        attach_error(form, error)
        return _exclusions_page(person_id, form, error.status)
    db.session.commit()
    flash(_("已记录：不再安排该志愿者为这位服务对象服务"))
    return redirect(url_for("visits.exclusions", person_id=person_id))


@bp.post("/exclusions/<int:person_id>/<int:exclusion_id>/remove")
@roles_required(*STAFF)
def exclusion_remove(person_id: int, exclusion_id: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for("visits.exclusions", person_id=person_id))
    visits.remove_exclusion(db.session, current_user, exclusion_id, resident_id=person_id)
    db.session.commit()
    flash(_("已取消该排除，可以再安排这位志愿者"))
    return redirect(url_for("visits.exclusions", person_id=person_id))


from timebank.visits import confirm_views  # noqa: E402,F401  (its routes join this blueprint)
