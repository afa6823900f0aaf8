"""Reads for the accounts area: the org tree, villages for pickers, users for admins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import OrgNode, Person, Station, User
from timebank.accounts.scope import in_scope


def village_choices(session, actor: User | None = None) -> list[tuple[int, str]]:
    """(id, "township / village") for every village, or only those in the actor's scope."""
    parent = OrgNode.__table__.alias("parent")
    stmt = (
        select(OrgNode.id, parent.c.name, OrgNode.name)
        .join(parent, parent.c.id == OrgNode.parent_id)
        .where(OrgNode.kind == "village")
        .order_by(OrgNode.code)
    )
    if actor is not None:
        stmt = stmt.where(in_scope(OrgNode.id, actor))
    return [(node_id, f"{township} / {village}") for node_id, township, village in session.execute(stmt)]


def org_tree(session, root_path: str) -> list[OrgNode]:
    """Every node in a subtree, parents before children, siblings by code."""
    nodes = list(session.scalars(select(OrgNode).where(OrgNode.path.startswith(root_path, autoescape=True))))
    by_parent: dict[int | None, list[OrgNode]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    ids = {node.id for node in nodes}
    roots = [node for node in nodes if node.parent_id not in ids]
    ordered: list[OrgNode] = []

    def walk(node: OrgNode) -> None:
        ordered.append(node)
        for child in sorted(by_parent.get(node.id, []), key=lambda n: n.code):
            walk(child)

    for root in sorted(roots, key=lambda n: n.code):
        walk(root)
    return ordered


def users_in_scope(session, actor: User, *, page: int, per_page: int = 50, q: str | None = None):
    stmt = (
        select(User)
        .options(selectinload(User.person), selectinload(User.node))
        .order_by(User.id)
    )
    if not actor.has_role("admin"):  # station staff: logins placed, or of people living, in their subtree
        stmt = stmt.outerjoin(Person, User.person_id == Person.id).where(
            in_scope(User.node_id, actor) | in_scope(Person.node_id, actor))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(User.username.ilike(like) | User.phone.ilike(like))
    rows = list(session.scalars(stmt.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def stations(session) -> list[Station]:
    return list(session.scalars(select(Station).options(selectinload(Station.node)).order_by(Station.name)))


def node_choices(session, actor: User, kinds: tuple[str, ...]) -> list[tuple[int, str]]:
    """(id, indented name) for nodes of the given kinds inside the actor's scope, in tree order."""
    nodes = org_tree(session, actor.node.path if actor.node else "/")
    return [(n.id, "— " * n.depth + n.name) for n in nodes if n.kind in kinds]


def station_choices(session, actor: User) -> list[tuple[int, str]]:
    stmt = select(Station).join(OrgNode, OrgNode.id == Station.node_id).where(in_scope(Station.node_id, actor))
    return [(s.id, s.name) for s in session.scalars(stmt.order_by(Station.name))]
