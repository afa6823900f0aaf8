"""我的时间账户 (balance, statement, CSV), gift and donate with a confirmation step, the staff view of a
person's account, and the admin ledger overview (pools, liability, reconciliation, grants, reversals)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from timebank import clock, exports
from timebank.accounts.models import Person
from timebank.accounts.scope import load_scoped
from timebank.errors import DomainError, NotFound
from timebank.extensions import db
from timebank.i18n import format_minutes, once_per_request
from timebank.ledger import grants, queries, reconcile
from timebank.ledger import service as ledger
from timebank.ledger.forms import DecideForm, DonateForm, GiftForm, GrantForm, ReversalForm, new_key
from timebank.ledger.retry import committed
from timebank.policy import service as policy_service
from timebank.web import attach_error, roles_required

bp = Blueprint("ledger", __name__)
STAFF = ("station", "admin")


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


def _day(name: str, *, end: bool = False) -> datetime | None:
    """A date filter from the query string, as the start (or end) of that local day."""
    try:
        day = date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"]))


def _filters() -> queries.Filters:
    return queries.Filters(kind=request.args.get("kind") or None, since=_day("since"), until=_day("until", end=True))


def _statement_page(account, template: str, **context):
    page = _page()
    rows, more = queries.statement(db.session, account.id, filters=_filters(), page=page)
    return render_template(template, account=account, rows=rows, more=more, page=page, **context)


@bp.get("/me/account")
@login_required
def account():
    account = queries.account_of_person(db.session, current_user.person_id)
    if account is None:
        return render_template("ledger/no_account.html")
    notices = queries.notices(db.session, current_user.person_id)
    return _statement_page(account, "ledger/account.html", notices=notices)


@bp.get("/me/account/statement.csv")
@login_required
def statement_csv():
    account = queries.account_of_person(db.session, current_user.person_id)
    if account is None:
        raise NotFound()
    return _csv(account)


def _csv(account) -> Response:
    from timebank.ledger import passbook

    return exports.csv_response(passbook.headers(), passbook.table_rows(db.session, account.id, _filters()),
                                f"statement-{account.id}.csv")


def _my_account_or_404():
    account = queries.account_of_person(db.session, current_user.person_id)
    if account is None:
        raise NotFound()
    return account


@bp.route("/me/account/gift", methods=["GET", "POST"])
@login_required
def gift():
    account = _my_account_or_404()
    _version, policy = policy_service.current(db.session)
    targets = queries.gift_targets(db.session, current_user.person_id, policy.gift_kinships)
    form = GiftForm()
    form.to_person_id.choices = [(pid, name) for pid, name, _kin, _ok in targets]
    if request.method == "GET":
        form.idempotency_key.data = new_key("gift")
    context = dict(form=form, account=account, targets=targets, policy=policy)
    if not form.validate_on_submit():
        return render_template("ledger/gift.html", **context), 422 if request.method == "POST" else 200
    if form.confirmed.data != "1":
        form.confirmed.data = "1"
        names = {pid: name for pid, name, _kin, _ok in targets}
        return render_template("ledger/confirm.html", form=form, action=url_for("ledger.gift"),
                               what=_("转赠给 %(name)s", name=names.get(form.to_person_id.data, "")),
                               minutes=form.total_minutes(), account=account,
                               fields=("to_person_id", "hours", "minutes", "memo", "idempotency_key", "confirmed"))
    try:
        outcome = committed(db.session, lambda: ledger.gift(
            db.session, current_user, to_person_id=form.to_person_id.data, minutes=form.total_minutes(),
            memo=form.memo.data, key=form.idempotency_key.data, now=clock.now()))
    except DomainError as error:
        if error.field == "minutes":
            form.hours.errors = list(form.hours.errors) + [str(error.message)]
        else:
            attach_error(form, error)
        form.confirmed.data = ""
        return render_template("ledger/gift.html", **context), error.status
    flash(_("已转赠 %(m)s", m=format_minutes(outcome.transfer.minutes)))
    return redirect(url_for("ledger.account"))


@bp.route("/me/account/donate", methods=["GET", "POST"])
@login_required
def donate():
    account = _my_account_or_404()
    form = DonateForm()
    if request.method == "GET":
        form.idempotency_key.data = new_key("donate")
    if not form.validate_on_submit():
        return render_template("ledger/donate.html", form=form, account=account), \
            422 if request.method == "POST" else 200
    if form.confirmed.data != "1":
        form.confirmed.data = "1"
        return render_template("ledger/confirm.html", form=form, action=url_for("ledger.donate"),
                               what=_("捐给县捐赠时间池"), minutes=form.total_minutes(), account=account,
                               fields=("pool", "hours", "minutes", "memo", "idempotency_key", "confirmed"))
    try:
        outcome = committed(db.session, lambda: ledger.donate(
            db.session, current_user, pool=form.pool.data, minutes=form.total_minutes(), memo=form.memo.data,
            key=form.idempotency_key.data, now=clock.now()))
    except DomainError as error:
        if error.field == "minutes":
            form.hours.errors = list(form.hours.errors) + [str(error.message)]
        else:
            attach_error(form, error)
        form.confirmed.data = ""
        return render_template("ledger/donate.html", form=form, account=account), error.status
    flash(_("感谢您捐出 %(m)s，这些时长将优先服务最困难的老人", m=format_minutes(outcome.transfer.minutes)))
    return redirect(url_for("ledger.account"))


@bp.get("/station/accounts/<int:person_id>")
@roles_required(*STAFF)
def person_account(person_id: int):
    """Staff look at the account of a person inside their subtree (outside it: 404)."""
    person = load_scoped(db.session, select(Person).where(Person.id == person_id), current_user, Person.node_id)
    account = ledger.account_for_person(db.session, person.id)
    db.session.commit()
    return _statement_page(account, "ledger/person_account.html", person=person)


# ---------------------------------------------------------------------------------------------------------
# admin


def _overview(grant_form=None, reversal_form=None, status: int = 200):
    grant_form = grant_form or GrantForm(formdata=None, idempotency_key=new_key("grant"))
    reversal_form = reversal_form or ReversalForm(formdata=None, idempotency_key=new_key("reversal"))
    return render_template(
        "ledger/overview.html", pools=queries.system_accounts(db.session), totals=queries.totals(db.session),
        last_run=reconcile.last_run(db.session), awaiting=queries.awaiting_grants(db.session),
        recent=queries.recent_transfers(db.session), grant_form=grant_form, reversal_form=reversal_form,
        decide_form=DecideForm(formdata=None), new_key=new_key, policy=policy_service.current(db.session)[1],
    ), status


@bp.get("/admin/ledger")
@roles_required("admin")
def overview():
    return _overview()


@bp.post("/admin/ledger/check")
@roles_required("admin")
def check_run():
    report = committed(db.session, lambda: reconcile.run_check(db.session, now=clock.now()))
    flash(_("对账通过") if report.ok else _("对账发现问题，请查看下方记录"), "message" if report.ok else "warning")
    return redirect(url_for("ledger.overview"))


@bp.post("/admin/ledger/grants")
@roles_required("admin")
def grant_create():
    form = GrantForm()
    if not form.validate_on_submit():
        return _overview(grant_form=form, status=422)
    if form.to.data == "person" and not form.person_id.data:
        form.person_id.errors.append(_("请填写服务对象编号"))
        return _overview(grant_form=form, status=422)
    target = form.person_id.data if form.to.data == "person" else "backstop"
    try:
        result = committed(db.session, lambda: grants.grant(
            db.session, current_user, to=target, minutes=form.total_minutes(), reason=form.reason.data,
            key=form.idempotency_key.data, now=clock.now(), today=clock.today()))
    except DomainError as error:
        if error.status == 404:
            error.field = "person_id"
        attach_error(form, error)
        return _overview(grant_form=form, status=error.status)
    if isinstance(result, ledger.Outcome):
        flash(_("已发放 %(m)s", m=format_minutes(result.transfer.minutes)))
    else:
        flash(_("发放额度较大，已提交，等待另一位管理员批准"))
    return redirect(url_for("ledger.overview"))


@bp.post("/admin/ledger/grants/<int:grant_id>/<any(approve, reject):decision>")
@roles_required("admin")
def grant_decide(grant_id: int, decision: str):
    form = DecideForm()
    if not form.validate_on_submit():
        return _overview(status=422)
    committed(db.session, lambda: grants.decide(db.session, current_user, grant_id=grant_id,
                                                approve=decision == "approve", key=form.idempotency_key.data,
                                                now=clock.now()))
    flash(_("已批准发放") if decision == "approve" else _("已驳回发放申请"))
    return redirect(url_for("ledger.overview"))


@bp.post("/admin/ledger/reversals")
@roles_required("admin")
def reversal_create():
    form = ReversalForm()
    if not form.validate_on_submit():
        return _overview(reversal_form=form, status=422)
    try:
        committed(db.session, lambda: ledger.reverse(db.session, current_user, transfer_id=form.transfer_id.data,
                                                     reason=form.reason.data, key=form.idempotency_key.data,
                                                     now=clock.now()))
    except DomainError as error:
        if error.field == "transfer_id" or error.status == 404:
            form.transfer_id.errors = list(form.transfer_id.errors) + [str(error.message)]
        else:
            attach_error(form, error)
        return _overview(reversal_form=form, status=error.status)
    flash(_("已冲正转账 %(id)s", id=form.transfer_id.data))
    return redirect(url_for("ledger.overview"))


# ---------------------------------------------------------------------------------------------------------
# labels shared by the templates and the CSV


@once_per_request
def kind_labels() -> dict[str, str]:
    return {"earn": _("服务所得"), "gift": _("亲属转赠"), "donate": _("捐赠"), "grant": _("政府发放"),
            "overflow": _("超上限自动捐赠"), "redeem": _("兑换服务"), "reversal": _("冲正")}


def phase_label(row) -> str:
    if row.phase == "pending":
        return {"post": _("已结算"), "void": _("已取消"), "expire": _("已过期")}.get(row.resolved, _("预留中"))
    return {"posted": _("已入账"), "post": _("已结算"), "void": _("预留释放"), "expire": _("预留过期释放")}[row.phase]


@bp.app_context_processor
def _ledger_labels():
    return {"ledger_kind_labels": kind_labels, "ledger_phase_label": phase_label}
