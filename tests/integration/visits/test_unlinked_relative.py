"""An unlinked relative carries no right anywhere: no gifts either way, no proxy posting, no confirming, no
relative pages; a verified link did all of these before it was unlinked. Also: a volunteer sees the resident's
phone only while holding an active seat on a matched or in-service visit, and a reveal is logged."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.integration.visits.world import NOW, TODAY
from timebank.audit.models import AccessEvent
from timebank.charity import queries as charity_queries
from timebank.errors import DomainError, NotInScope
from timebank.ledger import queries as ledger_queries
from timebank.ledger import service as ledger
from timebank.people import disclosure
from timebank.people import station_volunteers as station
from timebank.people.models import Relative
from timebank.visits import disclosure as visit_disclosure
from timebank.visits import queries as visit_queries
from timebank.visits import service as visits
from timebank.visits import settle


@pytest.fixture
def family(vw):
    vw.backstop(10_000)
    resident = vw.resident(kinds=("tekun",), birth=date(1940, 1, 1), living="alone")
    relative = vw.relative_user(resident.id)
    vw.fund(relative.person_id, 120)
    link = vw.session.scalars(select(Relative).where(Relative.relative_id == relative.person_id)).one()
    return {"resident": resident, "relative": relative, "link": link}


def unlink(vw, family):
    station.unlink_relative(vw.session, vw.admin, family["resident"].id, family["link"].id, reason="登记错误",
                            now=NOW)
    vw.session.commit()


def test_the_verified_link_carried_rights_before(vw, family):
    relative, resident = family["relative"], family["resident"]
    assert [t[0] for t in ledger_queries.gift_targets(vw.session, relative.person_id, ("child",))] == [resident.id]
    assert [p.id for p in visit_queries.residents_for_poster(vw.session, relative)] == [resident.id]
    outcome = vw.run(lambda: ledger.gift(vw.session, relative, to_person_id=resident.id, minutes=10, memo=None,
                                         key=vw.key("gift"), now=NOW))
    assert outcome.transfer.minutes == 10


def test_an_unlinked_relative_cannot_gift_post_or_confirm(vw, family):
    relative, resident = family["relative"], family["resident"]
    req = vw.post(vw.admin, resident, payer="backstop")
    volunteer = vw.volunteer()
    vw.take(volunteer, req)
    vw.session.refresh(req)
    vw.serve(volunteer, req)
    unlink(vw, family)
    assert ledger_queries.gift_targets(vw.session, relative.person_id, ("child",)) == []
    assert visit_queries.residents_for_poster(vw.session, relative) == []
    assert visit_queries.services_for(vw.session, relative) == []
    assert charity_queries.allocations_for_person(vw.session, relative.person_id) == []
    with pytest.raises(DomainError):
        vw.run(lambda: ledger.gift(vw.session, relative, to_person_id=resident.id, minutes=10, memo=None,
                                   key=vw.key("gift"), now=NOW))
    vw.session.rollback()
    with pytest.raises(NotInScope):
        vw.post(relative, resident, payer="backstop")
    vw.session.rollback()
    with pytest.raises(DomainError):
        settle.confirm(vw.session, relative, req.id, rating=5, comment=None, now=NOW, today=TODAY)
    vw.session.rollback()
    assert "relative" not in visits.roles_of(vw.session, relative, req)
    vw.check()


def test_an_unlinked_spouse_no_longer_counts_for_redemption(vw):
    resident = vw.resident(birth=date(1940, 1, 1))
    spouse = vw.person(date(1941, 1, 1), name="老伴")
    vw.relate(resident.id, spouse.id, kinship="spouse")
    link = vw.session.scalars(select(Relative).where(Relative.relative_id == spouse.id)).one()
    # the spouse's hours may pay for the resident's service only while the link stands
    assert ledger.redeem_facts(vw.session, spouse.id, resident.id, TODAY)[0] == "spouse"
    station.unlink_relative(vw.session, vw.admin, resident.id, link.id, reason="不是配偶", now=NOW)
    vw.session.commit()
    assert ledger.redeem_facts(vw.session, spouse.id, resident.id, TODAY)[0] != "spouse"


def phone_on_visit_page(vw, viewer, req):
    """The phone the visit page shows this viewer (least disclosure, visits/disclosure.py), or None."""
    shown = visit_disclosure.view(vw.session, viewer, req)
    return shown.phone if shown is not None else None


def test_volunteer_sees_the_phone_only_during_an_active_visit(vw):
    resident = vw.resident()
    resident.phone = "13912345678"
    vw.session.commit()
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, resident, payer="county_donation")
    assert phone_on_visit_page(vw, volunteer, req) != "13912345678"
    with pytest.raises(NotInScope):
        disclosure.reveal(vw.session, volunteer, resident.id, "phone", reason=None, ip=None)
    vw.session.rollback()
    vw.take(volunteer, req)
    vw.session.refresh(req)
    assert req.status == "matched"
    assert phone_on_visit_page(vw, volunteer, req) == "13912345678"
    other = vw.volunteer()
    assert phone_on_visit_page(vw, other, req) != "13912345678"
    shown = disclosure.reveal(vw.session, volunteer, resident.id, "phone", reason="联系上门时间", ip="10.0.0.1")
    vw.session.commit()
    assert shown.value == "13912345678"
    logged = vw.session.scalars(select(AccessEvent)).all()
    assert [(e.actor_id, e.person_id, e.action, e.field, e.reason) for e in logged] == [
        (volunteer.id, resident.id, "reveal", "phone", "联系上门时间")]
    with pytest.raises(NotInScope):  # never the emergency contact
        disclosure.reveal(vw.session, volunteer, resident.id, "emergency_contact", reason=None, ip=None)
    vw.session.rollback()
    vw.serve(volunteer, req)
    vw.session.refresh(req)
    assert req.status == "done" and phone_on_visit_page(vw, volunteer, req) != "13912345678"
