"""Reading sites for the home page and the site pages, and writing a published site."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from guide.extensions import db
from guide.monuments.models import Monument
from guide.sites.models import Site
from guide.sites.models import SiteText
from guide.text import sync_texts


def list_sites() -> list[Site]:
    """Return every site in home-page order, with its monuments loaded."""
    return list(
        db.session.scalars(
            select(Site)
            .order_by(Site.position, Site.slug)
            .options(
                selectinload(Site.monuments).selectinload(Monument.images),
                selectinload(Site.monuments).selectinload(Monument.codes),
            )
        )
    )


def get_site(slug: str) -> Site | None:
    """Return the site with this slug, or None."""
    return db.session.scalar(
        select(Site)
        .where(Site.slug == slug)
        .options(
            selectinload(Site.monuments).selectinload(Monument.images),
            selectinload(Site.monuments).selectinload(Monument.codes),
            selectinload(Site.monuments).selectinload(Monument.stops),
        )
    )


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
