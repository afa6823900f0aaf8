"""Org tree, stations, persons, users and API tokens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.db import CreatedAtMixin, UTCDateTime
from timebank.extensions import db


class OrgNode(CreatedAtMixin, db.Model):
    __tablename__ = "org_node"
    __table_args__ = (
        CheckConstraint("kind IN ('county', 'township', 'village')", name="kind"),
        CheckConstraint("(kind = 'county') = (parent_id IS NULL)", name="root_is_county"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_node.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    parent: Mapped[OrgNode | None] = relationship(remote_side="OrgNode.id", back_populates="children")
    children: Mapped[list[OrgNode]] = relationship(back_populates="parent", order_by="OrgNode.code")

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class Station(CreatedAtMixin, db.Model):
    __tablename__ = "station"
    __table_args__ = (CheckConstraint("kind IN ('social_work', 'committee')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="social_work")
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))

    node: Mapped[OrgNode] = relationship()


class Person(CreatedAtMixin, db.Model):
    """A real individual. The ID number is stored encrypted, with a keyed hash for uniqueness."""

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint("gender IN ('male', 'female')", name="gender"),
        CheckConstraint("status IN ('active', 'moved', 'deceased')", name="status"),
        CheckConstraint("(status = 'deceased') = (died_on IS NOT NULL)", name="died_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    birth_date: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(6))
    phone: Mapped[str | None] = mapped_column(String(11))
    address: Mapped[str | None] = mapped_column(String(200))
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # active; moved (left the county: kept for history, no new work); deceased (with the date of death)
    status: Mapped[str] = mapped_column(String(10), default="active", server_default="active", index=True)
    died_on: Mapped[date | None] = mapped_column(Date)

    node: Mapped[OrgNode] = relationship()
    user: Mapped[User | None] = relationship(back_populates="person", uselist=False)


class User(CreatedAtMixin, db.Model):
    """A login. Staff (admin, station) act inside the subtree of `node_id`."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("username IS NOT NULL OR phone IS NOT NULL", name="has_login"),
        CheckConstraint("session_version >= 1", name="session_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(40), unique=True)
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    node_id: Mapped[int | None] = mapped_column(ForeignKey("org_node.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    locale: Mapped[str | None] = mapped_column(String(10))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    privacy_version: Mapped[str | None] = mapped_column(String(20))
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # a password someone else set (staff opening the login) must be replaced at the next sign-in
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # TOTP second factor (staff): the secret encrypted; confirmed once a code was entered; the last time
    # step accepted, so one code works once
    totp_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    person: Mapped[Person | None] = relationship(back_populates="user")
    node: Mapped[OrgNode | None] = relationship()
    station: Mapped[Station | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    # Flask-Login protocol -------------------------------------------------
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The session carries the version, so bumping it ends every session of this user."""
        return f"{self.id}:{self.session_version}"

    # roles ------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return self.has_role("admin", "station")

    @property
    def totp_enabled(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def display_name(self) -> str:
        if self.person is not None:
            return self.person.name
        return self.username or self.phone or "?"


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'station', 'social_worker', 'volunteer', 'resident', 'relative', 'charity')",
            name="role",
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class ApiToken(CreatedAtMixin, db.Model):
    """A personal access token; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(12))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class PasswordHistory(CreatedAtMixin, db.Model):
    """Hashes of a user's earlier passwords: a new password may not repeat the last few."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))


class RecoveryCode(CreatedAtMixin, db.Model):
    """A single-use recovery code for the second factor; only its SHA-256 is stored."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
