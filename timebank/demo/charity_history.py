"""Demo charities, written through the real charity services: the three demo charity logins register
and are approved (each gets an hour pool); volunteers donate hours to the pools; 示范县慈善总会 and
爱心助老志愿服务协会 donate quilts, rice and wheelchairs; 城关镇社工站 posts goods requests, allocates by hand,
and some goods are received (stock check and ledger check pass). 暖阳公益基金会 gives hours only, so its
goods numbers start at zero. Deterministic; flushes, never commits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from timebank.accounts.models import OrgNode, Person, User
from timebank.charity import allocation, domain, service
from timebank.charity.models import Item
from timebank.demo import names
from timebank.ledger import service as ledger
from timebank.people.models import HardshipStatus, ResidentProfile, VolunteerProfile

CODES = ("53420999MJ0000001", "51420999MJ0000002", "53420999MJ0000003")


def seed_charities(session, admin: User, *, today: date) -> int:
    """Returns how many goods requests were posted."""
    with current_app.test_request_context():  # translated errors and notifications need a locale
        return _seed(session, admin, today=today)


def _seed(session, admin: User, *, today: date) -> int:
    now = datetime.combine(today, time(2, 0), tzinfo=UTC) - timedelta(days=30)
    charities = []
    for index, name in enumerate(names.CHARITIES):
        user = session.scalar(select(User).where(User.username == f"charity{index + 1}"))
        if user is None:
            return 0
        charity = service.register_charity(session, user, service.CharityInput(
            name=name, credit_code=domain.make_credit_code(CODES[index]),
            registration=("public_fundraising", "social_org", "charity")[index], contact_name="王主任",
            contact_phone=f"0700-66{index}0{index}0{index}", address="示范县城关镇人民路8号"), now=now)
        service.review_charity(session, admin, charity.id, approve=True, reason=None, now=now)
        charities.append((user, charity))
    # hours designated to the pools by volunteers who have some
    donors = session.scalars(select(User).join(VolunteerProfile, VolunteerProfile.person_id == User.person_id)
                             .where(VolunteerProfile.status == "approved").order_by(User.id).limit(30)).all()
    given = 0
    for donor in donors:
        if ledger.account_for_person(session, donor.person_id).spendable >= 60 and given < 6:
            _user, charity = charities[given % 3]
            ledger.donate(session, donor, pool=f"charity:{charity.id}", minutes=60, memo="支持慈善时间池",
                          key=f"demo-charity-donate-{given}", now=now + timedelta(days=given))
            given += 1
    township = session.scalar(select(OrgNode).where(OrgNode.code == "DEMO-CG"))
    service.set_pool_rule(session, charities[0][0], service.PoolRuleInput(statuses=("tekun", "dibao")), now=now)
    service.set_pool_rule(session, charities[1][0], service.PoolRuleInput(min_age=80), now=now)
    items = {i.code: i for i in session.scalars(select(Item))}
    station = session.scalar(select(User).where(User.username == "chengguan"))
    quilts = service.create_donation(session, charities[0][0], service.DonationInput(
        item_id=items["quilt"].id, quantity=40, station_id=station.station_id, statuses=("tekun", "dibao"),
        township_ids=(township.id,), min_age=60, delivery="both", note="冬季送温暖"), now=now, today=today)
    rice = service.create_donation(session, charities[0][0], service.DonationInput(
        item_id=items["rice"].id, quantity=60, station_id=station.station_id, use_by=today + timedelta(days=180),
        delivery="pickup"), now=now, today=today)
    service.create_donation(session, charities[1][0], service.DonationInput(
        item_id=items["wheelchair"].id, quantity=5, station_id=station.station_id, statuses=("severe_disability",),
        delivery="delivery"), now=now, today=today)
    service.write_off(session, charities[0][0], rice.id, quantity=2, reason="运输途中破损", now=now)
    elders = session.execute(
        select(Person.id, HardshipStatus.kind).join(ResidentProfile, ResidentProfile.person_id == Person.id)
        .join(HardshipStatus, HardshipStatus.person_id == Person.id).join(OrgNode, OrgNode.id == Person.node_id)
        .where(OrgNode.path.startswith(township.path), HardshipStatus.kind.in_(("tekun", "dibao")))
        .order_by(Person.id)).all()
    posted = 0
    for index, (person_id, _kind) in enumerate(elders[:12]):
        when = now + timedelta(days=1 + index)
        quilt_request = allocation.post_request(session, station, allocation.GoodsRequestInput(
            resident_id=person_id, item_id=items["quilt"].id, quantity=1, reason="冬季御寒"), now=when, today=today)
        rice_request = allocation.post_request(session, station, allocation.GoodsRequestInput(
            resident_id=person_id, item_id=items["rice"].id, quantity=2, reason="口粮补助"), now=when, today=today)
        posted += 2
        if index >= 9:
            continue  # left open for the station (and, later, matching)
        first = allocation.allocate(session, station, quilt_request.id, quilts.id, method="pickup", now=when,
                                    today=today)
        second = allocation.allocate(session, station, rice_request.id, rice.id, method="pickup", now=when,
                                     today=today)
        if index < 6:
            allocation.confirm_receipt(session, station, first.id, now=when + timedelta(days=2))
            allocation.confirm_receipt(session, station, second.id, now=when + timedelta(days=2))
        elif index == 8:
            allocation.cancel_allocation(session, station, second.id, reason="老人已由子女接走同住", now=when)
    seed_application(session, now=now + timedelta(days=29))
    return posted


APPLICANT = "春晖助老公益服务中心"


def seed_application(session, *, now: datetime) -> bool:
    """One charity application waiting for the county (the admin's list has something to review); its
    owner login is charity-apply / Demo-charity-2026. Idempotent: nothing happens when it is there."""
    from timebank.charity import onboarding
    from timebank.charity.models import Charity

    if session.scalar(select(Charity.id).where(Charity.name == APPLICANT)) is not None:
        return False
    onboarding.apply(session, onboarding.ApplicationInput(
        charity=service.CharityInput(name=APPLICANT, credit_code=domain.make_credit_code("52420999MJ0000004"),
                                     registration="charity", contact_name="陈社工", contact_phone="0700-66303030",
                                     address="示范县东湖镇滨湖路2号", description="为东湖镇独居老人提供助餐和陪伴"),
        registration_number="52420999MJ0000004", contact_email=None,
        login=onboarding.LoginInput(username="charity-apply", password="Demo-charity-2026", name="陈社工")), now=now)
    return True
