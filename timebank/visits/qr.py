"""Signed check-in tokens for a resident's printed card (itsdangerous with the app SECRET_KEY)."""

from __future__ import annotations

from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "timebank.visit-card.v1"


class BadToken(Exception):
    """The token was forged, damaged or is not a visit card."""


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def make_token(secret: str, resident_id: int, issued: datetime) -> str:
    return _serializer(secret).dumps({"r": resident_id, "i": int(issued.timestamp())})


def read_token(secret: str, token: str) -> tuple[int, datetime]:
    """(resident id, issued at) of a genuine card token, or BadToken."""
    try:
        data = _serializer(secret).loads(token)
    except BadSignature:
        raise BadToken() from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("i"), int):
        raise BadToken()
    return data["r"], datetime.fromtimestamp(data["i"], UTC)


def svg(url: str) -> str:
    """The QR code of `url` as inline SVG markup (dark modules on white, print-friendly)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
