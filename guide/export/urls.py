"""Each domain's public URLs, for the static export; a new domain adds its generator here.

Generators read the domains' services only, and name URLs with url_for, so that what is
exported is what the live app routes. Pages about one site follow the scope; pages about the
whole guide (home, API listings, offline pages, app files) are always exported.
"""

import json
import re
from collections.abc import Iterable
from pathlib import Path

from flask import current_app
from flask import url_for
from sqlalchemy import select

from guide.codes.models import Code
from guide.export.registry import Scope
from guide.export.registry import Target
from guide.export.registry import generator
from guide.extensions import db
from guide.i18n import languages
from guide.offline.views import PUBLIC_FOLDERS
from guide.tours.services import all_visible_tours

# What a code's page may answer besides 200: retired (410), place not published yet (404).
CODE_STATUSES = (200, 404, 410)
MEDIA_URL = re.compile(rb"/media/[0-9a-f]{64}\.[a-z0-9]{2,4}")


@generator
def home_pages(scope: Scope) -> Iterable[Target]:
    """The home page: negotiated at /, and under each language's prefix."""
    for lang in languages():
        yield Target(url_for("sites.home"), lang=lang)
        yield Target(url_for("sites.home_in", lang=lang))


@generator
def site_pages(scope: Scope) -> Iterable[Target]:
    """Each site's page, its monuments' pages and their stops' pages, in every language."""
    for site in scope.bundles:
        for lang in languages():
            yield Target(url_for("sites.site", lang=lang, slug=site.slug))
            for monument in site.monuments:
                yield Target(url_for("monuments.detail", lang=lang, slug=monument.slug))
                for stop in monument.stops:
                    yield Target(url_for("monuments.stop", lang=lang, slug=monument.slug, stop_slug=stop.slug))


def _scoped_codes(scope: Scope) -> list[str]:
    # Every code on a plaque of these sites: in service, retired, or waiting for its place.
    query = select(Code.code).order_by(Code.code)
    if not scope.whole:
        query = query.where(Code.site_id.in_([site.id for site in scope.sites]))
    return list(db.session.scalars(query))


@generator
def tour_pages(scope: Scope) -> Iterable[Target]:
    """Each published walking tour's page in every language, its API document, and the tour listings."""
    yield Target(url_for("api.tours"), kind="document")
    for site in scope.sites:
        # Every site's listing, with tours or none: clients ask for the site they show.
        yield Target(url_for("api.tours", site=site.slug), kind="document")
        for tour in all_visible_tours(site.slug):
            for lang in languages():
                yield Target(url_for("tours.detail", lang=lang, slug=tour.slug))
            yield Target(url_for("api.tour", slug=tour.slug), kind="document")


@generator
def search_pages(scope: Scope) -> Iterable[Target]:
    """The empty search page in every language: the worker keeps it, js/search.js fills it from saved packs.

    Searches themselves (/<lang>/search?q=, /api/v1/search) need the live app: nginx answers the
    page with the empty form, which searches the saved packs, and the API with its not-found JSON.
    """
    for lang in languages():
        yield Target(url_for("search.page", lang=lang))


@generator
def code_pages(scope: Scope) -> Iterable[Target]:
    """/q/<CODE> per language, as printed (upper case) and typed in lower case; the code entry page."""
    for lang in languages():
        yield Target(url_for("codes.enter"), lang=lang)
        yield Target(url_for("codes.enter_in", lang=lang))
    for code in _scoped_codes(scope):
        for spelling in dict.fromkeys((code, code.lower())):
            for lang in languages():
                yield Target(url_for("codes.resolve", code=spelling), lang=lang, statuses=CODE_STATUSES)


@generator
def offline_pages(scope: Scope) -> Iterable[Target]:
    """The pages the service worker shows offline, the code index, the worker and the manifest."""
    for endpoint in ("offline.saved", "offline.not_saved", "offline.known_code", "offline.retired_code",
                     "offline.unknown_code"):
        for lang in languages():
            yield Target(url_for(endpoint, lang=lang))
    yield Target(url_for("offline.codes"), kind="file")
    yield Target(url_for("offline.service_worker"), kind="file")
    yield Target(url_for("offline.manifest"), kind="file")


@generator
def app_files(scope: Scope) -> Iterable[Target]:
    """Every file of the app's public folders (CSS, JS, icons, fonts, vendor), as /static/ serves it."""
    root = Path(current_app.config["PWA_DIR"])
    for folder in PUBLIC_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                filename = path.relative_to(root / folder).as_posix()
                yield Target(url_for("offline.static", folder=folder, filename=filename), kind="file")


def _next_pages(body: bytes) -> Iterable[Target]:
    # A listing names its next page; following it exports each page under the URL clients get.
    following = json.loads(body).get("next")
    if following:
        path = following.removeprefix(current_app.config["PUBLIC_BASE_URL"])
        yield Target(path, kind="document", follow=_next_pages)


@generator
def api_documents(scope: Scope) -> Iterable[Target]:
    """The API's reads: OpenAPI, sites, monument listings and documents, codes, packs (tours: tour_pages)."""
    yield Target(url_for("api.openapi"), kind="document")
    yield Target(url_for("api.sites"), kind="document")
    yield Target(url_for("api.monuments"), kind="document", follow=_next_pages)
    yield Target(url_for("offline.packs"), kind="document")
    for site in scope.bundles:
        yield Target(url_for("api.monuments", site=site.slug), kind="document", follow=_next_pages)
        yield Target(url_for("offline.pack", slug=site.slug), kind="document")
        # The app asks for a one-language pack with ?lang= (pwa/js/packs.js).
        for lang in languages():
            yield Target(url_for("offline.pack", slug=site.slug, lang=lang), kind="document")
        for monument in site.monuments:
            yield Target(url_for("api.monument", slug=monument.slug), kind="document")
    for code in _scoped_codes(scope):
        for lang in languages():
            yield Target(url_for("api.code", code=code), kind="document", lang=lang, statuses=CODE_STATUSES)


@generator
def error_pages(scope: Scope) -> Iterable[Target]:
    """The not-found page and API answer in each language, for any URL the export has no file for."""
    for lang in languages():
        yield Target(f"/{lang}/.not-found", kind="error", lang=lang, statuses=(404,))
        yield Target(f"{url_for('api.openapi').rpartition('/')[0]}/.not-found", kind="error", lang=lang,
                     statuses=(404,))


def media_references(body: bytes) -> set[str]:
    """Find the media URLs a page or document uses (images in every size, recordings)."""
    return {match.decode() for match in MEDIA_URL.findall(body)}
