"""One person over time, through the real services on both databases: registering an existing person as a
resident, corrections, moves, moving away, death and the balance under each policy. Every path ends with a
clean ledger check."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import new_id_number
from tests.integration.visits.world import NOW, TODAY
from timebank.accounts import service as accounts
from timebank.accounts.models import Person, UserRole
from timebank.audit.models import AuditEvent
from timebank.dispatch.models import MatchRun, Proposal
from timebank.errors import Duplicate, Forbidden, InvalidTransition, NotInScope, ValidationFailed
from timebank.ledger import service as ledger
from timebank.ledger.errors import PolicyViolation
from timebank.ledger.models import LedgerAccount, Transfer
from timebank.notify.models import Notification
from timebank.people import corrections, lifecycle
from timebank.people import service as people
from timebank.people.models import ResidentProfile
from timebank.visits.models import Seat, ServiceRequest


def staff(vw, name: str, township: int = 0):
    user = accounts.create_user(vw.session, password="Station-pass-2026", roles=("station",), username=name,
                                node_id=vw.county[f"township{township}"].id,
                                station_id=vw.county[f"station{township}"].id)
    vw.session.commit()
    return user


def resident_input(vw, *, name: str, id_number: str, village: str = "village00"):
    return people.ResidentInput(
        person=accounts.PersonInput(name=name, id_number=id_number, phone=None, address="幸福路2号",
                                    node_id=vw.county[village].id),
        living_situation="alone", disability_grade=0, consent_form_ref="ZQ-9")


def accounts_count(vw) -> int:
    return vw.session.scalar(select(func.count()).select_from(LedgerAccount))


def open_request_with_hold(vw, resident_person, volunteer=None):
    """A request paid from the resident's own hours, matched: a hold sits on the resident's account."""
    vw.fund(resident_person.id, 600)
    volunteer = volunteer or vw.volunteer()
    req = vw.post(vw.admin, resident_person, payer="own")
    vw.take(volunteer, req)
    vw.session.refresh(req)
    assert req.status == "matched"
    seat = vw.session.scalar(select(Seat).where(Seat.request_id == req.id))
    assert seat.hold_id is not None
    return req, seat.hold_id, volunteer


def hold_resolution(vw, hold_id: int) -> str | None:
    return vw.session.scalar(select(Transfer.phase).where(Transfer.pending_id == hold_id))


# ---------------------------------------------------------------------------------------------------------
# one person, many roles


def test_an_approved_volunteer_of_67_becomes_a_resident_of_the_same_person(vw):
    user = vw.volunteer(birth=date(1959, 4, 2), name="刘建国")
    person = vw.session.get(Person, user.person_id)
    id_number = accounts.crypto.decrypt(person.id_number_encrypted)
    persons, ledger_accounts = vw.rows(Person), accounts_count(vw)
    data = resident_input(vw, name="刘建国", id_number=id_number)
    with pytest.raises(people.PersonExists) as asked:
        people.register_resident(vw.session, vw.admin, data, today=TODAY)
    vw.session.rollback()
    assert asked.value.details["name"] == "刘建国"
    assert asked.value.details["id_masked"] == person.id_number_masked
    assert vw.session.get(ResidentProfile, person.id) is None
    profile = people.register_resident(vw.session, vw.admin, data, today=TODAY, confirm_person_id=person.id)
    vw.session.commit()
    assert profile.person_id == person.id
    assert (vw.rows(Person), accounts_count(vw)) == (persons, ledger_accounts)
    assert "resident" in {r.role for r in vw.session.scalars(select(UserRole).where(UserRole.user_id == user.id))}
    # the hours banked as a volunteer are the resident's own: one account
    vw.fund(person.id, 120)
    assert vw.account(person.id).balance == 120


def test_linking_refuses_a_wrong_name_an_existing_resident_and_another_township(vw):
    user = vw.volunteer(birth=date(1959, 4, 2), name="刘建国")
    person = vw.session.get(Person, user.person_id)
    id_number = accounts.crypto.decrypt(person.id_number_encrypted)
    with pytest.raises(ValidationFailed) as wrong:
        people.register_resident(vw.session, vw.admin, resident_input(vw, name="刘建军", id_number=id_number),
                                 today=TODAY, confirm_person_id=person.id)
    vw.session.rollback()
    assert wrong.value.field == "name"
    other = staff(vw, "yi", 1)
    with pytest.raises(Duplicate) as elsewhere:
        people.register_resident(vw.session, other, resident_input(vw, name="刘建国", id_number=id_number,
                                                                   village="village10"), today=TODAY)
    vw.session.rollback()
    assert person.id_number_masked in str(elsewhere.value.message)
    assert "刘建国" in str(elsewhere.value.message)
    assert vw.session.get(ResidentProfile, person.id) is None
    resident = vw.resident(name="王秀英")
    rid = accounts.crypto.decrypt(resident.id_number_encrypted)
    with pytest.raises(Duplicate):
        people.register_resident(vw.session, vw.admin, resident_input(vw, name="王秀英", id_number=rid),
                                 today=TODAY, confirm_person_id=resident.id)
    vw.session.rollback()


# ---------------------------------------------------------------------------------------------------------
# corrections


def test_station_edits_are_audited_with_masked_before_and_after(vw):
    resident = vw.resident()
    station = staff(vw, "jia")
    done = corrections.edit_person(vw.session, station, resident.id, {
        "phone": "13912345678", "living_situation": "empty_nest", "adl_level": 3,
        "adl_assessed_on": TODAY - timedelta(days=3), "disability_type": "physical",
        "emergency_contact_name": "王强", "emergency_contact_phone": "13700001111",
        "village_id": vw.county["village01"].id}, today=TODAY)
    vw.session.commit()
    assert set(done) >= {"phone", "living_situation", "adl_level", "village"}
    event = vw.session.scalar(select(AuditEvent).where(AuditEvent.action == "person_edit"))
    changes = json.loads(event.changes)
    assert changes["phone"] == [None, "139****5678"]
    assert changes["emergency_contact_phone"] == [None, "137****1111"]
    assert "13912345678" not in event.changes
    profile = vw.session.get(ResidentProfile, resident.id)
    assert (profile.adl_level, profile.living_situation) == (3, "empty_nest")


@pytest.mark.parametrize("changes, field", [
    ({"adl_level": 2}, "adl_assessed_on"),
    ({"adl_level": 2, "adl_assessed_on": TODAY + timedelta(days=1)}, "adl_assessed_on"),
    ({"phone": "12345"}, "phone"),
    ({"living_situation": "castle"}, "living_situation"),
    ({"volunteer_emergency_contact_name": "x"}, "volunteer_emergency_contact_name"),
])
def test_bad_edits_change_nothing(vw, changes, field):
    resident = vw.resident()
    before = vw.session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(ValidationFailed) as refused:
        corrections.edit_person(vw.session, vw.admin, resident.id, changes, today=TODAY)
    vw.session.rollback()
    assert refused.value.field == field
    assert vw.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_edit_outside_the_subtree_is_404(vw):
    resident = vw.resident()
    station = staff(vw, "jia")
    with pytest.raises(NotInScope):
        corrections.edit_person(vw.session, station, resident.id, {"village_id": vw.county["village10"].id},
                                today=TODAY)
    vw.session.rollback()
    outsider = vw.resident(village="village10")
    with pytest.raises(NotInScope):
        corrections.edit_person(vw.session, station, outsider.id, {"address": "x"}, today=TODAY)
    vw.session.rollback()


def test_only_the_county_admin_corrects_name_and_id_number(vw):
    resident = vw.resident(name="王秀英")
    station = staff(vw, "jia")
    new_number = new_id_number(date(1941, 6, 1), male=True)
    with pytest.raises(Forbidden):
        accounts.correct_identity(vw.session, station, resident.id, name="王秀云", id_number=None, reason="户口簿",
                                  today=TODAY)
    vw.session.rollback()
    other = vw.resident(name="李四")
    taken = accounts.crypto.decrypt(other.id_number_encrypted)
    with pytest.raises(Duplicate):
        accounts.correct_identity(vw.session, vw.admin, resident.id, name=None, id_number=taken, reason="户口簿",
                                  today=TODAY)
    vw.session.rollback()
    with pytest.raises(ValidationFailed):
        accounts.correct_identity(vw.session, vw.admin, resident.id, name=None, id_number=new_number[:-1] + "0"
                                  if new_number[-1] != "0" else new_number[:-1] + "1", reason="户口簿", today=TODAY)
    vw.session.rollback()
    changes = accounts.correct_identity(vw.session, vw.admin, resident.id, name="王秀云", id_number=new_number,
                                        reason="依据户口簿更正", today=TODAY)
    vw.session.commit()
    vw.session.refresh(resident)
    assert (resident.name, resident.birth_date, resident.gender) == ("王秀云", date(1941, 6, 1), "male")
    assert changes["gender"] == ("female", "male")
    event = vw.session.scalar(select(AuditEvent).where(AuditEvent.action == "person_identity_correct"))
    assert new_number not in event.changes and resident.id_number_masked in event.changes
    assert accounts.find_person_by_id_number(vw.session, new_number, TODAY).id == resident.id


# ---------------------------------------------------------------------------------------------------------
# moves


def test_move_hands_the_person_to_the_other_station_and_cancels_unstarted_requests(vw):
    resident = vw.resident()
    relative = vw.relative_user(resident.id)
    req, hold_id, _volunteer = open_request_with_hold(vw, resident)
    old, new = staff(vw, "jia", 0), staff(vw, "yi", 1)
    balance = vw.account(resident.id).balance
    out = lifecycle.move_person(vw.session, old, resident.id, village_id=vw.county["village10"].id, reason="随子女",
                                now=NOW)
    vw.session.commit()
    assert out.cancelled == [req.id]
    vw.session.refresh(req)
    assert req.status == "cancelled"
    assert hold_resolution(vw, hold_id) == "void"
    assert vw.account(resident.id).balance == balance and vw.account(resident.id).pending_debits == 0
    assert lifecycle.load_person(vw.session, new, resident.id).node_id == vw.county["village10"].id
    with pytest.raises(NotInScope):
        lifecycle.load_person(vw.session, old, resident.id)
    events = {(n.user_id, n.event) for n in vw.session.scalars(select(Notification))}
    assert (relative.id, "person_moved") in events
    assert (new.id, "person_arrived") in events and (old.id, "person_arrived") not in events
    vw.check()


def test_move_refuses_the_same_township_and_people_outside_the_subtree(vw):
    resident = vw.resident()
    old = staff(vw, "jia", 0)
    with pytest.raises(ValidationFailed):
        lifecycle.move_person(vw.session, old, resident.id, village_id=vw.county["village01"].id, reason=None,
                              now=NOW)
    vw.session.rollback()
    outsider = vw.resident(village="village10")
    with pytest.raises(NotInScope):
        lifecycle.move_person(vw.session, old, outsider.id, village_id=vw.county["village00"].id, reason=None,
                              now=NOW)
    vw.session.rollback()


def test_moving_away_ends_the_login_and_blocks_new_work(vw):
    user = vw.volunteer()
    version = user.session_version
    person = vw.session.get(Person, user.person_id)
    out = lifecycle.move_away(vw.session, vw.admin, person.id, reason="迁往外省", now=NOW)
    vw.session.commit()
    vw.session.refresh(user)
    assert (person.status, user.active, user.session_version) == ("moved", False, version + 1)
    assert out.cancelled == []
    resident = vw.resident()
    req = vw.post(vw.admin, resident)
    with pytest.raises(ValidationFailed, match="已故或已迁出"):
        vw.take(vw.admin, req, volunteer_id=person.id)
    vw.session.rollback()


# ---------------------------------------------------------------------------------------------------------
# death


def test_death_under_county_pool_cancels_gives_back_withdraws_and_moves_the_balance(vw):
    resident = vw.resident()
    req, hold_id, volunteer = open_request_with_hold(vw, resident)
    # the deceased also held a seat as a volunteer elsewhere, and had an offered proposal
    dying_volunteer = vw.volunteer(name="陈志强")
    other = vw.resident(name="周桂芝")
    served = vw.post(vw.admin, other, seats_volunteer=2)
    vw.take(dying_volunteer, served)
    run = MatchRun(scope_node_id=vw.county["root"].id, status="ok", horizon_start=NOW, horizon_end=NOW,
                   origin=NOW)
    vw.session.add(run)
    vw.session.flush()
    third = vw.post(vw.admin, other)
    vw.session.add(Proposal(run_id=run.id, request_id=third.id, volunteer_id=dying_volunteer.person_id,
                            role="volunteer", start=third.earliest_start, status="offered",
                            deadline=NOW + timedelta(days=1), explanation={}))
    vw.session.commit()
    vw.fund(dying_volunteer.person_id, 300)
    pool_before = vw.pool().balance

    out = lifecycle.mark_deceased(vw.session, vw.admin, dying_volunteer.person_id, died_on=TODAY, today=TODAY,
                                  now=NOW)
    vw.session.commit()
    assert out.seats_given_back == [served.id] and len(out.proposals_withdrawn) == 1
    assert (out.balance_action, out.balance_minutes) == ("county_pool", 300)
    assert vw.account(dying_volunteer.person_id).balance == 0
    assert vw.pool().balance == pool_before + 300
    keyed = vw.session.scalar(select(Transfer).where(Transfer.idempotency_key == f"death:{dying_volunteer.person_id}"))
    assert keyed.minutes == 300
    vw.session.refresh(dying_volunteer)
    assert dying_volunteer.active is False

    out = lifecycle.mark_deceased(vw.session, vw.admin, resident.id, died_on=TODAY - timedelta(days=2),
                                  today=TODAY, now=NOW)
    vw.session.commit()
    assert out.cancelled == [req.id]
    assert hold_resolution(vw, hold_id) == "void"
    assert vw.account(resident.id).balance == 0
    vw.check()
    with pytest.raises(ValidationFailed, match="已故或已迁出"):
        vw.post(vw.admin, resident)
    vw.session.rollback()


@pytest.mark.parametrize("died_on, error", [
    (TODAY + timedelta(days=1), ValidationFailed), (None, ValidationFailed), (date(1900, 1, 1), ValidationFailed)])
def test_bad_death_dates_change_nothing(vw, died_on, error):
    resident = vw.resident()
    vw.fund(resident.id, 60)
    before = vw.snapshot()
    with pytest.raises(error):
        lifecycle.mark_deceased(vw.session, vw.admin, resident.id, died_on=died_on, today=TODAY, now=NOW)
    vw.session.rollback()
    vw.session.refresh(resident)
    assert resident.status == "active" and vw.snapshot() == before


def test_death_twice_is_409(vw):
    resident = vw.resident()
    lifecycle.mark_deceased(vw.session, vw.admin, resident.id, died_on=TODAY, today=TODAY, now=NOW)
    vw.session.commit()
    with pytest.raises(Duplicate, match="已登记为已故"):
        lifecycle.mark_deceased(vw.session, vw.admin, resident.id, died_on=TODAY, today=TODAY, now=NOW)
    vw.session.rollback()


def test_frozen_keeps_the_balance_and_refuses_spending(vw):
    vw.set_policy(death_balance="frozen")
    user = vw.volunteer()
    vw.fund(user.person_id, 200)
    lifecycle.mark_deceased(vw.session, vw.admin, user.person_id, died_on=TODAY, today=TODAY, now=NOW)
    vw.session.commit()
    assert vw.account(user.person_id).balance == 200
    with pytest.raises(PolicyViolation):
        vw.run(lambda: ledger.donate(vw.session, user, pool="county_donation", minutes=10, key=vw.key("d"),
                                     now=NOW))
    vw.session.rollback()
    assert vw.account(user.person_id).balance == 200
    # an admin may still correct a mistaken transfer by reversal
    earned = vw.session.scalar(select(Transfer).where(Transfer.kind == "earn", Transfer.minutes == 200))
    vw.run(lambda: ledger.reverse(vw.session, vw.admin, transfer_id=earned.id, reason="误记", key=vw.key("r"),
                                  now=NOW))
    assert vw.account(user.person_id).balance == 0
    vw.check()


def test_heirs_need_verified_direct_relatives_and_a_second_approver(vw):
    vw.set_policy(death_balance="heirs")
    resident = vw.resident()
    vw.fund(resident.id, 301)
    son, daughter, nephew = vw.volunteer(name="张一"), vw.volunteer(name="张二"), vw.volunteer(name="张三")
    vw.relate(resident.id, son.person_id, "child")
    vw.relate(resident.id, daughter.person_id, "child")
    vw.relate(resident.id, nephew.person_id, "other")
    unverified = vw.volunteer(name="张四")
    vw.relate(resident.id, unverified.person_id, "child", verified=False)
    first, second = staff(vw, "jia"), staff(vw, "jia2")
    lifecycle.mark_deceased(vw.session, first, resident.id, died_on=TODAY, today=TODAY, now=NOW)
    vw.session.commit()
    assert vw.account(resident.id).balance == 301
    for bad in ([nephew.person_id], [unverified.person_id], [vw.volunteer(name="路人").person_id], []):
        before = vw.snapshot()
        with pytest.raises(ValidationFailed):
            lifecycle.propose_heirs(vw.session, first, resident.id, bad, now=NOW)
        vw.session.rollback()
        assert vw.snapshot() == before
    lifecycle.propose_heirs(vw.session, first, resident.id, [son.person_id, daughter.person_id], now=NOW)
    vw.session.commit()
    with pytest.raises(Forbidden):
        lifecycle.approve_heirs(vw.session, first, resident.id, now=NOW)
    vw.session.rollback()
    assert vw.account(resident.id).balance == 301
    row = lifecycle.approve_heirs(vw.session, second, resident.id, now=NOW)
    vw.session.commit()
    assert row.minutes == 301
    assert (vw.account(son.person_id).balance, vw.account(daughter.person_id).balance) == (151, 150)
    assert vw.account(resident.id).balance == 0
    with pytest.raises(InvalidTransition):
        lifecycle.approve_heirs(vw.session, vw.admin, resident.id, now=NOW)
    vw.session.rollback()
    vw.check()


def test_proposing_heirs_under_another_policy_is_refused(vw):
    resident = vw.resident()
    son = vw.volunteer(name="张一")
    vw.relate(resident.id, son.person_id, "child")
    lifecycle.mark_deceased(vw.session, vw.admin, resident.id, died_on=TODAY, today=TODAY, now=NOW)
    vw.session.commit()
    with pytest.raises(InvalidTransition):
        lifecycle.propose_heirs(vw.session, vw.admin, resident.id, [son.person_id], now=NOW)
    vw.session.rollback()


def test_cancelled_requests_stay_out_of_other_statuses(vw):
    resident = vw.resident()
    done = vw.post(vw.admin, resident)
    volunteer = vw.volunteer()
    vw.take(volunteer, done)
    vw.serve(volunteer, vw.session.get(ServiceRequest, done.id))
    lifecycle.mark_deceased(vw.session, vw.admin, resident.id, died_on=TODAY, today=TODAY, now=NOW)
    vw.session.commit()
    vw.session.refresh(done)
    assert done.status == "done"  # a service already given is not undone


def test_proactive_care_and_matching_leave_out_people_who_died_or_moved_away(vw):
    from timebank.care import service as care
    from timebank.dispatch import build

    elder = vw.resident(birth=date(1930, 1, 1), living="alone")  # 80+ living alone: a watch group
    volunteer, active = vw.volunteer(), vw.volunteer()
    with vw.session.no_autoflush:
        before = {o.resident.id for o in care.overdue(vw.session, now=NOW + timedelta(days=60), today=TODAY)}
    assert elder.id in before
    lifecycle.mark_deceased(vw.session, vw.admin, elder.id, died_on=TODAY, today=TODAY, now=NOW)
    lifecycle.move_away(vw.session, vw.admin, volunteer.person_id, reason="外省", now=NOW)
    vw.session.commit()
    after = {o.resident.id for o in care.overdue(vw.session, now=NOW + timedelta(days=60), today=TODAY)}
    assert elder.id not in after
    built = build.build(vw.session, vw.county["root"], start=NOW, end=NOW + timedelta(days=7), now=NOW)
    assert volunteer.person_id not in built.volunteers.values()
    assert active.person_id in built.volunteers.values()
