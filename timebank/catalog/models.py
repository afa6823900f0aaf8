"""Skills and service categories."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db


class Skill(db.Model):
    __tablename__ = "skill"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    needs_certificate: Mapped[bool] = mapped_column(Boolean, default=False)

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh


category_skill = Table(
    "service_category_skill",
    db.metadata,
    Column("category_id", ForeignKey("service_category.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skill.id"), primary_key=True),
)


class ServiceCategory(db.Model):
    """A kind of service residents ask for: its names, the skills it needs, how long it usually takes."""

    __tablename__ = "service_category"
    __table_args__ = (
        CheckConstraint("default_minutes BETWEEN 15 AND 720", name="default_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
    default_minutes: Mapped[int] = mapped_column(Integer, default=60)
    needs_social_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    # 需要有效保险: a volunteer takes a seat only while an insurance record covers the visit's day
    requires_insurance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    skills: Mapped[list[Skill]] = relationship(secondary=category_skill, order_by="Skill.sort_order")

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh
