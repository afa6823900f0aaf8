"""Station review of requests paid by public or donated money (Beijing: needs are published after review).

A non-staff post paid by the government backstop or a charity's pool waits in 'review': it is not on the
volunteer board, not takeable and not in matching. Station staff of its subtree approve it (it opens) or
reject it with a reason (it is cancelled and the poster is told why). Services flush; the shell commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import User
from timebank.accounts.scope import in_scope
from timebank.errors import ValidationFailed
from timebank.notify import service as notify
from timebank.visits.models import ServiceRequest
from timebank.visits.service import load, log, roles_of, step

PER_PAGE = 30


def queue(session, actor: User, *, page: int = 1) -> tuple[list[ServiceRequest], int]:
    """Requests waiting for review in the actor's subtree, oldest first, and how many there are."""
    where = (ServiceRequest.status == "review", in_scope(ServiceRequest.node_id, actor))
    total = session.scalar(select(func.count(ServiceRequest.id)).where(*where)) or 0
    rows = list(session.scalars(
        select(ServiceRequest).options(selectinload(ServiceRequest.resident), selectinload(ServiceRequest.category),
                                       selectinload(ServiceRequest.node), selectinload(ServiceRequest.posted_by))
        .where(*where).order_by(ServiceRequest.created_at, ServiceRequest.id)
        .offset((max(page, 1) - 1) * PER_PAGE).limit(PER_PAGE)))
    return rows, total


def _title(req: ServiceRequest) -> str:
    return req.category.name_zh


def approve(session, actor: User, request_id: int, *, reason: str | None = None, now: datetime) -> ServiceRequest:
    """Station staff approve: the request opens for volunteers and matching."""
    req = load(session, actor, request_id, lock=True)
    to, role = step(session, req, "approve", [r for r in roles_of(session, actor, req) if r == "staff"])
    req.reviewed_by_id, req.reviewed_at = actor.id, now
    req.review_reason = (reason or "").strip()[:300] or None
    log(session, req, "approve", to, actor=actor, role=role, now=now, detail=req.review_reason)
    if req.posted_by_id is not None and req.posted_by_id != actor.id:
        notify.notify(session, req.posted_by_id, "visit_review_approved", {"title": _title(req)},
                      link=f"/visits/{req.id}", now=now)
    session.flush()
    return req


def reject(session, actor: User, request_id: int, *, reason: str, now: datetime) -> ServiceRequest:
    """Station staff reject with a reason: the request is cancelled and the poster is notified."""
    req = load(session, actor, request_id, lock=True)
    to, role = step(session, req, "reject", [r for r in roles_of(session, actor, req) if r == "staff"])
    if not (reason or "").strip():
        raise ValidationFailed(_l("请填写不通过的原因"), field="reason")
    req.reviewed_by_id, req.reviewed_at = actor.id, now
    req.review_reason = reason.strip()[:300]
    log(session, req, "reject", to, actor=actor, role=role, now=now, detail=req.review_reason)
    if req.posted_by_id is not None and req.posted_by_id != actor.id:
        notify.notify(session, req.posted_by_id, "visit_review_rejected",
                      {"title": _title(req), "reason": req.review_reason}, link=f"/visits/{req.id}", now=now)
    session.flush()
    return req
