"""Reading sites for the home page and the site pages."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from guide.extensions import db
from guide.monuments.models import Monument
from guide.sites.models import Site


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
