"""Cached answers: stamped with the sites they show, served without the database, cached once."""

import pytest
from flask import template_rendered
from sqlalchemy import select

from guide.codes.format import new_code
from guide.extensions import db
from guide.models import Code
from guide.models import Monument
from guide.models import MonumentText
from guide.models import Site
from tests.queries import counting

FRENCH = {"Accept-Language": "fr"}


@pytest.fixture
def fes(app):
    """Fès gets a live monument with a plaque code; Casablanca keeps the sample content."""
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "fes"))
        monument = Monument(site=site, slug="bab-boujloud", state="published", live=True)
        for lang, name in (("fr", "Bab Boujloud"), ("ar", "باب بوجلود")):
            monument.texts[lang] = MonumentText(lang=lang, name=name, summary=name, body=f"{name}, la porte bleue.")
        db.session.add(monument)
        code = Code(code=new_code(set(db.session.scalars(select(Code.code)))), site=site, number=1,
                    monument=monument)
        db.session.add(code)
        db.session.commit()
        return code.code


def casablanca_code(app) -> str:
    with app.app_context():
        mosque = db.session.scalar(select(Monument).where(Monument.slug == "hassan-ii-mosque"))
        return mosque.primary_code.code


def urls(site: str, monument: str, code: str) -> list[str]:
    return [
        f"/fr/monuments/{monument}", f"/ar/monuments/{monument}", f"/fr/sites/{site}", f"/q/{code}",
        f"/api/v1/monuments/{monument}", f"/api/v1/monuments?site={site}", f"/api/v1/codes/{code}",
        f"/api/v1/packs/{site}",
    ]


def answers(client, paths: list[str]) -> dict[str, str]:
    found = {}
    for path in paths:
        response = client.get(path, headers=FRENCH)
        assert response.status_code == 200, path
        found[path] = response.headers["ETag"]
    return found


def cached_bodies(app) -> dict[tuple, int]:
    """Each cached body's identity by key: a rebuilt entry has new bytes."""
    cache = app.extensions["dalil_response_cache"]
    entries = {key: cache.get(key) for key in cache}
    return {key: id(entry.body) for key, entry in entries.items() if hasattr(entry, "body")}


def edit_mosque(app, **changes) -> None:
    with app.app_context():
        mosque = db.session.scalar(select(Monument).where(Monument.slug == "hassan-ii-mosque"))
        for name, value in changes.items():
            setattr(mosque.texts["fr"], name, value)
        db.session.commit()


def test_an_edit_in_one_site_leaves_the_other_sites_answers_untouched(app, client, fes):
    fes_urls = urls("fes", "bab-boujloud", fes)
    casablanca_urls = urls("casablanca", "hassan-ii-mosque", casablanca_code(app))
    before = answers(client, fes_urls + casablanca_urls)
    fes_bodies = {key: body for key, body in cached_bodies(app).items() if "fes" in key or "bab-boujloud" in key
                  or fes in key}
    assert len(fes_bodies) >= 6
    edit_mosque(app, body="Un texte tout neuf.")
    pages = [path for path in fes_urls if "/packs/" not in path]
    with counting(app) as ran:
        after_fes = answers(client, pages)
    # Not rebuilt, not even checked against the database.
    assert ran == []
    # The pack lists the home page, which shows every site: it is fetched again (and rebuilt,
    # since it depends on every site), and the pack stays as long as its bytes do.
    after_fes |= answers(client, [path for path in fes_urls if "/packs/" in path])
    assert after_fes == {path: before[path] for path in fes_urls}
    assert {key: body for key, body in cached_bodies(app).items() if key in fes_bodies} == fes_bodies
    after_casablanca = answers(client, casablanca_urls)
    changed = {path for path in casablanca_urls if after_casablanca[path] != before[path]}
    assert changed >= {"/fr/monuments/hassan-ii-mosque", f"/q/{casablanca_code(app)}",
                       "/api/v1/monuments/hassan-ii-mosque", "/api/v1/packs/casablanca"}


def test_a_bookkeeping_change_changes_no_answer(app, client, fes):
    paths = urls("fes", "bab-boujloud", fes) + urls("casablanca", "hassan-ii-mosque", casablanca_code(app))
    before = answers(client, paths)
    bodies = cached_bodies(app)
    with app.app_context():
        mosque = db.session.scalar(select(Monument).where(Monument.slug == "hassan-ii-mosque"))
        mosque.state = "review"
        mosque.site.source_hash = "0" * 64
        db.session.commit()
    with counting(app) as ran:
        assert answers(client, paths) == before
    assert ran == []
    assert cached_bodies(app) == bodies


@pytest.mark.parametrize("path", ["/q/{code}", "/fr/monuments/hassan-ii-mosque", "/api/v1/monuments/hassan-ii-mosque",
                                  "/api/v1/codes/{code}", "/fr/sites/casablanca", "/fr/"])
def test_a_cached_answer_makes_no_database_access(app, client, path):
    path = path.format(code=casablanca_code(app))
    first = client.get(path, headers=FRENCH)
    assert first.status_code == 200
    with counting(app) as ran:
        again = client.get(path, headers=FRENCH)
        revalidated = client.get(path, headers={**FRENCH, "If-None-Match": first.headers["ETag"]})
    assert ran == []
    assert again.get_data() == first.get_data()
    assert revalidated.status_code == 304


@pytest.mark.parametrize("first_url", ["/q/{code}", "/fr/monuments/hassan-ii-mosque"])
def test_a_page_is_cached_once_whatever_url_reached_it(app, client, first_url):
    code = casablanca_code(app)
    first = client.get(first_url.format(code=code), headers=FRENCH)
    other_url = "/fr/monuments/hassan-ii-mosque" if first_url.startswith("/q/") else f"/q/{code}"
    rendered = []
    with template_rendered.connected_to(lambda _app, template, **_extra: rendered.append(template.name), app):
        second = client.get(other_url, headers=FRENCH)
    assert second.get_data() == first.get_data()
    assert second.headers["ETag"] == first.headers["ETag"]
    # Not rendered again: at most the code is looked up.
    assert rendered == []
    cache = app.extensions["dalil_response_cache"]
    entries = [cache.get(key) for key in cache]
    assert sum(1 for entry in entries if getattr(entry, "body", None) == first.get_data()) == 1
    # /q/ answers in the negotiated language, so it says what it varies on; the page's URL does not.
    q_response = first if first_url.startswith("/q/") else second
    page_response = second if first_url.startswith("/q/") else first
    assert q_response.headers["Vary"] == "Accept-Language, Cookie"
    assert "Vary" not in page_response.headers


def test_a_stop_code_shares_the_stop_page(app, client):
    with app.app_context():
        code = db.session.scalar(select(Code).where(Code.stop_id.is_not(None), Code.retired_dt.is_(None)))
        stop_url = f"/fr/monuments/{code.stop.monument.slug}/{code.stop.slug}"
        code = code.code
    scanned = client.get(f"/q/{code}", headers=FRENCH)
    with counting(app) as ran:
        page = client.get(stop_url)
    assert ran == []
    assert page.get_data() == scanned.get_data()


def test_a_retarget_moves_the_alias(app, client):
    code = casablanca_code(app)
    before = client.get(f"/q/{code}", headers=FRENCH).get_data(as_text=True)
    assert "Hassan II" in before
    with app.app_context():
        from guide.codes.services import retarget_code

        row = db.session.get(Code, code)
        retarget_code(row, db.session.scalar(select(Monument).where(Monument.slug == "hotel-lincoln")), author="cli")
        db.session.commit()
    after = client.get(f"/q/{code}", headers=FRENCH)
    assert after.get_data() == client.get("/fr/monuments/hotel-lincoln").get_data()


def test_a_change_seen_inside_its_own_transaction_is_never_cached(app, client):
    url = "/fr/monuments/hassan-ii-mosque"
    before = client.get(url).get_data(as_text=True)
    with app.app_context():
        # Requests made in this app context share its session, and so its transaction.
        mosque = db.session.scalar(select(Monument).where(Monument.slug == "hassan-ii-mosque"))
        mosque.texts["fr"].name = "Pas encore validé"
        db.session.flush()
        assert "Pas encore validé" in client.get(url).get_data(as_text=True)
        db.session.rollback()
    after = client.get(url).get_data(as_text=True)
    assert after == before
