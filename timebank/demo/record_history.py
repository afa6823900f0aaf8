"""Demo volunteer records: numbers for every approved volunteer, a few trainings, an award, an evaluation,
insurance for some volunteers, one verified and one pending skill certificate. Deterministic; run once by
seed_demo (which stops when the county exists); flushes, never commits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from timebank.accounts.models import Person, User
from timebank.catalog.models import Skill
from timebank.people import volunteer_record
from timebank.people.models import VolunteerProfile
from timebank.people.record_models import (
    AwardRecord,
    EvaluationRecord,
    InsuranceRecord,
    SkillCertificate,
    TrainingRecord,
)


def seed_record(session, admin: User, *, today: date) -> None:
    if session.scalar(select(TrainingRecord.id).limit(1)) is not None:
        return
    now = datetime.combine(today, time(2, 0), tzinfo=UTC)
    volunteer_record.assign_missing_numbers(session, now=now)
    skills = {s.code: s for s in session.scalars(select(Skill))}

    def profile(phone: str) -> VolunteerProfile:
        return session.scalar(select(VolunteerProfile).join(Person, Person.id == VolunteerProfile.person_id)
                              .where(Person.phone == phone))

    volunteer, social = profile("13900000001"), profile("13900000011")
    others = list(session.scalars(select(VolunteerProfile).where(
        VolunteerProfile.status == "approved",
        VolunteerProfile.person_id.not_in((volunteer.person_id, social.person_id)))
        .order_by(VolunteerProfile.person_id).limit(8)))
    common = {"created_by_id": admin.id, "created_at": now}
    for who, course, minutes, days in ((volunteer, "老年人照护基础培训", 180, 60), (volunteer, "防跌倒与应急处置", 120, 20),
                                       (social, "心理疏导进阶培训", 240, 45), (others[0], "志愿服务通识培训", 90, 30)):
        session.add(TrainingRecord(person_id=who.person_id, course=course, minutes=minutes, issuer="示范县民政局",
                                   held_on=today - timedelta(days=days), **common))
    session.add(AwardRecord(person_id=social.person_id, title="示范县优秀志愿者", level="county", issuer="示范县民政局",
                            awarded_on=today - timedelta(days=90), **common))
    session.add(EvaluationRecord(person_id=volunteer.person_id, evaluated_on=today - timedelta(days=10), rating=5,
                                 comment="服务认真，老人满意", **common))
    for index, who in enumerate([volunteer, social, *others[:4]]):
        session.add(InsuranceRecord(person_id=who.person_id, insurer="中国人保财险示范县支公司",
                                    policy_no=f"PA2026-{index + 1:04d}", valid_from=today - timedelta(days=100),
                                    valid_to=today + timedelta(days=265), **common))
    # the social worker's 心理疏导 certificate is verified; the volunteer's 护理 certificate waits for the station
    if skills["psych_support"] not in social.skills:
        social.skills.append(skills["psych_support"])
    if skills["nursing"] not in volunteer.skills:
        volunteer.skills.append(skills["nursing"])
    session.add(SkillCertificate(person_id=social.person_id, skill_id=skills["psych_support"].id,
                                 certificate_no="XL-2024-0312", issuer="示范县人力资源和社会保障局",
                                 valid_until=today + timedelta(days=700), status="verified", verified_by_id=admin.id,
                                 verified_at=now, **common))
    session.add(SkillCertificate(person_id=volunteer.person_id, skill_id=skills["nursing"].id,
                                 certificate_no="HS-2025-0088", issuer="示范县卫生健康局",
                                 valid_until=today + timedelta(days=400), **common))
    session.flush()
