"""Minors as volunteers: under the policy's depositor age, registered only by a station with a guardian and a
consent record, and never seated on an individual visit (group activities only)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from timebank.accounts.domain import age_on
from timebank.errors import ValidationFailed

GUARDIAN_MIN_AGE = 18
INDIVIDUAL_VISIT_REFUSED = _l("未成年志愿者只能参加集体活动，暂不能接单")


def is_minor(birth: date, today: date, min_age: int) -> bool:
    return age_on(birth, today) < min_age


def adult_cutoff(today: date, min_age: int) -> date:
    """The latest birth date of someone who is at least `min_age` today (29 February counts as 28)."""
    try:
        return today.replace(year=today.year - min_age)
    except ValueError:
        return today.replace(year=today.year - min_age, day=28)


def depositor_min_age(session) -> int:
    from timebank.policy import service as policy_service

    return policy_service.current(session)[1].depositor_min_age


class MinorIndividualVisit(ValidationFailed):
    status = 422
    code = "minor_individual_visit"
    message = INDIVIDUAL_VISIT_REFUSED


def check_may_take_seat(session, birth: date, today: date) -> None:
    """Raise unless the volunteer is old enough for an individual visit under the policy in force."""
    if is_minor(birth, today, depositor_min_age(session)):
        raise MinorIndividualVisit(field="volunteer_id", reason="minor")
