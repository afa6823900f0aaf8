"""/api/v1 certificate routes: issue and revoke (staff, in scope) and the public status (no token), through
the same services as the pages."""

from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.certificates import service
from timebank.certificates.public_views import _limit
from timebank.certificates.schemas import (
    CertificateIssueSchema,
    CertificateRevokeSchema,
    CertificateSchema,
    CertificateStatusSchema,
)
from timebank.certificates.views import verify_url
from timebank.extensions import db, limiter

blp = Blueprint("api_certificates", __name__, url_prefix="/api/v1", description="志愿服务记录证明")
DOC = {"security": [BEARER]}
STAFF = ("station", "admin")


def _out(certificate) -> dict:
    return {**{key: getattr(certificate, key) for key in CertificateSchema().fields if key != "verify_url"},
            "verify_url": verify_url(certificate)}


@blp.post("/certificates")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(CertificateIssueSchema)
@blp.response(201, CertificateSchema)
def certificate_issue(args):
    """Issue a certificate for a volunteer in the caller's subtree (refused when the period has no records)."""
    certificate = service.issue(db.session, g.api_user, service.IssueInput(**args), today=clock.today(),
                                now=clock.now(), tz=current_app.config["TIMEBANK_TIMEZONE"])
    db.session.commit()
    return _out(certificate)


@blp.get("/certificates/<int:certificate_id>")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.response(200, CertificateSchema)
def certificate_get(certificate_id):
    """One certificate in the caller's subtree."""
    return _out(service.load_certificate(db.session, g.api_user, certificate_id))


@blp.post("/certificates/<int:certificate_id>/revoke")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(CertificateRevokeSchema)
@blp.response(200, CertificateSchema)
def certificate_revoke(args, certificate_id):
    """Revoke a certificate (a reason is required); its public page then says revoked."""
    certificate = service.revoke(db.session, g.api_user, certificate_id, reason=args["reason"], now=clock.now())
    db.session.commit()
    return _out(certificate)


@blp.get("/public/certificates/<token>")
@limiter.limit(_limit, scope="certificate-status")
@blp.response(200, CertificateStatusSchema)
def certificate_status(token):
    """What the QR code proves, without a token: valid or revoked, the name and the masked ID number."""
    certificate = service.by_token(db.session, token)
    return {"serial": certificate.serial, "status": certificate.status, "name": certificate.name,
            "id_masked": certificate.id_masked}
