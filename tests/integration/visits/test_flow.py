"""The whole chain through the services: post, take, check in and out, confirm, settle through the ledger."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.integration.visits.world import NOW, TODAY
from timebank.ledger.models import Transfer
from timebank.visits import settle
from timebank.visits.models import ServiceRecord, VisitEvent


def test_pool_paid_visit_settles_exactly_the_credited_minutes(vw):
    vw.backstop(600)
    elder = vw.resident(kinds=("tekun",))
    daughter = vw.relative_user(elder.id)
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, elder, payer="backstop", duration=60)
    assert req.priority_tier == 1
    vw.take(volunteer, req)
    assert req.status == "matched"
    vw.serve(volunteer, req, minutes=50)
    assert req.status == "done"
    pool_before, mine_before = vw.pool("backstop").balance, vw.balance(volunteer.person_id)
    vw.confirm(daughter, req, rating=4)
    assert req.status == "settled"
    assert vw.balance(volunteer.person_id) == mine_before + 50
    assert vw.pool("backstop").balance == pool_before - 50
    record = vw.session.scalar(select(ServiceRecord).where(ServiceRecord.request_id == req.id))
    assert (record.credited_minutes, record.rating) == (50, 4)
    actions = [e.action for e in vw.session.scalars(select(VisitEvent).where(VisitEvent.request_id == req.id)
                                                   .order_by(VisitEvent.id))]
    assert actions == ["post", "take", "check_in", "check_out", "confirm", "settle"]
    vw.check()


def test_own_hours_hold_at_acceptance_and_post_at_confirmation(vw):
    elder = vw.resident()
    vw.fund(elder.id, 300)
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, elder, payer="own", duration=60, seats_volunteer=1)
    account = vw.account(elder.id)
    assert account.pending_debits == 0
    vw.take(volunteer, req)
    account = vw.account(elder.id)
    assert account.pending_debits == 60 + 30  # duration plus the overtime tolerance
    vw.serve(volunteer, req, minutes=70)
    vw.confirm(vw.admin, req)
    account = vw.account(elder.id)
    assert (account.balance, account.pending_debits) == (300 - 70, 0)
    assert vw.balance(volunteer.person_id) == 70
    post = vw.session.scalar(select(Transfer).where(Transfer.idempotency_key == f"visit:{req.id}:{volunteer.person_id}"))
    assert post.phase == "post" and post.minutes == 70
    vw.check()


def test_dispute_keeps_hold_until_resolved_in_part(vw):
    elder = vw.resident()
    vw.fund(elder.id, 300)
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, elder, payer="own", duration=60)
    vw.take(volunteer, req)
    vw.serve(volunteer, req, minutes=60)
    settle.dispute(vw.session, vw.admin, req.id, reason="只来了半小时", now=NOW + timedelta(days=2))
    vw.session.commit()
    assert vw.account(elder.id).pending_debits == 90
    settle.resolve(vw.session, vw.admin, req.id, outcome="part", minutes=30, reason="核实后记半小时",
                   now=NOW + timedelta(days=3), today=TODAY)
    vw.session.commit()
    assert req.status == "resolved"
    assert vw.account(elder.id).pending_debits == 0
    assert vw.balance(volunteer.person_id) == 30
    vw.check()


def test_auto_confirm_after_the_configured_days(vw):
    vw.backstop(600)
    elder = vw.resident(kinds=("dibao",))
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, elder, payer="backstop")
    vw.take(volunteer, req)
    vw.serve(volunteer, req, minutes=45)
    done_at = req.done_at
    assert settle.auto_confirm_due(vw.session, now=done_at + timedelta(days=3) - timedelta(seconds=1),
                                   today=TODAY) == []
    assert settle.auto_confirm_due(vw.session, now=done_at + timedelta(days=3), today=TODAY) == [req.id]
    vw.session.commit()
    assert req.status == "settled"
    assert vw.balance(volunteer.person_id) == 45
    assert settle.auto_confirm_due(vw.session, now=done_at + timedelta(days=9), today=TODAY) == []
    vw.check()
