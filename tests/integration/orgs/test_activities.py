"""Group activities: posting, sign-up within capacity, minors, list and QR attendance, corrections, and the
confirmation that credits every attendee in one operation (to the volunteer or to the county donation
pool by policy); a second confirmation changes nothing and `ledger check` stays clean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.orgs.conftest import NOW, TODAY
from timebank.errors import DomainError, Duplicate, Forbidden, InvalidTransition, NotInScope, ValidationFailed
from timebank.ledger import domain as ledger_domain
from timebank.ledger import reconcile
from timebank.ledger import service as ledger
from timebank.ledger.models import Transfer
from timebank.orgs import activities, attendance, queries
from timebank.orgs.models import ActivitySignup, AttendanceEvent, GroupActivity
from timebank.policy import service as policy_service

START = NOW + timedelta(hours=1)
END = START + timedelta(hours=3)


def balance(session, person_id: int) -> int:
    return ledger.account_for_person(session, person_id).balance


def pool(session) -> int:
    return ledger.system_account(session, ledger_domain.pool_code("county_donation")).balance


def enrol_all(ow, act, users):
    activities.enrol(ow.session, ow.leader, act.id, [u.person_id for u in users], now=NOW, today=TODAY)
    ow.session.commit()


def test_a_leaders_activity_waits_for_the_station(ow):
    act = ow.activity(ow.leader)
    assert act.status == "pending"
    member = ow.member()
    with pytest.raises(NotInScope):  # members see it once it is open
        activities.sign_up(ow.session, member, act.id, now=NOW, today=TODAY)
    with pytest.raises(NotInScope):
        activities.approve(ow.session, ow.other_station, act.id, now=NOW)
    activities.approve(ow.session, ow.station, act.id, now=NOW)
    assert activities.sign_up(ow.session, member, act.id, now=NOW, today=TODAY).source == "self"


def test_bad_activities_are_refused_and_nothing_is_created(ow):
    for kwargs, field in (({"start": START, "hours": -1}, "ends_at"), ({"capacity": 0}, "capacity"),
                          ({"capacity": 1001}, "capacity"), ({"start": NOW - timedelta(hours=2)}, "starts_at")):
        with pytest.raises(ValidationFailed) as refused:
            ow.activity(**kwargs)
        assert refused.value.field == field
        ow.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        ow.activity(hours=0)
    assert str(refused.value.message) == "结束时间必须晚于开始时间"
    ow.session.rollback()
    outsider = ow.volunteer()
    with pytest.raises((Forbidden, NotInScope)):
        ow.activity(outsider)
    ow.session.rollback()
    assert ow.session.scalar(select(func.count()).select_from(GroupActivity)) == 0


def test_capacity_full_and_double_sign_up(ow):
    act = ow.activity(capacity=2)
    first, second, third = ow.member(), ow.member(), ow.member()
    activities.sign_up(ow.session, first, act.id, now=NOW, today=TODAY)
    with pytest.raises(Duplicate):
        activities.sign_up(ow.session, first, act.id, now=NOW, today=TODAY)
    activities.sign_up(ow.session, second, act.id, now=NOW, today=TODAY)
    ow.session.commit()
    with pytest.raises(ValidationFailed) as full:
        activities.sign_up(ow.session, third, act.id, now=NOW, today=TODAY)
    assert str(full.value.message) == "名额已满，不能再报名"
    ow.session.rollback()
    assert activities.signed_up_count(ow.session, act.id) == 2


def test_bulk_enrol_is_all_or_nothing_within_capacity(ow):
    act = ow.activity(capacity=3)
    members = [ow.member() for _ in range(4)]
    with pytest.raises(ValidationFailed):
        enrol_all(ow, act, members)
    ow.session.rollback()
    assert activities.signed_up_count(ow.session, act.id) == 0
    stranger = ow.volunteer()
    with pytest.raises(ValidationFailed) as refused:
        enrol_all(ow, act, [members[0], stranger])
    assert refused.value.details["reason"] == "not_member"
    ow.session.rollback()
    enrol_all(ow, act, members[:3])
    assert activities.signed_up_count(ow.session, act.id) == 3


def test_a_leader_of_another_org_cannot_enrol_or_tick(ow):
    from timebank.orgs import service

    other_leader = ow.volunteer(name="别队队长")
    service.register(ow.session, ow.station, service.OrgInput(
        name="别的队", kind="other", node_id=ow.county["village00"].id, leader_person_id=other_leader.person_id),
        now=NOW, today=TODAY)
    act = ow.activity()
    member = ow.member()
    enrol_all(ow, act, [member])
    for call in (lambda: activities.enrol(ow.session, other_leader, act.id, [member.person_id], now=NOW, today=TODAY),
                 lambda: attendance.tick(ow.session, other_leader, act.id, [member.person_id], "check_in", at=None,
                                         now=START)):
        with pytest.raises((Forbidden, NotInScope)):
            call()
    with pytest.raises(NotInScope):
        attendance.tick(ow.session, ow.other_station, act.id, [member.person_id], "check_in", at=None, now=START)
    with pytest.raises(Forbidden):
        attendance.confirm(ow.session, member, act.id, now=END, today=TODAY)
    assert ow.session.scalar(select(func.count()).select_from(AttendanceEvent)) == 0


def test_minors_only_in_activities_of_their_own_org(ow):
    minor = ow.minor()
    station_act = ow.activity(org=False)
    with pytest.raises(ValidationFailed) as refused:
        activities.enrol(ow.session, ow.station, station_act.id, [minor.person_id], now=NOW, today=TODAY)
    assert refused.value.code == "minor_outside_org"
    assert str(refused.value.message) == "未成年志愿者只能参加其所在志愿服务组织的团体活动"
    ow.session.rollback()
    from timebank.orgs import service

    service.add_member(ow.session, ow.station, ow.org.id, minor.person_id, now=NOW, today=TODAY)
    act = ow.activity()
    activities.enrol(ow.session, ow.leader, act.id, [minor.person_id], now=NOW, today=TODAY)
    attendance.tick(ow.session, ow.leader, act.id, [minor.person_id], "check_in", at=START, now=START)
    attendance.tick(ow.session, ow.leader, act.id, [minor.person_id], "check_out", at=END, now=END)
    policy_service.save(ow.session, ow.county["admin"], {"team_hours_donation_only": False}, note=None, now=NOW)
    attendance.confirm(ow.session, ow.station, act.id, now=END, today=TODAY)
    assert balance(ow.session, minor.person_id) == 180  # group service counts for minors (group_or_guardian)


def test_a_minor_gets_nothing_when_the_policy_allows_no_minor_deposits(ow):
    from timebank.orgs import service
    from timebank.people.models import VolunteerProfile

    minor = ow.minor()
    service.add_member(ow.session, ow.station, ow.org.id, minor.person_id, now=NOW, today=TODAY)
    act = ow.activity()
    activities.enrol(ow.session, ow.leader, act.id, [minor.person_id], now=NOW, today=TODAY)
    attendance.tick(ow.session, ow.leader, act.id, [minor.person_id], "check_in", at=START, now=START)
    attendance.tick(ow.session, ow.leader, act.id, [minor.person_id], "check_out", at=END, now=END)
    ow.session.get(VolunteerProfile, minor.person_id).guardian_consent_ref = None
    policy_service.save(ow.session, ow.county["admin"], {"minor_mode": "guardian_only",
                                                          "team_hours_donation_only": False}, note=None, now=NOW)
    done = attendance.confirm(ow.session, ow.station, act.id, now=END, today=TODAY)
    assert done.minutes == 0 and balance(ow.session, minor.person_id) == 0


def test_list_attendance_bad_input_changes_nothing(ow):
    act = ow.activity()
    signed, stranger = ow.member(), ow.member()
    enrol_all(ow, act, [signed])
    with pytest.raises(ValidationFailed) as not_signed:
        attendance.tick(ow.session, ow.leader, act.id, [signed.person_id, stranger.person_id], "check_in",
                        at=START, now=START)
    assert not_signed.value.code == "not_signed_up"
    ow.session.rollback()
    with pytest.raises(ValidationFailed) as early_out:
        attendance.tick(ow.session, ow.leader, act.id, [signed.person_id], "check_out", at=START, now=START)
    assert early_out.value.details["reason"] == "out_before_checkin"
    ow.session.rollback()
    row = queries.signup_of(ow.session, act.id, signed.person_id)
    assert row.check_in_at is None and row.check_out_at is None
    attendance.tick(ow.session, ow.leader, act.id, [signed.person_id], "check_in", at=START, now=START)
    with pytest.raises(ValidationFailed):
        attendance.tick(ow.session, ow.leader, act.id, [signed.person_id], "check_in", at=START, now=START)


def test_qr_scan_checks_in_and_out_the_signed_up_volunteer(ow, app):
    act = ow.activity()
    member, other = ow.member(), ow.member()
    enrol_all(ow, act, [member])
    token = attendance.make_token(act.id)
    with pytest.raises(ValidationFailed):
        attendance.scan(ow.session, other, token, now=START)
    with pytest.raises(ValidationFailed) as early:
        attendance.scan(ow.session, member, token, now=START - timedelta(hours=2))
    assert early.value.details["reason"] == "too_early"
    with pytest.raises(DomainError):
        attendance.scan(ow.session, member, token + "x", now=START)
    assert attendance.scan_record(ow.session, member, token, now=START).action == "check_in"
    assert attendance.scan_record(ow.session, member, token, now=END).action == "check_out"
    with pytest.raises(ValidationFailed):
        attendance.scan(ow.session, member, token, now=END)
    row = queries.signup_of(ow.session, act.id, member.person_id)
    assert (row.check_in_at, row.check_out_at) == (START, END)


def test_a_correction_needs_a_reason_and_keeps_history(ow):
    act = ow.activity()
    member = ow.member()
    enrol_all(ow, act, [member])
    attendance.tick(ow.session, ow.leader, act.id, [member.person_id], "check_in", at=START, now=START)
    row = queries.signup_of(ow.session, act.id, member.person_id)
    with pytest.raises(ValidationFailed):
        attendance.correct(ow.session, ow.leader, act.id, row.id, check_in_at=START, check_out_at=END, reason=" ",
                           now=END)
    with pytest.raises(ValidationFailed):
        attendance.correct(ow.session, ow.leader, act.id, row.id, check_in_at=END, check_out_at=START,
                           reason="x", now=END)
    attendance.correct(ow.session, ow.leader, act.id, row.id, check_in_at=START + timedelta(minutes=30),
                       check_out_at=END, reason="迟到半小时", now=END)
    history = queries.corrections(ow.session, act.id)
    assert len(history) == 1 and history[0][0].before_in == START and history[0][0].reason == "迟到半小时"


def _run(ow, n=4):
    act = ow.activity()
    members = [ow.member() for _ in range(n)]
    enrol_all(ow, act, members)
    attendees = members[:-1]  # the last one never came
    attendance.tick(ow.session, ow.leader, act.id, [m.person_id for m in attendees], "check_in", at=START,
                    now=START)
    attendance.tick(ow.session, ow.leader, act.id, [m.person_id for m in attendees], "check_out",
                    at=END + timedelta(minutes=20), now=END + timedelta(minutes=20))
    ow.session.commit()
    return act, members


@pytest.mark.parametrize("donation_only", [True, False])
def test_confirmation_credits_everyone_once_per_policy(ow, donation_only):
    policy_service.save(ow.session, ow.county["admin"], {"team_hours_donation_only": donation_only}, note=None,
                        now=NOW)
    act, members = _run(ow)
    with pytest.raises(InvalidTransition):  # not before the end
        attendance.confirm(ow.session, ow.station, act.id, now=START, today=TODAY)
    pool_before = pool(ow.session)
    transfers_before = ow.session.scalar(select(func.count()).select_from(Transfer))
    done = attendance.confirm(ow.session, ow.station, act.id, now=END + timedelta(hours=1), today=TODAY)
    ow.session.commit()
    assert done.attendees == 3 and done.minutes == 3 * 180  # capped by the activity's length
    expected = 0 if donation_only else 180
    assert [balance(ow.session, m.person_id) for m in members] == [expected] * 3 + [0]
    assert pool(ow.session) - pool_before == (540 if donation_only else 0)
    assert act.credited_to == ("county_pool" if donation_only else "volunteer")
    snapshot = ([balance(ow.session, m.person_id) for m in members], pool(ow.session),
                ow.session.scalar(select(func.count()).select_from(Transfer)))
    assert snapshot[2] - transfers_before == (6 if donation_only else 3)
    with pytest.raises(InvalidTransition) as twice:
        attendance.confirm(ow.session, ow.station, act.id, now=END + timedelta(hours=2), today=TODAY)
    assert str(twice.value.message) == "该活动已经确认并记入时长，不能重复确认"
    ow.session.rollback()
    assert ([balance(ow.session, m.person_id) for m in members], pool(ow.session),
            ow.session.scalar(select(func.count()).select_from(Transfer))) == snapshot
    assert reconcile.run_check(ow.session, now=END, record=False).ok
    rows, _more = queries.members(ow.session, ow.org.id, page=1, per_page=100)
    assert sorted(h for _m, _n, h in rows) == [0, 0, 180, 180, 180]  # the leader sees members' hours


def test_the_ledger_keys_make_a_replayed_credit_a_no_op(ow):
    act, members = _run(ow, 2)
    attendance.confirm(ow.session, ow.station, act.id, now=END + timedelta(hours=1), today=TODAY)
    ow.session.commit()
    issuance = ledger.system_account(ow.session, ledger_domain.ISSUANCE_CODE)
    again = ledger.earn(ow.session, payer_account_id=issuance.id, person_id=members[0].person_id, minutes=180,
                        key=f"activity:{act.id}:{members[0].person_id}", reference=f"activity:{act.id}",
                        memo=act.title, team=True, guardian_consent=False, actor_id=ow.station.id,
                        now=END, today=TODAY)
    assert again.replayed


def test_confirmation_waits_for_everyone_to_check_out(ow):
    act = ow.activity()
    member = ow.member()
    enrol_all(ow, act, [member])
    attendance.tick(ow.session, ow.leader, act.id, [member.person_id], "check_in", at=START, now=START)
    with pytest.raises(InvalidTransition) as still:
        attendance.confirm(ow.session, ow.station, act.id, now=END, today=TODAY)
    assert still.value.details["reason"] == "still_in"
    ow.session.rollback()
    assert ow.session.get(GroupActivity, act.id).status == "open"
    assert ow.session.scalar(select(func.count()).select_from(ActivitySignup).where(
        ActivitySignup.credited_minutes.is_not(None))) == 0


def test_volunteers_see_station_activities_and_their_org_activities_only(ow):
    station_act = ow.activity(org=False)
    org_act = ow.activity()
    member, outsider = ow.member(), ow.volunteer()
    seen = {a.id for a in queries.activities_for(ow.session, member, page=1)[0]}
    assert {station_act.id, org_act.id} <= seen
    assert org_act.id not in {a.id for a in queries.activities_for(ow.session, outsider, page=1)[0]}
    with pytest.raises(NotInScope):
        activities.load(ow.session, outsider, org_act.id)
    with pytest.raises(NotInScope):
        activities.load(ow.session, ow.other_station, org_act.id)
