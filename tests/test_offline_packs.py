"""Offline packs over HTTP: every file listed is served with the listed bytes and hash."""

import hashlib

import pytest
from sqlalchemy import select

from guide.caching import bump_content_version
from guide.extensions import db
from guide.i18n import languages
from guide.monuments.models import Monument
from guide.qr.models import Code
from guide.sites.models import Site


def _pack(client, slug="casablanca"):
    response = client.get(f"/api/v1/packs/{slug}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _casablanca(app):
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
        monuments = [(m.slug, [s.slug for s in m.stops]) for m in site.monuments]
        return monuments, list(languages())


def test_pack_lists_every_page_in_every_language(app, client):
    pack = _pack(client)
    urls = {entry["url"] for entry in pack["files"]}
    monuments, langs = _casablanca(app)
    assert monuments
    for lang in langs:
        assert f"/{lang}/" in urls
        assert f"/{lang}/sites/casablanca" in urls
        for slug, stops in monuments:
            assert f"/{lang}/monuments/{slug}" in urls
            for stop in stops:
                assert f"/{lang}/monuments/{slug}/{stop}" in urls
    assert any(url.startswith("/media/") and url.endswith(".m4a") for url in urls)
    assert any(url.startswith("/media/") and url.endswith(".webp") for url in urls)
    assert any(url.startswith("/static/css/") for url in urls)
    assert pack["bytes"] == sum(entry["bytes"] for entry in pack["files"])
    assert len(urls) == len(pack["files"])


def test_every_listed_file_has_its_bytes_and_hash(client):
    pack = _pack(client)
    for entry in pack["files"]:
        response = client.get(entry["url"])
        assert response.status_code == 200, entry["url"]
        body = response.get_data()
        response.close()
        assert len(body) == entry["bytes"], entry["url"]
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], entry["url"]
        assert response.mimetype == entry["type"].split(";")[0], entry["url"]


def test_media_are_content_addressed(client):
    for entry in _pack(client)["files"]:
        if entry["url"].startswith("/media/"):
            assert entry["url"].rsplit("/", 1)[1].split(".")[0] == entry["sha256"]


def test_code_index_points_at_pages_of_the_pack(app, client):
    pack = _pack(client)
    urls = {entry["url"] for entry in pack["files"]}
    with app.app_context():
        codes = db.session.scalars(
            select(Code).join(Site).where(Site.slug == "casablanca", Code.retired_dt.is_(None))
        ).all()
        expected = {code.code: str(code.number) for code in codes}
    assert set(pack["codes"]) == set(expected)
    for code, number in expected.items():
        assert pack["numbers"][number] == code
        assert set(pack["codes"][code]) == set(pack["languages"])
        assert set(pack["codes"][code].values()) <= urls


def test_pack_revalidates_with_etag(client):
    first = client.get("/api/v1/packs/casablanca")
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get("/api/v1/packs/casablanca", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_editing_one_text_changes_only_that_page(app, client):
    before = _pack(client)
    with app.app_context():
        monument = db.session.scalar(select(Monument).join(Site).where(Site.slug == "casablanca"))
        slug = monument.slug
        lang = languages()[1]
        monument.texts[lang].body += "\n\nUne phrase ajoutée."
        bump_content_version()
        db.session.commit()
    after = _pack(client)
    assert after["version"] != before["version"]
    old = {entry["url"]: entry["sha256"] for entry in before["files"]}
    changed = [entry["url"] for entry in after["files"] if old.get(entry["url"]) != entry["sha256"]]
    assert changed == [f"/{lang}/monuments/{slug}"]


def test_pack_index_lists_every_site(client):
    response = client.get("/api/v1/packs")
    assert response.status_code == 200
    packs = {pack["site"]: pack for pack in response.get_json()["packs"]}
    assert "casablanca" in packs
    assert packs["casablanca"]["version"] == _pack(client)["version"]
    assert packs["casablanca"]["bytes"] == _pack(client)["bytes"]
    assert packs["casablanca"]["url"] == "/api/v1/packs/casablanca"


@pytest.mark.parametrize("slug", ["atlantis", "CASABLANCA", "x" * 300])
def test_unknown_site_is_a_json_404(client, slug):
    response = client.get(f"/api/v1/packs/{slug}", headers={"Accept-Language": "ar"})
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"] == 404
    assert body["message"]
