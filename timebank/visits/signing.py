"""Pure rules for the person served confirming a visit on the volunteer's phone: the short code printed on
their service card, and the signature drawn on the screen (kept as SVG path data only). No Flask, no ORM."""

from __future__ import annotations

import hashlib
import hmac
import re

CODE_DIGITS = 6
MAX_CODE_FAILURES = 5  # wrong codes per visit; then the station confirms (by phone)
SIGNATURE_MAX_BYTES = 20_000
SIGNATURE_WIDTH, SIGNATURE_HEIGHT = 600, 300  # the viewBox the client scales strokes into
_SALT = b"timebank.card-code.v1"
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "Z": 0}
_TOKEN = re.compile(r"\s*(?:([MLHVCSQTZmlhvcsqtz])|(-?(?:\d+(?:\.\d*)?|\.\d+)))\s*,?")
_LIMIT = 10_000  # no coordinate beyond this, either way


class BadSignature(ValueError):
    """Not a well-formed, bounded SVG path of a drawn signature; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def card_code(secret: str | bytes, resident_id: int, version: int) -> str:
    """The short numeric code printed on a resident's service card: an HMAC of the resident id and the card
    version under the app's secret, as six digits. Reissuing the card (a new version) changes it."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, _SALT + f":{resident_id}:{version}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10 ** CODE_DIGITS).zfill(CODE_DIGITS)


def normalise_code(typed: str | None) -> str | None:
    """The digits a person typed (spaces and dashes dropped), or None when it is not a six-digit code."""
    digits = re.sub(r"[\s\-]", "", typed or "")
    return digits if len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit() else None


def code_matches(expected: str, typed: str | None) -> bool:
    digits = normalise_code(typed)
    return digits is not None and hmac.compare_digest(expected, digits)


def grouped(code: str) -> str:
    """'123456' -> '123 456', easier to read aloud and to print large."""
    return f"{code[:3]} {code[3:]}"


def clean_signature(path: str | None) -> str:
    """The path data of a drawn signature, re-serialised from its parsed commands, or BadSignature.

    Only SVG path commands and numbers are accepted (no markup, no other attributes), the text is at most
    20 KB, coordinates stay within bounds, every command has its full set of numbers, and there is ink:
    at least one drawn segment after the first move."""
    if not isinstance(path, str) or not path.strip():
        raise BadSignature("empty")
    if len(path.encode()) > SIGNATURE_MAX_BYTES:
        raise BadSignature("too_large")
    position, end, parts, drawn = 0, len(path), [], 0
    command, numbers = None, []

    def close(cmd, nums):
        nonlocal drawn
        if cmd is None:
            return
        arity = _ARITY[cmd.upper()]
        if arity == 0:
            if nums:
                raise BadSignature("numbers")
            parts.append(cmd)
            return
        if not nums or len(nums) % arity:
            raise BadSignature("numbers")
        parts.append(cmd + " ".join(_fmt(n) for n in nums))
        drawn += len(nums) // arity - (1 if cmd.upper() == "M" else 0)

    while position < end:
        match = _TOKEN.match(path, position)
        if match is None or match.end() == position:
            raise BadSignature("syntax")
        position = match.end()
        if match.group(1):
            close(command, numbers)
            if command is None and match.group(1).upper() != "M":
                raise BadSignature("start")
            command, numbers = match.group(1), []
        else:
            if command is None:
                raise BadSignature("start")
            value = float(match.group(2))
            if abs(value) > _LIMIT:
                raise BadSignature("bounds")
            numbers.append(value)
    close(command, numbers)
    if drawn < 1:
        raise BadSignature("empty")
    return " ".join(parts)


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}".rstrip("0").rstrip(".")
