"""/api/v1 matching routes: stations run matching; volunteers list, accept and decline proposals."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from timebank import clock
from timebank.api_auth import BEARER, token_required
from timebank.dispatch import queries, service
from timebank.extensions import db
from timebank.limits import Id

blp = Blueprint("api_dispatch", __name__, url_prefix="/api/v1", description="Matching runs and proposals")


class RunArgs(Schema):
    node_id = Id(load_default=None, allow_none=True)


class RunSchema(Schema):
    id = fields.Integer()
    scope_node_id = fields.Integer()
    status = fields.String()
    solver_status = fields.String(allow_none=True)
    objective = fields.Integer(allow_none=True)
    bound = fields.Integer(allow_none=True)
    requests = fields.Integer()
    volunteers = fields.Integer()
    assigned = fields.Integer()
    build_seconds = fields.Float(allow_none=True)
    solve_seconds = fields.Float(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ProposalSchema(Schema):
    id = fields.Integer()
    request_id = fields.Integer()
    role = fields.String()
    start = fields.DateTime()
    deadline = fields.DateTime()
    status = fields.String()
    explanation = fields.Dict()


class DeclineArgs(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


@blp.post("/matching/runs")
@blp.doc(security=[BEARER])
@token_required("station", "admin")
@blp.arguments(RunArgs)
@blp.response(201, RunSchema)
def run_create(args):
    """Run matching for a township (default: the caller's own area). A failed run is recorded, not raised."""
    scope = service.scope_for(db.session, g.api_user, args["node_id"])
    run = service.run_matching(db.session, g.api_user, scope, now=clock.now())
    db.session.commit()
    return run


@blp.get("/me/proposals")
@blp.doc(security=[BEARER])
@token_required("volunteer", "social_worker")
@blp.response(200, ProposalSchema(many=True))
def proposal_list():
    """Proposals for the caller, open ones first (reasons without the priority weight)."""
    from timebank.visits.disclosure import strip_explanation

    return [{"id": p.id, "request_id": p.request_id, "role": p.role, "start": p.start, "deadline": p.deadline,
             "status": p.status, "explanation": strip_explanation(p.explanation)}
            for p in queries.mine(db.session, g.api_user.person_id)]


@blp.post("/me/proposals/<int:proposal_id>/accept")
@blp.doc(security=[BEARER])
@token_required("volunteer", "social_worker")
@blp.response(200, ProposalSchema)
def proposal_accept(proposal_id: int):
    """Take the proposed seat (every take-seat rule is checked again)."""
    proposal = service.accept(db.session, g.api_user, proposal_id, now=clock.now(), today=clock.today())
    db.session.commit()
    return proposal


@blp.post("/me/proposals/<int:proposal_id>/decline")
@blp.doc(security=[BEARER])
@token_required("volunteer", "social_worker")
@blp.arguments(DeclineArgs)
@blp.response(200, ProposalSchema)
def proposal_decline(args, proposal_id: int):
    """Decline: the seat returns and this volunteer is not proposed for this request again."""
    proposal = service.decline(db.session, g.api_user, proposal_id, reason=args["reason"], now=clock.now())
    db.session.commit()
    return proposal
