"""The public verification page a certificate's QR code opens: valid or revoked, the name and the masked ID
number only. No login; rate limited per client."""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template

from timebank.certificates import service
from timebank.extensions import db, limiter

bp = Blueprint("certificate_public", __name__, url_prefix="/public/certificates")


def _limit() -> str:
    return current_app.config.get("TIMEBANK_RATELIMIT_CERTIFICATE_STATUS", "60 per minute;600 per hour")


@bp.get("/<token>")
@limiter.limit(_limit, scope="certificate-status")
def status(token: str):
    g.no_store = True
    certificate = service.by_token(db.session, token)
    return render_template("certificates/public.html", certificate=certificate)
