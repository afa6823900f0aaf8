"""The card's short code and the drawn-signature path validator (pure)."""

from __future__ import annotations

import pytest

from timebank.visits import signing
from timebank.visits.signing import BadSignature, card_code, clean_signature, code_matches, normalise_code


def test_card_code_is_six_digits_stable_and_depends_on_secret_resident_and_version():
    code = card_code("secret", 311, 1)
    assert len(code) == 6 and code.isdigit()
    assert card_code("secret", 311, 1) == code
    assert card_code(b"secret", 311, 1) == code
    assert card_code("secret", 312, 1) != code
    assert card_code("secret", 311, 2) != code
    assert card_code("other-secret", 311, 1) != code


def test_card_codes_spread_over_the_range_and_keep_leading_zeros():
    codes = {card_code("k", resident, 1) for resident in range(2000)}
    assert len(codes) > 1990  # essentially no collisions in a county's worth of cards
    assert all(len(c) == 6 for c in codes)
    assert any(c.startswith("0") for c in codes)


def test_codes_are_typed_with_spaces_or_dashes_but_only_six_ascii_digits():
    assert normalise_code(" 123 456 ") == "123456"
    assert normalise_code("123-456") == "123456"
    for bad in (None, "", "12345", "1234567", "12345a", "１２３４５６", "12 34 5"):
        assert normalise_code(bad) is None
    code = card_code("k", 1, 1)
    assert code_matches(code, signing.grouped(code))
    assert not code_matches(code, str((int(code) + 1) % 10 ** 6).zfill(6))
    assert not code_matches(code, None)


def test_a_drawn_signature_is_kept_as_canonical_path_data():
    assert clean_signature("M10 20 L30 40 L50 60") == "M10 20 L30 40 L50 60"
    assert clean_signature("M 10,20 L 30,40  m5 5 l1.25 -2 Z") == "M10 20 L30 40 m5 5 l1.2 -2 Z"
    assert clean_signature("M0 0 10 10") == "M0 0 10 10"  # implicit line-to after a move
    assert clean_signature("M1 1 C 2 2 3 3 4 4 Q5 5 6 6 H7 V8") == "M1 1 C2 2 3 3 4 4 Q5 5 6 6 H7 V8"


@pytest.mark.parametrize("bad, reason", [
    (None, "empty"), ("", "empty"), ("   ", "empty"),
    ("M10 10", "empty"),  # a dot is no signature
    ("M10 10 Z", "empty"),
    ("L10 10 L20 20", "start"),
    ("10 10 L20 20", "start"),
    ("M10 10 L20", "numbers"),
    ("M10 10 L20 20 Z 5", "numbers"),
    ("M10 10 C1 2 3 4 5", "numbers"),
    ("M10 10 L1e9 2", "syntax"),
    ("M0 0 L99999 5", "bounds"),
    ('M0 0 L10 10"/><script>alert(1)</script>', "syntax"),
    ("<svg onload=alert(1)><path d='M0 0 L1 1'/></svg>", "syntax"),
    ("javascript:alert(1)", "syntax"),
    ("M0 0 L10 10 url(#x)", "syntax"),
    ("hello world", "start"),  # h is a path command, but not a first one
    ("world", "syntax"),
    ("M0 0 A 1 1 0 0 1 5 5", "syntax"),  # arcs are never drawn by the pad
])
def test_anything_but_a_bounded_well_formed_path_is_refused(bad, reason):
    with pytest.raises(BadSignature) as caught:
        clean_signature(bad)
    assert caught.value.reason == reason


def test_an_oversized_signature_is_refused_before_parsing():
    segments = " ".join(f"L{i % 600} {i % 300}" for i in range(4000))
    path = "M0 0 " + segments
    assert len(path) > signing.SIGNATURE_MAX_BYTES
    with pytest.raises(BadSignature) as caught:
        clean_signature(path)
    assert caught.value.reason == "too_large"
    small = "M0 0 " + " ".join(f"L{i % 600} {i % 300}" for i in range(1500))
    assert len(small) < signing.SIGNATURE_MAX_BYTES
    assert clean_signature(small).startswith("M0 0 L0 0 L1 1")
