"""Reads for the catalog area."""

from __future__ import annotations

from sqlalchemy import select

from timebank.catalog.models import Skill


def skills(session) -> list[Skill]:
    return list(session.scalars(select(Skill).order_by(Skill.sort_order, Skill.id)))
