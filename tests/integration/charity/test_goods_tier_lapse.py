"""An open goods request follows its resident's tier when a hardship status lapses (the daily review)."""

from datetime import timedelta

from sqlalchemy import select

from tests.integration.visits.world import TODAY
from timebank.charity.models import GoodsRequest
from timebank.people import review_service
from timebank.people.models import HardshipStatus


def test_open_goods_request_loses_its_tier_when_the_status_lapses(cw):
    staff = cw.staff(0)
    profile = cw.make_resident(village="village00", living="with_family")
    cw.session.add(HardshipStatus(person_id=profile.person_id, kind="tekun", evidence_no="MZ1",
                                  review_date=TODAY + timedelta(days=3)))
    cw.session.commit()
    request = cw.goods_request(staff, profile.person)
    assert request.priority_tier == 1
    assert review_service.recompute_tiers(cw.session, today=TODAY + timedelta(days=3 + 31)) == 1
    assert cw.session.scalar(select(GoodsRequest.priority_tier).where(GoodsRequest.id == request.id)) == 5
