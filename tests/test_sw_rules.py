"""The service worker's shared rules (pwa/sw-rules.js) against the server's, run in Node."""

import sys
import unicodedata

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guide.codes.format import ALPHABET
from guide.codes.format import fold
from guide.codes.services import MAX_NUMBER_DIGITS
from guide.codes.services import MAX_RAW_LENGTH
from guide.codes.services import MAX_TYPED_LENGTH
from guide.codes.services import _keypad_number
from guide.codes.services import read_code
from tests.reference import negotiate
from tests.sw_rules import NodeRules

SUPPORTED = ("ar", "fr")
TAGS = ["ar", "ar-MA", "ar-EG", "fr", "fr-FR", "fr-MA", "fr-CA", "en", "en-US", "de", "*"]
# Weights as phones send them, and as they should not: q=0, ties, malformed and out of range.
WEIGHTS = st.one_of(
    st.none(),
    st.sampled_from(["0", "0.0", "1", "1.0", "0.5", "0.50", "0.9", "0.001", "0.000", "1.000"]),
    st.decimals(min_value=0, max_value=1, places=3).map(str),
    st.sampled_from(["", "abc", "2", "-0.1", "1.5", " 0.7 ", "0.5x", "1e-1", "nan", "inf", "0_5", ".5", "5."]),
)
INVISIBLE = ["\u200f", "\u200e", "\u202e", "\u00ad", "\u200b", "\ufeff", "\u061c", "\u2066", "\u2069", "\u180e"]
DIGIT_ZEROS = [0x30, 0x660, 0x6F0, 0xFF10, 0x966, 0x1D7CE]


@pytest.fixture(scope="module")
def node():
    rules = NodeRules()
    yield rules
    rules.close()


def _range(tag: str, weight: str | None, space: bool) -> str:
    if weight is None:
        return tag
    return f"{tag}{' ; ' if space else ';'}q={weight}"


HEADERS = st.lists(st.tuples(st.sampled_from(TAGS), WEIGHTS, st.booleans()), max_size=6).map(
    lambda ranges: ", ".join(_range(*item) for item in ranges)
)


@settings(max_examples=400, deadline=None)
@given(header=HEADERS, default=st.sampled_from(SUPPORTED))
def test_the_worker_negotiates_like_the_reference(node, header, default):
    assert node.call("negotiate", header, list(SUPPORTED), default) == negotiate(header, SUPPORTED, default)


@pytest.mark.parametrize(("header", "expected"), [
    ("ar-MA,fr;q=0.5", "ar"),
    ("fr;q=0.5, ar-MA", "ar"),
    ("en-US,en;q=0.9,fr;q=0.8,ar;q=0.8", "fr"),
    ("de, *;q=0.5", "fr"),
    ("ar;q=0, *", "fr"),
    ("fr;q=0, *", "ar"),
    ("fr-FR;q=0.7, ar-EG;q=0.7", "fr"),
    ("", "fr"),
])
def test_known_headers(node, header, expected):
    assert node.call("negotiate", header, list(SUPPORTED), "fr") == expected == negotiate(header, SUPPORTED, "fr")


def _digit_form(char: str, zero: int) -> str:
    return chr(zero + int(char)) if char.isdigit() else char


@st.composite
def disguised_codes(draw):
    plain = draw(st.text(alphabet=ALPHABET + "0123456789", min_size=1, max_size=8))
    chars = []
    for char in plain:
        chars.extend(draw(st.lists(st.sampled_from(INVISIBLE + [" ", "\u00a0", "\u3000"]), max_size=2)))
        char = _digit_form(char, draw(st.sampled_from(DIGIT_ZEROS)))
        if draw(st.booleans()):
            char = char.lower()
        if draw(st.booleans()):
            char = unicodedata.normalize("NFKC", char).translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})
        chars.append(char)
    chars.extend(draw(st.lists(st.sampled_from(INVISIBLE), max_size=3)))
    return plain, "".join(chars)


@settings(max_examples=300, deadline=None)
@given(disguised_codes())
def test_invisible_marks_and_digit_forms_fold_to_the_plain_code(node, case):
    plain, typed = case
    folded = node.call("foldCode", typed)
    assert folded == plain.upper()
    assert node.call("foldCode", folded) == folded


# Characters whose decomposition Node (Unicode 17) and this Python (Unicode 14) agree on: the older
# planes, full-width forms and every format mark. Case may differ between versions (ƛ has an upper
# case since Unicode 16), which is why folding upper-cases only into ASCII.
TEXT = st.one_of(
    st.characters(max_codepoint=0x2FFF, exclude_categories=["Cs", "Cn", "Co"]),
    st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF, exclude_categories=["Cn"]),
    st.sampled_from(INVISIBLE),
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TEXT, max_size=12))
@example("ƛ")
@example("straße ı")
def test_the_worker_folds_like_the_server(node, text):
    assert node.call("foldCode", text) == fold(text)


def test_every_decimal_digit_maps_to_its_value(node):
    digits = [chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Nd"]
    assert len(digits) > 600
    folded = node.call("foldCode", "".join(digits))
    assert folded == "".join(str(unicodedata.decimal(char)) for char in digits)


def _server_entry(raw: str) -> dict:
    """How guide/codes/services.resolve_entry reads a typed entry, before any database lookup."""
    text = read_code(raw.replace("№", "#"))
    if text is None:
        return {"problem": "too-long"}
    if not text:
        return {"problem": "empty"}
    number = _keypad_number(text.removeprefix("#"))
    return {"number": number} if number is not None else {"code": text}


LIMITS = {"typed": MAX_TYPED_LENGTH, "raw": MAX_RAW_LENGTH, "digits": MAX_NUMBER_DIGITS}


@st.composite
def typed_entries(draw):
    prefix = draw(st.sampled_from(["", "#", "№", "＃", "No", "#" * 2, "№#", " # ", "\u200f№"]))
    digits = draw(st.text(alphabet="0123456789", min_size=0, max_size=9))
    zero = draw(st.sampled_from(DIGIT_ZEROS))
    body = "".join(_digit_form(char, zero) for char in digits)
    marks = "".join(draw(st.lists(st.sampled_from(INVISIBLE + [" ", "-", "\u2013"]), max_size=3)))
    tail = draw(st.one_of(st.just(""), st.text(alphabet=TEXT, max_size=4),
                          st.text(alphabet=ALPHABET, min_size=30, max_size=40)))
    padding = draw(st.sampled_from(["", "\u200b" * 200, "\u200b" * 260, "9" * 40]))
    pieces = [prefix, marks, body, tail, padding]
    if draw(st.booleans()):
        pieces = [padding, marks, prefix, body, tail]
    return "".join(pieces)


@settings(max_examples=400, deadline=None)
@given(typed_entries())
def test_the_worker_reads_a_typed_entry_like_the_server(node, raw):
    assert node.call("readEntry", raw, LIMITS) == _server_entry(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("#12", {"number": 12}),
    ("№12", {"number": 12}),
    ("№ ١٢", {"number": 12}),
    ("012", {"number": 12}),
    ("1234567", {"code": "1234567"}),
    ("", {"problem": "empty"}),
    ("\u200f", {"problem": "empty"}),
    ("A" * 33, {"problem": "too-long"}),
    ("\u200b" * 257 + "12", {"problem": "too-long"}),
])
def test_known_entries(node, raw, expected):
    assert node.call("readEntry", raw, LIMITS) == expected == _server_entry(raw)
