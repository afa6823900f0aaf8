"""The demo county loads once, with valid identities, and a second run changes nothing."""

from datetime import date

from sqlalchemy import func, select

from timebank.accounts import crypto
from timebank.accounts.domain import parse_id_number
from timebank.accounts.models import OrgNode, Person, User
from timebank.demo.seed import DEMO_LOGINS, seed_demo
from timebank.people.models import HardshipStatus, ResidentProfile, VolunteerProfile

TODAY = date(2026, 11, 29)


def test_seed_is_complete_valid_and_idempotent(session):
    result = seed_demo(session, today=TODAY, volunteers=40, residents=60)
    session.commit()
    assert result.created and result.townships == 6 and result.villages == 60 and result.stations == 5
    people = session.scalar(select(func.count()).select_from(Person))
    for person in session.scalars(select(Person).limit(50)):
        assert parse_id_number(crypto.decrypt(person.id_number_encrypted), today=TODAY).birth_date == person.birth_date
    villages = list(session.scalars(select(OrgNode).where(OrgNode.kind == "village")))
    assert all(v.latitude is not None and v.path.count("/") == 4 for v in villages)
    assert session.scalar(select(func.count()).select_from(HardshipStatus)) > 0
    assert session.scalar(select(func.count()).select_from(VolunteerProfile)
                          .where(VolunteerProfile.status == "pending")) > 0
    assert session.scalar(select(func.count()).select_from(ResidentProfile)) == 60
    logins = {u.username or u.phone for u in session.scalars(select(User))}
    assert {login for login, *_rest in DEMO_LOGINS} <= logins

    again = seed_demo(session, today=TODAY, volunteers=40, residents=60)
    session.commit()
    assert not again.created
    assert session.scalar(select(func.count()).select_from(Person)) == people


def test_demo_logins_work(client, session):
    seed_demo(session, today=TODAY, volunteers=5, residents=5)
    session.commit()
    from tests.conftest import Browserless

    for login, password, _role, _what in DEMO_LOGINS:
        web = Browserless(client)
        assert web.login(login, password).status_code == 302, login
        assert client.get("/me").status_code == 200
        web.logout()
