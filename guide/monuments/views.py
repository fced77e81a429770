"""Monument and stop pages."""

import json

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template
from flask import url_for
from markupsafe import Markup

from guide.caching import cached_response
from guide.media.views import media_url
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.monuments.services import get_monument
from guide.monuments.services import get_stop
from guide.monuments.services import neighbours
from guide.monuments.services import structured_data

bp = Blueprint("monuments", __name__, template_folder="templates")


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


@bp.get("/<lang:lang>/monuments/<slug>")
def detail(lang: str, slug: str):
    """Show a monument: its story, facts, audio guide, stops and pictures."""

    def build():
        monument = get_monument(slug)
        if monument is None:
            abort(404)
        return render_monument(monument, lang)

    return cached_response(("monument", lang, slug), build)


@bp.get("/<lang:lang>/monuments/<slug>/<stop_slug>")
def stop(lang: str, slug: str, stop_slug: str):
    """Show one stop of a monument, with its text and audio guide."""

    def build():
        monument = get_monument(slug)
        found = get_stop(monument, stop_slug) if monument else None
        if found is None:
            abort(404)
        return render_stop(monument, found, lang)

    return cached_response(("stop", lang, slug, stop_slug), build)
