"""The service categories every county starts with (admins edit them on the catalog page)."""

from __future__ import annotations

from sqlalchemy import select

from timebank.catalog.models import ServiceCategory, Skill
from timebank.catalog.seed import ensure_skills

# (code, 中文名, English name, skills, default minutes, a social worker must lead)
CATEGORIES = (
    ("daily_care", "生活照料", "Daily care", ("daily_care",), 90, False),
    ("meals", "助餐/送餐", "Meals and meal delivery", ("meal_delivery",), 45, False),
    ("cleaning", "助洁", "Cleaning", ("cleaning",), 90, False),
    ("medical_escort", "陪同就医", "Medical escort", ("medical_escort",), 180, False),
    ("shopping", "代购", "Shopping", ("shopping",), 60, False),
    ("repairs", "小修小补", "Small repairs", ("repairs",), 60, False),
    ("haircut", "理发", "Haircut", ("haircut",), 45, False),
    ("companionship", "精神慰藉/陪伴", "Companionship", ("companionship",), 60, False),
    ("psych_support", "心理疏导", "Psychological support", ("psych_support",), 60, True),
    ("legal_aid", "法律援助", "Legal aid", ("legal_aid",), 60, True),
    ("digital_help", "智能设备指导", "Smartphone help", ("digital_help",), 60, False),
    ("rehab", "康复协助", "Rehabilitation help", ("rehab",), 60, False),
    ("tutoring", "课业辅导(留守儿童)", "Tutoring for left-behind children", ("tutoring",), 90, False),
    ("supplies", "送物资", "Delivering supplies", (), 60, False),
)


def ensure_categories(session) -> int:
    """Insert any missing seed category (idempotent); returns how many were added."""
    ensure_skills(session)
    existing = set(session.scalars(select(ServiceCategory.code)))
    skills = {s.code: s for s in session.scalars(select(Skill))}
    added = 0
    for order, (code, zh, en, skill_codes, minutes, social) in enumerate(CATEGORIES):
        if code in existing:
            continue
        session.add(ServiceCategory(code=code, name_zh=zh, name_en=en, default_minutes=minutes,
                                    needs_social_worker=social, sort_order=order, active=True,
                                    skills=[skills[c] for c in skill_codes]))
        added += 1
    session.flush()
    return added
