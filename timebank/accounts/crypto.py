"""Encryption at rest for identity numbers: Fernet for the value, keyed HMAC for lookup."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _derive(master: str, info: bytes) -> bytes:
    raw = base64.urlsafe_b64decode(master.encode())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)


def _keys() -> tuple[Fernet, bytes]:
    cache = current_app.extensions.setdefault("timebank_crypto", {})
    if "keys" not in cache:
        master = current_app.config["TIMEBANK_DATA_KEY"]
        fernet = Fernet(base64.urlsafe_b64encode(_derive(master, b"timebank-encrypt-v1")))
        cache["keys"] = (fernet, _derive(master, b"timebank-lookup-v1"))
    return cache["keys"]


def encrypt(value: str) -> bytes:
    return _keys()[0].encrypt(value.encode())


def decrypt(token: bytes) -> str:
    return _keys()[0].decrypt(token).decode()


def lookup_hash(value: str) -> str:
    return hmac.new(_keys()[1], value.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """API tokens are random and long, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()
