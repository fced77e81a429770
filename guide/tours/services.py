"""Tours: their route (distance and walking time), what visitors may read, and writing a published tour."""

import math
from dataclasses import dataclass

from babel.units import format_unit
from flask_babel import get_locale
from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from guide.extensions import db
from guide.media.models import Image
from guide.monuments.models import Monument
from guide.sites.models import Site
from guide.text import pick
from guide.text import sync_texts
from guide.tours.models import Tour
from guide.tours.models import TourStop
from guide.tours.models import TourText

# Mean radius of the Earth (IUGG), in metres: legs are great-circle distances on this sphere.
EARTH_RADIUS_M = 6_371_008.8
# A relaxed adult's pace in a city centre, in km/h (the usual planning figure, 4–5 km/h).
WALKING_SPEED_KMH = 4.5
# Streets are not straight lines: a walker covers about 1.3 times the great-circle distance
# in a street grid (the usual "circuity" factor of urban routing studies). Applied to the
# walking time only; the distance shown is the straight one, so it never claims a street route.
DETOUR_FACTOR = 1.3
# Under a kilometre, distances read in metres rounded to tens; above, in kilometres to a tenth.
KILOMETRE = 1000
MAX_STOPS = 100


class TourError(Exception):
    """A tour record that cannot be written as it is; the message names why."""


# --- Route ------------------------------------------------------------------------------------


def great_circle_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance in metres between two (latitude, longitude) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def walking_minutes(metres: float) -> int:
    """Return the walking time in whole minutes (at least 1) for a great-circle distance in metres."""
    hours = metres * DETOUR_FACTOR / (WALKING_SPEED_KMH * KILOMETRE)
    return max(1, math.ceil(hours * 60)) if metres > 0 else 0


@dataclass(frozen=True)
class Leg:
    """The walk from one stop to the next; None where a monument has no coordinates."""

    metres: float | None
    minutes: int | None


@dataclass(frozen=True)
class Route:
    """A tour's visible stops in order, the leg before each stop after the first, and the totals."""

    stops: tuple[TourStop, ...]
    legs: tuple[Leg, ...]
    metres: float
    minutes: int
    # False when a leg could not be measured: the totals then count the measured legs only.
    complete: bool

    def leg_before(self, index: int) -> Leg | None:
        """The leg that leads to stop index (0-based), None for the first stop."""
        return self.legs[index - 1] if index > 0 else None


def _point(monument: Monument) -> tuple[float, float] | None:
    if monument.latitude is None or monument.longitude is None:
        return None
    return monument.latitude, monument.longitude


def measure(points: list[tuple[float, float] | None]) -> tuple[list[Leg], float, int, bool]:
    """Return the legs between consecutive points, their total metres and minutes, and whether all were measured."""
    legs = []
    for start, end in zip(points, points[1:], strict=False):
        if start is None or end is None:
            legs.append(Leg(None, None))
            continue
        metres = great_circle_m(start, end)
        legs.append(Leg(metres, walking_minutes(metres)))
    measured = [leg for leg in legs if leg.metres is not None]
    total = sum(leg.metres for leg in measured)
    # Minutes from the total distance, so that rounding each leg up does not add up.
    return legs, total, walking_minutes(total), len(measured) == len(legs)


def route(tour: Tour, visible_only: bool = True) -> Route:
    """Measure a tour over its stops (visitors: only those whose monument they may see)."""
    stops = [stop for stop in tour.stops if not visible_only or stop.monument.live]
    legs, metres, minutes, complete = measure([_point(stop.monument) for stop in stops])
    return Route(tuple(stops), tuple(legs), metres, minutes, complete)


def format_distance(metres: float | None) -> str:
    """Write a distance for the current locale: "850 m", "1,2 km", "١٫٢ كم" as the locale writes it."""
    if metres is None:
        return ""
    locale = get_locale()
    if metres < KILOMETRE:
        return format_unit(int(round(metres, -1)), "length-meter", length="short", locale=locale)
    return format_unit(round(metres / KILOMETRE, 1), "length-kilometer", length="short", locale=locale,
                       format="#,##0.0")


def format_minutes(minutes: int | None) -> str:
    """Write a walking time for the current locale: "25 minutes", "1 heure 5 minutes"."""
    if minutes is None:
        return ""
    locale = get_locale()
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", locale=locale))
    if rest or not hours:
        parts.append(format_unit(rest, "duration-minute", locale=locale))
    return " ".join(parts)


def pick_note(notes: dict[str, str], lang: str) -> tuple[str, str] | None:
    """Return (language, note) for a stop in lang, else the default language, else any; None without a note."""
    if not notes:
        return None
    found = pick(notes, lang)
    return next((code, text) for code, text in notes.items() if text is found)


# --- What visitors read ---------------------------------------------------------------------


def _visible_tours() -> Select:
    return select(Tour).join(Tour.site).where(Tour.live.is_(True), Site.live.is_(True))


def _tour_page_loading() -> tuple:
    monument = selectinload(Tour.stops).selectinload(TourStop.monument)
    return (
        selectinload(Tour.site).selectinload(Site.texts),
        monument.selectinload(Monument.texts),
        monument.selectinload(Monument.images).selectinload(Image.texts),
        monument.selectinload(Monument.codes),
    )


def visible_tour(slug: str) -> Tour | None:
    """Return the live tour of a live site with this slug, loaded for its page, or None."""
    return db.session.scalar(_visible_tours().where(Tour.slug == slug).options(*_tour_page_loading()))


def site_tours(site: Site) -> list[Tour]:
    """Return a live site's live tours in order, with their texts and stops (three statements).

    The site's visible monuments are in the session already (published.get_site, site_bundle):
    each stop finds its monument there, with what the page shows of it, without a statement.
    """
    return list(db.session.scalars(
        _visible_tours().where(Tour.site_id == site.id).order_by(Tour.position, Tour.slug)
        .options(selectinload(Tour.stops))
    ))


def all_visible_tours(site_slug: str | None = None) -> list[Tour]:
    """Return every tour visitors may see (of one site if given), in guide order."""
    query = _visible_tours()
    if site_slug is not None:
        query = query.where(Site.slug == site_slug)
    return list(db.session.scalars(
        query.order_by(Site.position, Site.slug, Tour.position, Tour.slug).options(*_tour_page_loading())
    ))


# --- Curators' reads and the write side ---------------------------------------------------------


def get_tour(slug: str) -> Tour | None:
    """Return the tour with this slug whatever its state, or None."""
    return db.session.scalar(select(Tour).where(Tour.slug == slug))


def curator_tours(site: Site) -> list[Tour]:
    """Return every tour of a site, drafts included, in order."""
    return list(db.session.scalars(select(Tour).where(Tour.site_id == site.id).order_by(Tour.position, Tour.slug)))


def site_monuments_by_slug(site: Site, slugs: list[str]) -> dict[str, Monument]:
    """Map each slug to the monument of this site that has it (any state); unknown slugs are left out."""
    if not slugs:
        return {}
    rows = db.session.scalars(select(Monument).where(Monument.site_id == site.id, Monument.slug.in_(slugs)))
    return {monument.slug: monument for monument in rows}


def unknown_monuments(site: Site | None, slugs: list[str]) -> list[str]:
    """Return the slugs that name no monument of this site, in order."""
    known = site_monuments_by_slug(site, slugs) if site is not None else {}
    return [slug for slug in slugs if slug not in known]


def apply_tour_document(tour: Tour, data: dict) -> None:
    """Write a tour revision's record (the content format) into the tour's public rows."""
    slugs = [stop["monument"] for stop in data["stops"]]
    monuments = site_monuments_by_slug(tour.site, slugs)
    missing = [slug for slug in slugs if slug not in monuments]
    if missing:
        raise TourError(", ".join(missing))
    tour.position = data.get("position", 0)
    sync_texts(tour.texts, {lang: dict(text) for lang, text in data["text"].items()}, TourText)
    # Rows are kept in place by position, so republishing an unchanged tour writes nothing.
    rows = list(tour.stops)
    for position, stop in enumerate(data["stops"]):
        monument = monuments[stop["monument"]]
        notes = dict(stop.get("note") or {})
        if position < len(rows):
            row = rows[position]
            if row.monument_id != monument.id:
                row.monument = monument
            if row.notes != notes:
                row.notes = notes
            row.position = position
        else:
            tour.stops.append(TourStop(position=position, monument=monument, notes=notes))
    for row in rows[len(data["stops"]):]:
        tour.stops.remove(row)
    db.session.flush()


def translatable_fields(document: dict, langs: tuple[str, ...]) -> list[tuple[str, dict[str, str]]]:
    """List a tour document's texts as (path, {lang: value}): text.title, text.summary, text.intro, stops.<monument>.note."""
    texts = document.get("text") if isinstance(document.get("text"), dict) else {}
    fields = [(f"text.{name}", {lang: _clean((texts.get(lang) or {}).get(name)) for lang in langs})
              for name in ("title", "summary", "intro")]
    for stop in document.get("stops") or []:
        if isinstance(stop, dict):
            notes = stop.get("note") if isinstance(stop.get("note"), dict) else {}
            fields.append((f"stops.{stop.get('monument')}.note", {lang: _clean(notes.get(lang)) for lang in langs}))
    return fields


def _clean(value) -> str:
    return value.strip() if isinstance(value, str) else ""
