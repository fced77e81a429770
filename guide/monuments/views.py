"""Monument and stop pages."""

from flask import Blueprint

from guide.caching import conditional_response
from guide.monuments.rendering import monument_page
from guide.monuments.rendering import stop_page

bp = Blueprint("monuments", __name__, template_folder="templates")


@bp.get("/<lang:lang>/monuments/<slug>")
def detail(lang: str, slug: str):
    """Show a monument: its story, facts, audio guide, stops and pictures."""
    return conditional_response(monument_page(lang, slug))


@bp.get("/<lang:lang>/monuments/<slug>/<stop_slug>")
def stop(lang: str, slug: str, stop_slug: str):
    """Show one stop of a monument, with its text and audio guide."""
    return conditional_response(stop_page(lang, slug, stop_slug))
