"""Monument and stop pages."""

from flask import Blueprint
from flask import abort

from guide.caching import cached_response
from guide.monuments.rendering import render_monument
from guide.monuments.rendering import render_stop
from guide.monuments.services import get_monument
from guide.monuments.services import get_stop

bp = Blueprint("monuments", __name__, template_folder="templates")


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
