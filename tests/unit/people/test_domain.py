from datetime import date

from timebank.people import domain


def test_signup_age_boundary():
    today = date(2026, 11, 29)
    assert domain.signup_problem(date(2008, 11, 29), today, 18) is None
    assert domain.signup_problem(date(2008, 11, 30), today, 18) == "under_age"


def test_direct_relationships_exclude_other():
    assert "other" not in domain.DIRECT_RELATIONSHIPS
    assert domain.DIRECT_RELATIONSHIPS < set(domain.RELATIONSHIPS)


def test_a_link_read_from_the_relatives_side_is_the_inverse():
    from timebank.people.domain import kinship_seen_by_relative

    pairs = {"child": "parent", "parent": "child", "grandchild": "grandparent", "grandparent": "grandchild",
             "spouse": "spouse", "sibling": "sibling", "other": "other"}
    for stored, seen in pairs.items():
        assert kinship_seen_by_relative(stored) == seen
        assert kinship_seen_by_relative(kinship_seen_by_relative(stored)) == stored
