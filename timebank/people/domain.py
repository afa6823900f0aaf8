"""Pure rules for volunteer and resident profiles: statuses, hardship kinds, sign-up eligibility."""

from __future__ import annotations

from datetime import date

from timebank.accounts.domain import age_on

VOLUNTEER_STATUSES = ("pending", "approved", "rejected")
LIVING_SITUATIONS = ("alone", "empty_nest", "with_family")
DISABILITY_GRADES = (0, 1, 2, 3, 4)  # 0 none; 1 and 2 are severe (重度)
HARDSHIP_KINDS = (
    "dibao",  # 低保
    "dibao_edge",  # 低保边缘
    "tekun",  # 特困
    "expenditure",  # 支出型困难
    "orphan",  # 孤儿
    "de_facto_orphan",  # 事实无人抚养儿童
    "left_behind_child",  # 留守儿童
    "child_in_difficulty",  # 困境儿童
    "severe_disability",  # 重度残疾
    "family_planning_special",  # 计生特殊家庭 (失独/伤残)
)
RELATIONSHIPS = ("spouse", "child", "parent", "grandchild", "grandparent", "sibling", "other")
DIRECT_RELATIONSHIPS = frozenset({"spouse", "child", "parent", "grandchild", "grandparent", "sibling"})
_INVERSE_KINSHIP = {"spouse": "spouse", "child": "parent", "parent": "child", "grandchild": "grandparent",
                    "grandparent": "grandchild", "sibling": "sibling", "other": "other"}


def kinship_seen_by_relative(kinship: str) -> str:
    """A link stores what the relative is to the resident ("child"); the resident, seen from the relative's
    side, is the inverse ("parent")."""
    return _INVERSE_KINSHIP.get(kinship, "other")


def signup_problem(birth: date, today: date, min_age: int) -> str | None:
    """None when a person born on `birth` may sign up alone as a volunteer today."""
    if age_on(birth, today) < min_age:
        return "under_age"
    return None
