"""Proactive care (主动发现, "政策找人"): who is in a watch group, and when a visit is overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

WATCH_GROUPS = {
    "lone_80": "80岁以上独居",
    "dibao_alone": "60-79岁低保独居",
    "tekun": "特困",
    "severe_disability": "重度残疾",
    "left_behind_child": "留守儿童",
    "orphan": "孤儿",
    "de_facto_orphan": "事实无人抚养儿童",
    "child_in_difficulty": "困境儿童",
}
DEFAULT_GROUPS = ("lone_80", "dibao_alone", "tekun", "severe_disability", "left_behind_child", "orphan",
                  "de_facto_orphan")


def watch_groups(age: int, living: str, kinds: set[str], disability_grade: int) -> list[str]:
    """Every watch group a resident belongs to (stable order)."""
    found = []
    if age >= 80 and living == "alone":
        found.append("lone_80")
    if 60 <= age < 80 and living == "alone" and "dibao" in kinds:
        found.append("dibao_alone")
    if "tekun" in kinds:
        found.append("tekun")
    if "severe_disability" in kinds or disability_grade in (1, 2):
        found.append("severe_disability")
    for kind in ("left_behind_child", "orphan", "de_facto_orphan", "child_in_difficulty"):
        if kind in kinds:
            found.append(kind)
    return found


def overdue_since(last_visit: datetime | None, registered: datetime, now: datetime, days: int) -> datetime | None:
    """When the resident became overdue (None if not overdue): `days` after the last visit, or after
    registration for someone never visited."""
    due = (last_visit or registered) + timedelta(days=days)
    return due if due <= now else None


def parse_groups(text: str) -> tuple[str, ...]:
    groups = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    unknown = [g for g in groups if g not in WATCH_GROUPS]
    if unknown:
        raise ValueError(f"TIMEBANK_CARE_GROUPS: unknown group(s) {', '.join(unknown)}; "
                         f"known: {', '.join(WATCH_GROUPS)}")
    return groups
