"""Migration 0012_r1 on a database with data: approved volunteers get their number, and adding the columns
does not cascade away volunteer or category skill links (no SQLite table copy)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from tests.conftest import base_config, new_id_number
from timebank import create_app


def test_upgrade_backfills_numbers_and_keeps_skill_links(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'record.db'}"))
    with app.app_context():
        from timebank.accounts import service as accounts
        from timebank.catalog.categories import ensure_categories
        from timebank.catalog.models import Skill
        from timebank.extensions import db
        from timebank.people.models import VolunteerProfile

        upgrade()
        session = db.session
        root = accounts.create_root(session, name="测试县", code="T", latitude=30.5, longitude=114.3)
        admin = accounts.create_user(session, password="Admin-pass-2026", roles=("admin",), username="root",
                                     node_id=root.id)
        town = accounts.add_org_node(session, admin, root.id, name="甲镇", code="T-0", latitude=30.5, longitude=114.3)
        village = accounts.add_org_node(session, admin, town.id, name="甲村", code="T-0-0", latitude=30.5,
                                        longitude=114.3)
        ensure_categories(session)
        person = accounts.create_person(session, accounts.PersonInput(
            name="张伟", id_number=new_id_number(), phone=None, address=None, node_id=village.id), date(2026, 1, 1))
        skills = list(session.scalars(select(Skill).where(Skill.code.in_(("cleaning", "nursing")))))
        session.add(VolunteerProfile(person_id=person.id, status="approved", reviewed_at=datetime(2025, 6, 1, tzinfo=UTC),
                                     skills=skills))
        session.commit()
        pid = person.id
        links = session.execute(text("SELECT count(*) FROM service_category_skill")).scalar()
        session.remove()

        downgrade(revision="0011_s2")
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT volunteer_no FROM volunteer_profile")).scalar() == f"T-2025-{pid:06d}"
            assert conn.execute(text("SELECT count(*) FROM volunteer_skill")).scalar() == 2
            assert conn.execute(text("SELECT count(*) FROM service_category_skill")).scalar() == links > 0
            assert conn.execute(text("SELECT needs_certificate FROM skill WHERE code = 'nursing'")).scalar()
        db.engine.dispose()
