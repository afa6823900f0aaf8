"""The last unit under real concurrency: two station sessions (separate connections and threads) allocate
the last quilt of one donation to two residents at once; exactly one wins, the other is told the stock is
short, and the stored stock equals its movements. PostgreSQL (FOR UPDATE on the donation row) when
TIMEBANK_TEST_DATABASE_URL is set; SQLite (BEGIN IMMEDIATE) always."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from tests.conftest import base_config, new_id_number, pg_database_url, postgres_url, reset_database, upgrade
from timebank import clock, create_app
from timebank.accounts import service as accounts
from timebank.accounts.models import User
from timebank.charity import allocation, domain, queries, service
from timebank.charity.models import Allocation, Donation, Item
from timebank.extensions import db
from timebank.people.models import ResidentProfile

ROUNDS = 5


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def conc_app(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('conc') / 'charity.db'}"
    else:
        if postgres_url() is None:
            pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL")
        url = pg_database_url("timebank_charity_conc")
    reset_database(url)
    app = create_app(base_config(url))
    upgrade(app)
    with app.app_context(), app.test_request_context():
        root = accounts.create_root(db.session, name="并发县", code="C")
        admin = accounts.create_user(db.session, password="Admin-pass-2026", roles=("admin",), username="root",
                                     node_id=root.id)
        town = accounts.add_org_node(db.session, admin, root.id, name="镇", code="C-1", latitude=None, longitude=None)
        village = accounts.add_org_node(db.session, admin, town.id, name="村", code="C-1-1", latitude=None,
                                        longitude=None)
        station = accounts.add_station(db.session, node_id=town.id, name="镇社工站")
        staff = [accounts.create_user(db.session, password="Station-pass-2026", roles=("station",),
                                      username=f"s{i}", node_id=town.id, station_id=station.id).id for i in (1, 2)]
        member = accounts.create_user(db.session, password="Charity-pass-2026", roles=("charity",),
                                      username="c1", node_id=root.id)
        charity = service.register_charity(db.session, member, service.CharityInput(
            name="并发基金会", credit_code=domain.make_credit_code("53420100000000001"), registration="charity",
            contact_name="李", contact_phone="13800001111"), now=clock.now())
        service.review_charity(db.session, admin, charity.id, approve=True, reason=None, now=clock.now())
        db.session.commit()
        app.config["conc"] = {"staff": staff, "member": member.id, "village": village.id, "station": station.id}
    yield app
    with app.app_context():
        db.engine.dispose()


def _round(app, n: int):
    conf = app.config["conc"]
    with app.app_context(), app.test_request_context():
        quilt = db.session.scalar(db.select(Item).where(Item.code == "quilt"))
        member = db.session.get(User, conf["member"])
        donation = service.create_donation(db.session, member, service.DonationInput(
            item_id=quilt.id, quantity=1, station_id=conf["station"]), now=clock.now(), today=clock.today())
        requests = []
        for i in range(2):
            person = accounts.create_person(db.session, accounts.PersonInput(
                name=f"老人{n}{i}", id_number=new_id_number(date(1940, 1, 1)), phone=None, address=None,
                node_id=conf["village"]), clock.today())
            db.session.add(ResidentProfile(person_id=person.id))
            db.session.flush()
            staff = db.session.get(User, conf["staff"][i])
            requests.append(allocation.post_request(db.session, staff, allocation.GoodsRequestInput(
                resident_id=person.id, item_id=quilt.id, quantity=1, reason="御寒"),
                now=clock.now(), today=clock.today()).id)
        db.session.commit()
        return donation.id, requests


def test_two_stations_race_for_the_last_unit(conc_app):
    for n in range(ROUNDS):
        donation_id, requests = _round(conc_app, n)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def worker(index: int, barrier=barrier, outcomes=outcomes, requests=requests, donation_id=donation_id):
            with conc_app.app_context(), conc_app.test_request_context():
                barrier.wait(timeout=60)  # before any query: on SQLite the first query takes the write lock
                staff = db.session.get(User, conc_app.config["conc"]["staff"][index])
                try:
                    allocation.allocate(db.session, staff, requests[index], donation_id, method="pickup",
                                        now=clock.now(), today=clock.today())
                    db.session.commit()
                    outcomes.append("won")
                except service.StockShort:
                    db.session.rollback()
                    outcomes.append("short")
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["short", "won"]
        with conc_app.app_context():
            donation = db.session.get(Donation, donation_id)
            assert (donation.stock, donation.reserved) == (0, 1)
            allocations = db.session.scalars(db.select(Allocation).where(Allocation.donation_id == donation_id)).all()
            assert len(allocations) == 1
            assert queries.check_stock(db.session).ok
