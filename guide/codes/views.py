"""/q/<CODE>: where every plaque's QR code leads; typed codes."""

from functools import partial

from flask import Blueprint
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from guide import published
from guide.caching import Follow
from guide.caching import aliased_entry
from guide.caching import conditional_response
from guide.caching import depends_on
from guide.codes.services import CACHED_CODE_STATUSES
from guide.codes.services import MAX_TYPED_LENGTH
from guide.codes.services import cache_code
from guide.codes.services import resolve_code
from guide.codes.services import resolve_entry
from guide.codes.stats import count_scan
from guide.codes.stats import flush_after
from guide.errors import abort
from guide.i18n import NEGOTIATION_VARY
from guide.i18n import languages
from guide.i18n import negotiate_language
from guide.monuments.rendering import monument_page
from guide.monuments.rendering import stop_page

bp = Blueprint("codes", __name__, template_folder="templates")

# Status of a /q/ answer that means an existing code was resolved (304: a re-scan).
COUNTED_STATUSES = (200, 304, 410)


@bp.get("/q/<code>")
# The QR symbol carries the URL in upper case (alphanumeric mode), hence this alias.
@bp.get("/Q/<code>", endpoint="resolve_upper")
def resolve(code: str):
    """Show what a plaque's code points at, in the visitor's language, without a redirect."""
    # Read once into a local: each g. is a context lookup, and a scan is the hottest path.
    g.lang = lang = negotiate_language()

    def find():
        resolution = resolve_code(code)
        if resolution.code is not None:
            depends_on(resolution.code.site.slug)
        if not resolution.found:
            # A place not published yet is a 404, like an unknown code, with its own message.
            status = 410 if resolution.code is not None and resolution.code.is_retired else 404
            return render_template("codes/unknown.html", code=code, resolution=resolution), status
        # The page's own cached body, rendered once whichever URL reached it.
        slug, stop = resolution.monument.slug, resolution.code.stop
        if stop is not None:
            return Follow(partial(stop_page, lang, slug, stop.slug))
        return Follow(partial(monument_page, lang, slug))

    # Only a well-formed code may be a cache key, and only its page (or its retired notice) is
    # kept: an unknown or malformed code is rendered each time, so junk cannot push real pages
    # out, nor be stored under a real code's key. The page itself is cached under its own URL's
    # key: a scan and a visit to /<lang>/monuments/… share it.
    key = cache_code(code)
    entry = aliased_entry(("q", lang, key) if key else None, find, cache_statuses=CACHED_CODE_STATUSES)
    response = conditional_response(entry, vary=NEGOTIATION_VARY)
    # Counted on every request, cached or not; the rendering above only runs on a cache miss.
    environ = request.environ
    counted = response.status_code in COUNTED_STATUSES and environ["REQUEST_METHOD"] == "GET"
    if counted and not _is_prefetch(environ):
        # A QR scan has no query string: ?via= is parsed only when there is one.
        via = request.args.get("via") if environ.get("QUERY_STRING") else None
        if count_scan(key, lang, via):
            flush_after(response)
    return response


def _is_prefetch(environ: dict) -> bool:
    # A browser guessing the next page is not a visitor scanning a plaque.
    purpose = environ.get("HTTP_SEC_PURPOSE") or environ.get("HTTP_PURPOSE") or ""
    return purpose.startswith("prefetch")


@bp.get("/q", strict_slashes=False)
def enter():
    """Let a visitor type a plaque code or a keypad number, in the negotiated language."""
    g.lang = negotiate_language()
    return _entry_page()


@bp.get("/<lang:lang>/enter")
def enter_in(lang: str):
    """Let a visitor type a plaque code or a keypad number, in the language of the URL."""
    g.alternates = {other: url_for("codes.enter_in", lang=other) for other in languages()}
    return _entry_page()


def _entry_page():
    raw = request.args.get("code")
    site_slug = request.args.get("site") or None
    site = published.find_site(site_slug[:80]) if site_slug else None
    if site_slug and site is None:
        abort(404, _("This site is not in the guide."))
    sites = published.list_sites(with_monuments=False)
    if raw is None:
        return render_template("codes/enter.html", entry=None, typed="", site=site, sites=sites)
    entry = resolve_entry(raw, site)
    if entry.problem is None:
        return redirect(url_for("codes.resolve", code=entry.code.code, via="typed"), 303)
    status = {"empty": 400, "too-long": 400, "retired": 410, "ambiguous": 200}.get(entry.problem, 404)
    return render_template("codes/enter.html", entry=entry, typed=raw[:MAX_TYPED_LENGTH], site=site,
                           sites=sites), status
