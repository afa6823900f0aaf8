"""Bearer-token authentication for /api/v1 (cookies are never accepted there, so no CSRF applies)."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_babel import gettext as _

from timebank import clock
from timebank.accounts import service as accounts
from timebank.errors import AuthenticationFailed, Forbidden
from timebank.extensions import db

BEARER = {"bearerAuth": []}


def token_required(*roles: str):
    """Resolve `Authorization: Bearer <token>` to g.api_user, or answer 401 (403 without a role)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _sep, token = header.partition(" ")
            user = None
            if scheme.lower() == "bearer" and token.strip():
                user = accounts.user_for_token(db.session, token.strip(), now=clock.now())
            if user is None:
                raise AuthenticationFailed(_("缺少或无效的访问令牌"))
            if roles and not user.has_role(*roles):
                raise Forbidden()
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator
