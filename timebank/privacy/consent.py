"""Consent records: the paper consent form (知情同意书) a station keeps, who recorded it and when."""

from __future__ import annotations

from timebank import clock


def consent_fields(actor, form_ref: str | None) -> dict:
    """Columns for a relative link's consent record (empty when no form reference was given)."""
    ref = (form_ref or "").strip()[:60]
    if not ref:
        return {}
    return {"consent_form_ref": ref, "consent_recorded_by_id": actor.id, "consent_recorded_at": clock.now()}


def init_app(app) -> None:
    """Templates get `consent_recorder(user_id)`: the name of the staff member who recorded a consent."""
    from timebank.extensions import db

    app.jinja_env.globals["consent_recorder"] = lambda user_id: recorder_name(db.session, user_id)


def recorder_name(session, user_id: int | None) -> str:
    from timebank.accounts.models import User

    user = session.get(User, user_id) if user_id else None
    return user.display_name if user is not None else ""
