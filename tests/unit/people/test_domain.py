from datetime import date

from timebank.people import domain


def test_signup_age_boundary():
    today = date(2026, 11, 29)
    assert domain.signup_problem(date(2008, 11, 29), today, 18) is None
    assert domain.signup_problem(date(2008, 11, 30), today, 18) == "under_age"


def test_direct_relationships_exclude_other():
    assert "other" not in domain.DIRECT_RELATIONSHIPS
    assert domain.DIRECT_RELATIONSHIPS < set(domain.RELATIONSHIPS)
