"""Open data API v1: read-only JSON with every language, cached, revalidated by ETag."""

import re

from flask import Blueprint
from flask import current_app
from flask import g
from flask import request
from flask_babel import lazy_gettext as _l

from guide import published
from guide.api import services
from guide.api.openapi import openapi_document
from guide.api.params import near_arg
from guide.api.params import refuse
from guide.api.params import single_arg
from guide.caching import cached_response
from guide.caching import depends_on
from guide.codes.services import CACHED_CODE_STATUSES
from guide.codes.services import cache_code
from guide.codes.services import resolve_code
from guide.encoding import to_json
from guide.i18n import NEGOTIATION_VARY
from guide.i18n import languages
from guide.i18n import negotiate_language
from guide.search.services import DEFAULT_LIMIT
from guide.search.services import MAX_LIMIT
from guide.search.services import MAX_QUERY_LENGTH
from guide.tours.services import all_visible_tours
from guide.tours.services import visible_tour

bp = Blueprint("api", __name__, url_prefix="/api/v1")

JSON = "application/json"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
MAX_PAGE = 100_000
# Anything longer is out of range anyway; the cap keeps int() away from huge inputs.
MAX_DIGITS = 6
CORS_HEADERS = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "ETag, Link"))
CORS_PREFLIGHT_HEADERS = (
    *CORS_HEADERS,
    ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
    ("Access-Control-Allow-Headers", "If-None-Match"),
    ("Access-Control-Max-Age", "86400"),
)


@bp.after_app_request
def allow_any_origin(response):
    # Open data: any web page may read it, and see the ETag and Link headers.
    if request.path.startswith("/api/"):
        response.headers.extend(CORS_PREFLIGHT_HEADERS if request.method == "OPTIONS" else CORS_HEADERS)
        if response.status_code >= 400:
            response.vary.update(("Accept-Language", "Cookie"))
    return response


def _number_arg(name: str, default: int, maximum: int) -> int:
    raw = single_arg(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS and 1 <= int(raw) <= maximum):
        refuse(400, _l("The %(name)s parameter must be a whole number from 1 to %(maximum)d.",
                        name=name, maximum=maximum))
    return int(raw)


def _slug_arg(name: str) -> str | None:
    raw = single_arg(name)
    if raw is not None and not SLUG.fullmatch(raw):
        refuse(400, _l("The %(name)s parameter must be a slug: lower-case letters, digits and dashes.",
                        name=name))
    return raw


@bp.get("/openapi.json")
def openapi():
    """Describe this API as an OpenAPI 3.1 document."""
    return cached_response(("api-openapi",), lambda: to_json(openapi_document()), JSON)


@bp.get("/sites")
def sites():
    """List every site, in every language, with its monument count."""
    return cached_response(("api-sites",), lambda: to_json(services.sites_document()), JSON)


@bp.get("/monuments")
def monuments():
    """List monuments a page at a time, optionally those of one site, optionally nearest first."""
    site_slug = _slug_arg("site")
    near = near_arg()
    page = _number_arg("page", 1, MAX_PAGE)
    per_page = _number_arg("per_page", current_app.config["API_PAGE_SIZE"],
                           current_app.config["API_MAX_PAGE_SIZE"])

    def build():
        site = None
        if site_slug is not None:
            # One site's listing changes with that site only; the full listing with every site.
            depends_on(site_slug)
            site = published.find_site(site_slug)
            if site is None:
                refuse(404, _l("No site has this slug."))
        if near is None:
            result = services.monument_page(site, page, per_page)
        else:
            result = services.nearby_page(site, near, page, per_page)
        # The first page always exists, even when it is empty.
        if page > max(result.pages, 1):
            refuse(404, _l("This page of results does not exist."))
        document = services.monuments_document(site, result)
        return to_json(document), 200, services.link_headers(document)

    # Every position is its own listing: built each time, never kept, so positions cannot flood the cache.
    key = ("api-monuments", site_slug, page, per_page) if near is None else None
    return cached_response(key, build, JSON)


@bp.get("/monuments/<slug>")
def monument(slug: str):
    """Give everything about one monument: texts, media, guides, stops and codes."""

    def build():
        found = published.get_monument(slug) if SLUG.fullmatch(slug) else None
        if found is None:
            refuse(404, _l("No monument has this slug."))
        depends_on(found.site.slug)
        return to_json(services.monument_document(found))

    return cached_response(("api-monument", slug), build, JSON)


@bp.get("/codes/<code>")
def code(code: str):
    """Say what a plaque code points at, in any letter case."""
    # Unknown and retired codes answer with a reason, cached per language like the rest.
    g.lang = negotiate_language()

    def build():
        resolution = resolve_code(code)
        if resolution.code is not None:
            target = resolution.code.target_monument
            depends_on(resolution.code.site.slug, *([target.site.slug] if target else []))
        if resolution.found:
            return to_json(services.code_document(resolution.code, resolution.monument))
        document, status = services.code_error_document(code, resolution)
        return to_json(document), status

    # As for /q/<CODE>: only well-formed codes are keys, and only real codes' answers are kept.
    folded = cache_code(code)
    key = ("api-code", g.lang, folded) if folded else None
    return cached_response(key, build, JSON, vary=NEGOTIATION_VARY, cache_statuses=CACHED_CODE_STATUSES)


@bp.get("/search")
def search():
    """Find monuments by words in any language, answered in lang, best first."""
    query = single_arg("q")
    if query is None:
        refuse(400, _l("Give the words to search for in the q parameter."))
    if len(query) > MAX_QUERY_LENGTH:
        refuse(400, _l("The search is too long: at most %(maximum)d characters.", maximum=MAX_QUERY_LENGTH))
    lang = single_arg("lang") or current_app.config["DEFAULT_LANGUAGE"]
    if lang not in languages():
        refuse(400, _l("The lang parameter must be one of the guide's languages."))
    site_slug = _slug_arg("site")
    limit = _number_arg("limit", DEFAULT_LIMIT, MAX_LIMIT)
    # Searches are whatever visitors type: answered with an ETag but never kept in the page
    # cache, where they would push out the pages everyone reads.
    return cached_response(None, lambda: to_json(services.search_document(query, lang, site_slug, limit)), JSON)


@bp.get("/tours")
def tours():
    """List walking tours, optionally those of one site, in every language."""
    site_slug = _slug_arg("site")

    def build():
        if site_slug is not None:
            depends_on(site_slug)
            if published.find_site(site_slug) is None:
                refuse(404, _l("No site has this slug."))
        return to_json(services.tours_document(site_slug, all_visible_tours(site_slug)))

    return cached_response(("api-tours", site_slug), build, JSON)


@bp.get("/tours/<slug>")
def tour(slug: str):
    """Give everything about one walking tour: texts, stops in order, legs, distance and time."""

    def build():
        found = visible_tour(slug) if SLUG.fullmatch(slug) else None
        if found is None:
            refuse(404, _l("No tour has this slug."))
        depends_on(found.site.slug)
        return to_json(services.tour_document(found))

    return cached_response(("api-tour", slug), build, JSON)
