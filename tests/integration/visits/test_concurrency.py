"""Concurrent takers of the last seat: separate connections and threads, a database that commits; exactly
one wins. Runs on SQLite (a temporary file) and on PostgreSQL when TIMEBANK_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import (
    base_config,
    drop_pg_database,
    new_id_number,
    pg_database_url,
    postgres_url,
    reset_database,
    upgrade,
)
from timebank import create_app
from timebank.accounts import service as accounts
from timebank.errors import Conflict, InvalidTransition
from timebank.extensions import db
from timebank.people.models import Availability, ResidentProfile, VolunteerProfile
from timebank.visits import service as visits
from timebank.visits.models import Seat, ServiceRequest

THREADS = 12
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def conc_app(request, tmp_path_factory):
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('vconc') / 'visits.db'}"
    else:
        if postgres_url() is None:
            pytest.skip("PostgreSQL not configured: set TIMEBANK_TEST_DATABASE_URL")
        name = f"timebank_visits_conc_{os.getpid()}"
        url = pg_database_url(name)
    reset_database(url)
    app = create_app(base_config(url, TIMEBANK_FIXED_NOW=NOW, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_size": 20, "max_overflow": 20, "pool_timeout": 120}))
    upgrade(app)
    with app.app_context(), app.test_request_context():
        root = accounts.create_root(db.session, name="并发县", code="V")
        admin = accounts.create_user(db.session, password="Admin-pass-2026", roles=("admin",), username="root",
                                     node_id=root.id)
        town = accounts.add_org_node(db.session, admin, root.id, name="镇", code="V-1", latitude=30.5, longitude=114.3)
        village = accounts.add_org_node(db.session, admin, town.id, name="村", code="V-1-1", latitude=30.5,
                                        longitude=114.3)
        elder = accounts.create_person(db.session, accounts.PersonInput(
            name="老人", id_number=new_id_number(date(1940, 1, 1)), phone=None, address="一号", node_id=village.id),
            TODAY)
        db.session.add(ResidentProfile(person=elder, living_situation="alone", disability_grade=0))
        users = []
        for i in range(THREADS):
            person = accounts.create_person(db.session, accounts.PersonInput(
                name=f"志愿者{i}", id_number=new_id_number(), phone=None, address=None, node_id=village.id), TODAY)
            users.append(accounts.create_user(db.session, password="Volunteer-pass-2026", roles=("volunteer",),
                                              phone=f"139{i:08d}", person=person))
            db.session.add(VolunteerProfile(person=person, status="approved", availability=[
                Availability(weekday=d, start_minute=0, end_minute=1440) for d in range(7)]))
        db.session.commit()
        app.config["vconc"] = {"admin": admin.id, "elder": elder.id, "users": [u.id for u in users]}
    yield app
    with app.app_context():
        db.engine.dispose()
    if name:
        drop_pg_database(name)


def _post(app, seats: int) -> int:
    with app.app_context(), app.test_request_context():
        admin = db.session.get(accounts.User, app.config["vconc"]["admin"])
        from timebank.catalog.models import ServiceCategory

        category = db.session.scalar(select(ServiceCategory).where(ServiceCategory.code == "supplies"))
        start = NOW + timedelta(days=1 + seats)
        req = visits.post_request(db.session, admin, visits.RequestInput(
            resident_id=app.config["vconc"]["elder"], category_id=category.id, earliest_start=start,
            latest_end=start + timedelta(hours=2), duration_minutes=60, seats_volunteer=seats,
            payer="county_donation"), now=NOW, today=TODAY)[0]
        db.session.commit()
        return req.id


@pytest.mark.parametrize("seats", [1, 3])
def test_concurrent_takers_of_the_last_seats(conc_app, seats):
    request_id = _post(conc_app, seats)
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(i):
        with conc_app.app_context(), conc_app.test_request_context():
            barrier.wait()  # before any query: on SQLite the first statement takes the write lock
            try:
                user = db.session.get(accounts.User, conc_app.config["vconc"]["users"][i])
                visits.take_seat(db.session, user, request_id, now=NOW, today=TODAY)
                db.session.commit()
                results[i] = "won"
            except (Conflict, InvalidTransition) as error:
                db.session.rollback()
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("won") == seats, results
    assert all(r == "won" or isinstance(r, Conflict | InvalidTransition) for r in results), results
    with conc_app.app_context():
        active = db.session.scalar(select(func.count()).select_from(Seat).where(Seat.request_id == request_id,
                                                                                 Seat.status == "active"))
        status = db.session.scalar(select(ServiceRequest.status).where(ServiceRequest.id == request_id))
    assert (active, status) == (seats, "matched")
