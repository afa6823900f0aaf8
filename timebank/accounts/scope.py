"""The one place that decides what a staff user may see: their org node's subtree."""

from __future__ import annotations

from sqlalchemy import select

from timebank.accounts.models import OrgNode, User
from timebank.errors import NotInScope


def scope_path(actor: User) -> str | None:
    """The org path prefix this user may act in; None means no staff scope at all."""
    if actor.has_role("admin"):
        return actor.node.path if actor.node is not None else "/"
    if actor.has_role("station") and actor.node is not None:
        return actor.node.path
    return None


def subtree_node_ids(actor: User):
    """A subquery of node ids inside the actor's scope (empty for non-staff)."""
    path = scope_path(actor)
    if path is None:
        return select(OrgNode.id).where(False)
    return select(OrgNode.id).where(OrgNode.path.startswith(path, autoescape=True))


def in_scope(node_id_column, actor: User):
    """A WHERE clause: `node_id_column` lies in the actor's subtree. Use it in every scoped list."""
    return node_id_column.in_(subtree_node_ids(actor))


def require_node(actor: User, node: OrgNode | None) -> None:
    """Raise NotInScope (a 404) unless the node is inside the actor's subtree."""
    path = scope_path(actor)
    if node is None or path is None or not node.path.startswith(path):
        raise NotInScope()


def load_scoped(session, stmt, actor: User, node_id_column):
    """Execute a one-object select restricted to the actor's subtree, or raise NotInScope."""
    obj = session.scalar(stmt.where(in_scope(node_id_column, actor)))
    if obj is None:
        raise NotInScope()
    return obj
