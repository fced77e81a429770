"""The home page and site pages, rendered once per content version for their URLs and for packs."""

from flask import abort
from flask import current_app
from flask import render_template

from guide import published
from guide.caching import CachedBody
from guide.caching import cached_entry
from guide.caching import depends_on
from guide.sites.models import Site
from guide.tours.models import Tour
from guide.tours.services import site_tours

# The home page answers / by negotiation too, so its cached body always says what it varies on.
HOME_VARY = ("Cookie", "Accept-Language")


def home_page(lang: str) -> CachedBody:
    """Return the home page in lang, rendering it on a miss."""

    def build():
        sites = published.list_sites(with_monuments=False)
        # A city of thousands of monuments: its first ones here, all of them on its own page.
        shown = published.first_monuments(current_app.config["HOME_MONUMENTS_PER_SITE"])
        # A real plaque code makes the "type its code" example something the visitor can try.
        example = next((m.primary_code for s in sites for m in shown.get(s.id, ()) if m.primary_code), None)
        return render_template("sites/home.html", sites=sites, shown=shown, counts=published.monument_counts(),
                               example_code=example)

    return cached_entry(("home", lang), build, vary=HOME_VARY)


def site_page(lang: str, slug: str, site: Site | None = None, tours: list[Tour] | None = None) -> CachedBody:
    """Return a site's page in lang, rendering it on a miss; a pack passes the site and tours it loaded."""

    def build():
        found = site or published.get_site(slug)
        if found is None:
            abort(404)
        depends_on(found.slug)
        return render_template("sites/site.html", site=found, tours=tours if tours is not None else site_tours(found))

    return cached_entry(("site", lang, slug), build)
