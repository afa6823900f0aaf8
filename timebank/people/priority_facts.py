"""Load a person's priority facts from the database and ask the one rule (timebank.policy.priority)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from timebank.accounts.domain import age_on
from timebank.accounts.models import Person
from timebank.people.models import HardshipStatus, ResidentProfile
from timebank.policy import priority as rules
from timebank.policy import service as policy_service


def table(session) -> rules.Table:
    """The priority table of the policy version in force."""
    return policy_service.current(session)[1].priority


def facts_for(session, person_ids: Iterable[int], today: date) -> dict[int, rules.Facts]:
    """Facts of many persons in two queries; a person without a resident profile has only an age."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Person.id, Person.birth_date, ResidentProfile.living_situation, ResidentProfile.disability_grade,
               ResidentProfile.adl_level)
        .outerjoin(ResidentProfile, ResidentProfile.person_id == Person.id).where(Person.id.in_(ids))).all()
    statuses: dict[int, list[rules.Status]] = defaultdict(list)
    for person_id, kind, review in session.execute(
            select(HardshipStatus.person_id, HardshipStatus.kind, HardshipStatus.review_date)
            .where(HardshipStatus.person_id.in_(ids)).order_by(HardshipStatus.kind)):
        statuses[person_id].append(rules.Status(kind, review))
    return {row.id: rules.Facts(age=age_on(row.birth_date, today), living=row.living_situation,
                                statuses=tuple(statuses[row.id]), disability_grade=row.disability_grade or 0,
                                adl_level=row.adl_level) for row in rows}


def priorities(session, person_ids: Iterable[int], today: date,
               table_: rules.Table | None = None) -> dict[int, rules.Priority]:
    """The priority of many persons (the table in force unless given)."""
    table_ = table_ or table(session)
    return {pid: rules.evaluate(facts, table_, today) for pid, facts in facts_for(session, person_ids, today).items()}


def priority_of(session, person_id: int, today: date) -> rules.Priority:
    """One person's priority today; a person who does not exist is tier 5 with no groups."""
    found = priorities(session, [person_id], today)
    return found.get(person_id) or rules.evaluate(rules.Facts(age=0), table(session), today)
