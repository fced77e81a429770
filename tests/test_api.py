"""Open data API v1: every response is checked against the OpenAPI document it serves."""

import re
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from sqlalchemy import select

from guide.codes.format import ALPHABET
from guide.codes.format import check_character
from guide.codes.models import Code
from guide.extensions import db
from guide.monuments.models import Monument
from guide.monuments.models import MonumentText
from guide.monuments.services import get_monument
from guide.monuments.services import structured_data
from guide.sites.models import Site
from guide.sites.models import SiteText
from guide.text import render_markdown
from guide.timeutil import now_utc

PREFIX = "/api/v1"
BASE = "https://dalil.example"
ARABIC = re.compile("[\u0600-\u06ff]")


class SpecClient:
    """A test client whose every /api/ answer must match the OpenAPI document the app serves."""

    def __init__(self, client):
        self.client = client
        self.spec = client.get(f"{PREFIX}/openapi.json").get_json()
        self.templates = [
            (re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$"), path)
            for path in self.spec["paths"]
        ]

    def get(self, url, **kwargs):
        response = self.client.get(url, **kwargs)
        self.check(url, response)
        return response

    def schema_for(self, url, status):
        # The server routes the decoded path, so match templates against it too.
        path = unquote(urlsplit(url).path).removeprefix(PREFIX)
        template = next((name for pattern, name in self.templates if pattern.match(path)), None)
        if template is None:
            # Outside every documented route, an answer can only be a routing error.
            return {"$ref": "#/components/schemas/Error"}, True
        responses = self.spec["paths"][template]["get"]["responses"]
        assert str(status) in responses, f"{status} is not documented for {template}"
        documented = responses[str(status)]
        if "$ref" in documented:
            documented = self.spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
        content = documented.get("content")
        return (content["application/json"]["schema"] if content else None), False

    def check(self, url, response):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        schema, _undocumented = self.schema_for(url, response.status_code)
        if schema is None:
            assert response.data == b""
            return
        assert response.mimetype == "application/json"
        root = {"components": self.spec["components"], **schema}
        Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
            response.get_json()
        )


@pytest.fixture
def api(client):
    return SpecClient(client)


def _monument_slugs(app, site_slug=None):
    with app.app_context():
        query = select(Monument.slug).join(Monument.site)
        if site_slug:
            query = query.where(Site.slug == site_slug)
        return list(db.session.scalars(query.order_by(Site.position, Site.slug, Monument.position,
                                                      Monument.slug)))


def _codes(app):
    """Return (code, monument slug, stop slug or None) for every code in service."""
    with app.app_context():
        return [
            (code.code, code.target_monument.slug, code.stop.slug if code.stop else None)
            for code in db.session.scalars(select(Code).where(Code.retired_dt.is_(None)))
        ]


def _first_monument(app):
    return _monument_slugs(app)[0]


def _all_get_urls(app):
    slug = _first_monument(app)
    site = _site_with_monuments(app)
    code = _codes(app)[0][0]
    return [
        f"{PREFIX}/openapi.json",
        f"{PREFIX}/sites",
        f"{PREFIX}/monuments",
        f"{PREFIX}/monuments?site={site}&page=1&per_page=1",
        f"{PREFIX}/monuments/{slug}",
        f"{PREFIX}/codes/{code}",
        f"{PREFIX}/codes/{code.lower()}",
    ]


def _site_with_monuments(app):
    with app.app_context():
        return db.session.scalar(
            select(Site.slug).join(Site.monuments).order_by(Site.position, Site.slug).limit(1)
        )


def test_openapi_document_is_valid_and_covers_every_route(app, api):
    validate_spec(api.spec)
    assert api.spec["openapi"].startswith("3.1")
    assert api.spec["servers"] == [{"url": BASE + PREFIX}]
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix(PREFIX)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX)
    }
    assert routes == set(api.spec["paths"])


def test_openapi_validation_catches_drift(api):
    # The checker must fail on a document with an extra field, or it proves nothing.
    schema = {"$ref": "#/components/schemas/Error"}
    root = {"components": api.spec["components"], **schema}
    validator = Draft202012Validator(root)
    assert validator.is_valid({"error": 404, "title": "t", "message": "m"})
    assert not validator.is_valid({"error": 404, "title": "t", "message": "m", "extra": 1})
    assert not validator.is_valid({"error": 404, "title": "t"})


def test_sites_list_every_site_in_every_language(app, api):
    response = api.get(f"{PREFIX}/sites")
    assert response.status_code == 200
    document = response.get_json()
    with app.app_context():
        sites = list(db.session.scalars(select(Site).order_by(Site.position, Site.slug)))
        expected = {
            site.slug: (len(site.monuments), {lang: text.name for lang, text in site.texts.items()})
            for site in sites
        }
        order = [site.slug for site in sites]
    assert document["languages"] == ["ar", "fr"]
    assert [item["slug"] for item in document["items"]] == order
    for item in document["items"]:
        count, names = expected[item["slug"]]
        assert item["monument_count"] == count
        assert {lang: text["name"] for lang, text in item["texts"].items()} == names
        assert set(item["texts"]) == {"ar", "fr"}
        assert item["links"]["pages"]["ar"] == f"{BASE}/ar/sites/{item['slug']}"
        listing = api.get(item["links"]["monuments"].removeprefix(BASE)).get_json()
        assert listing["total"] == count


def test_monuments_follow_next_links_through_every_page(app, api):
    url = f"{PREFIX}/monuments?per_page=1"
    seen, pages = [], 0
    while url:
        response = api.get(url)
        assert response.status_code == 200
        document = response.get_json()
        pages += 1
        assert document["page"] == pages
        assert document["per_page"] == 1
        assert len(document["items"]) == 1
        item = document["items"][0]
        assert set(item["texts"]) == {"ar", "fr"}
        assert all(text["name"] and text["summary"] for text in item["texts"].values())
        assert item["links"]["self"] == f"{BASE}{PREFIX}/monuments/{item['slug']}"
        seen.append(item["slug"])
        if document["prev"]:
            assert f"page={pages - 1}" in document["prev"]
        link = response.headers.get("Link", "")
        assert ('rel="next"' in link) == (document["next"] is not None)
        assert ('rel="prev"' in link) == (document["prev"] is not None)
        url = document["next"].removeprefix(BASE) if document["next"] else None
    assert seen == _monument_slugs(app)
    assert document["total"] == document["pages"] == pages


def test_monuments_filter_by_site(app, api):
    site = _site_with_monuments(app)
    document = api.get(f"{PREFIX}/monuments?site={site}&per_page=100").get_json()
    assert document["site"] == site
    assert [item["slug"] for item in document["items"]] == _monument_slugs(app, site)
    assert {item["site"] for item in document["items"]} == {site}


@pytest.mark.parametrize("app", [{"API_PAGE_SIZE": 2, "API_MAX_PAGE_SIZE": 3}], indirect=True)
def test_monuments_page_size_comes_from_config(app, api):
    total = len(_monument_slugs(app))
    document = api.get(f"{PREFIX}/monuments").get_json()
    assert document["per_page"] == 2
    assert len(document["items"]) == min(2, total)
    assert document["pages"] == -(-total // 2)
    assert api.get(f"{PREFIX}/monuments?per_page=3").status_code == 200
    assert api.get(f"{PREFIX}/monuments?per_page=4").status_code == 400
    assert api.spec["components"]["parameters"]["PerPage"]["schema"]["maximum"] == 3


def test_monuments_pagination_edges(app, api):
    total = len(_monument_slugs(app))
    last = api.get(f"{PREFIX}/monuments?per_page=1&page={total}").get_json()
    assert last["next"] is None
    assert last["prev"] == f"{BASE}{PREFIX}/monuments?page={total - 1}&per_page=1"
    past = api.get(f"{PREFIX}/monuments?per_page=1&page={total + 1}")
    assert past.status_code == 404
    everything = api.get(f"{PREFIX}/monuments?per_page=100").get_json()
    assert everything["pages"] == 1
    assert everything["next"] is everything["prev"] is None
    assert len(everything["items"]) == total


def test_an_empty_site_has_one_empty_page(app, api):
    with app.app_context():
        db.session.add(Site(slug="empty-town", live=True, texts={
            lang: SiteText(lang=lang, name=lang) for lang in app.config["LANGUAGES"]
        }))
        db.session.commit()
    document = api.get(f"{PREFIX}/monuments?site=empty-town").get_json()
    assert (document["total"], document["pages"], document["items"]) == (0, 0, [])
    assert api.get(f"{PREFIX}/monuments?site=empty-town&page=2").status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("page=0", 400),
        ("page=-1", 400),
        ("page=x", 400),
        ("page=1.5", 400),
        ("page=", 400),
        ("page=%201", 400),
        ("page=%D9%A3", 400),
        ("page=1e3", 400),
        ("page=99999999999999999999999999", 400),
        ("page=100001", 400),
        ("page=1&page=2", 400),
        ("per_page=0", 400),
        ("per_page=101", 400),
        ("per_page=-5", 400),
        ("per_page=1&per_page=1", 400),
        pytest.param("per_page=" + "9" * 5000, 414, id="per_page=9x5000"),
        ("site=", 400),
        ("site=Casablanca", 400),
        ("site=..%2F..%2Fetc", 400),
        ("site=a%00b", 400),  # control characters: refused before any view
        ("site=casablanca&site=fes", 400),
        ("site=nowhere", 404),
        ("page=100000", 404),
        ("unknown=1", 200),
    ],
)
def test_bad_listing_parameters_get_a_clear_error(api, query, status):
    response = api.get(f"{PREFIX}/monuments?{query}")
    assert response.status_code == status
    if status != 200:
        body = response.get_json()
        assert body["error"] == status
        assert body["message"]


def test_error_messages_follow_accept_language(api):
    arabic = api.get(f"{PREFIX}/monuments?page=0", headers={"Accept-Language": "ar"})
    french = api.get(f"{PREFIX}/monuments?page=0", headers={"Accept-Language": "fr"})
    assert ARABIC.search(arabic.get_json()["message"])
    assert "page" in french.get_json()["message"]
    assert arabic.get_json()["message"] != french.get_json()["message"]
    assert "Accept-Language" in arabic.headers["Vary"]
    # Arabic travels as UTF-8, not as \u escapes.
    assert b"\\u06" not in arabic.data


def test_monument_has_everything_in_every_language(app, api):
    slug = _first_monument(app)
    document = api.get(f"{PREFIX}/monuments/{slug}").get_json()
    with app.test_request_context():
        monument = get_monument(slug)
        assert document["languages"] == ["ar", "fr"]
        assert set(document["texts"]) == set(monument.texts) == {"ar", "fr"}
        for lang, text in monument.texts.items():
            served = document["texts"][lang]
            assert served["name"] == text.name
            assert served["body"] == {"markdown": text.body, "html": str(render_markdown(text.body))}
            assert served["facts"]["architect"] == text.architect
            page = f"{BASE}/{lang}/monuments/{slug}"
            assert document["links"]["pages"][lang] == page
            expected = structured_data(monument, lang, page, lambda media: f"{BASE}/media/{media.filename}")
            assert document["jsonld"][lang] == expected
        assert [stop["slug"] for stop in document["stops"]] == [stop.slug for stop in monument.stops]
        assert [stop["position"] for stop in document["stops"]] == list(range(1, len(monument.stops) + 1))
        assert [image["url"] for image in document["images"]] == [
            f"{BASE}/media/{image.media.filename}" for image in monument.images
        ]
        assert {code["code"] for code in document["codes"]} == {code.code for code in monument.codes}
        for code in document["codes"]:
            assert code["url"] == f"{BASE}/q/{code['code']}"
        assert set(document["guides"]) == set(monument.guides)
        assert document["access"] == monument.access
        assert document["year_start"] == monument.year_start
    for image in document["images"]:
        assert set(image["texts"]) == {"ar", "fr"}
        assert image["width"] > 0
        assert image["height"] > 0
    for stop in document["stops"]:
        assert set(stop["texts"]) == {"ar", "fr"}
        assert stop["links"]["pages"]["fr"] == f"{BASE}/fr/monuments/{slug}/{stop['slug']}"
        assert stop["codes"], "every stop has a plaque"


def test_audio_and_images_urls_serve_the_described_bytes(app, api, client):
    documents = [api.get(f"{PREFIX}/monuments/{slug}").get_json() for slug in _monument_slugs(app)]
    files = [
        (guide["audio"], "audio")
        for document in documents
        for owner in (document, *document["stops"])
        for guide in owner["guides"].values()
        if guide["audio"]
    ] + [(image, "image") for document in documents for image in document["images"]]
    assert any(kind == "audio" for _item, kind in files)
    for described, _kind in files:
        served = client.get(described["url"].removeprefix(BASE))
        assert served.status_code == 200
        assert served.mimetype == described["mimetype"]
        assert len(served.data) == described["bytes"]
        served.close()


@pytest.mark.parametrize(
    "path",
    [
        "/monuments/no-such-monument",
        "/monuments/..%2f..%2fetc",
        "/monuments/..%2F..%2Fetc%2Fpasswd",
        "/monuments/%2e%2e",
        "/monuments/Hassan-II-Mosque",
        "/monuments/" + "a" * 500,
        "/monuments/hassan-ii-mosque/extra",
        "/nothing-here",
    ],
)
def test_unknown_monuments_and_traversal_are_json_404s(api, path):
    response = api.get(PREFIX + path, headers={"Accept-Language": "ar"})
    assert response.status_code == 404
    assert response.get_json()["error"] == 404
    assert ARABIC.search(response.get_json()["message"])


def test_every_code_resolves_in_any_letter_case(app, api):
    codes = _codes(app)
    assert any(stop for _code, _monument, stop in codes)
    for code, monument, stop in codes:
        for typed in (code, code.lower(), code[:2].lower() + code[2:]):
            document = api.get(f"{PREFIX}/codes/{typed}").get_json()
            assert document["code"] == code
            assert document["monument"] == monument
            assert document["stop"] == stop
            assert document["type"] == ("stop" if stop else "monument")
            assert document["links"]["monument"] == f"{BASE}{PREFIX}/monuments/{monument}"
            expected_page = f"{BASE}/ar/monuments/{monument}" + (f"/{stop}" if stop else "")
            assert document["links"]["pages"]["ar"] == expected_page


def test_a_one_character_typo_gets_suggestions(app, api):
    code = _codes(app)[0][0]
    wrong = next(char for char in ALPHABET if char != code[1])
    typo = code[0] + wrong + code[2:]
    response = api.get(f"{PREFIX}/codes/{typo}", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    body = response.get_json()
    assert code in [suggestion["code"] for suggestion in body["suggestions"]]
    assert body["message"]


@pytest.mark.parametrize(
    "typed",
    # A NUL (400) and a 4000-character URL (414) never reach the view: see test_hardening.py.
    ["H3J4", "H3J4YY", "H3J4!", "A" * 33, "A" * 1000, "..%2f..", "H3J4%E2%80%AE", "٣٣٣٣٣"],
    ids=["short", "long", "punctuation", "33-chars", "1000-chars", "traversal", "bidi", "arabic"],
)
def test_malformed_codes_are_json_404s_with_a_reason(api, typed):
    response = api.get(f"{PREFIX}/codes/{typed}", headers={"Accept-Language": "ar"})
    assert response.status_code == 404
    body = response.get_json()
    assert ARABIC.search(body["message"])


def test_each_kind_of_bad_code_gets_its_own_reason(app, api):
    taken = {code for code, _monument, _stop in _codes(app)}
    body = next(b for b in ("QQQQ", "QQQR", "QQQT") if b + check_character(b) not in taken)
    unknown = body + check_character(body)
    wrong_check = body + next(char for char in ALPHABET if char != check_character(body))
    messages = {}
    for kind, typed in [("length", "H3J4"), ("length", "AAAAAAA"), ("alphabet", "H3J4!"),
                        ("alphabet", "S0ZB8"), ("check", wrong_check), ("unknown", unknown)]:
        response = api.get(f"{PREFIX}/codes/{typed}", headers={"Accept-Language": "fr"})
        assert response.status_code == 404
        messages.setdefault(kind, set()).add(response.get_json()["message"])
    assert all(len(found) == 1 for found in messages.values())
    assert len({found.pop() for found in messages.values()}) == 4


def test_a_retired_code_is_gone_but_says_what_it_pointed_at(app, api):
    code, monument, stop = _codes(app)[0]
    assert api.get(f"{PREFIX}/codes/{code}").status_code == 200
    with app.app_context():
        db.session.get(Code, code).retired_dt = now_utc()
        db.session.commit()
    response = api.get(f"{PREFIX}/codes/{code.lower()}")
    assert response.status_code == 410
    body = response.get_json()
    assert body["code"]["retired"] is True
    assert body["code"]["monument"] == monument
    assert body["code"]["stop"] == stop
    detail = api.get(f"{PREFIX}/monuments/{monument}").get_json()
    owner = next(s for s in detail["stops"] if s["slug"] == stop) if stop else detail
    assert next(c for c in owner["codes"] if c["code"] == code)["retired"] is True


def test_every_read_answers_304_to_its_etag(app, api):
    for url in _all_get_urls(app):
        first = api.get(url)
        assert first.status_code == 200, url
        assert first.headers["Cache-Control"] == "no-cache"
        etag = first.headers["ETag"]
        again = api.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.headers["ETag"] == etag
        assert api.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_etags_change_when_content_changes(app, api):
    slug = _first_monument(app)
    urls = [f"{PREFIX}/monuments/{slug}", f"{PREFIX}/monuments", f"{PREFIX}/sites"]
    before = {url: api.get(url).headers["ETag"] for url in urls}
    with app.app_context():
        text = db.session.get(MonumentText, (get_monument(slug).id, "fr"))
        text.name = "Nom modifié pour le test"
        db.session.commit()
    detail = api.get(urls[0], headers={"If-None-Match": before[urls[0]]})
    assert detail.status_code == 200
    assert detail.headers["ETag"] != before[urls[0]]
    assert detail.get_json()["texts"]["fr"]["name"] == "Nom modifié pour le test"
    assert api.get(urls[1]).headers["ETag"] != before[urls[1]]
    # The sites document does not show monument names, so its bytes and ETag stay.
    assert api.get(urls[2], headers={"If-None-Match": before[urls[2]]}).status_code == 304


@pytest.mark.parametrize("app", [{"EXTRA_LANGUAGES": ("en",)}], indirect=True)
def test_a_third_language_appears_without_code_changes(app, api):
    slug = _first_monument(app)
    with app.app_context():
        monument = get_monument(slug)
        monument.texts["en"] = MonumentText(
            lang="en", name="Hassan II Mosque, in English", summary="A summary.", body="Some *body*."
        )
        db.session.commit()
    assert "en" in api.spec["components"]["schemas"]["Language"]["enum"]
    detail = api.get(f"{PREFIX}/monuments/{slug}").get_json()
    assert detail["languages"] == ["ar", "fr", "en"]
    assert list(detail["texts"]) == ["ar", "fr", "en"]
    assert detail["texts"]["en"]["body"]["html"] == "<p>Some <em>body</em>.</p>\n"
    assert detail["links"]["pages"]["en"] == f"{BASE}/en/monuments/{slug}"
    assert detail["jsonld"]["en"]["name"] == "Hassan II Mosque, in English"
    listing = api.get(f"{PREFIX}/monuments?per_page=100").get_json()
    item = next(item for item in listing["items"] if item["slug"] == slug)
    assert item["texts"]["en"]["name"] == "Hassan II Mosque, in English"
    # A language that is not enabled stays out of the documents.
    other = next(s for s in _monument_slugs(app) if s != slug) if len(_monument_slugs(app)) > 1 else None
    if other:
        assert "en" not in api.get(f"{PREFIX}/monuments/{other}").get_json()["texts"]


def test_the_api_is_open_to_any_origin(app, api, client):
    for url in [*_all_get_urls(app), f"{PREFIX}/monuments/nope", f"{PREFIX}/codes/NOPE"]:
        response = api.get(url, headers={"Origin": "https://partner.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(f"{PREFIX}/sites", headers={
        "Origin": "https://partner.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match",
    })
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    # The pages for people are not part of the open API.
    assert "Access-Control-Allow-Origin" not in client.get("/fr/").headers


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_api_is_read_only(api, client, method):
    response = getattr(client, method)(f"{PREFIX}/sites")
    assert response.status_code == 405
    assert response.get_json()["error"] == 405
    assert "GET" in response.headers["Allow"]
    schema, _undocumented = api.schema_for(f"{PREFIX}/sites", 405)
    Draft202012Validator({"components": api.spec["components"], **schema}).validate(response.get_json())


def test_offline_packs_match_their_schema(app, api):
    site = _site_with_monuments(app)
    listing = api.get(f"{PREFIX}/packs").get_json()
    assert site in [pack["site"] for pack in listing["packs"]]
    pack = api.get(f"{PREFIX}/packs/{site}")
    assert pack.status_code == 200
    assert api.get(f"{PREFIX}/packs/{site}", headers={"If-None-Match": pack.headers["ETag"]}).status_code == 304
    assert api.get(f"{PREFIX}/packs/no-such-site").status_code == 404


def test_json_is_utf8_and_arabic_is_not_escaped(app, api):
    response = api.get(f"{PREFIX}/monuments/{_first_monument(app)}")
    assert b"\\u06" not in response.data
    assert ARABIC.search(response.data.decode("utf-8"))


def test_the_footer_links_to_the_api_document(client):
    assert f'href="{PREFIX}/openapi.json"' in client.get("/fr/").get_data(as_text=True)
