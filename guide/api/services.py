"""Open data documents: sites, monuments and codes as plain JSON-ready dicts, every language."""

import math
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from flask import current_app
from flask import url_for
from flask_babel import gettext as _

from guide import published
from guide.codes.format import ALPHABET
from guide.codes.format import CODE_LENGTH
from guide.codes.format import is_well_formed
from guide.codes.models import Code
from guide.codes.services import Resolution
from guide.codes.services import code_pages
from guide.codes.services import read_code
from guide.errors import TITLES
from guide.guides.models import Guide
from guide.i18n import languages
from guide.media.models import Image
from guide.media.models import MediaFile
from guide.media.services import media_url
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.monuments.services import structured_data
from guide.monuments.urls import page_paths
from guide.search.services import search
from guide.sites.models import Site
from guide.text import render_markdown
from guide.tours.models import Tour
from guide.tours.services import DETOUR_FACTOR
from guide.tours.services import WALKING_SPEED_KMH
from guide.tours.services import route

# The mean Earth radius the app's near.js uses too, so both give the same distances.
EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class MonumentPage:
    items: list[Monument]
    total: int
    page: int
    per_page: int
    # For a listing by distance: where from, and each item's distance in metres.
    near: tuple[float, float] | None = None
    distances: list[int] | None = None

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page)


def absolute(path: str) -> str:
    """Prefix a path with the public address, since API clients live elsewhere."""
    return current_app.config["PUBLIC_BASE_URL"] + path


def _timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # SQLite hands back naive datetimes; every stored time is UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _coordinates(item: Site | Monument) -> dict | None:
    if item.latitude is None or item.longitude is None:
        return None
    return {"latitude": item.latitude, "longitude": item.longitude}


def _by_language(texts: dict, serialise) -> dict:
    # Enabled languages only, in their configured order; a missing translation is left out.
    return {lang: serialise(texts[lang]) for lang in languages() if lang in texts}


def _markdown(source: str) -> dict:
    return {"markdown": source, "html": str(render_markdown(source))}


def _media_url(media: MediaFile) -> str:
    return absolute(media_url(media))


def _absolute(paths: dict[str, str]) -> dict[str, str]:
    return {lang: absolute(path) for lang, path in paths.items()}


def _page_urls(endpoint: str, **values) -> dict[str, str]:
    return {lang: absolute(url_for(endpoint, lang=lang, **values)) for lang in languages()}


def image_document(image: Image) -> dict:
    """Describe an image: its URL, size and per-language alt text and credit."""
    media = image.media
    return {
        "role": image.role,
        "url": _media_url(media),
        "mimetype": media.mimetype,
        "bytes": media.size,
        "width": media.width,
        "height": media.height,
        "texts": _by_language(image.texts, lambda text: {"alt": text.alt, "credit": text.credit}),
    }


def _guide_document(guide: Guide) -> dict:
    audio = guide.audio
    return {
        "transcript": guide.transcript,
        "narrator": guide.narrator,
        "audio": None if audio is None else {
            "url": _media_url(audio),
            "mimetype": audio.mimetype,
            "bytes": audio.size,
            "duration_s": audio.duration_s,
        },
    }


def code_summary(code: Code) -> dict:
    """Describe a plaque code as printed: its text, keypad number, URL and state."""
    return {
        "code": code.code,
        "number": code.number,
        "url": absolute(url_for("codes.resolve", code=code.code)),
        "retired": code.is_retired,
        "retired_at": _timestamp(code.retired_dt),
    }


def site_document(site: Site, monument_count: int) -> dict:
    """Describe a site in every language, with its monument count and links."""
    return {
        "slug": site.slug,
        "texts": _by_language(site.texts, lambda text: {"name": text.name, "description": text.description}),
        "coordinates": _coordinates(site),
        "monument_count": monument_count,
        "updated_at": _timestamp(site.updated_dt),
        "links": {
            "monuments": absolute(url_for("api.monuments", site=site.slug)),
            "pages": _page_urls("sites.site", slug=site.slug),
        },
    }


def sites_document() -> dict:
    """List every live site, in home-page order, with how many monuments visitors may see in it."""
    counts = published.monument_counts()
    sites = published.list_sites(with_monuments=False)
    return {"languages": list(languages()), "items": [site_document(site, counts.get(site.id, 0)) for site in sites]}


def monument_summary(monument: Monument, distance_m: int | None = None) -> dict:
    """Describe a monument briefly, as list items do: names, summaries, cover and links."""
    primary = monument.primary_code
    cover = monument.cover
    return {
        "slug": monument.slug,
        "site": monument.site.slug,
        "texts": _by_language(monument.texts, lambda text: {"name": text.name, "summary": text.summary}),
        "coordinates": _coordinates(monument),
        "code": primary.code if primary else None,
        "cover_url": _media_url(cover.media) if cover else None,
        "updated_at": _timestamp(monument.updated_dt),
        "distance_m": distance_m,
        "links": {
            "self": absolute(url_for("api.monument", slug=monument.slug)),
            "pages": _absolute(page_paths(monument.slug)),
        },
    }


def monument_page(site: Site | None, page: int, per_page: int) -> MonumentPage:
    """Return one page of the visible monuments, all sites or one, in guide order."""
    items = published.monuments_page(site, (page - 1) * per_page, per_page)
    return MonumentPage(items, published.count_monuments(site), page, per_page)


def great_circle_m(latitude1: float, longitude1: float, latitude2: float, longitude2: float) -> float:
    """Return the haversine distance in metres between two points given in degrees."""
    lat1, lat2 = math.radians(latitude1), math.radians(latitude2)
    half_lat = math.sin((lat2 - lat1) / 2)
    half_lon = math.sin(math.radians(longitude2 - longitude1) / 2)
    a = half_lat * half_lat + math.cos(lat1) * math.cos(lat2) * half_lon * half_lon
    # min(): rounding can push a just past 1 for antipodes, and asin would then fail.
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(a, 1.0)))


def nearby_page(site: Site | None, near: tuple[float, float], page: int, per_page: int) -> MonumentPage:
    """Return one page of the visible monuments with coordinates, nearest first, with their distances."""
    latitude, longitude = near
    # Ranked in Python over (id, slug, lat, lon) rows: the same result on SQLite and PostgreSQL,
    # about 10 ms for 10,000 monuments; only the page's monuments are then loaded.
    ranked = sorted(
        (great_circle_m(latitude, longitude, lat, lon), slug, monument_id)
        for monument_id, slug, lat, lon in published.monument_positions(site)
    )
    chosen = ranked[(page - 1) * per_page:page * per_page]
    loaded = published.monuments_by_id([monument_id for _, _, monument_id in chosen])
    return MonumentPage([loaded[monument_id] for _, _, monument_id in chosen], len(ranked), page, per_page,
                        near, [round(metres) for metres, _, _ in chosen])


def _degrees(value: float) -> str:
    # The shortest form that reads back the same, but fixed-point as near= requires (never 1e-05).
    shortest = repr(value)
    return f"{value:.15f}".rstrip("0").rstrip(".") if "e" in shortest else shortest


def page_link(site: Site | None, page: int, per_page: int, near: tuple[float, float] | None = None) -> str:
    """Return the API URL of another page of the same listing."""
    filters = {"site": site.slug} if site is not None else {}
    if near is not None:
        filters["near"] = ",".join(_degrees(value) for value in near)
    return absolute(url_for("api.monuments", page=page, per_page=per_page, **filters))


def monuments_document(site: Site | None, result: MonumentPage) -> dict:
    """Wrap a page of monuments with its position and the links around it."""
    page = result.page
    return {
        "languages": list(languages()),
        "site": site.slug if site is not None else None,
        "page": page,
        "per_page": result.per_page,
        "total": result.total,
        "pages": result.pages,
        "near": None if result.near is None else {"latitude": result.near[0], "longitude": result.near[1]},
        "next": page_link(site, page + 1, result.per_page, result.near) if page < result.pages else None,
        "prev": page_link(site, page - 1, result.per_page, result.near) if page > 1 else None,
        "items": [monument_summary(monument, distance) for monument, distance in
                  zip(result.items, result.distances or [None] * len(result.items), strict=True)],
    }


def link_headers(document: dict) -> dict[str, str]:
    """Give a listing's next and previous pages as an RFC 8288 Link header, if it has any."""
    links = [f'<{document[rel]}>; rel="{rel}"' for rel in ("next", "prev") if document[rel]]
    return {"Link": ", ".join(links)} if links else {}


def _stop_document(monument: Monument, stop: Stop, position: int) -> dict:
    return {
        "slug": stop.slug,
        "position": position,
        "texts": _by_language(stop.texts, lambda text: {"title": text.title, "body": _markdown(text.body)}),
        "image": image_document(stop.image) if stop.image else None,
        "guides": _by_language(stop.guides, _guide_document),
        "codes": [code_summary(code) for code in stop.codes],
        "links": {"pages": _absolute(page_paths(monument.slug, stop.slug))},
    }


def _monument_text(text) -> dict:
    return {
        "name": text.name,
        "summary": text.summary,
        "body": _markdown(text.body),
        "facts": {
            "period": text.period,
            "architect": text.architect,
            "style": text.style,
            "address": text.address,
            "hours": text.hours,
        },
    }


def monument_document(monument: Monument) -> dict:
    """Describe a monument completely, in every language, with its stops, media and codes."""
    pages = _absolute(page_paths(monument.slug))
    cover = monument.cover
    return {
        "slug": monument.slug,
        "site": monument.site.slug,
        "languages": list(languages()),
        "texts": _by_language(monument.texts, _monument_text),
        "year_start": monument.year_start,
        "year_end": monument.year_end,
        "coordinates": _coordinates(monument),
        "access": monument.access,
        "wikidata": monument.wikidata,
        "cover_url": _media_url(cover.media) if cover else None,
        "images": [image_document(image) for image in monument.images],
        "guides": _by_language(monument.guides, _guide_document),
        "stops": [_stop_document(monument, stop, index) for index, stop in enumerate(monument.stops, 1)],
        "codes": [code_summary(code) for code in monument.codes],
        "updated_at": _timestamp(monument.updated_dt),
        # The same schema.org description the pages embed, once per language.
        "jsonld": {
            lang: structured_data(monument, lang, url, _media_url)
            for lang, url in pages.items()
            if lang in monument.texts
        },
        "links": {
            "self": absolute(url_for("api.monument", slug=monument.slug)),
            "site": absolute(url_for("api.monuments", site=monument.site.slug)),
            "pages": pages,
            "wikidata": f"https://www.wikidata.org/wiki/{monument.wikidata}" if monument.wikidata else None,
        },
    }


def code_document(code: Code, monument: Monument | None) -> dict:
    """Describe what a code points at: a monument or one of its stops, and where to read it.

    monument is the code's place when visitors may see it, else None: no link leads to a draft.
    """
    stop = code.stop if monument is not None else None
    links: dict = {"monument": None, "pages": {}}
    if monument is not None:
        links["monument"] = absolute(url_for("api.monument", slug=monument.slug))
        links["pages"] = _absolute(code_pages(code))
    return {
        **code_summary(code),
        "type": None if monument is None else ("stop" if stop is not None else "monument"),
        "site": code.site.slug,
        "monument": monument.slug if monument is not None else None,
        "stop": stop.slug if stop is not None else None,
        "links": {"self": absolute(url_for("api.code", code=code.code)), **links},
    }


def code_problem(raw: str) -> str:
    """Say, in the visitor's language, why a code leads nowhere."""
    code = read_code(raw)
    if code is None or len(code) != CODE_LENGTH:
        return _("A plaque code has %(count)d characters.", count=CODE_LENGTH)
    if any(char not in ALPHABET for char in code):
        return _("This code contains characters that plaque codes never use.")
    if is_well_formed(code):
        return _("No plaque carries this code.")
    return _("This code has a typo: its last character does not match the others.")


def code_error_document(raw: str, resolution: Resolution) -> tuple[dict, int]:
    """Describe a code that leads nowhere: 410 for a retired plaque, 404 otherwise."""
    if resolution.unavailable:
        # A real plaque whose place is not published yet: no typo to suggest, a reason of its own.
        return {"error": 404, "title": str(TITLES[404]), "message": _("This place is not yet available."),
                "suggestions": []}, 404
    if resolution.code is not None:
        return {
            "error": 410,
            "title": str(TITLES[410]),
            "message": _("This plaque code was retired and no longer leads anywhere."),
            "code": code_document(resolution.code, resolution.monument),
        }, 410
    return {
        "error": 404,
        "title": str(TITLES[404]),
        "message": code_problem(raw),
        "suggestions": [
            {"code": suggestion, "url": absolute(url_for("api.code", code=suggestion))}
            for suggestion in resolution.suggestions
        ],
    }, 404


def search_document(query: str, lang: str, site: str | None, limit: int) -> dict:
    """Find monuments by words: the best first, each in lang, with its page's address."""
    results = search(query, lang, site=site, limit=limit)
    return {
        "query": query,
        "lang": lang,
        "site": site,
        "items": [{
            "slug": result.slug,
            "name": result.name,
            "site": result.site,
            "site_name": result.site_name,
            "summary": result.summary,
            "url": absolute(result.url),
            "score": round(result.score, 6),
        } for result in results],
    }


def _tour_totals(walk) -> dict:
    return {
        "distance_m": round(walk.metres),
        "walking_minutes": walk.minutes,
        "measured": walk.complete,
        "stop_count": len(walk.stops),
    }


def tour_summary(tour: Tour) -> dict:
    """Describe a tour briefly: titles, summaries, distance, walking time and links."""
    return {
        "slug": tour.slug,
        "site": tour.site.slug,
        "texts": _by_language(tour.texts, lambda text: {"title": text.title, "summary": text.summary}),
        **_tour_totals(route(tour)),
        "updated_at": _timestamp(tour.updated_dt),
        "links": {
            "self": absolute(url_for("api.tour", slug=tour.slug)),
            "pages": _page_urls("tours.detail", slug=tour.slug),
        },
    }


def tours_document(site_slug: str | None, tours: list[Tour]) -> dict:
    """List tours visitors may see, all sites or one, in every language."""
    return {"languages": list(languages()), "site": site_slug, "items": [tour_summary(tour) for tour in tours]}


def _tour_stop(walk, index: int, stop) -> dict:
    monument = stop.monument
    leg = walk.leg_before(index)
    primary = monument.primary_code
    return {
        "position": index + 1,
        "monument": monument.slug,
        "texts": _by_language(monument.texts, lambda text: {"name": text.name, "summary": text.summary}),
        "note": {lang: _markdown(stop.notes[lang]) for lang in languages() if stop.notes.get(lang)},
        "coordinates": _coordinates(monument),
        "code": primary.code if primary else None,
        "leg": None if leg is None else {
            "distance_m": None if leg.metres is None else round(leg.metres),
            "walking_minutes": leg.minutes,
        },
        "links": {
            "self": absolute(url_for("api.monument", slug=monument.slug)),
            "pages": _absolute(page_paths(monument.slug)),
        },
    }


def tour_document(tour: Tour) -> dict:
    """Describe a tour completely, in every language: texts, ordered stops, legs and totals."""
    walk = route(tour)
    return {
        "slug": tour.slug,
        "site": tour.site.slug,
        "languages": list(languages()),
        "texts": _by_language(tour.texts, lambda text: {
            "title": text.title, "summary": text.summary, "intro": _markdown(text.intro)}),
        **_tour_totals(walk),
        "walking_speed_kmh": WALKING_SPEED_KMH,
        "detour_factor": DETOUR_FACTOR,
        "stops": [_tour_stop(walk, index, stop) for index, stop in enumerate(walk.stops)],
        "updated_at": _timestamp(tour.updated_dt),
        "links": {
            "self": absolute(url_for("api.tour", slug=tour.slug)),
            "site": absolute(url_for("api.tours", site=tour.site.slug)),
            "pages": _page_urls("tours.detail", slug=tour.slug),
        },
    }
