"""Merge wiring (issue 11): an activity in a category that requires valid insurance refuses an uninsured
volunteer with the same rule as take-seat; confirmed group minutes count towards the volunteer's star level."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.integration.orgs.conftest import NOW, TODAY
from timebank.catalog.models import ServiceCategory
from timebank.errors import ValidationFailed
from timebank.orgs import activities, attendance
from timebank.people import volunteer_record
from timebank.people.record_models import InsuranceRecord
from timebank.policy import service as policy_service

START = NOW + timedelta(hours=1)
END = START + timedelta(hours=3)


def risky(session) -> ServiceCategory:
    category = session.scalars(select(ServiceCategory).order_by(ServiceCategory.id)).first()
    category.requires_insurance = True
    session.commit()
    return category


def test_an_uninsured_volunteer_cannot_join_a_risky_activity_and_an_insured_one_can(ow):
    category = risky(ow.session)
    act = ow.activity(category_id=category.id)
    from timebank.orgs import activities as acts

    acts.approve(ow.session, ow.station, act.id, now=NOW) if act.status == "pending" else None
    member = ow.member()
    with pytest.raises(ValidationFailed) as refused:
        activities.sign_up(ow.session, member, act.id, now=NOW, today=TODAY)
    assert "保险" in str(refused.value.message)
    ow.session.rollback()
    ow.session.add(InsuranceRecord(person_id=member.person_id, insurer="人保", policy_no="P-1",
                                   valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31)))
    ow.session.commit()
    assert activities.sign_up(ow.session, member, act.id, now=NOW, today=TODAY).person_id == member.person_id


def test_confirmed_group_minutes_count_towards_stars(ow):
    act = ow.activity()
    activities.approve(ow.session, ow.station, act.id, now=NOW) if act.status == "pending" else None
    member = ow.member()
    activities.enrol(ow.session, ow.leader, act.id, [member.person_id], now=NOW, today=TODAY)
    attendance.tick(ow.session, ow.leader, act.id, [member.person_id], "check_in", at=START, now=START)
    attendance.tick(ow.session, ow.leader, act.id, [member.person_id], "check_out", at=END, now=END)
    assert volunteer_record.served(ow.session, member.person_id) == (0, 0)
    policy_service.save(ow.session, ow.county["admin"], {"team_hours_donation_only": True}, note=None, now=NOW)
    attendance.confirm(ow.session, ow.station, act.id, now=END, today=TODAY)
    assert volunteer_record.served(ow.session, member.person_id) == (180, 1)  # donated on, still service
