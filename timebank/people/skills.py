"""Which of a volunteer's skills count for eligibility: the one query every eligibility check uses (matching,
take-seat, the open-request list). A skill that needs a certificate (护理、心理疏导、法律咨询) counts only while
a verified certificate is valid on `today` (county date); other declared skills always count."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from timebank.catalog.models import Skill
from timebank.people.models import volunteer_skill
from timebank.people.record_models import SkillCertificate


def counted_skills(session, person_ids: Iterable[int], today: date) -> dict[int, set[int]]:
    """person id -> ids of the declared skills that count today (every id asked for is a key)."""
    ids = sorted(set(person_ids))
    out: dict[int, set[int]] = {pid: set() for pid in ids}
    if not ids:
        return out
    certified = defaultdict(set)
    for pid, skill_id in session.execute(
            select(SkillCertificate.person_id, SkillCertificate.skill_id).where(
                SkillCertificate.person_id.in_(ids), SkillCertificate.status == "verified",
                SkillCertificate.retired_at.is_(None), SkillCertificate.valid_until >= today)):
        certified[pid].add(skill_id)
    for pid, skill_id, needs in session.execute(
            select(volunteer_skill.c.person_id, Skill.id, Skill.needs_certificate)
            .join(Skill, Skill.id == volunteer_skill.c.skill_id).where(volunteer_skill.c.person_id.in_(ids))):
        if not needs or skill_id in certified[pid]:
            out[pid].add(skill_id)
    return out


def skill_problem(session, person_id: int, needed: set[int], today: date) -> str | None:
    """None when the volunteer's counted skills cover `needed`; else what is missing, in plain words."""
    missing = needed - counted_skills(session, [person_id], today)[person_id]
    if not missing:
        return None
    rows = list(session.scalars(select(Skill).where(Skill.id.in_(missing)).order_by(Skill.sort_order)))
    from timebank.i18n import is_english

    names = (", " if is_english() else "、").join(s.name("en" if is_english() else "zh") for s in rows)
    certified = [s for s in rows if s.needs_certificate]
    if certified and len(certified) == len(rows):
        return _("该服务需要经社工站核验且在有效期内的证书（%(skills)s）。证书待核验或已过期时不能接这项服务，"
                 "请带证书原件到社工站核验。", skills=names)
    return _("志愿者不具备该服务所需的技能（%(skills)s）", skills=names)
