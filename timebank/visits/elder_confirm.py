"""Confirmation by the person served when they have no login: on the volunteer's phone right after check-out
(the short code printed on their service card, or a signature drawn on the screen), or by the station after
a phone call. "满意" confirms and settles like any confirmation; "不满意" opens a dispute for the station.
Services flush; the shell commits (and commits a wrong code's counted try before showing the message)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from timebank.accounts.models import Person, User
from timebank.accounts.scope import in_scope
from timebank.errors import Forbidden, InvalidTransition, NotInScope, ValidationFailed
from timebank.visits import settle, signing
from timebank.visits.models import ServiceRequest, VisitCard, VisitEvent
from timebank.visits.service import is_staff_for, load, log, roles_of, step


class WrongCardCode(ValidationFailed):
    """The code typed is not the one on this resident's card. The try is counted (the shell commits it)."""

    code = "wrong_card_code"
    message = _l("号码不对，请再看一下服务卡上的号码")


class TooManyTries(Forbidden):
    code = "too_many_tries"
    message = _l("号码输错次数太多，不能再在手机上确认。请联系社工站，由社工站电话确认。")


# ---------------------------------------------------------------------------------------------------------
# the card's short code


def card_version(session, resident_id: int) -> int:
    row = session.get(VisitCard, resident_id)
    return row.version if row is not None else 1


def card_code(session, resident_id: int) -> str:
    return signing.card_code(current_app.config["SECRET_KEY"], resident_id, card_version(session, resident_id))


def reissue_card(session, actor: User, resident_id: int, *, now: datetime) -> int:
    """Station staff reissue a lost card: a new version, so the code on the old card no longer confirms."""
    resident = session.get(Person, resident_id) if isinstance(resident_id, int) else None
    if resident is None or not is_staff_for(actor, resident.node):
        raise NotInScope()
    row = session.get(VisitCard, resident_id)
    if row is None:
        row = VisitCard(resident_id=resident_id, version=1)
        session.add(row)
    row.version += 1
    row.issued_by_id, row.issued_at = actor.id, now
    session.flush()
    return row.version


# ---------------------------------------------------------------------------------------------------------
# on the volunteer's phone


@dataclass(frozen=True)
class ElderAnswer:
    satisfied: bool
    code: str | None = None
    signature: str | None = None
    note: str | None = None  # what was not satisfactory (optional)


def holding_seat(session, actor: User, request_id: int, *, lock: bool = False) -> ServiceRequest:
    """The visit, when the actor holds an active seat on it (else 404 when they cannot see it, 403 when
    they can but serve on it no longer)."""
    req = load(session, actor, request_id, lock=lock)
    if "volunteer" not in roles_of(session, actor, req):
        raise Forbidden(_l("只有本次服务的志愿者才能请服务对象在手机上确认"), reason="not_seat")
    return req


def tries_left(req: ServiceRequest) -> int:
    return max(0, signing.MAX_CODE_FAILURES - (req.code_failures or 0))


def confirm_on_phone(session, actor: User, request_id: int, answer: ElderAnswer, *, now: datetime,
                     today: date) -> ServiceRequest:
    """The person served answers on the volunteer's phone, proving it is them with the card code or a
    signature. A wrong code counts a try and raises WrongCardCode; after five, only the station confirms.
    Not satisfied: a dispute with the method and `satisfied` False recorded (the method says how they
    answered, not that the visit was confirmed)."""
    req = holding_seat(session, actor, request_id, lock=True)
    settle.refuse_if_confirmed(req)
    if req.status != "done":
        raise InvalidTransition(_l("所有志愿者签退后，才能请服务对象确认"), reason="confirm")
    if tries_left(req) == 0:
        raise TooManyTries()
    typed, drawn = (answer.code or "").strip(), (answer.signature or "").strip()
    if typed and drawn:
        raise ValidationFailed(_l("请只选一种方式：输入服务卡号码，或者签名"), field="code")
    if not typed and not drawn:
        raise ValidationFailed(_l("请输入服务卡上的号码，或者请服务对象签名"), field="code")
    if typed:
        if signing.normalise_code(typed) is None:
            raise ValidationFailed(_l("服务卡号码是6位数字"), field="code")
        if not signing.code_matches(card_code(session, req.resident_id), typed):
            req.code_failures = (req.code_failures or 0) + 1
            session.flush()
            left = tries_left(req)
            if left == 0:
                raise TooManyTries()
            raise WrongCardCode(_l("号码不对，请再看一下服务卡上的号码（还可以试%(n)s次）", n=left), field="code",
                                tries_left=left)
        method, path = "elder_code", None
    else:
        try:
            path = signing.clean_signature(drawn)
        except signing.BadSignature:
            raise ValidationFailed(_l("签名没有保存下来，请重新签名"), field="signature") from None
        method = "elder_signature"
    note = (answer.note or "").strip()[:300] or None
    if answer.satisfied:
        to, role = step(session, req, "confirm", ["resident"])
        req.signature_svg = path
        req.confirmation_note = note
        settle.confirm_and_settle(session, req, to, actor=actor, role=role, method=method, satisfied=True, now=now,
                                  today=today)
        return req
    to, role = step(session, req, "dispute", ["resident"])
    req.confirmation_method, req.satisfied, req.signature_svg, req.confirmation_note = method, False, path, note
    req.dispute_reason = note
    log(session, req, "dispute", to, actor=actor, role=role, now=now, detail=f"{method} {note or ''}".strip())
    session.flush()
    return req


# ---------------------------------------------------------------------------------------------------------
# by the station after a phone call


def confirm_by_phone(session, actor: User, request_id: int, *, answered_by: str, satisfied: bool,
                     note: str | None, now: datetime, today: date) -> ServiceRequest:
    """Station staff phoned the person served (or their family): who answered, satisfied or not, a note.
    Satisfied confirms and settles with 'station_phone'; not satisfied opens a dispute."""
    req = load(session, actor, request_id, lock=True)
    if not is_staff_for(actor, req.node):
        raise Forbidden(_l("只有社工站可以电话确认"), reason="station_phone")
    settle.refuse_own_visit(session, actor, req)
    settle.refuse_if_confirmed(req)
    who = (answered_by or "").strip()
    if not who:
        raise ValidationFailed(_l("请填写接电话的人"), field="answered_by")
    if not isinstance(satisfied, bool):
        raise ValidationFailed(_l("请选择是否满意"), field="satisfied")
    text = f"{who[:50]}：{(note or '').strip()}".rstrip("：")[:300]
    if satisfied:
        to, role = step(session, req, "confirm", ["staff"])
        req.confirmation_note = text
        settle.confirm_and_settle(session, req, to, actor=actor, role=role, method="station_phone", satisfied=True,
                                  now=now, today=today, detail=who[:50])
        return req
    to, role = step(session, req, "dispute", ["staff"])
    req.confirmation_method, req.satisfied, req.confirmation_note = "station_phone", False, text
    req.dispute_reason = (note or "").strip()[:500] or None
    log(session, req, "dispute", to, actor=actor, role=role, now=now, detail=f"station_phone {text}")
    session.flush()
    return req


# ---------------------------------------------------------------------------------------------------------
# the station's view: how visits were confirmed


METHOD_GROUPS = ("elder_code", "elder_signature", "station_phone", "family", "station", "auto", "unsatisfied")


def group_of(method: str | None, satisfied: bool | None) -> str | None:
    if satisfied is False:
        return "unsatisfied"
    if method in ("resident", "relative"):
        return "family"
    return method


def confirmation_stats(session, actor: User, *, now: datetime, days: int = 30) -> dict[str, tuple[int, int]]:
    """Per group: (visits confirmed that way in the last `days` days, all time) in the actor's subtree. The
    time of a confirmation is its confirm / auto-confirm / dispute event."""
    counts = {group: [0, 0] for group in METHOD_GROUPS}
    since = now - timedelta(days=days)
    rows = session.execute(
        select(ServiceRequest.confirmation_method, ServiceRequest.satisfied,
               func.max(VisitEvent.at))
        .join(VisitEvent, VisitEvent.request_id == ServiceRequest.id)
        .where(in_scope(ServiceRequest.node_id, actor),
               VisitEvent.action.in_(("confirm", "auto_confirm", "dispute")),
               (ServiceRequest.confirmation_method.is_not(None)) | (ServiceRequest.satisfied.is_(False)))
        .group_by(ServiceRequest.id, ServiceRequest.confirmation_method, ServiceRequest.satisfied)).all()
    for method, satisfied, at in rows:
        group = group_of(method, satisfied)
        if group not in counts:
            continue
        counts[group][1] += 1
        if at is not None and at >= since:
            counts[group][0] += 1
    return {g: (c[0], c[1]) for g, c in counts.items()}


def auto_confirmed(session, actor: User, *, page: int, per_page: int = 30) -> tuple[list[ServiceRequest], bool]:
    """Visits in the actor's subtree that settled by auto-confirmation, newest first, one page."""
    rows = list(session.scalars(
        select(ServiceRequest).where(in_scope(ServiceRequest.node_id, actor), ServiceRequest.confirmation_method == "auto")
        .order_by(ServiceRequest.done_at.desc(), ServiceRequest.id.desc())
        .offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page
