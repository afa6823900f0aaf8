"""Pure onboarding rules: real-format unified social credit codes (GB 32100-2015), the 慈善组织 registration
number, and who may be removed from a charity."""

from __future__ import annotations

import pytest

from timebank.charity import domain

# real-format codes: 工商 enterprises (91), 民政 social organisations (51 团体, 53 基金会), 事业单位 (12)
VALID = ("91350100M000100Y43", "91110000600037341L", "51100000500010993L", "53100000500021676K",
         "91440300708461136T", "12100000400000624D")


@pytest.mark.parametrize("code", VALID)
def test_real_format_codes_pass_the_checksum(code):
    assert domain.parse_credit_code(code) == code
    assert domain.parse_credit_code(code.lower()) == code


@pytest.mark.parametrize("code", VALID)
def test_every_other_check_character_fails(code):
    for char in domain.CREDIT_CHARS:
        if char != code[17]:
            with pytest.raises(domain.CharityRuleBroken) as error:
                domain.parse_credit_code(code[:17] + char)
            assert error.value.reason == "credit_checksum"


@pytest.mark.parametrize("code,reason", [
    ("53100000500021676", "credit_format"),  # 17 characters
    ("531000005000216760K", "credit_format"),  # 19
    ("5310000050002167SK", "credit_format"),  # S is not used
    ("53A0000050002167 6K".replace(" ", ""), "credit_format"),  # a letter in the region code
    ("53100000500021676X", "credit_checksum"),
    ("91440300708461136Z", "credit_format"),
])
def test_wrong_codes(code, reason):
    with pytest.raises(domain.CharityRuleBroken) as error:
        domain.parse_credit_code(code)
    assert error.value.reason == reason


def test_registration_numbers():
    assert domain.parse_registration_number(" 53420100MJ0001234X ", "charity") == "53420100MJ0001234X"
    assert domain.parse_registration_number("鄂民慈登字〔2020〕第12号", "public_fundraising") == "鄂民慈登字〔2020〕第12号"
    assert domain.parse_registration_number("", "enterprise") is None
    for raw, registration, reason in (("", "charity", "registration_number_missing"),
                                      ("", "public_fundraising", "registration_number_missing"),
                                      ("abc", "charity", "registration_number_format"),
                                      ("<script>", "social_org", "registration_number_format"),
                                      ("x" * 41, "charity", "registration_number_format")):
        with pytest.raises(domain.CharityRuleBroken) as error:
            domain.parse_registration_number(raw, registration)
        assert error.value.reason == reason


def test_the_last_owner_stays():
    assert domain.removal_problem(removing_owner=True, active_owners=1, already_removed=False) == "last_owner"
    assert domain.removal_problem(removing_owner=True, active_owners=2, already_removed=False) is None
    assert domain.removal_problem(removing_owner=False, active_owners=1, already_removed=False) is None
    assert domain.removal_problem(removing_owner=False, active_owners=1, already_removed=True) == "member_removed"
