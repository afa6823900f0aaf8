"""What the report pages and the API read from a request: the period and the org node asked for (inside the
user's subtree), and the frozen monthly reports the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from timebank.accounts.models import OrgNode, User
from timebank.accounts.scope import in_scope, require_node, scope_path
from timebank.errors import NotInScope, ValidationFailed
from timebank.reports import domain, queries
from timebank.reports.models import MonthlyReport

PER_PAGE = 30


@dataclass
class Choice:
    node: OrgNode
    period: domain.Period
    from_text: str
    to_text: str
    nodes: list[OrgNode] = field(default_factory=list)
    error: str | None = None


def scope_node(session, user: User) -> OrgNode:
    path = scope_path(user)
    if path is None:
        raise NotInScope()
    if user.node is not None:
        return user.node
    root = session.scalar(select(OrgNode).where(OrgNode.parent_id.is_(None)).order_by(OrgNode.id).limit(1))
    if root is None:
        raise NotInScope()
    return root


def node_for(session, user: User, node_id: int | None) -> OrgNode:
    if node_id is None:
        return scope_node(session, user)
    node = session.get(OrgNode, node_id)
    require_node(user, node)
    return node


def period_message(reason: str) -> str:
    if reason == "backwards":
        return _("结束日期早于开始日期，请把开始日期改到结束日期之前。")
    if reason == "range":
        return _("日期须在2000年至2099年之间。")
    return _("日期格式不正确，请按年-月-日填写。")


def parse_period(start_text: str, end_text: str, today: date) -> domain.Period:
    """Raise ValidationFailed (field from/to) with a clear message; empty text means the current month."""
    default = domain.default_period(today)
    try:
        start = date.fromisoformat(start_text) if start_text else default.start
        end = date.fromisoformat(end_text) if end_text else default.end
    except ValueError as error:
        raise ValidationFailed(period_message("format"), field="from") from error
    try:
        return domain.period(start, end)
    except domain.PeriodInvalid as error:
        raise ValidationFailed(period_message(error.reason), field="to", reason=error.reason) from error


def choose(session, user: User, args, *, today: date) -> Choice:
    raw_node = (args.get("node_id") or "").strip()
    node_id = int(raw_node) if raw_node.isdigit() and len(raw_node) < 10 else None
    node = node_for(session, user, node_id)
    home = scope_node(session, user)
    nodes = [home] + list(session.scalars(select(OrgNode).where(
        OrgNode.path.startswith(home.path, autoescape=True), OrgNode.kind == "township", OrgNode.id != home.id)
        .order_by(OrgNode.code)))
    start_text, end_text = (args.get("from") or "").strip()[:10], (args.get("to") or "").strip()[:10]
    try:
        period = parse_period(start_text, end_text, today)
    except ValidationFailed as error:
        fallback = domain.default_period(today)
        return Choice(node, fallback, start_text, end_text, nodes, error=str(error.message))
    return Choice(node, period, period.start.isoformat(), period.end.isoformat(), nodes)


def figures(session, choice: Choice, tz: ZoneInfo, locale: str) -> dict:
    return queries.dashboard(session, choice.node.path, choice.period, tz, locale)


def page_number(args) -> int:
    value = args.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() and len(value) < 7 else 1


def monthly_reports(session, user: User, *, page: int = 1, per_page: int = PER_PAGE):
    """Frozen reports of nodes in the user's subtree, newest month first; (rows, more)."""
    rows = list(session.scalars(
        select(MonthlyReport).join(OrgNode, OrgNode.id == MonthlyReport.node_id)
        .where(in_scope(MonthlyReport.node_id, user))
        .order_by(MonthlyReport.month.desc(), OrgNode.path).offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def monthly_report(session, user: User, report_id: int) -> MonthlyReport:
    row = session.scalar(select(MonthlyReport).where(MonthlyReport.id == report_id,
                                                     in_scope(MonthlyReport.node_id, user)))
    if row is None:
        raise NotInScope()
    return row
