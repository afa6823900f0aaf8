"""Pure rules for identities: ID numbers (GB 11643), phones, passwords, ages, org-tree paths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

ROLES = ("admin", "station", "social_worker", "volunteer", "resident", "relative", "charity")
STAFF_ROLES = ("admin", "station")
NODE_KINDS = ("county", "township", "village")
CHILD_KIND = {"county": "township", "township": "village"}

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class IdentityError(ValueError):
    """An identity value is malformed; `reason` is a stable code the shell translates."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    gender: str  # "male" / "female"
    region: str


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_id_number(raw: str, *, today: date) -> IdNumber:
    """Validate an 18-digit resident ID number (GB 11643-1999) and read birth date and gender."""
    value = (raw or "").strip().upper().replace(" ", "")
    if not _ID_RE.match(value):
        raise IdentityError("id_format")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdentityError("id_birth_date") from None
    if birth > today or birth.year < 1890:
        raise IdentityError("id_birth_date")
    if id_check_char(value[:17]) != value[17]:
        raise IdentityError("id_checksum")
    gender = "male" if int(value[16]) % 2 == 1 else "female"
    return IdNumber(value=value, birth_date=birth, gender=gender, region=value[:6])


def make_id_number(region: str, birth: date, sequence: int) -> str:
    """Build a checksum-valid ID number (for demo data and tests); odd sequence = male."""
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_char(first17)


def normalize_phone(raw: str) -> str:
    """A mainland mobile number: 11 digits starting 1[3-9]; spaces, dashes and +86 are dropped."""
    value = re.sub(r"[\s-]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    if not _PHONE_RE.match(value):
        raise IdentityError("phone_format")
    return value


def canonical_login(raw: str) -> str:
    """One spelling per login for counting attempts: a phone in its 11 digits (so "+86 138-..." and
    "138..." count together), anything else trimmed and lower-cased."""
    try:
        return normalize_phone(raw)
    except IdentityError:
        return (raw or "").strip().lower()[:64]


def mask_id_number(value: str) -> str:
    return value[0] + "*" * (len(value) - 2) + value[-1] if len(value) > 2 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
# Chinese-typical passwords of any length (the file lists those of 8 characters or more)
_EXTRA_COMMON = frozenset("5201314 1314520 woaini qq123456 woaini1314 a123456 123456a".split())


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of the most common passwords (see the file's header for its source)."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#")) | _EXTRA_COMMON


def personal_fragments(values: tuple[str, ...]) -> tuple[str, ...]:
    """Pieces of a person's data a password must not contain: each value of six characters or more (phone,
    username, ID number), and from an ID number the birth date (yyyymmdd) and the last six characters."""
    pieces: list[str] = []
    for value in values:
        value = (value or "").strip().lower()
        if len(value) >= 6:
            pieces.append(value)
        if _ID_RE.match(value.upper()):
            pieces.extend((value[6:14], value[-6:]))
    return tuple(pieces)


def password_problem(password: str, *, user_values: tuple[str, ...] = ()) -> str | None:
    """None when acceptable: 8..128 characters with letters and digits, not a common password, not built
    from the user's phone, username, ID number or birth date."""
    if len(password) < 8:
        return "password_short"
    if len(password) > 128:
        return "password_long"
    lowered = password.lower()
    if lowered in common_passwords() or len(set(password)) <= 2:
        return "password_common"
    if any(piece in lowered for piece in personal_fragments(user_values)) or lowered in {
            (value or "").strip().lower() for value in user_values}:
        return "password_personal"
    if not any(ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password):
        return "password_weak"
    return None


def node_path(parent_path: str | None, node_id: int) -> str:
    return f"{parent_path or '/'}{node_id}/"


def path_contains(scope_path: str, path: str) -> bool:
    """True when `path` is the scope node itself or inside its subtree."""
    return path.startswith(scope_path)
