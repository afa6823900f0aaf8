"""The skill list every county starts with (admins can extend it)."""

from __future__ import annotations

from sqlalchemy import select

from timebank.catalog.models import Skill

SKILLS = (
    ("companionship", "陪伴聊天", "Companionship"),
    ("daily_care", "生活照料", "Daily care"),
    ("meal_delivery", "助餐送餐", "Meal delivery"),
    ("cleaning", "助洁打扫", "Cleaning"),
    ("medical_escort", "陪同就医", "Medical escort"),
    ("shopping", "代购代办", "Shopping and errands"),
    ("repairs", "小修小补", "Small repairs"),
    ("haircut", "理发", "Haircut"),
    ("psych_support", "心理疏导", "Psychological support"),
    ("legal_aid", "法律咨询", "Legal advice"),
    ("digital_help", "智能设备指导", "Smartphone help"),
    ("rehab", "康复协助", "Rehabilitation help"),
    ("tutoring", "课业辅导", "Tutoring"),
    ("driving", "驾车接送", "Driving"),
    ("nursing", "护理(有证)", "Nursing (certified)"),
)
CERTIFIED = {"nursing", "psych_support", "legal_aid"}


def ensure_skills(session) -> int:
    """Insert any missing seed skill; returns how many were added (idempotent)."""
    existing = set(session.scalars(select(Skill.code)))
    added = 0
    for order, (code, zh, en) in enumerate(SKILLS):
        if code not in existing:
            session.add(Skill(code=code, name_zh=zh, name_en=en, sort_order=order,
                              needs_certificate=code in CERTIFIED))
            added += 1
    session.flush()
    return added
