"""Charities and their members, the goods catalog, donations with stock, stock movements, goods requests,
allocations, charity pool rules and cash-gift notes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import OrgNode, Person, Station, User
from timebank.db import CreatedAtMixin, UTCDateTime, utcnow
from timebank.extensions import db


def _codes(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part]


class Charity(CreatedAtMixin, db.Model):
    """A registered charity or caring enterprise; acts only once an admin has approved it."""

    __tablename__ = "charity"
    __table_args__ = (
        CheckConstraint("registration IN ('charity', 'public_fundraising', 'enterprise', 'social_org')",
                        name="registration"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        CheckConstraint("status != 'rejected' OR review_reason IS NOT NULL", name="reject_reason"),
        CheckConstraint("length(credit_code) = 18", name="credit_code_length"),
        CheckConstraint("deactivated_at IS NULL OR status = 'approved'", name="deactivated_approved"),
        CheckConstraint("(deactivated_at IS NULL) = (deactivation_reason IS NULL)", name="deactivation_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    registration: Mapped[str] = mapped_column(String(20), default="charity")
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    # 慈善组织登记证书 / 认定 number (required for registered charities, optional for enterprises)
    registration_number: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(500))
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    review_reason: Mapped[str | None] = mapped_column(String(300))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_account.id"), unique=True)
    # deactivated by the county: no member may sign in and its pool pays no new request; history stays
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deactivation_reason: Mapped[str | None] = mapped_column(String(300))

    node: Mapped[OrgNode] = relationship()
    members: Mapped[list[CharityMember]] = relationship(back_populates="charity", cascade="all, delete-orphan")

    @property
    def active(self) -> bool:
        return self.deactivated_at is None

    @property
    def pool_open(self) -> bool:
        """The charity's hour pool may pay for new requests: approved, not deactivated, account opened."""
        return self.status == "approved" and self.deactivated_at is None and self.account_id is not None


class CharityMember(CreatedAtMixin, db.Model):
    """A login (role charity) acting for one charity: an owner (manages members) or a member. A removed
    member keeps its row (history of who donated) and its login is deactivated."""

    __tablename__ = "charity_member"
    __table_args__ = (
        CheckConstraint("role IN ('owner', 'member')", name="role"),
        CheckConstraint("(removed_at IS NULL) = (removed_by_id IS NULL)", name="removed_by"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    charity_id: Mapped[int] = mapped_column(ForeignKey("charity.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="owner", server_default="owner")
    name: Mapped[str | None] = mapped_column(String(50))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    charity: Mapped[Charity] = relationship(back_populates="members")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


class CashGiftNote(CreatedAtMixin, db.Model):
    """Money never moves here: a cash gift is only a note pointing to the charity's own audited receipt."""

    __tablename__ = "charity_cash_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    charity_id: Mapped[int] = mapped_column(ForeignKey("charity.id", ondelete="CASCADE"), index=True)
    receipt_ref: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ItemCategory(db.Model):
    __tablename__ = "goods_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(60))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh


class Item(db.Model):
    """One kind of goods and its unit (袋, 桶, 件, 台 ...); admin-editable."""

    __tablename__ = "goods_item"
    __table_args__ = (UniqueConstraint("category_id", "name_zh"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("goods_category.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    category: Mapped[ItemCategory] = relationship()

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh


class Donation(CreatedAtMixin, db.Model):
    """Goods a charity gives: stock is tracked per donation and every change is a StockMovement.

    `stock` is on hand and free, `reserved` is allocated and not yet received. Eligibility lists are
    comma-separated codes / ids (empty = no restriction).
    """

    __tablename__ = "goods_donation"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("stock >= 0", name="stock_non_negative"),
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("stock + reserved <= quantity", name="stock_within_quantity"),
        CheckConstraint("delivery IN ('pickup', 'delivery', 'both')", name="delivery"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="age_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    charity_id: Mapped[int] = mapped_column(ForeignKey("charity.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("goods_item.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    statuses: Mapped[str] = mapped_column(String(200), default="")
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    townships: Mapped[str] = mapped_column(String(200), default="")
    use_by: Mapped[date | None] = mapped_column(Date)
    delivery: Mapped[str] = mapped_column(String(10), default="both")
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    charity: Mapped[Charity] = relationship()
    item: Mapped[Item] = relationship()
    node: Mapped[OrgNode] = relationship()
    station: Mapped[Station | None] = relationship()
    movements: Mapped[list[StockMovement]] = relationship(order_by="StockMovement.id", viewonly=True)

    @property
    def status_codes(self) -> list[str]:
        return _codes(self.statuses)

    @property
    def township_ids(self) -> list[int]:
        return [int(part) for part in _codes(self.townships)]


class StockMovement(db.Model):
    """One change of a donation's stock (received, allocated, delivered, returned, expired, written_off).
    Append-only: the stock of any donation is the replay of its movements."""

    __tablename__ = "goods_movement"
    __table_args__ = (
        CheckConstraint("kind IN ('received', 'allocated', 'delivered', 'returned', 'expired', 'written_off')",
                        name="kind"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("kind != 'written_off' OR reason IS NOT NULL", name="write_off_reason"),
        Index("ix_goods_movement_donation", "donation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("goods_donation.id"))
    kind: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[int] = mapped_column(Integer)
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("goods_allocation.id"), index=True)
    reason: Mapped[str | None] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class GoodsRequest(CreatedAtMixin, db.Model):
    """A station asks for goods for one resident (item, quantity, reason); served whole."""

    __tablename__ = "goods_request"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status IN ('open', 'allocated', 'delivered', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("goods_item.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    priority_tier: Mapped[int] = mapped_column(Integer, default=5)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    resident: Mapped[Person] = relationship()
    node: Mapped[OrgNode] = relationship()
    item: Mapped[Item] = relationship()
    allocations: Mapped[list[Allocation]] = relationship(back_populates="request", order_by="Allocation.id")


class Allocation(CreatedAtMixin, db.Model):
    """Units of one donation reserved for one goods request; delivered or returned exactly once."""

    __tablename__ = "goods_allocation"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status IN ('reserved', 'delivered', 'returned')", name="status"),
        CheckConstraint("method IN ('pickup', 'delivery')", name="method"),
        CheckConstraint("source IN ('station', 'matching')", name="source"),
        CheckConstraint("(status = 'delivered') = (received_at IS NOT NULL)", name="received"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("goods_request.id"), index=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("goods_donation.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="reserved", index=True)
    method: Mapped[str] = mapped_column(String(10), default="pickup")
    source: Mapped[str] = mapped_column(String(10), default="station")
    visit_request_id: Mapped[int | None] = mapped_column(ForeignKey("visit_request.id"), unique=True)
    allocated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    received_role: Mapped[str | None] = mapped_column(String(10))
    returned_reason: Mapped[str | None] = mapped_column(String(300))

    request: Mapped[GoodsRequest] = relationship(back_populates="allocations")
    donation: Mapped[Donation] = relationship()


class CharityPoolRule(db.Model):
    """Which residents a charity's hour pool may pay for (empty = no restriction on that part)."""

    __tablename__ = "charity_pool_rule"
    __table_args__ = (
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="age_range"),
    )

    charity_id: Mapped[int] = mapped_column(ForeignKey("charity.id", ondelete="CASCADE"), primary_key=True)
    statuses: Mapped[str] = mapped_column(String(200), default="")
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    townships: Mapped[str] = mapped_column(String(200), default="")
    categories: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def status_codes(self) -> list[str]:
        return _codes(self.statuses)

    @property
    def township_ids(self) -> list[int]:
        return [int(part) for part in _codes(self.townships)]

    @property
    def category_ids(self) -> list[int]:
        return [int(part) for part in _codes(self.categories)]
