"""Writes for personal-data rights: correction requests (更正), account closure (注销), own-data export (查阅).

A person asks; the station whose subtree holds the person decides. Closure anonymises the person and
keeps the ledger: accounts and transfers stay, the ID hash stays so the same ID cannot silently register
again as someone new. Services flush; the shell commits."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import ApiToken, Person, User
from timebank.accounts.scope import load_scoped
from timebank.audit import service as audit
from timebank.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from timebank.ledger.models import LedgerAccount
from timebank.notify.service import notify
from timebank.people.models import ResidentProfile, VolunteerProfile
from timebank.privacy import export
from timebank.privacy.models import CORRECTION_FIELDS, ClosureRequest, CorrectionRequest
from timebank.visits.models import Seat, ServiceRequest

MAX_OPEN_CORRECTIONS = 5
LIVE_REQUEST = ("review", "open", "matched", "in_service", "done", "disputed")


def field_labels() -> dict[str, object]:
    return {"name": _l("姓名"), "phone": _l("手机号码"), "address": _l("住址"), "village": _l("所在村/社区"),
            "emergency_contact": _l("紧急联系人"), "other": _l("其他（请在说明中写明）")}


def _person_of(session, user: User) -> Person:
    person = session.get(Person, user.person_id) if user.person_id else None
    if person is None:
        raise NotFound(_l("该账号没有个人信息"))
    return person


# ---------------------------------------------------------------------------------------------------------
# 查阅 / 复制


def export_self(session, user: User, *, now: datetime, ip: str | None = None) -> dict:
    """The caller's own data (logged in the access log as an export of "self")."""
    person = _person_of(session, user)
    data = export.collect(session, user)
    audit.record_access(session, "export", actor_id=user.id, person_id=person.id, field="self", ip=ip).at = now
    return data


# ---------------------------------------------------------------------------------------------------------
# 更正


def submit_correction(session, user: User, *, field: str, new_value: str | None, note: str | None,
                      now: datetime) -> CorrectionRequest:
    person = _person_of(session, user)
    if field not in CORRECTION_FIELDS:
        raise ValidationFailed(_l("请选择要更正的信息"), field="field")
    new_value = (new_value or "").strip()[:200] or None
    note = (note or "").strip()[:300] or None
    if new_value is None and (field != "other" or note is None):
        raise ValidationFailed(_l("请填写正确的内容"), field="new_value")
    open_count = len(list(session.scalars(select(CorrectionRequest.id).where(
        CorrectionRequest.person_id == person.id, CorrectionRequest.status == "open"))))
    if open_count >= MAX_OPEN_CORRECTIONS:
        raise Conflict(_l("您已有%(n)s条待处理的更正申请，请等社工站处理后再提交", n=MAX_OPEN_CORRECTIONS),
                       field="field")
    row = CorrectionRequest(person_id=person.id, requested_by_id=user.id, field=field, new_value=new_value,
                            note=note, status="open", created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, "correction_request", actor_id=user.id, target=f"person:{person.id}", detail=field)
    return row


def load_correction(session, actor: User, correction_id: int) -> CorrectionRequest:
    stmt = select(CorrectionRequest).join(Person, Person.id == CorrectionRequest.person_id).where(
        CorrectionRequest.id == correction_id)
    return load_scoped(session, stmt, actor, Person.node_id)


def decide_correction(session, actor: User, correction_id: int, *, done: bool, reason: str | None,
                      now: datetime) -> CorrectionRequest:
    """The station marks a correction done (after editing the record through the normal forms) or rejected."""
    row = load_correction(session, actor, correction_id)
    if row.status != "open":
        raise InvalidTransition(_l("该申请已处理"))
    reason = (reason or "").strip()[:300] or None
    if not done and reason is None:
        raise ValidationFailed(_l("不通过时请写明原因"), field="reason")
    row.status, row.decided_by_id, row.decided_at, row.decision_reason = (
        "done" if done else "rejected", actor.id, now, reason)
    audit.record(session, "correction_decide", actor_id=actor.id, target=f"person:{row.person_id}",
                 detail=f"{row.field}:{row.status}")
    user = row.person.user
    if user is not None:
        notify(session, user.id, "privacy_correction_done" if done else "privacy_correction_rejected",
               {"field": row.field, "reason": reason or ""}, link="/me/privacy", now=now)
    session.flush()
    return row


# ---------------------------------------------------------------------------------------------------------
# 注销


def closure_blockers(session, person_id: int) -> list[str]:
    """Why this person cannot be closed now: 'balance' (hours left), 'pending' (hours reserved),
    'visits' (a service in progress). Empty when closure may go ahead."""
    blockers = []
    account = session.scalar(select(LedgerAccount).where(LedgerAccount.person_id == person_id))
    if account is not None and account.balance != 0:
        blockers.append("balance")
    if account is not None and (account.pending_debits or account.pending_credits):
        blockers.append("pending")
    seat = session.scalar(select(Seat.id).join(ServiceRequest, ServiceRequest.id == Seat.request_id).where(
        Seat.volunteer_id == person_id, Seat.status == "active", ServiceRequest.status.in_(LIVE_REQUEST)).limit(1))
    own = session.scalar(select(ServiceRequest.id).where(ServiceRequest.resident_id == person_id,
                                                         ServiceRequest.status.in_(LIVE_REQUEST)).limit(1))
    if seat is not None or own is not None:
        blockers.append("visits")
    return blockers


def blocker_messages() -> dict[str, object]:
    return {"balance": _l("您的时间账户还有余额。请先把余额捐赠给县公益时间池，或转赠给已核实的家属，再申请注销。"),
            "pending": _l("您的时间账户有预留中的时长，请等相关服务结算或取消后再申请注销。"),
            "visits": _l("您还有进行中的服务，请等服务完成或取消后再申请注销。")}


def _refuse_if_blocked(session, person_id: int) -> None:
    blockers = closure_blockers(session, person_id)
    if blockers:
        raise Conflict(blocker_messages()[blockers[0]], field="closure", reason=blockers[0])


def submit_closure(session, user: User, *, note: str | None, now: datetime) -> ClosureRequest:
    person = _person_of(session, user)
    _refuse_if_blocked(session, person.id)
    if session.scalar(select(ClosureRequest.id).where(ClosureRequest.person_id == person.id,
                                                      ClosureRequest.status == "open")) is not None:
        raise Conflict(_l("您已经申请注销，请等待社工站处理"), field="closure")
    row = ClosureRequest(person_id=person.id, requested_by_id=user.id, note=(note or "").strip()[:300] or None,
                         status="open", created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, "closure_request", actor_id=user.id, target=f"person:{person.id}")
    return row


def load_closure(session, actor: User, closure_id: int) -> ClosureRequest:
    stmt = select(ClosureRequest).join(Person, Person.id == ClosureRequest.person_id).where(
        ClosureRequest.id == closure_id)
    return load_scoped(session, stmt, actor, Person.node_id)


def decide_closure(session, actor: User, closure_id: int, *, approve: bool, reason: str | None,
                   now: datetime) -> ClosureRequest:
    """Approve (anonymise the person now) or reject with a reason."""
    row = load_closure(session, actor, closure_id)
    if row.status != "open":
        raise InvalidTransition(_l("该申请已处理"))
    reason = (reason or "").strip()[:300] or None
    if not approve:
        if reason is None:
            raise ValidationFailed(_l("不通过时请写明原因"), field="reason")
        row.status, row.decided_by_id, row.decided_at, row.decision_reason = "rejected", actor.id, now, reason
        audit.record(session, "closure_decide", actor_id=actor.id, target=f"person:{row.person_id}",
                     detail="rejected")
        if row.person.user is not None:
            notify(session, row.person.user.id, "privacy_closure_rejected", {"reason": reason},
                   link="/me/privacy", now=now)
        session.flush()
        return row
    _refuse_if_blocked(session, row.person_id)
    row.status, row.decided_by_id, row.decided_at, row.decision_reason = "done", actor.id, now, reason
    anonymise(session, row.person, actor=actor, now=now)
    audit.record(session, "closure_decide", actor_id=actor.id, target=f"person:{row.person_id}", detail="done")
    session.flush()
    return row


def closed_name(person_id: int) -> str:
    return f"已注销用户#{person_id}"


def anonymise(session, person: Person, *, actor: User, now: datetime) -> None:
    """Clear what identifies the person; keep ids, the ledger, service records and the ID hash."""
    person.name = closed_name(person.id)
    person.phone = person.address = None
    person.latitude = person.longitude = None
    person.id_number_encrypted = b""
    person.id_number_masked = "—"
    volunteer = session.get(VolunteerProfile, person.id)
    if volunteer is not None:
        volunteer.emergency_contact_name = volunteer.emergency_contact_phone = None
        volunteer.skills = []
        volunteer.availability = []
    resident = session.get(ResidentProfile, person.id)
    if resident is not None:
        resident.emergency_contact_name = resident.emergency_contact_phone = None
        resident.notes = None
    user = person.user
    if user is not None:
        user.username = f"closed-{user.id}"  # a login column must stay non-null; this one can never log in
        user.phone = user.email = None
        user.active = False
        user.session_version += 1
        user.password_hash = "!closed:" + secrets.token_hex(16)
        for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                            ApiToken.revoked_at.is_(None))):
            token.revoked_at = now
    audit.record(session, "person_closed", actor_id=actor.id, target=f"person:{person.id}")
    session.flush()


# ---------------------------------------------------------------------------------------------------------
# consent records


def consent_of(session, person_id: int) -> dict:
    """Who recorded which paper consent for this person, and when (resident and relative links)."""
    from timebank.people.models import Relative

    resident = session.get(ResidentProfile, person_id)
    links = list(session.scalars(select(Relative).where(Relative.relative_id == person_id,
                                                        Relative.consent_form_ref.is_not(None))))
    return {"resident": resident, "relative_links": links}
