"""Pure checks for notification settings."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from timebank.errors import ValidationFailed

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


def normalize_email(raw: str | None) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if not _EMAIL.match(value):
        raise ValidationFailed(_l("请输入有效的电子邮箱地址"), field="email")
    return value.lower()
