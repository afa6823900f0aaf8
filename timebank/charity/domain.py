"""Pure rules for charity resources: the unified social credit code (GB 32100-2015), who a donation or a
pool may serve, and how stock moves. No Flask, no ORM, never reads the clock."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

# ---------------------------------------------------------------------------------------------------------
# unified social credit code (统一社会信用代码)

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class CharityRuleBroken(Exception):
    """A pure rule failed; `reason` is a stable code the service turns into a translated error."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def parse_credit_code(raw: str) -> str:
    """An 18-character code: registering body, kind, 6-digit region, 9-character organisation code and the
    GB 32100-2015 check character. Spaces are dropped, letters upper-cased."""
    value = (raw or "").strip().upper().replace(" ", "")
    if len(value) != 18 or not _CREDIT_RE.match(value):
        raise CharityRuleBroken("credit_format")
    if credit_check_char(value[:17]) != value[17]:
        raise CharityRuleBroken("credit_checksum")
    return value


def make_credit_code(first17: str) -> str:
    """A checksum-valid code from its first 17 characters (demo data and tests)."""
    return first17 + credit_check_char(first17)


# ---------------------------------------------------------------------------------------------------------
# onboarding: registration numbers, member roles

NEEDS_REGISTRATION_NUMBER = frozenset({"charity", "public_fundraising"})
MEMBER_ROLES = ("owner", "member")
_REG_NUMBER_RE = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff()（）〔〕\[\]【】\-—/·.]{4,40}$")


def parse_registration_number(raw: str | None, registration: str) -> str | None:
    """The 慈善组织 登记证书/认定 number: required for registered charities, optional for enterprises and other
    social organisations; 4 to 40 letters, digits, Chinese characters and the usual brackets and dashes."""
    value = (raw or "").strip().replace(" ", "")
    if not value:
        if registration in NEEDS_REGISTRATION_NUMBER:
            raise CharityRuleBroken("registration_number_missing")
        return None
    if not _REG_NUMBER_RE.match(value):
        raise CharityRuleBroken("registration_number_format")
    return value


def removal_problem(*, removing_owner: bool, active_owners: int, already_removed: bool) -> str | None:
    """Why a member may not be removed (None: it may). A charity always keeps at least one owner."""
    if already_removed:
        return "member_removed"
    if removing_owner and active_owners <= 1:
        return "last_owner"
    return None


# ---------------------------------------------------------------------------------------------------------
# eligibility

REGISTRATIONS = ("charity", "public_fundraising", "enterprise", "social_org")
APPROVALS = ("pending", "approved", "rejected")
DELIVERY_OPTIONS = ("pickup", "delivery", "both")
UNITS = ("件", "床", "袋", "桶", "箱", "台", "个", "套", "盒", "瓶", "双", "辆")


@dataclass(frozen=True)
class Restriction:
    """Who may receive: every non-empty part must hold (statuses: any one of them)."""

    statuses: frozenset[str] = frozenset()
    min_age: int | None = None
    max_age: int | None = None
    townships: frozenset[int] = frozenset()
    categories: frozenset[int] = frozenset()  # pools only: service categories they pay for


@dataclass(frozen=True)
class ResidentFacts:
    age: int
    statuses: frozenset[str]
    township_id: int | None


def ineligibility(rule: Restriction, facts: ResidentFacts, *, category_id: int | None = None) -> str | None:
    """None when the resident (and the service category, for pools) meets the rule; else the first reason."""
    if rule.statuses and not (rule.statuses & facts.statuses):
        return "status"
    if rule.min_age is not None and facts.age < rule.min_age:
        return "age"
    if rule.max_age is not None and facts.age > rule.max_age:
        return "age"
    if rule.townships and facts.township_id not in rule.townships:
        return "township"
    if category_id is not None and rule.categories and category_id not in rule.categories:
        return "category"
    return None


def check_age_range(min_age: int | None, max_age: int | None) -> None:
    for value in (min_age, max_age):
        if value is not None and not 0 <= value <= 130:
            raise CharityRuleBroken("age_range")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise CharityRuleBroken("age_range")


# ---------------------------------------------------------------------------------------------------------
# quantities, use-by dates and stock movements

MAX_QUANTITY = 100_000
# kind -> (change of available stock, change of reserved stock) per unit moved
MOVEMENTS: dict[str, tuple[int, int]] = {
    "received": (1, 0),
    "allocated": (-1, 1),
    "delivered": (0, -1),
    "returned": (1, -1),
    "expired": (-1, 0),
    "written_off": (-1, 0),
}
NEEDS_REASON = frozenset({"written_off"})


def parse_quantity(value: object) -> int:
    """A whole number of units, 1..MAX_QUANTITY."""
    if isinstance(value, bool):
        raise CharityRuleBroken("quantity")
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isdigit():
            raise CharityRuleBroken("quantity")
        value = int(text)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or value <= 0 or value > MAX_QUANTITY:
        raise CharityRuleBroken("quantity")
    return value


def usable(use_by: date | None, today: date) -> bool:
    """A donation may be given out up to and including its use-by date."""
    return use_by is None or use_by >= today


@dataclass(frozen=True)
class Stock:
    available: int = 0
    reserved: int = 0
    delivered: int = 0
    received: int = 0
    gone: int = 0  # expired or written off

    def move(self, kind: str, quantity: int) -> Stock:
        """The stock after one movement, or CharityRuleBroken if it would go negative."""
        if kind not in MOVEMENTS:
            raise CharityRuleBroken("movement_kind")
        if quantity <= 0:
            raise CharityRuleBroken("quantity")
        d_avail, d_reserved = MOVEMENTS[kind]
        available = self.available + d_avail * quantity
        reserved = self.reserved + d_reserved * quantity
        if available < 0:
            raise CharityRuleBroken("stock", available=self.available, wanted=quantity)
        if reserved < 0:
            raise CharityRuleBroken("reserved")
        return Stock(
            available=available, reserved=reserved,
            delivered=self.delivered + (quantity if kind == "delivered" else 0),
            received=self.received + (quantity if kind == "received" else 0),
            gone=self.gone + (quantity if kind in ("expired", "written_off") else 0),
        )


def replay(movements: Iterable[tuple[str, int]]) -> Stock:
    """The stock of a donation recomputed from its movements, in order."""
    stock = Stock()
    for kind, quantity in movements:
        stock = stock.move(kind, quantity)
    return stock


@dataclass(frozen=True)
class Mismatch:
    donation_id: int
    stored: tuple[int, int]
    recomputed: tuple[int, int] | None
    reason: str = ""


@dataclass
class CheckReport:
    donations: int = 0
    movements: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def summary(self) -> str:
        if self.ok:
            return f"charity stock OK: {self.donations} donations, {self.movements} movements"
        return f"charity stock MISMATCH: {len(self.mismatches)} of {self.donations} donations"


def compare(donation_id: int, stored_available: int, stored_reserved: int,
            movements: Iterable[tuple[str, int]]) -> Mismatch | None:
    try:
        stock = replay(movements)
    except CharityRuleBroken as error:
        return Mismatch(donation_id, (stored_available, stored_reserved), None, f"impossible history: {error.reason}")
    if (stock.available, stock.reserved) != (stored_available, stored_reserved):
        return Mismatch(donation_id, (stored_available, stored_reserved), (stock.available, stock.reserved))
    return None


# ---------------------------------------------------------------------------------------------------------
# goods request and allocation states

REQUEST_STATES = ("open", "allocated", "delivered", "cancelled")
ALLOCATION_STATES = ("reserved", "delivered", "returned")
ALLOCATION_SOURCES = ("station", "matching")


def request_state(quantity: int, reserved: int, delivered: int, cancelled: bool) -> str:
    """A goods request is served whole: allocated when fully reserved, delivered when fully received."""
    if cancelled:
        return "cancelled"
    if delivered >= quantity:
        return "delivered"
    if reserved + delivered >= quantity:
        return "allocated"
    return "open"


# ---------------------------------------------------------------------------------------------------------
# places: the matching format's planar kilometres

KM_PER_DEGREE = 111.32


def to_km(lat: float, lon: float, origin_lat: float, origin_lon: float) -> tuple[float, float]:
    """Equirectangular projection around the county's origin (good to metres over a county)."""
    import math

    x = (lon - origin_lon) * KM_PER_DEGREE * math.cos(math.radians(origin_lat))
    y = (lat - origin_lat) * KM_PER_DEGREE
    return round(x, 3), round(y, 3)
