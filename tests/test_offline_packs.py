"""Offline packs over HTTP: every file listed is served with the listed bytes and hash."""

import hashlib
import json
import re

import pytest
from sqlalchemy import select

from guide.codes.models import Code
from guide.extensions import db
from guide.i18n import languages
from guide.monuments.models import Monument
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


def test_unknown_sites_do_not_enter_the_pack_cache(app, client):
    for slug in ("atlantis", "nowhere", "x" * 300):
        assert client.get(f"/api/v1/packs/{slug}").status_code == 404
    _pack(client)
    assert [key[0] for key in app.extensions["dalil_packs"]] == ["casablanca"]


def test_a_full_pack_cache_evicts_the_oldest_entry_only(app, monkeypatch):
    from guide.offline import services

    built = []
    monkeypatch.setattr(services, "build_pack", lambda slug, langs=None: built.append(slug) or {"site": slug})
    with app.test_request_context():
        for index in range(services.MAX_CACHED_PACKS + 1):
            services.get_pack(f"site-{index}")
        slugs = [key[0] for key in app.extensions["dalil_packs"]]
        assert len(slugs) == services.MAX_CACHED_PACKS
        assert "site-0" not in slugs
        assert slugs[0] == "site-1"
        assert slugs[-1] == f"site-{services.MAX_CACHED_PACKS}"
        # A hit keeps its entry and builds nothing.
        services.get_pack("site-1")
        assert built.count("site-1") == 1


def _kinds(pack):
    pages = {entry["url"].split("/")[1] for entry in pack["files"] if not entry["url"].startswith(("/media/", "/static/"))}
    audio = {entry["url"] for entry in pack["files"] if entry["type"].startswith("audio/")}
    return pages, audio


def test_a_pack_in_one_language(app, client):
    full = _pack(client)
    french = client.get("/api/v1/packs/casablanca?lang=fr").get_json()
    arabic = client.get("/api/v1/packs/casablanca?lang=ar").get_json()
    assert french["languages"] == ["fr"]
    assert arabic["languages"] == ["ar"]
    assert full["languages"] == ["ar", "fr"]
    assert _kinds(french)[0] == {"fr"}
    assert _kinds(arabic)[0] == {"ar"}
    # Recordings are per language: each one-language pack has its own, both have all of them.
    assert _kinds(french)[1]
    assert _kinds(arabic)[1]
    assert not _kinds(french)[1] & _kinds(arabic)[1]
    assert _kinds(french)[1] | _kinds(arabic)[1] == _kinds(full)[1]
    assert french["bytes"] < 0.7 * full["bytes"]
    assert {url for pages in french["codes"].values() for url in pages.values()} <= {
        entry["url"] for entry in french["files"]}
    assert set(next(iter(french["codes"].values()))) == {"fr"}
    # Every file of a one-language pack is in the full pack, with the same bytes.
    everything = {entry["url"]: entry["sha256"] for entry in full["files"]}
    assert all(everything[entry["url"]] == entry["sha256"] for entry in french["files"])
    both = client.get("/api/v1/packs/casablanca?lang=fr,ar").get_json()
    assert both["files"] == full["files"]
    assert len({french["version"], arabic["version"], full["version"]}) == 3


@pytest.mark.parametrize("lang", ["de", "", "fr,de", "x" * 300])
def test_a_pack_in_an_unknown_language_is_a_json_400(client, lang):
    response = client.get(f"/api/v1/packs/casablanca?lang={lang}", headers={"Accept-Language": "ar"})
    assert response.status_code == 400
    assert response.get_json()["message"]


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/packs/casablanca?lang=de", 400),
    ("/api/v1/packs/casablanca?lang=fr&lang=ar", 400),
    ("/api/v1/packs/atlantis", 404),
])
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_pack_errors_speak_the_callers_language(app, client, url, status, lang):
    response = client.get(url, headers={"Accept-Language": lang})
    assert response.status_code == status
    message = response.get_json()["message"]
    arabic = any("\u0600" <= char <= "\u06ff" for char in message)
    assert arabic == (lang == "ar"), message


def _build(client) -> str:
    response = client.get("/sw.js")
    assert response.status_code == 200
    line = next(line for line in response.get_data(as_text=True).splitlines() if line.startswith("const BUILD"))
    return line


def test_renaming_a_monument_changes_the_code_index_not_the_worker(app, client):
    before_codes, before_build = client.get("/offline/codes.json").get_data(), _build(client)
    with app.app_context():
        monument = next(code.target_monument for code in db.session.scalars(select(Code).where(Code.stop_id.is_(None)))
                        if code.target_monument)
        monument.texts["fr"].name += " (renommé)"
        db.session.commit()
    assert client.get("/offline/codes.json").get_data() != before_codes
    # The worker refreshes the index itself: a name edit must not re-precache the whole shell.
    assert _build(client) == before_build


def test_the_worker_reads_typed_entries_with_the_servers_limits(client):
    from guide.codes.services import MAX_NUMBER_DIGITS
    from guide.codes.services import MAX_RAW_LENGTH
    from guide.codes.services import MAX_TYPED_LENGTH

    script = client.get("/sw.js").get_data(as_text=True)
    expected = {"typed": MAX_TYPED_LENGTH, "raw": MAX_RAW_LENGTH, "digits": MAX_NUMBER_DIGITS}
    assert f"const ENTRY_LIMITS = {json.dumps(expected)};" in script
    assert ".slice(0, 32)" not in script


def test_the_pack_list_keeps_each_sites_summary_and_builds_no_pack_twice(app, client, monkeypatch):
    from guide.offline import services

    built = []
    build = services.build_pack
    monkeypatch.setattr(services, "build_pack", lambda slug, langs=None: built.append(slug) or build(slug, langs))
    listed = client.get("/api/v1/packs").get_json()["packs"]
    assert built == ["casablanca"]
    # Another worker's view of the same content: rendered documents gone, summaries kept.
    app.extensions["dalil_response_cache"].clear()
    assert client.get("/api/v1/packs").get_json()["packs"] == listed
    assert client.get("/api/v1/packs/casablanca").get_json()["version"] == listed[0]["version"]
    assert built == ["casablanca"]


def test_build_packs_needs_a_shared_store(runner):
    result = runner.invoke(args=["build-packs"])
    assert result.exit_code != 0
    assert "DALIL_SHARE_PACKS" in result.output


def test_build_packs_refuses_an_unknown_site(app_factory, tmp_path):
    result = app_factory(SHARE_PACKS=True, MEDIA_DIR=str(tmp_path)).test_cli_runner().invoke(
        args=["build-packs", "--site", "atlantis"])
    assert result.exit_code != 0
    assert "Error" in result.output


def test_built_packs_are_served_by_servers_that_never_build_them(app_factory, monkeypatch, tmp_path):
    from guide.offline import services

    shared = {"SHARE_PACKS": True, "MEDIA_DIR": str(tmp_path)}
    result = app_factory(**shared).test_cli_runner().invoke(args=["build-packs", "--site", "casablanca"])
    assert result.exit_code == 0, result.output
    # Every language together, then each alone: what packs.js asks for.
    lines = result.output.strip().splitlines()
    langs = sorted(app_factory(**shared).config["LANGUAGES"])
    assert len(lines) == 1 + len(langs)
    assert all(re.match(r"casablanca \([a-z, ]+\) ?: \d+ ", line) for line in lines), lines

    def refuse(*_args, **_kwargs):
        raise AssertionError("built by a server")

    monkeypatch.setattr(services, "build_pack", refuse)
    client = app_factory(**shared).test_client()
    whole = _pack(client)
    assert {entry["url"] for entry in whole["files"]} >= {f"/{lang}/sites/casablanca" for lang in langs}
    for lang in langs:
        alone = client.get(f"/api/v1/packs/casablanca?lang={lang}")
        assert alone.status_code == 200
        assert alone.get_json()["languages"] == [lang]
