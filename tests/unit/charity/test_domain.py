"""Pure charity rules: credit-code checksum, eligibility, stock movements and their replay."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timebank.charity import domain


def test_known_credit_codes_validate():
    for code in ("91350100M000100Y43", "91110000600037341L", "51100000500010993L"):
        assert domain.parse_credit_code(code) == code
    assert domain.parse_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize("code,reason", [
    ("", "credit_format"), ("91350100M000100Y4", "credit_format"), ("91350100M000100YI3", "credit_format"),
    ("91350100M000100Y44", "credit_checksum"), ("91350100M000100Y4O", "credit_format"),
    ("9135010AM000100Y43", "credit_format"),
])
def test_bad_credit_codes(code, reason):
    with pytest.raises(domain.CharityRuleBroken) as error:
        domain.parse_credit_code(code)
    assert error.value.reason == reason


@given(st.text(alphabet="0123456789", min_size=8, max_size=8),
       st.text(alphabet=domain.CREDIT_CHARS, min_size=9, max_size=9))
def test_made_codes_validate_and_any_single_change_is_caught(prefix, org):
    code = domain.make_credit_code(prefix[:2].replace("0", "5") + prefix[2:] + org)
    assert domain.parse_credit_code(code) == code
    wrong = code[:17] + next(c for c in domain.CREDIT_CHARS if c != code[17])
    with pytest.raises(domain.CharityRuleBroken):
        domain.parse_credit_code(wrong)


def test_eligibility_parts():
    rule = domain.Restriction(statuses=frozenset({"tekun"}), min_age=60, townships=frozenset({3}))
    ok = domain.ResidentFacts(age=80, statuses=frozenset({"tekun", "dibao"}), township_id=3)
    assert domain.ineligibility(rule, ok) is None
    assert domain.ineligibility(rule, domain.ResidentFacts(80, frozenset({"dibao"}), 3)) == "status"
    assert domain.ineligibility(rule, domain.ResidentFacts(59, frozenset({"tekun"}), 3)) == "age"
    assert domain.ineligibility(rule, domain.ResidentFacts(80, frozenset({"tekun"}), 4)) == "township"
    pool = domain.Restriction(categories=frozenset({7}))
    assert domain.ineligibility(pool, ok, category_id=8) == "category"
    assert domain.ineligibility(domain.Restriction(), ok, category_id=8) is None


@pytest.mark.parametrize("value", [0, -1, "0", "", "1.5", 1.5, None, True, 100_001])
def test_bad_quantities(value):
    with pytest.raises(domain.CharityRuleBroken):
        domain.parse_quantity(value)


def test_quantities():
    assert domain.parse_quantity("3") == 3 and domain.parse_quantity(2.0) == 2


def test_stock_moves_and_refuses_to_go_negative():
    stock = domain.replay([("received", 10), ("allocated", 1), ("delivered", 1), ("allocated", 2),
                           ("returned", 2), ("written_off", 1)])
    assert (stock.available, stock.reserved, stock.delivered, stock.gone) == (8, 0, 1, 1)
    with pytest.raises(domain.CharityRuleBroken) as error:
        stock.move("allocated", 9)
    assert error.value.reason == "stock"
    with pytest.raises(domain.CharityRuleBroken):
        stock.move("delivered", 1)


@given(st.lists(st.tuples(st.sampled_from(sorted(domain.MOVEMENTS)), st.integers(1, 5)), max_size=30))
def test_replay_never_goes_negative_and_conserves_units(moves):
    stock = domain.Stock()
    for kind, quantity in moves:
        try:
            stock = stock.move(kind, quantity)
        except domain.CharityRuleBroken:
            continue
        assert stock.available >= 0 and stock.reserved >= 0
        assert stock.available + stock.reserved + stock.delivered + stock.gone == stock.received


def test_compare_names_mismatches():
    assert domain.compare(1, 9, 0, [("received", 10), ("allocated", 1), ("delivered", 1)]) is None
    assert domain.compare(1, 10, 0, [("received", 10), ("allocated", 1)]).recomputed == (9, 1)
    assert domain.compare(1, 0, 0, [("allocated", 1)]).recomputed is None


def test_use_by_and_request_state():
    assert domain.usable(None, date(2026, 1, 1))
    assert domain.usable(date(2026, 1, 1), date(2026, 1, 1))
    assert not domain.usable(date(2025, 12, 31), date(2026, 1, 1))
    assert domain.request_state(2, 1, 0, False) == "open"
    assert domain.request_state(2, 1, 1, False) == "allocated"
    assert domain.request_state(2, 0, 2, False) == "delivered"
    assert domain.request_state(2, 0, 0, True) == "cancelled"
