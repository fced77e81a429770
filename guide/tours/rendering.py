"""Tour pages, rendered once per content version of their site, for their URLs and for packs."""

from flask import abort
from flask import g
from flask import render_template
from flask import url_for

from guide.caching import CachedBody
from guide.caching import cached_entry
from guide.caching import depends_on
from guide.i18n import languages
from guide.tours.models import Tour
from guide.tours.services import DETOUR_FACTOR
from guide.tours.services import WALKING_SPEED_KMH
from guide.tours.services import route
from guide.tours.services import visible_tour


def tour_paths(slug: str) -> dict[str, str]:
    """Map each language to the path of a tour's page."""
    return {lang: url_for("tours.detail", lang=lang, slug=slug) for lang in languages()}


def render_tour(tour: Tour, lang: str) -> str:
    """Render a tour's page in one language."""
    return render_template("tours/tour.html", tour=tour, route=route(tour), speed=WALKING_SPEED_KMH,
                           detour=round((DETOUR_FACTOR - 1) * 100))


def tour_page(lang: str, slug: str, tour: Tour | None = None) -> CachedBody:
    """Return a tour's page in lang, rendering it on a miss; a pack passes the tour it loaded."""

    def build():
        found = tour or visible_tour(slug)
        if found is None:
            abort(404)
        # Its monuments belong to its site: an edit to any of them raises the site's version.
        depends_on(found.site.slug)
        g.alternates = tour_paths(slug)
        return render_tour(found, lang)

    return cached_entry(("tour", lang, slug), build)
