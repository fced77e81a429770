"""Visitors see published content only: a monument or site that is not live does not exist for them."""

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from sqlalchemy import select

from guide.extensions import db
from guide.monuments.models import Monument
from guide.sites.models import Site

LANGUAGES = ("ar", "fr")
SITE = "casablanca"
MONUMENT = "hassan-ii-mosque"
STOP = "esplanade"
CODE, NUMBER = "H3J4Y", 12
STOP_CODE = "CU9AH"
NOT_YET = "This place is not yet available."


def _unpublish(app, monument: str | None = None, site: str | None = None) -> None:
    with app.app_context():
        if monument is not None:
            db.session.scalar(select(Monument).where(Monument.slug == monument)).live = False
        if site is not None:
            db.session.scalar(select(Site).where(Site.slug == site)).live = False
        db.session.commit()


def _translated(app, lang: str, message: str) -> str:
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        return gettext(message)


def _all_monuments(client, query: str = "") -> list[str]:
    document = client.get(f"/api/v1/monuments?per_page=100{query}").get_json()
    return [item["slug"] for item in document["items"]]


def _pack_urls_and_codes(client, slug: str = SITE) -> tuple[list[str], set[str]]:
    pack = client.get(f"/api/v1/packs/{slug}").get_json()
    return [entry["url"] for entry in pack["files"]], set(pack["codes"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unpublished_monument_has_no_page_nor_document(app, client, lang):
    _unpublish(app, monument=MONUMENT)
    assert client.get(f"/{lang}/monuments/{MONUMENT}").status_code == 404
    assert client.get(f"/{lang}/monuments/{MONUMENT}/{STOP}").status_code == 404
    response = client.get(f"/api/v1/monuments/{MONUMENT}")
    assert response.status_code == 404
    assert response.is_json


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unpublished_monument_is_left_out_of_every_list(app, client, lang):
    # Read from the database: a request before the change would fill the page cache.
    with app.app_context():
        others = list(db.session.scalars(
            select(Monument.slug).where(Monument.slug != MONUMENT).order_by(Monument.position, Monument.slug)
        ))
    _unpublish(app, monument=MONUMENT)
    for path in (f"/{lang}/", f"/{lang}/sites/{SITE}"):
        response = client.get(path)
        assert response.status_code == 200
        assert f"/monuments/{MONUMENT}" not in response.get_data(as_text=True), path
    assert _all_monuments(client) == others
    assert MONUMENT not in _all_monuments(client, f"&site={SITE}")
    sites = {site["slug"]: site for site in client.get("/api/v1/sites").get_json()["items"]}
    assert sites[SITE]["monument_count"] == len(others)


def test_an_unpublished_monument_is_left_out_of_packs_and_the_code_index(app, client):
    _unpublish(app, monument=MONUMENT)
    urls, codes = _pack_urls_and_codes(client)
    assert urls
    assert not [url for url in urls if f"/monuments/{MONUMENT}" in url]
    assert CODE not in codes
    assert STOP_CODE not in codes
    index = client.get("/offline/codes.json").get_json()
    assert CODE not in index["codes"]
    assert STOP_CODE not in index["codes"]
    assert index["codes"], "the other monuments' codes stay"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", [CODE, STOP_CODE])
def test_a_code_of_an_unpublished_monument_says_the_place_is_not_yet_available(app, client, lang, code):
    _unpublish(app, monument=MONUMENT)
    message = _translated(app, lang, NOT_YET)
    assert message != NOT_YET
    response = client.get(f"/q/{code}", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert message in response.get_data(as_text=True)
    document = client.get(f"/api/v1/codes/{code}", headers={"Accept-Language": lang})
    assert document.status_code == 404
    assert document.get_json()["message"] == message
    typed = client.get(f"/{lang}/enter?code={code.lower()}")
    assert typed.status_code == 404
    assert message in typed.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_keypad_number_of_an_unpublished_monument_says_the_same(app, client, lang):
    _unpublish(app, monument=MONUMENT)
    response = client.get(f"/{lang}/enter?code={NUMBER}&site={SITE}")
    assert response.status_code == 404
    assert _translated(app, lang, NOT_YET) in response.get_data(as_text=True)


def test_a_code_not_yet_available_is_not_cached_and_publishing_opens_it(app, client):
    _unpublish(app, monument=MONUMENT)
    assert client.get(f"/q/{CODE}").status_code == 404
    with app.app_context():
        db.session.scalar(select(Monument).where(Monument.slug == MONUMENT)).live = True
        db.session.commit()
    assert client.get(f"/q/{CODE}").status_code == 200
    assert client.get(f"/api/v1/codes/{CODE}").status_code == 200


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unpublished_site_and_its_monuments_do_not_exist_for_visitors(app, client, lang):
    _unpublish(app, site=SITE)
    assert client.get(f"/{lang}/sites/{SITE}").status_code == 404
    assert client.get(f"/{lang}/monuments/{MONUMENT}").status_code == 404
    assert client.get(f"/api/v1/monuments/{MONUMENT}").status_code == 404
    assert client.get(f"/api/v1/monuments?site={SITE}").status_code == 404
    assert f"/sites/{SITE}" not in client.get(f"/{lang}/").get_data(as_text=True)
    assert SITE not in [site["slug"] for site in client.get("/api/v1/sites").get_json()["items"]]
    assert SITE not in [pack["site"] for pack in client.get("/api/v1/packs").get_json()["packs"]]
    assert client.get(f"/api/v1/packs/{SITE}").status_code == 404
    assert client.get(f"/{lang}/enter?code=x&site={SITE}").status_code == 404
    assert not [code for code in client.get("/offline/codes.json").get_json()["codes"].values()
                if code["site"] == SITE]
    response = client.get(f"/q/{CODE}", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert _translated(app, lang, NOT_YET) in response.get_data(as_text=True)


def test_a_site_whose_monuments_are_all_unpublished_is_coming_soon(app, client):
    with app.app_context():
        for monument in db.session.scalars(select(Monument).join(Site).where(Site.slug == SITE)):
            monument.live = False
        db.session.commit()
    assert SITE not in [pack["site"] for pack in client.get("/api/v1/packs").get_json()["packs"]]
    sites = {site["slug"]: site for site in client.get("/api/v1/sites").get_json()["items"]}
    assert sites[SITE]["monument_count"] == 0
    home = client.get("/fr/").get_data(as_text=True)
    assert "/monuments/" not in home
    assert f"/fr/sites/{SITE}" in home
    assert client.get("/fr/enter?code=12").status_code == 404
    assert client.get(f"/api/v1/monuments?site={SITE}").get_json()["items"] == []
