"""An uploaded spreadsheet kept between its dry run and its commit (the same bytes are validated twice)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from timebank.db import CreatedAtMixin, UTCDateTime
from timebank.extensions import db


class ImportBatch(CreatedAtMixin, db.Model):
    __tablename__ = "import_batch"
    __table_args__ = (
        CheckConstraint("kind IN ('residents', 'volunteers')", name="kind"),
        CheckConstraint("status IN ('checked', 'committed', 'discarded')", name="status"),
        CheckConstraint("row_count >= 0 AND error_count >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # dropped once committed or discarded
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"))  # the actor's scope at upload
    status: Mapped[str] = mapped_column(String(10), default="checked")
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    linked_count: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[str | None] = mapped_column(Text)  # the dry run's row problems (JSON)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
