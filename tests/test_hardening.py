"""Security and robustness: cache poisoning, control characters, Host headers, limits, ETags, Range."""

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from guide.extensions import db
from guide.monuments.services import get_monument
from guide.qr.codes import ALPHABET
from guide.qr.codes import check_character
from guide.qr.models import Code


@pytest.fixture
def mosque_code(app):
    with app.app_context():
        return get_monument("hassan-ii-mosque").primary_code.code


def _cached_codes(app) -> set[str]:
    return {key[-1] for key in app.extensions["dalil_response_cache"]._entries if key[1] in ("q", "api-code")}


# 1. Cache poisoning.

@pytest.mark.parametrize("prefix", ["/q/", "/Q/", "/api/v1/codes/"])
@pytest.mark.parametrize("padding", ["-" * 28 + "Z", " " * 28 + "ZZ", "\u200f" * 40 + "X"])
def test_a_long_junk_url_never_answers_for_a_real_code(client, mosque_code, prefix, padding):
    junk = client.get(prefix + mosque_code + padding, headers={"Accept-Language": "fr"})
    assert junk.status_code == 404
    real = client.get(prefix + mosque_code, headers={"Accept-Language": "fr"})
    assert real.status_code == 200
    if prefix.startswith("/api/"):
        assert real.get_json()["code"] == mosque_code
    else:
        assert "Hassan II" in real.get_data(as_text=True)


def _unknown_codes(count: int, taken: set[str]) -> list[str]:
    well_formed = []
    for body in ("".join(chars) for chars in zip(ALPHABET, ALPHABET[1:], ALPHABET[2:], ALPHABET[3:],
                                                 strict=False)):
        code = body + check_character(body)
        if code not in taken:
            well_formed.append(code)
    malformed = [f"JUNK{index}" for index in range(count)]
    return (well_formed + malformed)[:count]


@pytest.mark.parametrize("app", [{"RESPONSE_CACHE_SIZE": 8}], indirect=True)
def test_a_flood_of_unknown_codes_leaves_real_pages_cached(app, mosque_code):
    client = app.test_client(use_cookies=False)
    with app.app_context():
        taken = set(db.session.scalars(select(Code.code)))
    assert client.get(f"/q/{mosque_code}", headers={"Accept-Language": "ar"}).status_code == 200
    assert client.get(f"/api/v1/codes/{mosque_code}").status_code == 200
    for junk in _unknown_codes(60, taken):
        assert client.get(f"/q/{junk}", headers={"Accept-Language": "ar"}).status_code == 404
        assert client.get(f"/api/v1/codes/{junk}").status_code == 404
    cached = _cached_codes(app)
    assert cached == {mosque_code}
    assert len(app.extensions["dalil_response_cache"]._entries) <= 8


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="/"), min_size=1, max_size=60))
def test_only_real_codes_are_cache_keys(app, mosque_code, junk):
    from urllib.parse import quote

    client = app.test_client(use_cookies=False)
    client.get("/q/" + quote(junk, safe=""))
    client.get("/api/v1/codes/" + quote(junk, safe=""))
    with app.app_context():
        real = set(db.session.scalars(select(Code.code)))
    assert _cached_codes(app) <= real
