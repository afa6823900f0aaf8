"""The demo organisation: members, one confirmed past activity credited through the ledger, one upcoming
activity; seeding again changes nothing and `ledger check` passes."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from timebank.demo.orgs_history import ORG_NAME, seed_orgs
from timebank.demo.seed import seed_demo
from timebank.ledger import reconcile
from timebank.orgs.models import ActivitySignup, GroupActivity, OrgMembership, VolunteerOrg

TODAY = date(2026, 11, 29)


def test_demo_org_is_seeded_once_with_a_confirmed_and_an_upcoming_activity(session):
    seed_demo(session, today=TODAY, volunteers=60, residents=10)
    session.commit()
    org = session.scalar(select(VolunteerOrg).where(VolunteerOrg.name == ORG_NAME))
    assert org is not None and org.leader.user.phone == "13900000001"
    assert session.scalar(select(func.count()).select_from(OrgMembership).where(
        OrgMembership.org_id == org.id, OrgMembership.status == "approved")) >= 4
    statuses = sorted(session.scalars(select(GroupActivity.status).where(GroupActivity.org_id == org.id)))
    assert statuses == ["confirmed", "open"]
    credited = session.scalar(select(func.sum(ActivitySignup.credited_minutes)))
    assert credited and credited % 180 == 0
    assert seed_orgs(session, today=TODAY) is None
    assert session.scalar(select(func.count()).select_from(GroupActivity)) == 2
    assert reconcile.run_check(session, now=datetime(2026, 11, 29, 3, tzinfo=UTC), record=False).ok
