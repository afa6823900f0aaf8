"""/api/v1 routes for tokens and the current user; they call the same services as the pages."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select

from timebank import clock
from timebank.accounts import domain, throttle, totp
from timebank.accounts import service as accounts
from timebank.accounts.models import ApiToken
from timebank.accounts.schemas import MeSchema, NewTokenSchema, TokenRequestSchema, TokenSchema
from timebank.api_auth import BEARER, token_required
from timebank.errors import AuthenticationFailed
from timebank.extensions import db
from timebank.people import queries as people_queries
from timebank.web import client_ip

blp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="Tokens and the current user")


@blp.post("/auth/tokens")
@throttle.login_per_client
@throttle.login_per_account
@blp.arguments(TokenRequestSchema)
@blp.response(201, NewTokenSchema)
def token_create(args):
    """Exchange a login and password (and, for staff, the authenticator code) for a personal access token
    (shown once). Too many requests answer 429."""
    try:
        user = accounts.authenticate(db.session, args["login"], args["password"], now=clock.now(), ip=client_ip())
        if totp.required_for(user):
            if not user.totp_enabled:
                raise AuthenticationFailed(_("工作人员请先在网页上登录并设置两步验证"))
            if not totp.verify(db.session, user, args.get("code") or "", now=clock.now(), ip=client_ip()):
                raise AuthenticationFailed(_("验证码不正确或已经用过"), field="code")
    except AuthenticationFailed:
        db.session.commit()
        raise
    plain, token = accounts.issue_api_token(db.session, user, args["name"], now=clock.now())
    db.session.commit()
    return {"id": token.id, "name": token.name, "prefix": token.prefix, "created_at": token.created_at,
            "expires_at": token.expires_at, "revoked_at": None, "token": plain}


@blp.get("/auth/tokens")
@blp.doc(security=[BEARER])
@token_required()
@blp.response(200, TokenSchema(many=True))
def token_list():
    """The caller's tokens (never their values)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == g.api_user.id)
                                   .order_by(ApiToken.id)))


@blp.delete("/auth/tokens/<int:token_id>")
@blp.doc(security=[BEARER])
@token_required()
@blp.response(204)
def token_revoke(token_id: int):
    """Revoke one of the caller's tokens."""
    accounts.revoke_api_token(db.session, g.api_user, token_id, now=clock.now())
    db.session.commit()


@blp.get("/me")
@blp.doc(security=[BEARER])
@token_required()
@blp.response(200, MeSchema)
def me():
    """Who the token belongs to."""
    user = g.api_user
    profile = people_queries.volunteer_profile(db.session, user.person_id)
    return {
        "id": user.id,
        "username": user.username,
        "phone_masked": domain.mask_phone(user.phone) if user.phone else None,
        "roles": sorted(user.roles),
        "name": user.display_name,
        "node": user.person.node.name if user.person else (user.node.name if user.node else None),
        "volunteer_status": profile.status if profile else None,
        "locale": user.locale,
    }
