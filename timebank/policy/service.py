"""Read the policy in force; save a new version (admin only). Never commits."""

from __future__ import annotations

import dataclasses
import functools
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import User
from timebank.audit import service as audit
from timebank.errors import Forbidden, ValidationFailed
from timebank.policy import domain
from timebank.policy import priority as priority_rules
from timebank.policy.models import PolicyVersion

MESSAGES = {
    "depositor_min_age": _l("存入时长的最低年龄应在14到25岁之间"),
    "redeem_min_age": _l("兑换年龄应在50到80岁之间"),
    "hardship_redeem_min_age": _l("特殊困难提前兑换的年龄应在50岁到兑换年龄之间"),
    "balance_cap_minutes": _l("存储上限应在1小时到10000小时之间"),
    "grant_approval_minutes": _l("需要复核的发放额度应在1小时到10000小时之间"),
    "hold_expiry_days": _l("预留时长的有效天数应在1到365天之间"),
    "minor_mode": _l("请选择未成年人规则"),
    "death_balance": _l("请选择去世后余额的处理方式"),
    "gift_kinships": _l("转赠对象只能是所列的亲属关系"),
    "credit_percent": _l("服务1分钟记1分钟，不能修改"),
    "star_thresholds_hours": _l("星级时长应为5个整数小时数，从一星到五星逐级增加，每个在1到100000之间"),
    "cash_allowed": _l("时间只能兑换服务，不能兑换现金或实物"),
    "tiers": _l("优先级应为1到5的整数"),
    "groups": _l("重点人群设置有误"),
    "backstop_max_tier": _l("政府兜底时间池支付的优先级应在1到5级之间"),
    "county_pool_max_tier": _l("县捐赠时间池支付的优先级应在1到5级之间"),
    "grace_days": _l("复核日期过后的宽限天数应在0到365天之间"),
    "notice_days": _l("提前提醒复核的天数应在1到180天之间"),
}


def current_version(session) -> PolicyVersion | None:
    return session.scalar(select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1))


@functools.lru_cache(maxsize=64)
def parsed(settings: str | None) -> domain.Policy:
    """The policy a stored version holds, parsed once per process.

    Keyed on the stored text itself, so it can never be stale: versions are append-only, and a new one
    has new text (or the same text, which means the same rules). Policy is a frozen value, safe to share.
    """
    return domain.from_json(settings)


def from_row(version_id: int | None, settings: str | None) -> tuple[int | None, domain.Policy]:
    """(version id, policy) from the newest row's id and settings (None, None: the defaults)."""
    if version_id is None:
        return None, domain.DEFAULT_POLICY
    return version_id, parsed(settings)


def current(session) -> tuple[int | None, domain.Policy]:
    """(version id, policy) in force; the defaults when no version was ever saved.

    One indexed query (the newest row); parsing is cached per process by `parsed`. The ledger's hot path
    reads the same row inside its locking statement instead (timebank.ledger.service.lock_rows).
    """
    row = session.execute(
        select(PolicyVersion.id, PolicyVersion.settings).order_by(PolicyVersion.id.desc()).limit(1)
    ).first()
    if row is None:
        return None, domain.DEFAULT_POLICY
    return from_row(row.id, row.settings)


def history(session, limit: int = 50) -> list[PolicyVersion]:
    return list(session.scalars(select(PolicyVersion).options(selectinload(PolicyVersion.created_by))
                                .order_by(PolicyVersion.id.desc()).limit(limit)))


def save_priority(session, actor: User, *, tiers: dict[str, int] | None = None, watch: dict[str, bool] | None = None,
                  grant: dict[str, bool] | None = None, settings: dict | None = None, note: str | None,
                  now: datetime) -> PolicyVersion:
    """A new version with the priority table's tiers, flags, pool limits or status days changed."""
    if not actor.has_role("admin"):
        raise Forbidden()
    _version, old = current(session)
    try:
        table = priority_rules.with_settings(old.priority, tiers=tiers, watch=watch, grant=grant, **(settings or {}))
    except priority_rules.TableInvalid as error:
        raise ValidationFailed(MESSAGES.get(error.field), field=error.field) from None
    return _store(session, actor, old, dataclasses.replace(old, priority=table), note=note, now=now)


def save(session, actor: User, changes: dict, *, note: str | None, now: datetime) -> PolicyVersion:
    """Record a new version with who and when; unchanged settings carry over."""
    if not actor.has_role("admin"):
        raise Forbidden()
    _version, old = current(session)
    unknown = set(changes) - set(domain.EDITABLE)
    if unknown:
        raise ValidationFailed(field=sorted(unknown)[0])
    if "gift_kinships" in changes:
        changes = {**changes, "gift_kinships": tuple(changes["gift_kinships"])}
    if isinstance(changes.get("star_thresholds_hours"), list):
        changes = {**changes, "star_thresholds_hours": tuple(changes["star_thresholds_hours"])}
    try:
        new = domain.validate(dataclasses.replace(old, **changes))
    except domain.PolicyInvalid as error:
        raise ValidationFailed(MESSAGES.get(error.field), field=error.field) from None
    except TypeError:
        raise ValidationFailed() from None
    return _store(session, actor, old, new, note=note, now=now)


def _store(session, actor: User, old: domain.Policy, new: domain.Policy, *, note: str | None,
           now: datetime) -> PolicyVersion:
    row = PolicyVersion(settings=new.to_json(), note=(note or "").strip()[:300] or None, created_by_id=actor.id,
                        created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, "policy_change", actor_id=actor.id, target=f"policy_version:{row.id}",
                 detail=",".join(domain.changed_fields(old, new)))
    return row
