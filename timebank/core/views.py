"""Home page, health check, language and elder-mode preferences, privacy notice, API docs page."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from timebank.extensions import db
from timebank.i18n import ELDER_COOKIE, LANG_COOKIE, ONE_YEAR
from timebank.web import CSP, safe_next

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    return render_template("core/home.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - the health check reports any failure as "down"
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database=database)


def _back():
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


@bp.post("/prefs/lang")
def set_language():
    lang = request.form.get("lang", "")
    response = _back()
    if lang in current_app.config["TIMEBANK_LOCALES"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="Lax", httponly=True)
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return response


@bp.post("/prefs/elder")
def set_elder_mode():
    response = _back()
    on = request.form.get("elder") == "1"
    response.set_cookie(ELDER_COOKIE, "1" if on else "0", max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


@bp.get("/privacy")
def privacy():
    return render_template("core/privacy.html", version=current_app.config["TIMEBANK_PRIVACY_NOTICE_VERSION"])


@bp.get("/api/v1/docs")
def api_docs():
    response = make_response(render_template("core/api_docs.html"))
    # Swagger UI sets inline style attributes; scripts stay same-origin only.
    response.headers["Content-Security-Policy"] = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return response
