"""Accept-Language negotiation (RFC 4647 lookup with q-weights) and the language of error pages."""

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guide.monuments.services import get_monument
from tests.reference import negotiate

SUPPORTED = ("ar", "fr")
DEFAULT = "fr"
TAGS = ("ar", "ar-MA", "ar-EG", "fr", "fr-FR", "fr-MA", "fr-CA", "en", "en-US", "de", "*")
# No q, the usual weights, ties (1 = 1.0 = 1.000), exclusion (0, 0.0) and malformed ones.
WEIGHTS = (None, "1", "1.0", "1.000", "0.9", "0.5", "0.50", "0.1", "0.001", "0", "0.0", "0.000",
           "abc", "2", "-1", "")


def _range(tag: str, weight: str | None) -> str:
    return tag if weight is None else f"{tag};q={weight}"


HEADERS = st.lists(st.tuples(st.sampled_from(TAGS), st.sampled_from(WEIGHTS)), max_size=6).flatmap(
    lambda ranges: st.sampled_from((",", ", ", " , ")).map(
        lambda separator: separator.join(_range(tag, weight) for tag, weight in ranges)
    )
)


@pytest.fixture
def mosque_code(app):
    with app.app_context():
        return get_monument("hassan-ii-mosque").primary_code.code


def _language(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('<html lang="') + len('<html lang="')
    return html[start : html.index('"', start)]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ar-MA,fr;q=0.5", "ar"),
        ("fr-MA, ar;q=0.9", "fr"),
        ("fr-CA,ar;q=0.9,fr;q=0", "ar"),
        ("en-US,en;q=0.9,*;q=0.5", "fr"),
        ("ar;q=0,*", "fr"),
        ("fr;q=0,*", "ar"),
        ("de, ar-EG;q=0.2, fr-FR;q=0.2", "ar"),
    ],
)
def test_region_tags_are_matched_by_their_primary_subtag(client, mosque_code, header, expected):
    assert negotiate(header, SUPPORTED, DEFAULT) == expected
    for path in ("/", f"/q/{mosque_code}"):
        response = client.get(path, headers={"Accept-Language": header})
        assert response.status_code == 200
        assert _language(response) == expected, path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=HEADERS)
def test_negotiation_matches_the_reference_lookup(app, mosque_code, header):
    client = app.test_client(use_cookies=False)
    expected = negotiate(header, SUPPORTED, DEFAULT)
    for path in ("/", f"/q/{mosque_code}"):
        response = client.get(path, headers={"Accept-Language": header})
        assert response.status_code == 200
        assert _language(response) == expected, (path, header)


@pytest.mark.parametrize(
    "path", ["/", "/q/{code}", "/Q/{code}", "/q", "/q/ZZZZZ", "/no-such-page", "/api/v1/codes/ZZZZZ"]
)
def test_negotiated_answers_vary_on_language_and_cookie(client, mosque_code, path):
    response = client.get(path.format(code=mosque_code), headers={"Accept-Language": "ar"})
    vary = {value.strip().lower() for value in response.headers.get("Vary", "").split(",")}
    assert {"accept-language", "cookie"} <= vary, (response.status_code, response.headers.get("Vary"))
    # A revalidation of the same page says the same.
    if response.status_code == 200 and "ETag" in response.headers:
        again = client.get(path.format(code=mosque_code),
                           headers={"Accept-Language": "ar", "If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        assert {"accept-language", "cookie"} <= {
            value.strip().lower() for value in again.headers.get("Vary", "").split(",")
        }


@pytest.mark.parametrize(
    ("path", "header", "lang", "direction"),
    [
        ("/ar/monuments/nope", "fr", "ar", "rtl"),
        ("/fr/monuments/nope", "ar", "fr", "ltr"),
        ("/ar/monuments/hassan-ii-mosque/nope", "fr", "ar", "rtl"),
        ("/ar/sites/nope", "fr", "ar", "rtl"),
        ("/fr/sites/nope", "ar", "fr", "ltr"),
        ("/ar/nope", "fr", "ar", "rtl"),
        ("/fr/nope", "ar", "fr", "ltr"),
        ("/ar/nope/deeper", "fr", "ar", "rtl"),
        ("/fr/sites/casablanca/extra", "ar", "fr", "ltr"),
    ],
)
def test_a_404_under_a_language_prefix_speaks_that_language(client, path, header, lang, direction):
    response = client.get(path, headers={"Accept-Language": header})
    assert response.status_code == 404
    assert f'<html lang="{lang}" dir="{direction}">' in response.get_data(as_text=True)


@pytest.mark.parametrize(("header", "lang"), [("ar", "ar"), ("fr", "fr")])
def test_a_404_outside_a_language_prefix_is_negotiated(client, header, lang):
    response = client.get("/nope/deeper", headers={"Accept-Language": header})
    assert response.status_code == 404
    assert _language(response) == lang
    assert "Accept-Language" in response.headers["Vary"]
