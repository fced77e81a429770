"""Sites for curators' tools; visitors read them through guide/published.py."""

from sqlalchemy import select

from guide.extensions import db
from guide.sites.models import Site


def get_site(slug: str) -> Site | None:
    """Return the site with this slug whatever its publication state, or None."""
    return db.session.scalar(select(Site).where(Site.slug == slug))
