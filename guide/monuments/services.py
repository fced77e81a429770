"""Monuments and stops: curators' lookups, stop order, structured data, and writing a published monument (visitors read through guide/published.py)."""

from sqlalchemy import select

from guide.codes.models import Code
from guide.codes.services import assign_code
from guide.content.schema import MonumentFile
from guide.content.schema import code_entries
from guide.extensions import db
from guide.guides.services import sync_guides
from guide.media.services import make_image
from guide.monuments.models import Monument
from guide.monuments.models import MonumentText
from guide.monuments.models import Stop
from guide.monuments.models import StopText
from guide.search.services import reindex_monument
from guide.sites.models import Site
from guide.text import sync_texts


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


def apply_monument_document(monument: Monument, data: dict, previous: dict | None = None,
                            author: str = "cli") -> None:
    """Write a monument revision's record into the public rows: texts, media, guides, stops, codes.

    previous is the record published before; codes whose entries did not change since keep
    whatever the code lifecycle did to them meanwhile (a retarget, a retirement).
    """
    document = MonumentFile.model_validate({key: value for key, value in data.items() if key not in ("site", "media")})
    media = data["media"]
    monument.site = db.session.scalar(select(Site).where(Site.slug == data["site"]))
    monument.position = document.number
    monument.year_start, monument.year_end = document.year_start, document.year_end
    monument.latitude, monument.longitude = document.latitude, document.longitude
    monument.access, monument.wikidata = document.access, document.wikidata
    sync_texts(monument.texts, {lang: text.model_dump() for lang, text in document.text.items()}, MonumentText)
    monument.images.clear()
    if document.cover:
        monument.images.append(make_image(document.cover, "cover", 0, media))
    for position, entry in enumerate(document.gallery):
        monument.images.append(make_image(entry, "gallery", position, media))
    sync_guides(monument.guides, document.guides, media)
    db.session.flush()
    _sync_stops(monument, document, media, author)
    _assign_codes(monument, data, previous, author)
    reindex_monument(monument)


def _sync_stops(monument: Monument, document: MonumentFile, media: dict[str, str], author: str) -> None:
    # Stops are kept by slug, so the codes that lead to them stay valid.
    by_slug = {stop.slug: stop for stop in monument.stops}
    wanted = {entry.slug for entry in document.stops}
    for slug, stop in by_slug.items():
        if slug not in wanted:
            # The plaque of a removed stop stays valid: it now leads to the monument.
            for code in list(stop.codes):
                assign_code(code.code, code.number, code.site, monument=monument, author=author)
            monument.stops.remove(stop)
    db.session.flush()
    for position, entry in enumerate(document.stops):
        stop = by_slug.get(entry.slug)
        if stop is None or stop not in monument.stops:
            stop = Stop(slug=entry.slug)
            monument.stops.append(stop)
        stop.position = position
        sync_texts(stop.texts, {lang: text.model_dump() for lang, text in entry.text.items()}, StopText)
        stop.images.clear()
        if entry.image:
            stop.images.append(make_image(entry.image, "stop", 0, media))
        sync_guides(stop.guides, entry.guides, media)
    db.session.flush()


def _assign_codes(monument: Monument, data: dict, previous: dict | None, author: str) -> None:
    before = code_entries(previous)
    stops = {stop.slug: stop for stop in monument.stops}
    for code, (number, stop_slug) in code_entries(data).items():
        row = db.session.get(Code, code)
        # A plaque the record names as before keeps what the code lifecycle did to it since,
        # unless the monument moved to another site (a keypad number belongs to its site).
        if before.get(code) == (number, stop_slug) and row is not None and row.site_id == monument.site_id:
            continue
        stop = stops.get(stop_slug)
        assign_code(code, number, monument.site, monument=None if stop else monument, stop=stop, author=author)
