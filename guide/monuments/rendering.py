"""Monument and stop pages rendered once, for their own URLs, the plaque codes leading to them and packs."""

import json

from flask import abort
from flask import current_app
from flask import g
from flask import render_template
from flask import url_for
from markupsafe import Markup

from guide import published
from guide.caching import CachedBody
from guide.caching import cached_entry
from guide.media.services import media_url
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.monuments.services import get_stop
from guide.monuments.services import neighbours
from guide.monuments.services import structured_data
from guide.monuments.urls import page_paths


def render_monument(monument: Monument, lang: str) -> str:
    """Render a monument's page in one language."""
    base = current_app.config["PUBLIC_BASE_URL"]
    page_url = base + url_for("monuments.detail", lang=lang, slug=monument.slug)
    jsonld = json.dumps(structured_data(monument, lang, page_url, lambda media: base + media_url(media)),
                        ensure_ascii=False)
    # "</" inside JSON-LD would close the script element early.
    jsonld = Markup(jsonld.replace("</", "<\\/"))
    return render_template("monuments/monument.html", monument=monument, jsonld=jsonld)


def render_stop(monument: Monument, stop: Stop, lang: str) -> str:
    """Render a stop's page in one language."""
    previous, following = neighbours(monument, stop)
    return render_template("monuments/stop.html", monument=monument, stop=stop,
                           previous=previous, following=following)


def monument_page(lang: str, slug: str, monument: Monument | None = None) -> CachedBody:
    """Return a monument's page in lang, rendering it on a miss; a pack passes the monument it loaded."""

    def build():
        found = monument or published.get_monument(slug)
        if found is None:
            abort(404)
        # Set here rather than read from the request's URL, so that /q/ and packs render the same bytes.
        g.alternates = page_paths(slug)
        return render_monument(found, lang)

    return cached_entry(("monument", lang, slug), build)


def stop_page(lang: str, slug: str, stop_slug: str, monument: Monument | None = None) -> CachedBody:
    """Return a stop's page in lang, rendering it on a miss; a pack passes the monument it loaded."""

    def build():
        found = monument or published.get_monument(slug)
        stop = get_stop(found, stop_slug) if found else None
        if stop is None:
            abort(404)
        g.alternates = page_paths(slug, stop_slug)
        return render_stop(found, stop, lang)

    return cached_entry(("stop", lang, slug, stop_slug), build)
