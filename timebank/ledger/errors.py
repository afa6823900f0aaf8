"""Ledger errors (DomainError subclasses, so one handler renders them as a page or JSON)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from timebank.errors import Conflict, DomainError, Forbidden, InvalidTransition, ValidationFailed
from timebank.ledger.domain import LedgerRuleBroken


class InsufficientBalance(DomainError):
    status = 422
    code = "insufficient_balance"
    message = _l("可用时长不足")


class PolicyViolation(DomainError):
    status = 422
    code = "policy_violation"
    message = _l("按本县时间银行规定，不能进行此操作")


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    message = _l("该操作编号已用于另一笔不同的操作，请刷新页面后重新提交")


class AlreadyResolved(InvalidTransition):
    code = "already_resolved"
    message = _l("该笔预留已经处理过（已结算、作废或过期）")


class AlreadyReversed(InvalidTransition):
    code = "already_reversed"
    message = _l("该笔转账已经冲正过，不能再次冲正")


class LedgerBusy(DomainError):
    status = 503
    code = "busy"
    message = _l("系统繁忙，请稍后再试")


class NeedsSecondAdmin(Forbidden):
    code = "needs_second_admin"
    message = _l("大额发放需要另一位管理员批准")


RULE_MESSAGES = {
    "minutes_not_integer": _l("时长必须是整数分钟"),
    "minutes_not_positive": _l("时长必须大于0分钟"),
    "minutes_too_large": _l("时长过大，请核对后再填"),
    "not_relative": _l("只能转赠给已登记的直系亲属"),
    "unverified": _l("该亲属关系尚未经社工站核实，暂时不能转赠"),
    "kinship": _l("按本县规定，不能转赠给这位亲属"),
    "redeem_age": _l("按本县规定，本人或配偶达到兑换年龄（或经认定有特殊困难）后才能用时长兑换服务"),
    "minor": _l("未成年人只能在集体活动中或经监护人同意后记录服务时长"),
    "deceased": _l("该账户的主人已登记为已故，余额按本县规定处理，不能再使用。"),
}


def from_rule(error: LedgerRuleBroken, field: str = "minutes") -> DomainError:
    """Translate a pure-rule failure into the matching typed error."""
    if error.reason == "insufficient":
        return InsufficientBalance(field=field, **error.details)
    if error.reason.startswith("minutes_"):
        return ValidationFailed(RULE_MESSAGES[error.reason], field=field)
    field = {"not_relative": "to_person_id", "unverified": "to_person_id", "kinship": "to_person_id"}.get(
        error.reason, field)
    return PolicyViolation(RULE_MESSAGES.get(error.reason), field=field)
