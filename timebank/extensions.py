"""Unbound extensions; create_app binds them."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from timebank.db import Base
from timebank.openapi import TimebankApi

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = TimebankApi()  # Timebank's error body and status list (openapi.py)


def _client_address() -> str:
    """The client's address as ProxyFix left it (TIMEBANK_PROXY_COUNT trusted proxies in front)."""
    from flask import request

    return request.remote_addr or "unknown"


# Abuse limits (timebank/accounts/throttle.py declares them); storage from TIMEBANK_RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=_client_address)
