"""Security and robustness: cache poisoning, control characters, Host headers, limits, ETags, Range."""

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from guide.codes.format import ALPHABET
from guide.codes.format import check_character
from guide.codes.models import Code
from guide.extensions import db
from guide.media.models import MediaFile
from guide.monuments.services import get_monument


@pytest.fixture
def mosque_code(app):
    with app.app_context():
        return get_monument("hassan-ii-mosque").primary_code.code


def _cached_codes(app) -> set[str]:
    return {key[-1] for key in app.extensions["dalil_response_cache"] if key[0] in ("q", "api-code")}


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
    assert len(app.extensions["dalil_response_cache"]) <= 8


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


# 2. Control characters in paths and query values.

CONTROL_URLS = [
    "/api/v1/packs/x%00", "/api/v1/codes/x%00", "/api/v1/monuments/x%00", "/api/v1/monuments?site=x%00",
    "/ar/sites/x%00", "/fr/sites/casablanca%00", "/fr/monuments/x%00", "/ar/monuments/hassan-ii-mosque/x%00",
    "/q?site=x%00", "/q?code=x%00", "/q/x%00", "/Q/%00", "/qr/x%00.png", "/qr/x%00.svg", "/media/x%00.webp",
    "/?x=%00", "/?a%00=1", "/fr/enter?code=%01", "/ar/monuments/x%1f", "/fr/monuments/x%7f",
    "/fr/monuments/x%c2%85", "/q?code=%c2%9f", "/api/v1/sites?x=%0d%0a",
]


@pytest.mark.parametrize("url", CONTROL_URLS)
def test_control_characters_are_refused_before_any_query(client, url):
    response = client.get(url, headers={"Accept-Language": "ar"})
    assert response.status_code == 400
    if url.startswith("/api/"):
        body = response.get_json()
        assert body["error"] == 400
        assert body["message"]
    else:
        html = response.get_data(as_text=True)
        lang = "fr" if url.startswith("/fr/") else "ar"
        assert f'<html lang="{lang}"' in html
        assert "400" in html


# 3. Host header and absolute URLs.

@pytest.mark.parametrize("path", ["/fr//monuments/hassan-ii-mosque", "/", "/api/v1/sites", "/q/ZZZZZ"])
def test_an_untrusted_host_is_a_translated_400(client, path):
    response = client.get(path, headers={"Host": "evil.example", "Accept-Language": "ar"})
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")
    if path.startswith("/api/"):
        assert response.get_json()["error"] == 400
    else:
        # The URL's language, else Accept-Language.
        lang = "fr" if path.startswith("/fr/") else "ar"
        assert f'<html lang="{lang}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "dalil.example", "dalil.example:443"])
def test_the_public_host_and_loopback_are_trusted(client, host):
    response = client.get("/fr/", headers={"Host": host})
    assert response.status_code == 200


def test_more_hosts_can_be_trusted(app_factory):
    other = app_factory(TRUSTED_HOSTS="cdn.example .dalil.ma").test_client()
    assert other.get("/fr/", headers={"Host": "cdn.example"}).status_code == 200
    assert other.get("/fr/", headers={"Host": "casa.dalil.ma"}).status_code == 200
    assert other.get("/fr/", headers={"Host": "dalil.example"}).status_code == 200
    assert other.get("/fr/", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize("host", ["localhost", "dalil.example", "127.0.0.1:8000"])
@pytest.mark.parametrize("path", ["/fr//monuments/hassan-ii-mosque", "/ar//monuments//hassan-ii-mosque", "/ar//sites//casablanca"])
def test_redirects_never_echo_the_host(client, host, path):
    response = client.get(path, headers={"Host": host})
    assert 300 <= response.status_code < 400
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") or location.startswith(
        "https://dalil.example/"
    ), location
    assert client.get(location, headers={"Host": host}).status_code == 200


# 9. Overlong URLs and headers get their own translated answers.

@pytest.mark.parametrize("path", ["/", "/fr/monuments/hassan-ii-mosque", "/api/v1/sites", "/q/X"])
def test_an_overlong_url_is_414(client, path):
    response = client.get(path + "?q=" + "x" * 3000, headers={"Accept-Language": "ar"})
    assert response.status_code == 414
    if path.startswith("/api/"):
        assert response.get_json()["error"] == 414
    else:
        assert "414" in response.get_data(as_text=True)
    assert client.get(path + "?q=" + "x" * 1500).status_code != 414


@pytest.mark.parametrize("path", ["/", "/api/v1/sites"])
def test_overlarge_headers_are_431(client, path):
    headers = {f"X-Filler-{index}": "y" * 1000 for index in range(20)}
    response = client.get(path, headers={**headers, "Accept-Language": "ar"})
    assert response.status_code == 431
    if path.startswith("/api/"):
        assert response.get_json()["error"] == 431
    assert client.get(path, headers={"X-Filler": "y" * 8000}).status_code == 200


# 6. Weak ETags revalidate (RFC 9110 §13.1.2: If-None-Match compares weakly).

@pytest.fixture
def audio(app):
    with app.app_context():
        media = db.session.scalars(select(MediaFile).where(MediaFile.mimetype == "audio/mp4")).first()
        return f"/media/{media.filename}", media.size


ETAG_URLS = ["/", "/fr/", "/ar/monuments/hassan-ii-mosque", "/q/{code}", "/api/v1/sites",
             "/api/v1/monuments/hassan-ii-mosque", "/api/v1/codes/{code}", "/api/v1/packs",
             "/api/v1/packs/casablanca", "/sw.js", "/manifest.webmanifest", "{media}", "/qr/{code}.png"]


@pytest.mark.parametrize("form", ['W/{etag}', '"nope", W/{etag}', '{etag}, "nope"', "*"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("url", ETAG_URLS)
def test_weak_and_listed_etags_give_304(client, mosque_code, audio, url, method, form):
    url = url.format(code=mosque_code, media=audio[0])
    first = client.get(url, buffered=True)
    assert first.status_code == 200
    etag = first.headers["ETag"].removeprefix("W/")
    again = client.open(url, method=method, buffered=True, headers={"If-None-Match": form.format(etag=etag)})
    assert again.status_code == 304, (url, form)
    changed = client.open(url, method=method, buffered=True, headers={"If-None-Match": 'W/"nope"'})
    assert changed.status_code == 200


# 7. Range edge cases on media.

@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-1", "bytes=0-1, 10-20, 30-", "bytes=abc",
                                    "bytes=5-2", "pages=1"])
def test_ranges_we_do_not_serve_give_the_whole_file(client, audio, header):
    url, size = audio
    response = client.get(url, buffered=True, headers={"Range": header})
    assert response.status_code == 200
    assert len(response.data) == size
    assert "Content-Range" not in response.headers


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={past}-{far}"])
def test_every_416_says_the_size(client, audio, header):
    url, size = audio
    response = client.get(url, buffered=True,
                          headers={"Range": header.format(size=size, past=size + 10, far=size + 20)})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"


def test_if_range_with_another_etag_gives_the_whole_file(client, audio):
    url, size = audio
    etag = client.get(url, buffered=True).headers["ETag"]
    stale = client.get(url, buffered=True, headers={"Range": "bytes=0-1", "If-Range": '"stale"'})
    assert stale.status_code == 200
    assert len(stale.data) == size
    weak = client.get(url, buffered=True, headers={"Range": "bytes=0-1", "If-Range": "W/" + etag})
    assert weak.status_code == 200
    fresh = client.get(url, buffered=True, headers={"Range": "bytes=0-1", "If-Range": etag})
    assert fresh.status_code == 206
    assert fresh.headers["Content-Range"] == f"bytes 0-1/{size}"


def test_media_cors_exposes_the_range_headers(client, audio):
    url, _size = audio
    response = client.get(url, buffered=True, headers={"Range": "bytes=0-1", "Origin": "https://other.example"})
    exposed = {name.strip().lower() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"content-range", "accept-ranges", "content-length", "etag"} <= exposed


@pytest.mark.parametrize(
    ("location", "expected"),
    [("http://localhost/fr/", "/fr/"), ("http://localhost//evil.example/x?a=1", "/evil.example/x?a=1"),
     ("http://localhost", "/"), ("https://elsewhere.example/x", "https://elsewhere.example/x"), ("/fr/", "/fr/")],
)
def test_same_host_locations_become_relative_paths(app, location, expected):
    from flask import Response

    from guide.security import relative_location

    with app.test_request_context("/", headers={"Host": "localhost"}):
        assert relative_location(Response(headers={"Location": location})).headers["Location"] == expected
