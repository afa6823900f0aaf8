"""/api/v1 routes for charities (donations, stock, their transparency numbers) and stations (goods requests,
allocations, receipts, cancellations), calling the same services as the pages."""

from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.charity import allocation, queries, service
from timebank.charity.schemas import (
    CharityAllocateInSchema,
    CharityAllocationSchema,
    CharityDonationDetailSchema,
    CharityDonationInSchema,
    CharityDonationSchema,
    CharityGoodsRequestInSchema,
    CharityGoodsRequestSchema,
    CharityReasonInSchema,
    CharityTransparencySchema,
)
from timebank.extensions import db

blp = Blueprint("api_charity", __name__, url_prefix="/api/v1", description="Charity goods, stock and goods requests")
STAFF = ("station", "admin")


@blp.get("/charity/donations")
@blp.doc(security=[BEARER])
@token_required("charity")
@blp.response(200, CharityDonationSchema(many=True))
def donation_list():
    """The caller's charity's donations with their stock."""
    charity = service.require_charity(db.session, g.api_user, approved=False)
    return queries.donations_of(db.session, charity.id)


@blp.post("/charity/donations")
@blp.doc(security=[BEARER])
@token_required("charity")
@blp.arguments(CharityDonationInSchema)
@blp.response(201, CharityDonationSchema)
def donation_create(body):
    """Donate goods (an approved charity only)."""
    body["statuses"], body["township_ids"] = tuple(body["statuses"]), tuple(body["township_ids"])
    donation = service.create_donation(db.session, g.api_user, service.DonationInput(**body), now=clock.now(),
                                       today=clock.today())
    db.session.commit()
    return donation


@blp.get("/charity/donations/<int:donation_id>")
@blp.doc(security=[BEARER])
@token_required("charity", "admin", "station")
@blp.response(200, CharityDonationDetailSchema)
def donation_get(donation_id: int):
    """One donation with its full stock movement history."""
    donation = service.load_donation(db.session, g.api_user, donation_id)
    donation.movements  # noqa: B018  (loaded for the schema)
    return donation


@blp.get("/charity/transparency")
@blp.doc(security=[BEARER])
@token_required("charity")
@blp.response(200, CharityTransparencySchema)
def transparency():
    """The caller's charity's numbers: received, allocated, delivered, in stock; hours donated and paid."""
    charity = service.require_charity(db.session, g.api_user, approved=False)
    report = queries.transparency(db.session, charity_id=charity.id, tz=current_app.config["TIMEBANK_TIMEZONE"])
    return {"total": report.total, "by_item": {report.item_names[k][0]: v for k, v in report.by_item.items()},
            "by_township": report.by_township, "by_month": report.by_month, "hours_donated": report.hours_donated,
            "hours_paid": report.hours_paid}


@blp.post("/goods/requests")
@blp.doc(security=[BEARER])
@token_required(*STAFF)
@blp.arguments(CharityGoodsRequestInSchema)
@blp.response(201, CharityGoodsRequestSchema)
def goods_request_create(body):
    """Station staff post a goods request for a resident in their subtree."""
    goods = allocation.post_request(db.session, g.api_user, allocation.GoodsRequestInput(**body), now=clock.now(),
                                    today=clock.today())
    db.session.commit()
    return goods


@blp.get("/goods/requests/<int:request_id>")
@blp.doc(security=[BEARER])
@token_required(*STAFF)
@blp.response(200, CharityGoodsRequestSchema)
def goods_request_get(request_id: int):
    return allocation.load_request(db.session, g.api_user, request_id)


@blp.post("/goods/requests/<int:request_id>/allocations")
@blp.doc(security=[BEARER])
@token_required(*STAFF)
@blp.arguments(CharityAllocateInSchema)
@blp.response(201, CharityAllocationSchema)
def goods_allocate(body, request_id: int):
    """Reserve stock of one donation for this request (pickup or a 送物资 visit)."""
    result = allocation.allocate(db.session, g.api_user, request_id, body["donation_id"], method=body["method"],
                                 quantity=body["quantity"], now=clock.now(), today=clock.today())
    db.session.commit()
    return result


@blp.post("/goods/allocations/<int:allocation_id>/receipt")
@blp.doc(security=[BEARER])
@token_required()
@blp.response(200, CharityAllocationSchema)
def goods_receipt(allocation_id: int):
    """The station, the resident or a verified relative confirms receipt (once)."""
    result = allocation.confirm_receipt(db.session, g.api_user, allocation_id, now=clock.now())
    db.session.commit()
    return result


@blp.post("/goods/allocations/<int:allocation_id>/cancel")
@blp.doc(security=[BEARER])
@token_required(*STAFF)
@blp.arguments(CharityReasonInSchema)
@blp.response(200, CharityAllocationSchema)
def goods_cancel(body, allocation_id: int):
    """Cancel a reserved allocation: the units return to stock."""
    result = allocation.cancel_allocation(db.session, g.api_user, allocation_id, reason=body["reason"],
                                          now=clock.now())
    db.session.commit()
    return result
