"""Home page and site pages."""

from flask import Blueprint
from flask import g

from guide.caching import conditional_response
from guide.i18n import negotiate_language
from guide.sites.rendering import home_page
from guide.sites.rendering import site_page

bp = Blueprint("sites", __name__, template_folder="templates")


@bp.get("/")
def home():
    """Show the home page in the visitor's language, without a redirect."""
    g.lang = negotiate_language()
    return conditional_response(home_page(g.lang))


@bp.get("/<lang:lang>/", strict_slashes=False)
def home_in(lang: str):
    """Show the home page in the language of the URL."""
    return conditional_response(home_page(lang))


@bp.get("/<lang:lang>/sites/<slug>")
def site(lang: str, slug: str):
    """Show a site and its monuments."""
    return conditional_response(site_page(lang, slug))
