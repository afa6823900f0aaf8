"""Issue 10 must-show 3: one person, one answer. Each person goes through every place that asks "is this
a priority person" (grant eligibility, the tier a posted request gets, backstop and county-pool acceptance
at posting, proactive-care watch groups, dispatch fund eligibility) and each answer equals the pure rule's."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.integration.visits.world import NOW, TODAY
from timebank.care import service as care
from timebank.charity import service as charity_service
from timebank.dispatch.build import build
from timebank.errors import DomainError
from timebank.ledger import grants
from timebank.ledger import service as ledger_service
from timebank.people.models import HardshipStatus, ResidentProfile
from timebank.policy import priority as rules
from timebank.policy import service as policy_service
from timebank.visits.models import ServiceRequest

FAR = date(2027, 6, 1)


def born(age):
    return date(TODAY.year - age - 1, 12, 31)


# (name, age, living, statuses as (kind, review date), disability grade, adl level)
PERSONS = [
    ("82空巢", 82, "empty_nest", (), 0, None),
    ("70独居低保", 70, "alone", (("dibao", FAR),), 0, None),
    ("70空巢低保三级残", 70, "empty_nest", (("dibao", FAR),), 3, None),
    ("65独居二级残", 65, "alone", (), 2, None),
    ("65同住一级残", 65, "with_family", (), 1, None),
    ("特困已过宽限", 50, "with_family", (("tekun", TODAY - timedelta(days=40)),), 0, None),
    ("特困宽限期内", 50, "with_family", (("tekun", TODAY - timedelta(days=10)),), 0, None),
    ("70独居低保中度失能", 70, "alone", (("dibao", FAR),), 0, 2),
    ("60同住重度失能", 60, "with_family", (), 0, 3),
    ("低保边缘", 50, "with_family", (("dibao_edge", FAR),), 0, None),
    ("低保已过宽限", 70, "alone", (("dibao", TODAY - timedelta(days=60)),), 0, 2),
]


def make(vw, name, age, living, statuses, grade, adl):
    person = vw.resident(birth=born(age), living=living, name=name)
    profile = vw.session.get(ResidentProfile, person.id)
    profile.disability_grade = grade
    profile.adl_level, profile.adl_assessed_on = (adl, TODAY) if adl is not None else (None, None)
    profile.created_at = NOW - timedelta(days=45)  # registered long ago: overdue for a care visit
    for kind, review in statuses:
        vw.session.add(HardshipStatus(person_id=person.id, kind=kind, evidence_no="MZ1", review_date=review))
    vw.session.commit()
    return person


def accepted(vw, work) -> bool:
    """True when the service call succeeds (kept), False when it refuses (rolled back)."""
    try:
        with vw.session.begin_nested():
            work()
        return True
    except DomainError:
        return False


def test_every_place_gives_the_pure_answer(vw, monkeypatch):
    table = policy_service.current(vw.session)[1].priority
    people = [make(vw, *row) for row in PERSONS]
    vw.backstop(100 * 60)
    expected = {}
    for person, row in zip(people, PERSONS, strict=True):
        _name, age, living, statuses, grade, adl = row
        expected[person.id] = rules.evaluate(rules.Facts(
            age=age, living=living, statuses=tuple(rules.Status(k, d) for k, d in statuses),
            disability_grade=grade, adl_level=adl), table, TODAY)

    # sanity: the table really tells these persons apart
    assert expected[people[0].id].groups == ("lone_elder",)
    assert expected[people[5].id].tier == 5 and expected[people[5].id].lapsed == ("tekun",)
    assert expected[people[6].id].tier == 1
    assert expected[people[7].id].groups == ("lone_elder", "dibao")
    assert expected[people[10].id].groups == ()

    watched = {item.resident.id: tuple(item.groups) for item in care.overdue(vw.session, now=NOW, today=TODAY)}
    own_requests = {}
    for person in people:
        want = expected[person.id]
        granted = accepted(vw, lambda p=person: grants.grant(
            vw.session, vw.admin, to=p.id, minutes=30, reason="测试", key=vw.key("g"), now=NOW, today=TODAY))
        assert granted == want.grant, person.name
        assert accepted(vw, lambda p=person: vw.post(vw.admin, p, payer="backstop")) == want.backstop, person.name
        assert accepted(vw, lambda p=person: vw.post(vw.admin, p, payer="county_donation")) == want.county_pool, \
            person.name
        vw.fund(person.id, 120)
        with monkeypatch.context() as patched:  # the tier at posting, whoever may redeem (tested elsewhere)
            patched.setattr(ledger_service, "redemption_refusal", lambda *args, **kwargs: None)
            req = vw.post(vw.admin, person, payer="own")
        assert req.priority_tier == want.tier, person.name
        own_requests[person.id] = req
        assert watched.get(person.id, ()) == want.watch_groups, person.name
        # charity pools and goods restricted to hardship kinds, and early redemption, see counting statuses only
        assert charity_service.resident_facts(vw.session, person.id, TODAY).statuses == frozenset(want.counting)
        assert ledger_service.redeem_facts(vw.session, person.id, person.id, TODAY, table.grace_days)[2] == bool(want.counting)

    # dispatch: a request the backstop was to pay (posted while eligible) is built only while it still is
    for req in own_requests.values():
        req.payer, req.paid_by_person_id = "backstop", None
    vw.session.commit()
    built = build(vw.session, vw.county["root"], start=NOW, end=NOW + timedelta(days=7), now=NOW)
    in_problem = set(built.requests.values())
    for person in people:
        assert (own_requests[person.id].id in in_problem) == expected[person.id].backstop, person.name


def test_renewal_and_lapse_move_open_requests_between_tiers(vw):
    from timebank.people import review_service

    person = make(vw, "特困", 50, "with_family", (("tekun", TODAY + timedelta(days=5)),), 0, None)
    vw.backstop(600)
    req = vw.post(vw.admin, person, payer="backstop")
    assert req.priority_tier == 1
    later = TODAY + timedelta(days=5 + 31)  # past review date + 30 grace days
    assert review_service.recompute_tiers(vw.session, today=later) == 1
    assert vw.session.get(ServiceRequest, req.id).priority_tier == 5
    status = vw.session.scalar(select(HardshipStatus).where(HardshipStatus.person_id == person.id))
    review_service.renew(vw.session, vw.admin, status.id, review_date=later + timedelta(days=365), today=later)
    assert vw.session.get(ServiceRequest, req.id).priority_tier == 1


@pytest.mark.parametrize("days", [0, -1])
def test_renewal_refuses_today_or_the_past(vw, days):
    from timebank.errors import ValidationFailed
    from timebank.people import review_service

    person = make(vw, "低保", 50, "with_family", (("dibao", TODAY),), 0, None)
    status = vw.session.scalar(select(HardshipStatus).where(HardshipStatus.person_id == person.id))
    with pytest.raises(ValidationFailed):
        review_service.renew(vw.session, vw.admin, status.id, review_date=TODAY + timedelta(days=days), today=TODAY)
    assert vw.session.get(HardshipStatus, status.id).review_date == TODAY


def test_adding_or_removing_a_status_moves_open_requests_at_once(vw, monkeypatch):
    from timebank.errors import ValidationFailed
    from timebank.people import service as people

    person = make(vw, "新认定", 70, "with_family", (), 0, None)
    vw.fund(person.id, 120)
    req = vw.post(vw.admin, person, payer="own")
    assert req.priority_tier == 5
    with pytest.raises(ValidationFailed):  # a review date that is not after today
        people.add_hardship_status(vw.session, vw.admin, person.id, kind="tekun", evidence_no="T-9",
                                   review_date=TODAY, today=TODAY)
    vw.session.rollback()
    status = people.add_hardship_status(vw.session, vw.admin, person.id, kind="tekun", evidence_no="T-9",
                                        review_date=TODAY + timedelta(days=200), today=TODAY)
    vw.session.commit()
    assert vw.session.get(ServiceRequest, req.id).priority_tier == 1
    people.remove_hardship_status(vw.session, vw.admin, person.id, status.id, today=TODAY)
    vw.session.commit()
    assert vw.session.get(ServiceRequest, req.id).priority_tier == 5
