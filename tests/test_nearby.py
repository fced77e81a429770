"""Nearby: /api/v1/monuments?near=LAT,LON ranks the visible monuments by great-circle distance."""

import math

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy import update

from guide.api.services import great_circle_m
from guide.extensions import db
from guide.monuments.models import Monument
from guide.sites.models import Site
from tests.browser import close
from tests.browser import page_context
from tests.queries import counting
from tests.test_api import SpecClient

URL = "/api/v1/monuments"
# Rialto cinema, downtown Casablanca, in the sample content.
RIALTO = (33.5951, -7.6185)


@pytest.fixture
def api(client):
    return SpecClient(client)


def _positions(app, site=None):
    """(slug, lat, lon) of the visible monuments with coordinates, read straight from the table."""
    with app.app_context():
        query = (select(Monument.slug, Monument.latitude, Monument.longitude).join(Monument.site)
                 .where(Monument.live.is_(True), Site.live.is_(True), Monument.latitude.is_not(None),
                        Monument.longitude.is_not(None)))
        if site:
            query = query.where(Site.slug == site)
        return [tuple(row) for row in db.session.execute(query)]


def _expected(app, near, site=None):
    ranked = sorted((great_circle_m(*near, lat, lon), slug) for slug, lat, lon in _positions(app, site))
    return [(slug, round(metres)) for metres, slug in ranked]


def _near(point):
    return f"{point[0]},{point[1]}"


def test_near_orders_by_distance_with_whole_metres(app, api):
    expected = _expected(app, RIALTO)
    assert len(expected) >= 3
    document = api.get(f"{URL}?near={_near(RIALTO)}&per_page=100").get_json()
    got = [(item["slug"], item["distance_m"]) for item in document["items"]]
    assert got == expected
    assert all(isinstance(metres, int) for _, metres in got)
    assert [metres for _, metres in got] == sorted(metres for _, metres in got)
    assert document["near"] == {"latitude": RIALTO[0], "longitude": RIALTO[1]}
    assert document["total"] == len(expected)


def test_the_distance_is_the_haversine_one():
    # One degree of latitude along a meridian: pi * R / 180.
    assert round(great_circle_m(0, 0, 1, 0)) == round(math.pi * 6_371_000 / 180)
    assert great_circle_m(33.6, -7.6, 33.6, -7.6) == 0
    # Antipodes: half the circumference, no math domain error from rounding.
    assert round(great_circle_m(90, 0, -90, 0)) == round(math.pi * 6_371_000)
    assert round(great_circle_m(0, 180, 0, -180)) == 0


def test_without_near_the_listing_keeps_guide_order_and_null_distances(api):
    document = api.get(URL).get_json()
    assert document["near"] is None
    assert document["items"]
    assert all(item["distance_m"] is None for item in document["items"])


def test_near_combines_with_site_and_paging(app, api):
    with app.app_context():
        site = db.session.scalar(select(Site.slug).join(Site.monuments).limit(1))
    expected = _expected(app, RIALTO, site)
    seen = []
    url = f"{URL}?site={site}&near={_near(RIALTO)}&per_page=2"
    pages = 0
    while url:
        response = api.get(url.removeprefix("https://dalil.example"))
        assert response.status_code == 200
        document = response.get_json()
        assert document["site"] == site
        seen.extend((item["slug"], item["distance_m"]) for item in document["items"])
        if document["next"]:
            assert "near=33.5951%2C-7.6185" in document["next"] or "near=33.5951,-7.6185" in document["next"]
            assert 'rel="next"' in response.headers["Link"]
        url = document["next"]
        pages += 1
    assert seen == expected
    assert pages == math.ceil(len(expected) / 2)
    # Past the last page: 404, as without near.
    assert api.get(f"{URL}?near={_near(RIALTO)}&page={pages + 1}&per_page=2&site={site}").status_code == 404
    assert api.get(f"{URL}?near={_near(RIALTO)}&site=no-such-site").status_code == 404


def test_monuments_without_coordinates_are_left_out(app, api):
    with app.app_context():
        slug = db.session.scalar(select(Monument.slug).where(Monument.live.is_(True)).limit(1))
        db.session.execute(update(Monument).where(Monument.slug == slug).values(latitude=None))
        db.session.commit()
    document = api.get(f"{URL}?near={_near(RIALTO)}&per_page=100").get_json()
    slugs = [item["slug"] for item in document["items"]]
    assert slug not in slugs
    assert document["total"] == len(slugs) == len(_positions(app))
    # Without near= it is listed as before, with no distance.
    everything = api.get(f"{URL}?per_page=100").get_json()
    assert slug in [item["slug"] for item in everything["items"]]


def test_drafts_are_not_near_anything(app, api):
    with app.app_context():
        slug = db.session.scalar(select(Monument.slug).where(Monument.live.is_(True)).limit(1))
        db.session.execute(update(Monument).where(Monument.slug == slug).values(live=False))
        db.session.commit()
    document = api.get(f"{URL}?near={_near(RIALTO)}&per_page=100").get_json()
    assert slug not in [item["slug"] for item in document["items"]]


def test_ranking_reads_four_columns_and_loads_only_the_page(app, client):
    # 10,000 monuments are ranked from (id, slug, lat, lon) rows; whole monuments only for the page.
    with counting(app) as statements:
        response = client.get(f"{URL}?near={_near(RIALTO)}&per_page=1")
    assert response.status_code == 200
    texts = [s for s in statements if "FROM monument_texts" in s]
    assert len(texts) == 1, texts
    assert "IN (" in texts[0]
    ranking = [s for s in statements if s.startswith("SELECT monuments.id, monuments.slug, monuments.latitude")]
    assert len(ranking) == 1
    assert ranking[0].split(" FROM ")[0].count(",") == 3


@pytest.mark.parametrize("point", [
    "90,180", "-90,-180", "0,0", "-0,-0", "90.000,-180.0", "33.595100000000000,-7.618500000000000",
    "0.00001,0.00001", "89.9999,179.9999",
])
def test_edge_points_are_accepted(api, point):
    response = api.get(f"{URL}?near={point}")
    assert response.status_code == 200, response.get_json()
    document = response.get_json()
    if document["next"]:
        # The link repeats the point as near= accepts it (fixed point, never 1e-05).
        assert api.get(document["next"].removeprefix("https://dalil.example")).status_code == 200


@pytest.mark.parametrize("point", [
    "", ",", "33.5", "33.5,", ",-7.6", "33.5,-7.6,1", "33.5;-7.6", "33.5 -7.6", "33.5, -7.6", " 33.5,-7.6",
    "90.1,0", "-90.5,0", "91,0", "0,180.5", "0,-181", "1000,0", "0,1e2", "1e1,0", "NaN,0", "0,nan", "inf,0",
    "-inf,0", "Infinity,0", "0x10,0", "33,5,-7,6", "33٫5,-7٫6", "٣٣.٥,-٧.٦", "۳۳,۷", "３３,７",
    "+33.5,-7.6", "33.,-7.6", ".5,-7.6", "033.5,-7.6", "1" * 1_000 + ",0", "0." + "1" * 16 + ",0",
    "مسجد,الحسن", "33.5\u200f,-7.6",
])
def test_bad_points_are_a_translated_400(client, api, point):
    response = api.get(URL, query_string={"near": point}, headers={"Accept-Language": "ar"})
    assert response.status_code == 400
    body = response.get_json()
    assert "near" in body["message"]
    assert any("\u0600" <= char <= "\u06ff" for char in body["message"])
    french = client.get(URL, query_string={"near": point}, headers={"Accept-Language": "fr"}).get_json()
    assert "latitude" in french["message"]
    assert french["message"] != body["message"]


@pytest.mark.parametrize(("point", "status"), [("33.5\x00,7", 400), ("33.5,-7.6\n", 400), ("1" * 10_000 + ",0", 414)])
def test_control_characters_and_10_kb_are_refused_before_reading_near(api, point, status):
    # The request guard refuses these for every URL, with its own translated message.
    response = api.get(URL, query_string={"near": point})
    assert response.status_code == status
    assert response.get_json()["message"]


def test_near_given_twice_is_a_400(api):
    response = api.get(f"{URL}?near=0,0&near=1,1")
    assert response.status_code == 400


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(latitude=st.floats(-90, 90), longitude=st.floats(-180, 180))
def test_any_point_in_range_ranks_by_distance(client, latitude, longitude):
    point = f"{latitude:.6f},{longitude:.6f}"
    response = client.get(f"{URL}?near={point}&per_page=100")
    assert response.status_code == 200
    metres = [item["distance_m"] for item in response.get_json()["items"]]
    assert metres == sorted(metres)
    assert all(0 <= value <= math.pi * 6_371_000 + 1 for value in metres)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(max_size=60))
def test_arbitrary_text_is_200_or_400_never_500(client, raw):
    response = client.get(URL, query_string={"near": raw})
    assert response.status_code in (200, 400)


# "Near me" in Chromium, with the phone's position granted, online and from a saved pack.

PACK_TIMEOUT_MS = 60_000


def _casablanca_by_distance(app, point) -> list[str]:
    """Casablanca's visible monuments with coordinates, nearest first, as near.js should order them."""
    ranked = sorted((great_circle_m(*point, lat, lon), slug) for slug, lat, lon in _positions(app, "casablanca"))
    return [slug for _, slug in ranked]


def _near_me(page, text_attribute: str) -> None:
    page.click("[data-near-me]")
    text = page.locator(f"[{text_attribute}]").text_content()
    page.wait_for_function(
        "(text) => document.querySelector('[data-near-status]').textContent === text", arg=text)


def _listed(page) -> list[str]:
    """The monuments of the first list on the page, in their displayed order."""
    hrefs = page.eval_on_selector_all(
        "[data-near-group] [data-near-list] > li > a", "(links) => links.map((link) => link.pathname)")
    return [href.rsplit("/", 1)[1] for href in hrefs]


def _distances(page) -> list[str]:
    return page.eval_on_selector_all("[data-near-group] [data-near-distance]",
                                     "(labels) => labels.map((label) => label.textContent)")


def _geolocated_context(browser, point, lang, worker: bool = False):
    # Without the worker, a page context: nothing fetched in the background outlives the test.
    context = browser.new_context(service_workers="allow", locale=lang) if worker else page_context(browser, locale=lang)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": point[0], "longitude": point[1]})
    return context


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_near_me_sorts_the_lists_online(app, live_server, browser, lang):
    far = _casablanca_by_distance(app, RIALTO)[-1]
    with app.app_context():
        point = db.session.execute(select(Monument.latitude, Monument.longitude)
                                   .where(Monument.slug == far)).one()
    expected = _casablanca_by_distance(app, tuple(point))
    assert expected[0] == far
    context = _geolocated_context(browser, point, lang)
    page = context.new_page()
    for path in (f"/{lang}/", f"/{lang}/sites/casablanca"):
        page.goto(live_server.url + path)
        _near_me(page, "data-near-sorted")
        assert _listed(page)[:len(expected)] == expected
        assert all(_distances(page)[:len(expected)])
    close(context)


@pytest.mark.browser
def test_near_me_works_offline_from_a_saved_pack(app, live_server, browser):
    point = (33.6083, -7.6325)
    expected = _casablanca_by_distance(app, point)
    context = _geolocated_context(browser, point, "ar", worker=True)
    page = context.new_page()
    page.goto(live_server.url + "/ar/sites/casablanca")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.click("[data-pack=casablanca]")
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)
    context.set_offline(True)
    live_server.stop()
    # The saved home page and site page carry the coordinates; near.js comes from the app shell.
    for path in ("/ar/", "/ar/sites/casablanca"):
        page.goto(live_server.url + path)
        assert page.get_attribute("html", "dir") == "rtl"
        _near_me(page, "data-near-sorted")
        assert _listed(page)[:len(expected)] == expected
        # Distances are written with Intl, in Arabic.
        assert all(_distances(page)[:len(expected)])
    close(context)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_refused_position_says_so_and_keeps_the_order(app, live_server, browser, lang):
    context = page_context(browser, locale=lang)
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/sites/casablanca")
    before = _listed(page)
    _near_me(page, "data-near-refused")
    assert page.locator("[data-near-status]").is_visible()
    assert _listed(page) == before
    with app.test_request_context(), force_locale(lang):
        expected = gettext("You did not allow the guide to know your position: the list keeps its usual order.")
    # The page sets French text with typographic apostrophes and narrow spaces.
    shown = page.locator("[data-near-status]").text_content()
    assert shown.replace("\u2019", "'").replace("\u202f", " ").replace("\xa0", " ") == expected
    close(context)


@pytest.mark.browser
def test_a_phone_without_geolocation_is_told(app, live_server, browser):
    context = page_context(browser, locale="fr")
    context.add_init_script("delete Navigator.prototype.geolocation;")
    page = context.new_page()
    page.goto(f"{live_server.url}/fr/")
    failed = page.locator("[data-near-failed]").text_content()
    page.wait_for_function("(text) => document.querySelector('[data-near-status]').textContent === text",
                           arg=failed)
    assert page.locator("[data-near-me]").is_hidden()
    close(context)
