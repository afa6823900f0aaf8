"""Minors serve only in group activities: take-seat refuses them with a clear message and matching never
proposes them; an adult registered the same way by a station is proposed and seated normally."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import new_id_number, new_phone
from tests.integration.visits.world import NOW, TODAY
from timebank.accounts import service as accounts
from timebank.dispatch import service
from timebank.dispatch.build import build
from timebank.dispatch.models import Proposal
from timebank.errors import ValidationFailed
from timebank.people import station_volunteers as station
from timebank.visits import service as visits
from timebank.visits.models import Seat


def register(vw, *, birth: date, name: str, guardian: bool = False):
    data = station.StationVolunteerInput(
        person=accounts.PersonInput(name=name, id_number=new_id_number(birth), phone=None, address=None,
                                    node_id=vw.county["village00"].id),
        skill_ids=(vw.skill("companionship").id,), weekly=tuple((d, 0, 1440) for d in range(7)),
        emergency_contact_name="家长", emergency_contact_phone=new_phone(), consent_form_ref="ZY-1",
        guardian=station.GuardianInput(name="监护人", id_number=new_id_number(date(1980, 3, 3)), phone=None)
        if guardian else None, guardian_consent_ref="JH-1" if guardian else None)
    profile = station.register_volunteer(vw.session, vw.admin, data, today=TODAY, now=NOW)
    vw.session.commit()
    return profile


@pytest.fixture
def people(vw):
    vw.backstop(10_000)
    resident = vw.resident(kinds=("tekun",), birth=date(1940, 1, 1), living="alone")
    minor = register(vw, birth=date(2011, 5, 5), name="少年志愿者", guardian=True)
    elder = register(vw, birth=date(1962, 5, 5), name="低龄老人")
    return {"resident": resident, "minor": minor, "elder": elder}


def test_a_minor_cannot_take_a_seat_on_an_individual_visit(vw, people):
    req = vw.post(vw.admin, people["resident"], payer="backstop")
    with pytest.raises(ValidationFailed) as refused:
        visits.take_seat(vw.session, vw.admin, req.id, volunteer_id=people["minor"].person_id, now=NOW, today=TODAY)
    assert str(refused.value.message) == "未成年志愿者只能参加集体活动，暂不能接单"
    vw.session.rollback()
    assert vw.session.scalars(select(Seat).where(Seat.request_id == req.id)).all() == []
    seat = vw.take(vw.admin, req, volunteer_id=people["elder"].person_id)  # an adult without a login is fine
    assert seat.status == "active"


def test_the_policy_age_decides_who_is_a_minor(vw, people):
    vw.set_policy(depositor_min_age=14)
    req = vw.post(vw.admin, people["resident"], payer="backstop")
    assert vw.take(vw.admin, req, volunteer_id=people["minor"].person_id).status == "active"


def test_matching_never_proposes_a_minor(vw, people):
    built = build(vw.session, vw.county["township0"], start=NOW, end=NOW + timedelta(days=7), now=NOW)
    ids = set(built.volunteers.values())
    assert people["elder"].person_id in ids and people["minor"].person_id not in ids
    vw.post(vw.admin, people["resident"], payer="backstop")
    service.run_matching(vw.session, vw.admin, vw.county["township0"], now=NOW)
    vw.session.commit()
    proposed = set(vw.session.scalars(select(Proposal.volunteer_id)))
    assert people["minor"].person_id not in proposed


def test_a_volunteer_without_a_login_is_checked_in_and_out_by_staff_and_earns(vw, people):
    elder = people["elder"]
    assert elder.person.user is None
    req = vw.post(vw.admin, people["resident"], payer="backstop")
    vw.take(vw.admin, req, volunteer_id=elder.person_id)
    vw.session.refresh(req)
    vw.serve(elder, req, minutes=50)  # staff record both by hand: nobody scans
    vw.confirm(vw.admin, req)
    assert vw.balance(elder.person_id) == 50
    vw.check()
