"""What the CMS home lists: the sites a curator may open, with their monuments and states."""

from flask_login import current_user
from sqlalchemy import select

from guide.accounts.permissions import can
from guide.extensions import db
from guide.monuments.models import Monument
from guide.sites.models import Site


def visible_sites() -> list[Site]:
    """Return the sites the signed-in curator may view, in their usual order."""
    sites = db.session.scalars(select(Site).order_by(Site.position, Site.slug))
    return [site for site in sites if can(current_user, "view", site)]


def site_monuments(site: Site) -> list[Monument]:
    """Return every monument of a site, drafts included, in guide order."""
    return list(db.session.scalars(
        select(Monument).where(Monument.site_id == site.id).order_by(Monument.position, Monument.slug)
    ))
