"""Home page and site pages."""

from flask import Blueprint
from flask import abort
from flask import g
from flask import render_template

from guide.caching import cached_response
from guide.caching import depends_on
from guide.i18n import negotiate_language
from guide.sites.services import get_site
from guide.sites.services import list_sites

bp = Blueprint("sites", __name__, template_folder="templates")


def _render_home(lang: str):
    def build():
        sites = list_sites()
        # A real plaque code makes the "type its code" example something the visitor can try.
        example = next((m.primary_code for s in sites for m in s.monuments if m.primary_code), None)
        return render_template("sites/home.html", sites=sites, example_code=example)

    return cached_response(("home", lang), build, vary=("Cookie", "Accept-Language"))


@bp.get("/")
def home():
    """Show the home page in the visitor's language, without a redirect."""
    g.lang = negotiate_language()
    return _render_home(g.lang)


@bp.get("/<lang:lang>/", strict_slashes=False)
def home_in(lang: str):
    """Show the home page in the language of the URL."""
    return _render_home(lang)


@bp.get("/<lang:lang>/sites/<slug>")
def site(lang: str, slug: str):
    """Show a site and its monuments."""

    def build():
        found = get_site(slug)
        if found is None:
            abort(404)
        depends_on(found.slug)
        return render_template("sites/site.html", site=found)

    return cached_response(("site", lang, slug), build)
