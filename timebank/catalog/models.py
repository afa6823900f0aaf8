"""Skills (service categories come with the requests issue)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

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
