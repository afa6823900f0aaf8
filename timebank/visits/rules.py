"""The visit settings in force (cut-offs, tolerances; priority tiers live in the policy): versioned rows, newest wins."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import User
from timebank.audit import service as audit
from timebank.errors import Forbidden, ValidationFailed
from timebank.visits import domain
from timebank.visits.models import VisitRulesVersion

MESSAGES = {
    "give_back_cutoff_hours": _l("退出截止时间应在0到168小时之间"),
    "checkin_tolerance_minutes": _l("签到容差应在5到240分钟之间"),
    "overtime_tolerance_minutes": _l("超时容差应在0到120分钟之间"),
    "auto_confirm_days": _l("自动确认天数应在1到30天之间"),
    "card_valid_days": _l("服务卡有效期应在30到3650天之间"),
    "travel_speed_kmh": _l("路途速度应在3到80公里/小时之间"),
}


def current(session) -> domain.Rules:
    text = session.scalar(select(VisitRulesVersion.settings).order_by(VisitRulesVersion.id.desc()).limit(1))
    if not text:
        return domain.Rules()
    data = json.loads(text)
    known = {f.name for f in dataclasses.fields(domain.Rules)}
    clean = {k: v for k, v in data.items() if k in known}  # old rows' tier table is ignored: see the policy
    return domain.Rules(**clean)


def save(session, actor: User, changes: dict, *, now: datetime) -> domain.Rules:
    """Admins change the visit settings; every save is a new row (who and when), with an audit event."""
    if not actor.has_role("admin"):
        raise Forbidden()
    old = current(session)
    try:
        new = domain.validate_rules(dataclasses.replace(old, **changes))
    except domain.RuleBroken as error:
        raise ValidationFailed(MESSAGES.get(error.reason), field=error.reason) from None
    except TypeError:
        raise ValidationFailed() from None
    session.add(VisitRulesVersion(settings=json.dumps(dataclasses.asdict(new), sort_keys=True), created_by_id=actor.id,
                                  created_at=now))
    session.flush()
    audit.record(session, "visit_rules_change", actor_id=actor.id, detail=",".join(sorted(changes)))
    return new
