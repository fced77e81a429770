"""What visitors may read: every public query, with the live filter and its loading options.

A monument exists for visitors when it is live and so is its site; a site when it is live.
Pages, /q/, the API, packs and the code indexes all read through here, so that rule and the
eager loading that keeps a page's query count fixed are written once.
"""

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import subqueryload

from guide.codes.models import Code
from guide.extensions import db
from guide.media.models import Image
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.sites.models import Site

# Visitors see live sites, and live monuments of live sites; nothing else.
SITE_IS_LIVE = Site.live.is_(True)
MONUMENT_IS_LIVE = Monument.live.is_(True)

# Collections of live monuments only, wherever a site's monuments are loaded for visitors.
LIVE_MONUMENTS = Site.monuments.and_(MONUMENT_IS_LIVE)


def monument_is_visible(monument: Monument | None) -> bool:
    """Say whether visitors may see this monument: it and its site are both live."""
    return monument is not None and monument.live and monument.site.live


def visible_monuments() -> Select:
    """Select the monuments visitors may see, joined to their site."""
    return select(Monument).join(Monument.site).where(MONUMENT_IS_LIVE, SITE_IS_LIVE)


def visible_monument_ids() -> Select:
    """Select the ids of the monuments visitors may see, for filters on what points at them."""
    return select(Monument.id).join(Monument.site).where(MONUMENT_IS_LIVE, SITE_IS_LIVE)


def _stop_tree(path):
    # Everything a stop's page and its pack entry show; Image.media and Guide.audio are joined.
    return (
        path.selectinload(Stop.images).selectinload(Image.texts),
        path.selectinload(Stop.guides),
        path.selectinload(Stop.codes),
    )


# Everything one monument's page, stop pages and API document show: a fixed number of
# statements, however many stops, images and guides it has.
_MONUMENT_PAGE = (
    # visible_monuments() already joins the site: read it from that join.
    contains_eager(Monument.site),
    selectinload(Monument.images).selectinload(Image.texts),
    selectinload(Monument.guides),
    selectinload(Monument.codes),
    *_stop_tree(selectinload(Monument.stops)),
)


def get_monument(slug: str) -> Monument | None:
    """Return the visible monument with this slug, loaded for its pages, or None."""
    return db.session.scalar(visible_monuments().where(Monument.slug == slug).options(*_MONUMENT_PAGE))


def _summaries(path=None) -> tuple:
    # What a monument's list item shows (place_list, API summaries): texts, cover, code, audio.
    # Under a path, subqueryload repeats the parent query as a join, one statement per relation
    # however many monuments there are, where selectinload would send one per 500 of them; for
    # monuments queried by id (path None), selectinload reads just those ids.
    load = path.subqueryload if path is not None else selectinload
    return (
        load(Monument.texts),
        load(Monument.images).subqueryload(Image.texts),
        load(Monument.codes),
        load(Monument.guides),
    )


def _live_sites() -> Select:
    return select(Site).where(SITE_IS_LIVE).order_by(Site.position, Site.slug)


def list_sites(with_monuments: bool = True) -> list[Site]:
    """Return the live sites in home-page order with their names, and their visible monuments summarised."""
    monuments = _summaries(subqueryload(LIVE_MONUMENTS)) if with_monuments else ()
    return list(db.session.scalars(_live_sites().options(subqueryload(Site.texts), *monuments)))


def first_monuments(first: int) -> dict[int, list[Monument]]:
    """Return each live site's first visible monuments in guide order, summarised, by site id.

    Read by their ids, apart from the sites' own collections (which would load every monument,
    and which a pack may hold loaded in the same session).
    """
    order = (Monument.position, Monument.id)
    rank = func.row_number().over(partition_by=Monument.site_id, order_by=order).label("rank")
    ranked = visible_monument_ids().add_columns(rank).subquery()
    chosen = db.session.scalars(
        select(Monument).where(Monument.id.in_(select(ranked.c.id).where(ranked.c.rank <= first)))
        .order_by(*order)
        .options(*_summaries())
    )
    by_site: dict[int, list[Monument]] = {}
    for monument in chosen:
        by_site.setdefault(monument.site_id, []).append(monument)
    return by_site


def get_site(slug: str) -> Site | None:
    """Return the live site with this slug, with its visible monuments summarised, or None."""
    return db.session.scalar(
        _live_sites().where(Site.slug == slug)
        .options(subqueryload(Site.texts), *_summaries(subqueryload(LIVE_MONUMENTS)))
    )


def sites_with_monuments() -> list[Site]:
    """Return the live sites that have a visible monument, in home-page order, with their names."""
    # Correlated to the live site of the outer query, which makes its live monuments visible.
    has_monument = select(Monument.id).where(Monument.site_id == Site.id, MONUMENT_IS_LIVE).exists()
    return list(db.session.scalars(_live_sites().where(has_monument)))


def find_site(slug: str) -> Site | None:
    """Return the live site with this slug alone, or None."""
    return db.session.scalar(_live_sites().where(Site.slug == slug))


def site_bundle(slug: str) -> Site | None:
    """Return a live site with everything its pages show, for packs: a fixed number of statements.

    Every relation is loaded by subquery, so the count does not grow with the monuments, stops
    or images, and the rendering that follows finds everything in the session.
    """
    monuments = subqueryload(LIVE_MONUMENTS)
    stops = monuments.subqueryload(Monument.stops)
    return db.session.scalar(
        _live_sites().where(Site.slug == slug).options(
            subqueryload(Site.texts),
            *_summaries(monuments),
            stops.subqueryload(Stop.texts),
            stops.subqueryload(Stop.images).subqueryload(Image.texts),
            stops.subqueryload(Stop.guides),
            stops.subqueryload(Stop.codes),
        )
    )


def count_monuments(site: Site | None = None) -> int:
    """Count the visible monuments, of one site or all."""
    query = visible_monuments()
    if site is not None:
        query = query.where(Monument.site_id == site.id)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def monument_counts() -> dict[int, int]:
    """Count the visible monuments of each live site, by site id, in one query."""
    query = visible_monuments().with_only_columns(Monument.site_id, func.count()).group_by(Monument.site_id)
    return dict(db.session.execute(query).all())


def monuments_page(site: Site | None, offset: int, limit: int) -> list[Monument]:
    """Return a slice of the visible monuments in guide order, summarised, all sites or one."""
    query = visible_monuments()
    if site is not None:
        query = query.where(Monument.site_id == site.id)
    return list(db.session.scalars(
        query.order_by(Site.position, Site.slug, Monument.position, Monument.slug)
        .options(
            contains_eager(Monument.site),
            selectinload(Monument.images),
            selectinload(Monument.codes),
        )
        .offset(offset)
        .limit(limit)
    ))


def monument_positions(site: Site | None) -> list[tuple[int, str, float, float]]:
    """Return (id, slug, latitude, longitude) of the visible monuments that have coordinates."""
    # Four columns, no objects: ranking 10,000 monuments by distance reads no more than this.
    query = visible_monuments().with_only_columns(
        Monument.id, Monument.slug, Monument.latitude, Monument.longitude,
    ).where(Monument.latitude.is_not(None), Monument.longitude.is_not(None))
    if site is not None:
        query = query.where(Monument.site_id == site.id)
    return [tuple(row) for row in db.session.execute(query)]


def monuments_by_id(ids: list[int]) -> dict[int, Monument]:
    """Load these monuments, summarised as monuments_page does, by id."""
    found = db.session.scalars(
        visible_monuments().where(Monument.id.in_(ids)).options(
            contains_eager(Monument.site),
            selectinload(Monument.images),
            selectinload(Monument.codes),
        )
    )
    return {monument.id: monument for monument in found}


def leads_to_visible(monument_id, stop_id):
    """Filter rows pointing at a monument or at a stop (codes) to those whose monument is visible."""
    visible = visible_monument_ids()
    return or_(monument_id.in_(visible), stop_id.in_(select(Stop.id).where(Stop.monument_id.in_(visible))))


def load_code_targets(query: Select) -> list[Code]:
    """Run a select over codes, loading each one's place, its site and their names by subquery.

    A fixed number of statements however many codes: the code index lists them all.
    """
    monument = subqueryload(Code.monument)
    stop = subqueryload(Code.stop)
    stop_monument = stop.subqueryload(Stop.monument)
    return list(db.session.scalars(query.options(
        monument.subqueryload(Monument.texts),
        monument.subqueryload(Monument.site).subqueryload(Site.texts),
        stop.subqueryload(Stop.texts),
        stop_monument.subqueryload(Monument.texts),
        stop_monument.subqueryload(Monument.site).subqueryload(Site.texts),
    )))
