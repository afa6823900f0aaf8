"""The demo county (示范县): org tree, stations, staff, volunteers, residents and relatives.

Deterministic (a fixed random seed) and idempotent (a second run finds the county and stops).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from timebank.accounts import service as accounts
from timebank.accounts.domain import make_id_number
from timebank.accounts.models import OrgNode
from timebank.accounts.passwords import hash_password
from timebank.catalog.models import Skill
from timebank.catalog.seed import ensure_skills
from timebank.demo import ledger_history, names
from timebank.people import domain as people_domain
from timebank.people.models import Availability, HardshipStatus, Relative, ResidentProfile, VolunteerProfile

COUNTY_CODE = "DEMO"
REGION = "420999"  # fictional region code used for every demo ID number

DEMO_LOGINS = (
    # (login, password, role, what)
    ("admin", "Demo-admin-2026", "admin", "县民政局管理员"),
    ("chengguan", "Demo-station-2026", "station", "城关镇社工站"),
    ("donghu", "Demo-station-2026", "station", "东湖镇社工站"),
    ("13900000011", "Demo-social-2026", "social_worker", "城关镇社工"),
    ("13900000001", "Demo-volunteer-2026", "volunteer", "城关镇志愿者"),
    ("13900000002", "Demo-relative-2026", "relative", "一位独居老人的女儿"),
    ("charity1", "Demo-charity-2026", "charity", "示范县慈善总会"),
)


@dataclass
class SeedResult:
    created: bool
    townships: int = 0
    villages: int = 0
    stations: int = 0
    volunteers: int = 0
    social_workers: int = 0
    residents: int = 0
    relatives: int = 0
    charities: int = 0


class _People:
    """Unique fictional identities: names, checksum-valid ID numbers and phone numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: dict[date, int] = {}
        self.phone = 13700000000

    def name(self, gender: str) -> str:
        pool = names.GIVEN_MALE if gender == "male" else names.GIVEN_FEMALE
        given = self.rng.choice(pool) + (self.rng.choice(pool) if self.rng.random() < 0.7 else "")
        return self.rng.choice(names.SURNAMES) + given

    def id_number(self, birth: date, gender: str) -> str:
        count = self.used.get(birth, 0) + 1
        self.used[birth] = count
        return make_id_number(REGION, birth, 2 * count - 1 if gender == "male" else 2 * count)  # odd = male

    def next_phone(self) -> str:
        self.phone += self.rng.randint(1, 97)
        return str(self.phone)


def seed_demo(session, *, today: date, volunteers: int = 300, residents: int = 500) -> SeedResult:
    """Load the demo county unless it is already there. Flushes; the caller commits."""
    ensure_skills(session)
    if session.scalar(select(OrgNode.id).where(OrgNode.code == COUNTY_CODE)) is not None:
        return SeedResult(created=False)
    rng = random.Random(2026)
    gen = _People(rng)
    result = SeedResult(created=True)
    skills = list(session.scalars(select(Skill).order_by(Skill.sort_order)))
    county = accounts.create_root(session, name="示范县", code=COUNTY_CODE, latitude=30.53, longitude=114.30)
    admin = accounts.create_user(session, password="Demo-admin-2026", roles=("admin",), username="admin",
                                 node_id=county.id)

    villages: list[OrgNode] = []
    station_by_township = {}
    for t_index, (t_name, t_code, lat, lon) in enumerate(names.TOWNSHIPS):
        township = accounts.add_org_node(session, admin, county.id, name=t_name, code=f"{COUNTY_CODE}-{t_code}",
                                         latitude=lat, longitude=lon)
        result.townships += 1
        for v_index in range(10):
            stem = names.VILLAGE_STEMS[t_index * 10 + v_index]
            suffix = "社区" if t_name.endswith("街道") or v_index < 2 else "村"
            village = accounts.add_org_node(
                session, admin, township.id, name=stem + suffix, code=f"{COUNTY_CODE}-{t_code}-{v_index + 1:02d}",
                latitude=round(lat + rng.uniform(-0.05, 0.05), 5), longitude=round(lon + rng.uniform(-0.06, 0.06), 5),
            )
            villages.append(village)
            result.villages += 1
        if t_index < 5:
            station_by_township[township.id] = accounts.add_station(
                session, node_id=township.id, name=f"{t_name}社工站", phone=f"0700-8{t_index}00{t_index}00",
                address=f"{t_name}{names.STREETS[t_index]}{t_index + 1}号",
            )
            result.stations += 1

    townships = {v.parent_id for v in villages}
    township_nodes = {n.id: n for n in session.scalars(select(OrgNode).where(OrgNode.id.in_(townships)))}
    by_code = {n.code: n for n in township_nodes.values()}
    chengguan, donghu = by_code[f"{COUNTY_CODE}-CG"], by_code[f"{COUNTY_CODE}-DH"]
    accounts.create_user(session, password="Demo-station-2026", roles=("station",), username="chengguan",
                         node_id=chengguan.id, station_id=station_by_township[chengguan.id].id)
    accounts.create_user(session, password="Demo-station-2026", roles=("station",), username="donghu",
                         node_id=donghu.id, station_id=station_by_township[donghu.id].id)
    shared_hash = hash_password("Demo-volunteer-2026")
    cg_villages = [v for v in villages if v.parent_id == chengguan.id]

    def person(village: OrgNode, birth: date, gender: str, phone: str | None, name: str | None = None):
        street = rng.choice(names.STREETS)
        return accounts.create_person(session, accounts.PersonInput(
            name=name or gen.name(gender), id_number=gen.id_number(birth, gender), phone=phone,
            address=f"{village.name}{street}{rng.randint(1, 199)}号", node_id=village.id), today)

    def volunteer(village, *, phone, social_worker=False, status="approved", name=None, password=None,
                  station=None):
        gender = rng.choice(("male", "female"))
        birth = today - timedelta(days=rng.randint(19 * 365, 70 * 365))
        who = person(village, birth, gender, phone, name)
        roles = ("social_worker", "volunteer") if social_worker else ("volunteer",)
        user = accounts.create_user(session, password=password or "", roles=roles, phone=phone, person=who,
                                    password_hash=None if password else shared_hash,
                                    station_id=station.id if station else None)
        user.privacy_version = "2026-11"
        chosen = rng.sample(skills[:13], k=rng.randint(1, 4))
        profile = VolunteerProfile(
            person=who, status=status, is_social_worker=social_worker, skills=chosen,
            emergency_contact_name=gen.name(rng.choice(("male", "female"))), emergency_contact_phone=gen.next_phone(),
            max_minutes_per_week=rng.choice((240, 360, 480, 600)), travel_radius_km=rng.choice((3, 5, 8, 10)),
            review_reason=None if status != "rejected" else "信息不完整,请到社工站补充材料",
            reviewed_by_id=admin.id if status != "pending" else None,
        )
        for weekday in sorted(rng.sample(range(7), k=rng.randint(2, 5))):
            start = rng.choice((8 * 60, 9 * 60, 13 * 60, 14 * 60, 18 * 60))
            profile.availability.append(Availability(weekday=weekday, start_minute=start,
                                                     end_minute=start + rng.choice((120, 180, 240))))
        session.add(profile)
        return who

    volunteer(cg_villages[0], phone="13900000001", name="刘志强", password="Demo-volunteer-2026")
    volunteer(cg_villages[1], phone="13900000011", name="陈慧敏", password="Demo-social-2026",
              social_worker=True, station=station_by_township[chengguan.id])
    result.volunteers += 1
    result.social_workers += 1
    stations = list(station_by_township.values())
    for index in range(9):
        station = stations[index % len(stations)]
        village = rng.choice([v for v in villages if v.parent_id == station.node_id])
        volunteer(village, phone=gen.next_phone(), social_worker=True, station=station)
        result.social_workers += 1
    for index in range(volunteers - 1):
        status = "pending" if index % 15 == 0 else ("rejected" if index % 97 == 0 else "approved")
        volunteer(rng.choice(villages), phone=gen.next_phone(), status=status)
        result.volunteers += 1

    resident_people = []
    for index in range(residents):
        village = cg_villages[0] if index == 0 else rng.choice(villages)
        child = index % 20 == 19
        if child:
            birth = today - timedelta(days=rng.randint(6 * 365, 14 * 365))
        else:
            birth = today - timedelta(days=rng.randint(60 * 365, 98 * 365))
        gender = "female" if index == 0 else rng.choice(("male", "female"))
        who = person(village, birth, gender, None if rng.random() < 0.6 else gen.next_phone(),
                     name="王秀英" if index == 0 else None)
        age = (today - birth).days // 365
        living = "alone" if index == 0 else (
            "with_family" if child else rng.choices(people_domain.LIVING_SITUATIONS, (35, 30, 35))[0])
        disability = rng.choices((0, 1, 2, 3, 4), (80, 4, 5, 6, 5))[0]
        registered = datetime.combine(today - timedelta(days=rng.randint(40, 400)), datetime.min.time(), tzinfo=UTC)
        profile = ResidentProfile(person=who, living_situation=living, disability_grade=disability,
                                  consent_form_ref=f"ZQ-{2026}-{index + 1:04d}", registered_by_id=admin.id,
                                  created_at=registered)
        kinds: set[str] = set()
        if child:
            kinds.add(rng.choice(("left_behind_child", "left_behind_child", "child_in_difficulty", "orphan",
                                  "de_facto_orphan")))
        else:
            roll = rng.random()
            if roll < 0.06 or index == 0:
                kinds.add("tekun")
            elif roll < 0.22:
                kinds.add("dibao")
            elif roll < 0.28:
                kinds.add("dibao_edge")
            elif roll < 0.31:
                kinds.add("expenditure")
        if disability in (1, 2):
            kinds.add("severe_disability")
        for kind in sorted(kinds):
            profile.statuses.append(HardshipStatus(kind=kind, evidence_no=f"MZ{rng.randint(100000, 999999)}",
                                                   review_date=today + timedelta(days=rng.randint(30, 360))))
        session.add(profile)
        resident_people.append((who, age, child))
        result.residents += 1

    # Relatives: the demo relative login is the daughter of the first (lone, 特困) elder.
    elder = resident_people[0][0]
    daughter = person(cg_villages[0], today - timedelta(days=45 * 365), "female", "13900000002", name="王丽")
    accounts.create_user(session, password="Demo-relative-2026", roles=("relative",), phone="13900000002",
                         person=daughter)
    session.add(Relative(resident_id=elder.id, relative_id=daughter.id, kinship="child", verified=True,
                         verified_by_id=admin.id))
    result.relatives += 1
    for who, _age, child in resident_people[1:]:
        if child or rng.random() > 0.2:
            continue
        kin_birth = who.birth_date + timedelta(days=rng.randint(22 * 365, 32 * 365))
        kin = person(who.node, kin_birth, rng.choice(("male", "female")), gen.next_phone())
        session.add(Relative(resident_id=who.id, relative_id=kin.id, kinship="child",
                             verified=rng.random() < 0.8, verified_by_id=admin.id))
        result.relatives += 1

    charity_hash = hash_password("Demo-charity-2026")
    for index, _name in enumerate(names.CHARITIES):
        accounts.create_user(session, password="", roles=("charity",), username=f"charity{index + 1}",
                             node_id=county.id, password_hash=charity_hash)
        result.charities += 1
    session.flush()
    ledger_history.seed_history(session, admin, today=today)
    session.flush()
    from timebank.demo.visits_history import seed_visits

    seed_visits(session, admin, today=today)
    session.flush()
    from timebank.demo.charity_history import seed_charities

    seed_charities(session, admin, today=today)
    session.flush()
    from timebank.demo.orgs_history import seed_orgs

    seed_orgs(session, today=today)
    from timebank.demo.record_history import seed_record

    seed_record(session, admin, today=today)
    from timebank.demo.paper_history import seed_paperwork

    seed_paperwork(session, admin, today=today)
    from timebank.demo.reports_history import seed_report_history

    seed_report_history(session, admin, today=today)
    session.flush()
    return result
