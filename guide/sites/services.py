"""Sites for curators' tools, and writing a published site; visitors read them through guide/published.py."""

from sqlalchemy import select

from guide.extensions import db
from guide.search.services import reindex_site
from guide.sites.models import Site
from guide.sites.models import SiteText
from guide.text import sync_texts


def get_site(slug: str) -> Site | None:
    """Return the site with this slug whatever its publication state, or None."""
    return db.session.scalar(select(Site).where(Site.slug == slug))


def apply_site_document(site: Site, data: dict) -> None:
    """Write a site revision's record (the content format) into the site's public rows."""
    site.position = data["position"]
    site.latitude, site.longitude = data["latitude"], data["longitude"]
    descriptions = data["description"]
    sync_texts(
        site.texts,
        {lang: {"name": name, "description": descriptions.get(lang, "")} for lang, name in data["name"].items()},
        SiteText,
    )
    db.session.flush()
    reindex_site(site)
