"""Nearby: /api/v1/monuments?near=LAT,LON ranks the visible monuments by great-circle distance."""

import math

import pytest
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
    "-inf,0", "Infinity,0", "0x10,0", "33,5,-7,6", "33٫5,-7٫6", "٣٣.٥,-٧.٦", "۳۳,۷", "３３,７", "33.5\x00,7",
    "33.5,-7.6\n", "+33.5,-7.6", "33.,-7.6", ".5,-7.6", "033.5,-7.6", "1" * 10_000 + ",0",
    "0." + "1" * 16 + ",0", "مسجد,الحسن", "33.5\u200f,-7.6",
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
