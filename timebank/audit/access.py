"""Shell helper for views: log that the logged-in user read a person's data (the access log)."""

from __future__ import annotations

from flask_login import current_user

from timebank import clock
from timebank.audit.service import record_access
from timebank.extensions import db
from timebank.web import client_ip


def log_read(person_id: int, *, field: str | None = None, action: str = "read", actor=None) -> None:
    """Record a read of this person's data by the current user and commit it (a GET has no other commit)."""
    user = actor if actor is not None else current_user
    event = record_access(db.session, action, actor_id=getattr(user, "id", None), person_id=person_id, field=field,
                          ip=client_ip())
    event.at = clock.now()
    db.session.commit()


def after_read(response, person_id: int, field: str | None = None):
    """`return after_read(render(...), person_id)`: the page rendered (so it was in scope), then the read is
    logged. One line in a view."""
    log_read(person_id, field=field)
    return response
