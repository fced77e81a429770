"""Codes typed or scanned with other digits, full-width forms or invisible marks resolve as typed."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from guide.codes.format import ALPHABET
from guide.codes.format import fold
from guide.codes.models import Code
from guide.extensions import db
from guide.monuments.services import get_monument

# Right-to-left and left-to-right marks, override, soft hyphen, zero-width space and joiner,
# byte-order mark, Arabic letter mark, isolates: every one is Unicode category Cf.
INVISIBLE = ("\u200f", "\u200e", "\u202e", "\u202c", "\u00ad", "\u200b", "\u200d", "\ufeff",
             "\u061c", "\u2066", "\u2069")
# Not a tab: control characters in a URL are refused (test_hardening.py).
SPACES = (" ", "\u00a0", "\u3000", "\u2009")
DIGIT_FORMS = (0x30, 0x660, 0x6F0, 0xFF10, 0x966)  # ASCII, Arabic-Indic, Persian, full-width, Devanagari


def _letter_forms(char: str) -> list[str]:
    if char.isdigit():
        return [chr(base + int(char)) for base in DIGIT_FORMS]
    return [char, char.lower(), chr(0xFF21 + ord(char) - ord("A")), chr(0xFF41 + ord(char) - ord("A"))]


@st.composite
def disguised(draw, code: str) -> str:
    """The code as a phone might hand it over: other digits and widths, marks around and inside."""
    pieces = []
    for char in code:
        pieces.append("".join(draw(st.lists(st.sampled_from(INVISIBLE + SPACES), max_size=2))))
        pieces.append(draw(st.sampled_from(_letter_forms(char))))
    pieces.append("".join(draw(st.lists(st.sampled_from(INVISIBLE), max_size=2))))
    return "".join(pieces)


@pytest.fixture
def mosque(app):
    with app.app_context():
        code = get_monument("hassan-ii-mosque").primary_code
        return code.code, code.number


@pytest.fixture
def all_codes(app):
    with app.app_context():
        return sorted(db.session.scalars(select(Code.code).where(Code.retired_dt.is_(None))))


def test_alphabet_codes_fold_to_themselves():
    for char in ALPHABET:
        assert fold(char) == char
        assert fold(char.lower()) == char


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_fold_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_disguised_code_folds_to_the_code(data):
    body = data.draw(st.text(alphabet=ALPHABET, min_size=5, max_size=5))
    assert fold(data.draw(disguised(body))) == body


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("\u200f٩HK٦A\u200e", "9HK6A"), ("۹hk۶a", "9HK6A"), ("９ＨＫ６Ａ", "9HK6A"), ("9-HK 6A\ufeff", "9HK6A"),
     ("\u202e9\u00adH\u200bK\u061c6A", "9HK6A"), ("١٢", "12"), ("۱۲", "12"), ("１２", "12")],
)
def test_fold_examples(raw, expected):
    assert fold(raw) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_disguised_code_opens_its_page_everywhere(app, all_codes, data):
    client = app.test_client(use_cookies=False)
    code = data.draw(st.sampled_from(all_codes))
    raw = data.draw(disguised(code))
    path = quote(raw, safe="")
    for prefix in ("/q/", "/Q/"):
        response = client.get(prefix + path, headers={"Accept-Language": "fr"})
        assert response.status_code == 200, (prefix, raw)
    api = client.get(f"/api/v1/codes/{path}")
    assert api.status_code == 200, raw
    assert api.get_json()["code"] == code
    typed = client.get("/q", query_string={"code": raw})
    assert typed.status_code == 303, raw
    assert typed.headers["Location"].split("?")[0].endswith(f"/q/{code}")
    assert client.get(f"/qr/{path}.png").status_code == 200, raw


@pytest.mark.parametrize("raw", ["{n}", "\u200f{n}", "#{n}", "№{n}", "{arabic}", "{persian}\u200e",
                                 "{fullwidth}", " {arabic} "])
def test_keypad_numbers_fold_too(client, mosque, raw):
    code, number = mosque
    forms = {
        "n": str(number),
        "arabic": "".join(chr(0x660 + int(d)) for d in str(number)),
        "persian": "".join(chr(0x6F0 + int(d)) for d in str(number)),
        "fullwidth": "".join(chr(0xFF10 + int(d)) for d in str(number)),
    }
    response = client.get("/q", query_string={"code": raw.format(**forms), "site": "casablanca"})
    assert response.status_code == 303
    assert response.headers["Location"].split("?")[0].endswith(f"/q/{code}")
