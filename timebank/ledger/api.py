"""/api/v1 ledger routes: the caller's account and statement, gifts and donations (same services as the
pages). Hour-moving calls need an `Idempotency-Key` header: same key and body → the first result (200),
same key with another body → 409."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.errors import NotFound, ValidationFailed
from timebank.extensions import db
from timebank.ledger import queries
from timebank.ledger import service as ledger
from timebank.ledger.retry import committed
from timebank.ledger.schemas import (
    AccountSchema,
    DonationSchema,
    GiftSchema,
    PageArgsSchema,
    TransferPageSchema,
    TransferResultSchema,
)

blp = Blueprint("api_ledger", __name__, url_prefix="/api/v1", description="Time accounts, gifts and donations")


def _my_account():
    account = queries.account_of_person(db.session, g.api_user.person_id)
    if account is None:
        raise NotFound(_("该账号没有时间账户"))
    return account


def _key() -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ValidationFailed(_("缺少 Idempotency-Key 请求头"), field="idempotency_key")
    return key


def _result(outcome: ledger.Outcome):
    t = outcome.transfer
    body = {"id": t.id, "kind": t.kind, "minutes": t.minutes, "created_at": t.created_at,
            "replayed": outcome.replayed, "overflow_minutes": outcome.overflow_minutes}
    return body, 200 if outcome.replayed else 201


@blp.get("/me/account")
@blp.doc(security=[BEARER])
@token_required()
@blp.response(200, AccountSchema)
def my_account():
    """Balance, pending and spendable minutes of the caller's time account."""
    return _my_account()


@blp.get("/me/transfers")
@blp.doc(security=[BEARER])
@token_required()
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, TransferPageSchema)
def my_transfers(args):
    """The caller's statement, newest first, one page at a time."""
    account = _my_account()
    rows, more = queries.statement(db.session, account.id, filters=queries.Filters(kind=args["kind"]),
                                   page=args["page"], per_page=args["per_page"])
    return {"items": [dict(vars(r), signed=r.signed) for r in rows], "page": args["page"], "more": more}


@blp.post("/ledger/gifts")
@blp.doc(security=[BEARER], parameters=[{"in": "header", "name": "Idempotency-Key", "required": True,
                                         "schema": {"type": "string", "maxLength": 80}}])
@token_required()
@blp.arguments(GiftSchema)
@blp.response(201, TransferResultSchema)
@blp.alt_response(200, schema=TransferResultSchema, description="replay of the first result")
def gift_create(args):
    """Give minutes to a verified direct relative."""
    key = _key()
    return _result(committed(db.session, lambda: ledger.gift(
        db.session, g.api_user, to_person_id=args["to_person_id"], minutes=args["minutes"], memo=args["memo"],
        key=key, now=clock.now())))


@blp.post("/ledger/donations")
@blp.doc(security=[BEARER], parameters=[{"in": "header", "name": "Idempotency-Key", "required": True,
                                         "schema": {"type": "string", "maxLength": 80}}])
@token_required()
@blp.arguments(DonationSchema)
@blp.response(201, TransferResultSchema)
@blp.alt_response(200, schema=TransferResultSchema, description="replay of the first result")
def donation_create(args):
    """Donate minutes to the county donation pool (or a charity's pool)."""
    key = _key()
    return _result(committed(db.session, lambda: ledger.donate(
        db.session, g.api_user, pool=args["pool"], minutes=args["minutes"], memo=args["memo"], key=key,
        now=clock.now())))
