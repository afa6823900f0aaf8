"""Password hashing with argon2id; cost comes from config so tests can use a cheap setting."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_DUMMY = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$4mGZ0v4o1Y6k8m1o4m5a0g"


def _hasher() -> PasswordHasher:
    cache = current_app.extensions.setdefault("timebank_passwords", {})
    if "hasher" not in cache:
        params = current_app.config.get("TIMEBANK_ARGON2", {})
        cache["hasher"] = PasswordHasher(**params)
    return cache["hasher"]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Constant work whether or not the user exists (a dummy hash is checked when `stored` is None)."""
    try:
        return _hasher().verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
