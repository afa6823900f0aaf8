"""Unbound extensions; create_app binds them."""

from flask_babel import Babel
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
