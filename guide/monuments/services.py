"""Monuments and stops: curators' lookups, stop order and structured data (visitors read through guide/published.py)."""

from sqlalchemy import select

from guide.extensions import db
from guide.monuments.models import Monument
from guide.monuments.models import Stop


def get_monument(slug: str) -> Monument | None:
    """Return the monument with this slug whatever its publication state (curators' tools), or None."""
    return db.session.scalar(select(Monument).where(Monument.slug == slug))


def get_stop(monument: Monument, stop_slug: str) -> Stop | None:
    """Return the monument's stop with this slug, or None."""
    return next((stop for stop in monument.stops if stop.slug == stop_slug), None)


def neighbours(monument: Monument, stop: Stop) -> tuple[Stop | None, Stop | None]:
    """Return the stops before and after this one, in walking order."""
    index = monument.stops.index(stop)
    previous = monument.stops[index - 1] if index > 0 else None
    following = monument.stops[index + 1] if index + 1 < len(monument.stops) else None
    return previous, following


def structured_data(monument: Monument, lang: str, page_url: str, media_url) -> dict:
    """Describe the monument as schema.org LandmarksOrHistoricalBuildings, in one language."""
    from guide.text import pick

    text = pick(monument.texts, lang)
    data = {
        "@context": "https://schema.org",
        "@type": "LandmarksOrHistoricalBuildings",
        "@id": page_url,
        "url": page_url,
        "name": text.name,
        "description": text.summary,
        "inLanguage": text.lang,
        "alternateName": [t.name for t in monument.texts.values() if t.lang != text.lang],
    }
    if text.address:
        data["address"] = {"@type": "PostalAddress", "streetAddress": text.address,
                           "addressLocality": pick(monument.site.texts, lang).name, "addressCountry": "MA"}
    if monument.latitude is not None and monument.longitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": monument.latitude,
                       "longitude": monument.longitude}
    if monument.cover:
        data["image"] = media_url(monument.cover.media)
    if monument.wikidata:
        data["sameAs"] = f"https://www.wikidata.org/wiki/{monument.wikidata}"
    if monument.year_start:
        data["foundingDate"] = str(monument.year_start)
    if text.architect:
        data["creator"] = {"@type": "Person", "name": text.architect}
    return data
