from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timebank.accounts import domain

TODAY = date(2026, 11, 29)


def test_valid_id_number_gives_birth_date_and_gender():
    parsed = domain.parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "female"  # 17th digit 2 is even
    assert parsed.region == "110105"


def test_lowercase_x_and_spaces_are_accepted():
    assert domain.parse_id_number(" 11010519491231002x ", today=TODAY).value == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("110105194912310021", "id_checksum"),
        ("1101051949123100", "id_format"),
        ("11010519491231002Y", "id_format"),
        ("", "id_format"),
        ("110105194902300020", "id_birth_date"),  # 30 February
        ("110105203001010010", "id_birth_date"),  # born in the future
    ],
)
def test_invalid_id_numbers_are_refused_with_a_reason(raw, reason):
    with pytest.raises(domain.IdentityError) as error:
        domain.parse_id_number(raw, today=TODAY)
    assert error.value.reason == reason


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY), st.integers(0, 999))
def test_made_id_numbers_always_validate(birth, sequence):
    value = domain.make_id_number("420999", birth, sequence)
    parsed = domain.parse_id_number(value, today=TODAY)
    assert parsed.birth_date == birth
    assert parsed.gender == ("male" if sequence % 2 else "female")


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY), st.integers(0, 999), st.integers(0, 16))
def test_any_single_digit_change_breaks_the_checksum(birth, sequence, position):
    value = domain.make_id_number("420999", birth, sequence)
    digit = str((int(value[position]) + 1) % 10)
    tampered = value[:position] + digit + value[position + 1:]
    with pytest.raises(domain.IdentityError):
        domain.parse_id_number(tampered, today=TODAY)


def test_phone_normalization():
    assert domain.normalize_phone("+86 139-0000-0001") == "13900000001"
    for bad in ("12900000001", "1390000000", "abc", "", "010-88886666"):
        with pytest.raises(domain.IdentityError):
            domain.normalize_phone(bad)


def test_masks_hide_all_but_the_edges():
    assert domain.mask_id_number("11010519491231002X") == "1****************X"
    assert domain.mask_phone("13900000001") == "139****0001"


def test_age_counts_whole_years():
    assert domain.age_on(date(2008, 11, 30), TODAY) == 17
    assert domain.age_on(date(2008, 11, 29), TODAY) == 18


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short1", "password_short"), ("12345678", "password_common"), ("aaaaaaaaaa", "password_common"),
     ("x" * 129, "password_long"), ("13900000001", "password_personal"), ("Correct-horse-7", None),
     ("长城万里永不倒塌", "password_weak"), ("长城万里永不倒塌2026", None),
     ("长城长城长城长城", "password_common"), ("onlyletters", "password_weak"), ("woaini1314", "password_common"),
     ("Zz13900000001", "password_personal")],
)
def test_password_policy(password, problem):
    assert domain.password_problem(password, user_values=("13900000001",)) == problem


def test_org_paths_nest():
    county = domain.node_path(None, 1)
    township = domain.node_path(county, 12)
    assert (county, township) == ("/1/", "/1/12/")
    assert domain.path_contains(county, township)
    assert not domain.path_contains("/1/13/", "/1/134/")
    assert not domain.path_contains(township, county)


def test_canonical_login_counts_every_spelling_of_a_phone_once():
    assert domain.canonical_login("+86 139-0000-0001") == domain.canonical_login("13900000001") == "13900000001"
    assert domain.canonical_login("  ChengGuan ") == "chengguan"


def test_password_may_not_contain_the_birth_date_from_the_id_number():
    id_number = domain.make_id_number("110101", date(1990, 5, 17), 11)
    assert domain.password_problem("Li19900517", user_values=(id_number,)) == "password_personal"
    assert domain.password_problem("Kx" + id_number[-6:] + "q", user_values=(id_number,)) == "password_personal"
    assert domain.password_problem("Correct-horse-7", user_values=(id_number,)) is None
