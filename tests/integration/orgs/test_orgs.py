"""Organisations and members: registration by a station or by a volunteer (approved by the station), join
requests decided by the leader, leader change, retirement; scope and role denials; nothing changes on bad
input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.integration.orgs.conftest import NOW, TODAY
from timebank.errors import Duplicate, Forbidden, InvalidTransition, NotInScope, ValidationFailed
from timebank.orgs import queries, service
from timebank.orgs.models import OrgMembership, VolunteerOrg


def test_a_station_registers_an_approved_org_led_by_a_member(ow):
    assert ow.org.status == "approved"
    assert service.is_member(ow.session, ow.org.id, ow.leader.person_id)
    assert service.is_leader(ow.leader, ow.org)


def test_a_volunteer_self_registers_and_the_station_approves(ow):
    founder = ow.volunteer(name="王老师")
    org = service.register(ow.session, founder, service.OrgInput(name="实验小学志愿服务队", kind="school"),
                           now=NOW, today=TODAY)
    assert org.status == "pending" and org.leader_person_id == founder.person_id
    with pytest.raises(NotInScope):  # not visible to other volunteers until approved
        service.request_join(ow.session, ow.volunteer(), org.id, now=NOW, today=TODAY)
    with pytest.raises(NotInScope):  # a station of another township does not see it
        service.decide(ow.session, ow.other_station, org.id, approve=True, reason=None, now=NOW)
    with pytest.raises(ValidationFailed):
        service.decide(ow.session, ow.station, org.id, approve=False, reason=" ", now=NOW)
    service.decide(ow.session, ow.station, org.id, approve=True, reason=None, now=NOW)
    assert org.status == "approved"
    with pytest.raises(InvalidTransition):
        service.decide(ow.session, ow.station, org.id, approve=True, reason=None, now=NOW)


def test_duplicate_name_in_one_village_is_refused(ow):
    with pytest.raises(Duplicate):
        service.register(ow.session, ow.station, service.OrgInput(
            name="阳光志愿服务队", kind="other", node_id=ow.county["village00"].id,
            leader_person_id=ow.leader.person_id), now=NOW, today=TODAY)


def test_join_request_leader_approves_and_joining_twice_is_refused(ow):
    volunteer = ow.volunteer()
    row = service.request_join(ow.session, volunteer, ow.org.id, now=NOW, today=TODAY)
    ow.session.commit()
    assert row.status == "pending"
    with pytest.raises(Duplicate) as twice:
        service.request_join(ow.session, volunteer, ow.org.id, now=NOW, today=TODAY)
    assert str(twice.value.message) == "已经申请或已是该组织成员，不能重复加入"
    ow.session.rollback()
    assert ow.session.scalar(select(func.count()).select_from(OrgMembership).where(
        OrgMembership.person_id == volunteer.person_id)) == 1
    outsider = ow.volunteer()
    with pytest.raises(Forbidden):
        service.decide_member(ow.session, outsider, row.id, approve=True, now=NOW)
    service.decide_member(ow.session, ow.leader, row.id, approve=True, now=NOW)
    assert row.status == "approved"
    with pytest.raises(Duplicate):
        service.request_join(ow.session, volunteer, ow.org.id, now=NOW, today=TODAY)


def test_a_declined_volunteer_may_ask_again(ow):
    volunteer = ow.volunteer()
    row = service.request_join(ow.session, volunteer, ow.org.id, now=NOW, today=TODAY)
    service.decide_member(ow.session, ow.leader, row.id, approve=False, now=NOW)
    again = service.request_join(ow.session, volunteer, ow.org.id, now=NOW, today=TODAY)
    assert again.id == row.id and again.status == "pending"


def test_a_person_may_belong_to_several_orgs(ow):
    second = service.register(ow.session, ow.station, service.OrgInput(
        name="老年协会", kind="elder_association", node_id=ow.county["village01"].id,
        leader_person_id=ow.leader.person_id), now=NOW, today=TODAY)
    member = ow.member()
    service.add_member(ow.session, ow.station, second.id, member.person_id, now=NOW, today=TODAY)
    assert queries.my_memberships(ow.session, member.person_id) == {ow.org.id: "approved", second.id: "approved"}


def test_the_station_changes_the_leader_and_retires_the_org(ow):
    member = ow.member()
    with pytest.raises(Forbidden):
        service.change_leader(ow.session, ow.leader, ow.org.id, member.person_id, now=NOW)
    service.change_leader(ow.session, ow.station, ow.org.id, member.person_id, now=NOW)
    assert ow.org.leader_person_id == member.person_id and not service.is_leader(ow.leader, ow.org)
    with pytest.raises(ValidationFailed):
        service.retire(ow.session, ow.station, ow.org.id, reason="", now=NOW)
    service.retire(ow.session, ow.station, ow.org.id, reason="学校合并", now=NOW)
    assert ow.org.status == "retired"
    rows, _more = queries.members(ow.session, ow.org.id, page=1)
    assert len(rows) == 2  # history stays
    with pytest.raises(NotInScope):  # no longer listed for newcomers
        service.request_join(ow.session, ow.volunteer(), ow.org.id, now=NOW, today=TODAY)
    with pytest.raises(InvalidTransition):  # nor can the station add anyone
        service.add_member(ow.session, ow.station, ow.org.id, ow.volunteer().person_id, now=NOW, today=TODAY)


def test_a_station_outside_the_subtree_cannot_see_the_org(ow):
    with pytest.raises(NotInScope):
        service.load(ow.session, ow.other_station, ow.org.id)
    rows, _more = queries.orgs_for(ow.session, ow.other_station, page=1)
    assert ow.org.id not in [o.id for o in rows]
    rows, _more = queries.orgs_for(ow.session, ow.station, page=1)
    assert ow.org.id in [o.id for o in rows]


def test_pending_volunteers_cannot_register_or_join(ow):
    pending = ow.make_volunteer(status="pending")
    with pytest.raises(ValidationFailed):
        service.request_join(ow.session, pending, ow.org.id, now=NOW, today=TODAY)
    with pytest.raises(ValidationFailed):
        service.register(ow.session, pending, service.OrgInput(name="x", kind="other"), now=NOW, today=TODAY)
    assert ow.session.scalar(select(func.count()).select_from(VolunteerOrg)) == 1


def test_members_page_through_hundreds(ow):
    for _ in range(3):
        ow.member()
    first, more = queries.members(ow.session, ow.org.id, page=1, per_page=2)
    second, more2 = queries.members(ow.session, ow.org.id, page=2, per_page=2)
    assert len(first) == 2 and more and len(second) == 2 and not more2
    assert {m.id for m, _n, _h in first}.isdisjoint({m.id for m, _n, _h in second})
