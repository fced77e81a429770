"""Plaque codes catch a one-character slip and suggest the code that was meant."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guide.codes.format import ALPHABET
from guide.codes.format import BODY_LENGTH
from guide.codes.format import check_character
from guide.codes.format import is_well_formed
from guide.codes.format import single_typo_candidates
from guide.codes.format import typo_candidates

codes = st.text(ALPHABET, min_size=BODY_LENGTH, max_size=BODY_LENGTH).map(lambda body: body + check_character(body))


@given(codes, st.integers(0, 4), st.sampled_from(ALPHABET))
def test_every_substitution_is_caught_and_the_code_suggested(code, position, char):
    typo = code[:position] + char + code[position + 1 :]
    if typo == code:
        return
    assert not is_well_formed(typo)
    assert code in single_typo_candidates(typo)
    assert code in typo_candidates(typo)


@given(codes, st.integers(0, 3))
def test_a_swap_of_neighbours_suggests_the_code(code, position):
    typo = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if typo == code:
        return
    candidates = typo_candidates(typo)
    if is_well_formed(typo):
        # Luhn mod N misses a few swaps (FWW3Y and FWWY3 are both valid): the code as typed
        # comes first, then its well-formed swaps.
        assert candidates[0] == typo
    assert code in candidates


@given(codes, st.integers(0, 4))
def test_a_missing_character_suggests_the_code(code, position):
    assert code in typo_candidates(code[:position] + code[position + 1 :])


@given(codes, st.integers(0, 5), st.sampled_from(ALPHABET))
def test_an_extra_character_suggests_the_code(code, position, char):
    assert code in typo_candidates(code[:position] + char + code[position:])


@given(codes)
def test_candidates_are_always_well_formed_and_few(code):
    typo = code[:2] + ("A" if code[2] != "A" else "C") + code[3:]
    candidates = typo_candidates(typo)
    assert all(is_well_formed(candidate) for candidate in candidates)
    # Few enough to show as "did you mean" links once filtered by existing codes.
    assert len(candidates) < 40


@pytest.mark.parametrize(("typed", "expected"), [
    ("H3J4Y", ["H3J4Y"]),
    ("FWWY3", ["FWWY3", "FWW3Y"]),
    ("h3j4y", []),  # callers normalise case first
    ("HEJ4Y", ["H3J4Y"]),
    ("", []),
    ("AB", []),
    ("H3J4YXYZ", []),
])
def test_typo_candidates_edge_cases(typed, expected):
    candidates = typo_candidates(typed)
    assert all(code in candidates for code in expected)
    if not expected:
        assert "H3J4Y" not in candidates


def test_look_alike_characters_map_to_the_alphabet():
    # 0/O read as Q, 1/I/L as T, 5/S as G, 8/B as 3: "H8J4Y" is "H3J4Y" typed from a worn plaque.
    assert typo_candidates("H8J4Y") == ["H3J4Y"]
    assert typo_candidates("HBJ4Y") == ["H3J4Y"]
