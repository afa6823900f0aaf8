"""From the database to proposals: build, solve, store; accept through take-seat; decline and expiry
return the seat and exclude the volunteer for that request; a failed run changes nothing."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.visits.world import NOW, TODAY
from timebank.dispatch import service
from timebank.dispatch.build import build
from timebank.dispatch.models import MatchRun, Proposal
from timebank.errors import InvalidTransition, NotFound
from timebank.matching.problem import parse_problem
from timebank.matching.solution import parse_solution
from timebank.matching.verify import verify
from timebank.notify.models import Notification
from timebank.visits.models import Seat, ServiceRequest


def township(vw, index=0):
    return vw.county[f"township{index}"]


def team_request(vw, resident, **kwargs):
    return vw.post(vw.admin, resident, hours=10, duration=60, seats_volunteer=2, seats_social_worker=1,
                   payer="backstop", **kwargs)


@pytest.fixture
def team(vw):
    vw.backstop(10_000)
    resident = vw.resident(kinds=("tekun",), birth=date(1940, 1, 1), living="alone")
    social = vw.volunteer(social_worker=True, name="社工甲")
    volunteers = [vw.volunteer(name=f"志愿者{n}") for n in range(4)]
    outsider = vw.volunteer(village="village10", name="乙镇志愿者")
    req = team_request(vw, resident)
    return {"req": req, "social": social, "volunteers": volunteers, "outsider": outsider, "resident": resident}


def run(vw, index=0, now=NOW):
    result = service.run_matching(vw.session, vw.admin, township(vw, index), now=now)
    vw.session.commit()
    return result


def proposals_for(vw, request_id, status=None):
    stmt = select(Proposal).where(Proposal.request_id == request_id)
    if status:
        stmt = stmt.where(Proposal.status == status)
    return list(vw.session.scalars(stmt.order_by(Proposal.id)))


def test_problem_is_built_in_the_exchange_format_and_scoped(vw, team):
    built = build(vw.session, township(vw), start=NOW, end=NOW + timedelta(days=7), now=NOW)
    problem = parse_problem(built.problem)  # valid per the format
    assert [r.id for r in problem.services] == [f"r{team['req'].id}"]
    ids = set(built.volunteers.values())
    assert team["social"].person_id in ids and team["outsider"].person_id not in ids
    request = built.problem["requests"][0]
    assert (request["volunteers"], request["social_workers"]) == (2, 1)
    assert request["funding"] and built.problem["funds"][0]["minutes"] == 10_000


def test_a_team_request_is_proposed_whole_and_accepting_takes_the_seats(vw, team):
    result = run(vw)
    assert result.status == "ok" and result.assigned == 3
    offered = proposals_for(vw, team["req"].id, "offered")
    assert sorted(p.role for p in offered) == ["social_worker", "volunteer", "volunteer"]
    assert len({p.start for p in offered}) == 1
    problem, solution = parse_problem(json.loads(result.problem_json)), parse_solution(json.loads(result.solution_json))
    assert verify(problem, solution).ok  # the stored run replays
    notes = vw.session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.event == "proposal_offered"))
    assert notes == 3
    users = {u.person_id: u for u in [team["social"], *team["volunteers"]]}
    for proposal in offered:
        service.accept(vw.session, users[proposal.volunteer_id], proposal.id, now=NOW, today=TODAY)
        vw.session.commit()
    vw.session.expire_all()
    req = vw.session.get(ServiceRequest, team["req"].id)
    assert req.status == "matched"
    assert {s.source for s in req.seats} == {"matching"}
    assert req.scheduled_start == offered[0].start


def test_decline_returns_the_seat_and_the_next_run_picks_someone_else(vw, team):
    run(vw)
    offered = proposals_for(vw, team["req"].id, "offered")
    volunteer_seat = next(p for p in offered if p.role == "volunteer")
    users = {u.person_id: u for u in [team["social"], *team["volunteers"]]}
    service.decline(vw.session, users[volunteer_seat.volunteer_id], volunteer_seat.id, reason="没空", now=NOW)
    vw.session.commit()
    second = run(vw, now=NOW + timedelta(minutes=5))
    assert second.assigned == 1
    replacement = proposals_for(vw, team["req"].id, "offered")
    new = [p for p in replacement if p.run_id == second.id]
    assert len(new) == 1 and new[0].role == "volunteer"
    assert new[0].volunteer_id != volunteer_seat.volunteer_id
    assert new[0].start == volunteer_seat.start  # the team keeps its time


def test_expired_proposals_exclude_the_volunteer(vw, team):
    run(vw)
    later = NOW + timedelta(hours=30)
    assert service.expire_due(vw.session, now=later) == 3
    vw.session.commit()
    assert proposals_for(vw, team["req"].id, "offered") == []
    built = build(vw.session, township(vw), start=later, end=later + timedelta(days=7), now=later)
    excluded = set(built.problem["requests"][0]["excluded"])
    expired = {f"v{p.volunteer_id}" for p in proposals_for(vw, team["req"].id, "expired")}
    assert expired <= excluded


def test_accept_refuses_others_handled_or_late_proposals(vw, team):
    run(vw)
    proposal = proposals_for(vw, team["req"].id, "offered")[0]
    stranger = team["outsider"]
    with pytest.raises(NotFound):
        service.accept(vw.session, stranger, proposal.id, now=NOW, today=TODAY)
    owner = next(u for u in [team["social"], *team["volunteers"]] if u.person_id == proposal.volunteer_id)
    with pytest.raises(InvalidTransition):
        service.accept(vw.session, owner, proposal.id, now=proposal.deadline + timedelta(minutes=1), today=TODAY)
    vw.session.rollback()
    service.decline(vw.session, owner, proposal.id, reason=None, now=NOW)
    vw.session.commit()
    with pytest.raises(InvalidTransition):
        service.accept(vw.session, owner, proposal.id, now=NOW, today=TODAY)
    vw.session.rollback()
    assert vw.session.scalar(select(func.count()).select_from(Seat)) == 0


def test_a_failed_run_is_recorded_and_changes_nothing(vw, team, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(service, "solve", broken)
    before = vw.session.scalar(select(func.count()).select_from(Proposal))
    result = run(vw)
    assert result.status == "failed" and "solver exploded" in result.error
    assert vw.session.scalar(select(func.count()).select_from(Proposal)) == before
    assert vw.session.scalar(select(func.count()).select_from(MatchRun)) == 1
    assert vw.session.get(ServiceRequest, team["req"].id).status == "open"


def test_station_cannot_match_outside_its_scope(vw, make_staff):
    staff = make_staff("jia", 0)
    with pytest.raises(NotFound):
        service.scope_for(vw.session, staff, vw.county["township1"].id)
    assert service.scope_for(vw.session, staff, None).id == vw.county["township0"].id
