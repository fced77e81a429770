"""The installable app: service worker, manifest, offline packs, saved-guides pages and static files."""

import hashlib
from pathlib import Path

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import send_from_directory
from flask_babel import lazy_gettext as _l

from guide.api.params import refuse
from guide.api.params import single_arg
from guide.caching import cached_response
from guide.caching import depends_on
from guide.encoding import to_json
from guide.errors import DATABASE_UNAVAILABLE
from guide.errors import forget_session
from guide.i18n import current_language
from guide.i18n import languages
from guide.offline import services
from guide.offline import store
from guide.offline.assets import asset_url

bp = Blueprint("offline", __name__, template_folder="templates")

# Only these folders of pwa/ are public; package.json, node_modules and the like are not.
PUBLIC_FOLDERS = ("css", "js", "icons", "fonts", "vendor")
JSON = "application/json"
YEAR = 365 * 24 * 3600


@bp.get("/static/<folder>/<path:filename>")
def static(folder: str, filename: str):
    """Send one of the app's CSS, JS, icon or font files."""
    if folder not in PUBLIC_FOLDERS:
        abort(404)
    root = Path(current_app.config["PWA_DIR"]) / folder
    # A ?v= fingerprint names the bytes, so such a URL may be cached for good.
    fingerprinted = "v" in request.args
    response = send_from_directory(root, filename, max_age=YEAR if fingerprinted else 3600)
    if fingerprinted:
        response.cache_control.immutable = True
    return response


@bp.app_context_processor
def asset_helpers():
    """Give every template the fingerprinted asset URLs and the scripts' settings."""
    return {"asset_url": asset_url, "offline_config": offline_config}


def offline_config() -> dict:
    """What the page's scripts need to know: languages and their translated texts."""
    return {
        "lang": current_language(),
        "territory": current_app.config["LOCALE_TERRITORY"],
        "languages": list(languages()),
        "language_names": services.language_names(current_language()),
        "cookie": current_app.config["LANGUAGE_COOKIE"],
        "strings": services.client_strings(),
    }


@bp.get("/sw.js")
def service_worker():
    """Send the service worker from the root, so its scope covers /q/ and every page."""

    def build():
        root = Path(current_app.config["PWA_DIR"])
        return services.sw_script((root / "sw.js").read_bytes(), (root / "sw-rules.js").read_bytes())

    response = cached_response(("sw",), build, "text/javascript; charset=utf-8")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """Describe the app for installation to the home screen."""
    return cached_response(("manifest",), lambda: to_json(services.manifest_document()),
                           "application/manifest+json")


def _kept(name: str, body: bytes) -> bytes:
    store.remember(name, body, shared=False)
    return body


def _or_last(name: str, respond):
    """Answer as usual, or while the database does not answer, with the last document kept under name."""
    try:
        return respond()
    except DATABASE_UNAVAILABLE:
        forget_session()
        body = store.last(name)
        if body is None:
            raise
    response = Response(body, mimetype=JSON)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@bp.get("/api/v1/packs")
def packs():
    """List every site's offline pack with its version and size."""
    return _or_last("packs", lambda: cached_response(
        ("packs",), lambda: _kept("packs", to_json({"packs": services.pack_summaries()})), JSON))


@bp.get("/api/v1/packs/<slug>")
def pack(slug: str):
    """Describe a site's offline pack, all languages or ?lang=: every file with its URL, size and sha256."""
    langs = services.pack_languages(single_arg("lang"))
    if langs is None:
        refuse(400, _l("This guide has no such language."))

    def build():
        # The document shows the pack and nothing else: it changes when the pack does.
        depends_on()
        found = services.get_pack(slug, langs)
        if found is None:
            refuse(404, _l("No site has this slug."))
        return to_json(found)

    return _or_last(store.pack_name(slug, langs or languages()),
                    lambda: cached_response(("pack", slug, langs), build, JSON))


@bp.get("/offline/codes.json")
def codes():
    """Index every plaque code with its place's name, site and pages, for offline scans."""
    return _or_last("codes", lambda: cached_response(
        ("offline-codes",), lambda: _kept("codes", to_json(services.codes_document())), JSON))


@bp.get("/<lang:lang>/offline")
def saved(lang: str):
    """Show the guides saved on this phone, with their sizes, updates and deletion."""
    return cached_response(("offline-saved", lang), lambda: render_template("offline/saved.html"))


@bp.get("/<lang:lang>/offline/not-saved")
def not_saved(lang: str):
    """Explain, offline, that the page asked for is not saved on this phone."""
    return cached_response(("offline-not-saved", lang), lambda: render_template("offline/not_saved.html"))


@bp.get("/<lang:lang>/offline/known-code")
def known_code(lang: str):
    """Name, offline, the plaque scanned when its site is not saved on this phone."""
    return cached_response(("offline-known-code", lang), lambda: render_template("offline/known_code.html"))


@bp.get("/<lang:lang>/offline/retired-code")
def retired_code(lang: str):
    """Say, offline, that the plaque scanned is retired."""
    return cached_response(("offline-retired-code", lang), lambda: render_template("offline/retired_code.html"))


@bp.get("/<lang:lang>/offline/unknown-code")
def unknown_code(lang: str):
    """Explain, offline, that no saved guide has the code that was scanned or typed."""
    return cached_response(("offline-unknown-code", lang),
                           lambda: render_template("offline/unknown_code.html"))
