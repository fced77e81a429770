"""Search: keeping the index in step with the public rows, and finding monuments by words."""

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import selectinload

from guide.extensions import db
from guide.monuments.models import Monument
from guide.monuments.models import MonumentText
from guide.monuments.urls import page_paths
from guide.search.models import SearchEntry
from guide.search.terms import prefixes
from guide.search.terms import strip_article
from guide.search.terms import terms
from guide.search.terms import words
from guide.sites.models import Site
from guide.sites.models import SiteText
from guide.text import pick

# Longer queries are refused (400): nobody types more, and it bounds the work of one query.
MAX_QUERY_LENGTH = 200
# A query of more words than this uses its first ones only.
MAX_QUERY_WORDS = 12
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
SNIPPET_LENGTH = 160
# The name counts ten times the body (FTS5 bm25 column weights; PostgreSQL uses weights A and B).
NAME_WEIGHT = 10.0


@dataclass(frozen=True)
class SearchResult:
    slug: str
    name: str
    site: str
    site_name: str
    summary: str
    url: str
    score: float


def _entry_texts(monument: Monument, lang: str) -> tuple[str, str]:
    """Return a monument's name and everything else searchable, in one language."""
    found = monument.texts[lang]
    parts = [found.summary, found.body, found.period, found.architect, found.style, found.address]
    for stop in monument.stops:
        stop_text = stop.texts.get(lang)
        if stop_text is not None:
            parts += [stop_text.title, stop_text.body]
    return found.name, "\n".join(parts)


def reindex_monument(monument: Monument) -> None:
    """Write a monument's index entries from its public rows, one per language it has; flush."""
    existing = {entry.lang: entry for entry in db.session.scalars(
        select(SearchEntry).where(SearchEntry.monument_id == monument.id))}
    for lang in monument.texts:
        name, body = _entry_texts(monument, lang)
        entry = existing.pop(lang, None)
        if entry is None:
            entry = SearchEntry(monument_id=monument.id, lang=lang)
            db.session.add(entry)
        entry.name, entry.body = " ".join(terms(name)), " ".join(terms(body))
    for entry in existing.values():
        db.session.delete(entry)
    db.session.flush()


def reindex_site(site: Site) -> None:
    """Reindex every monument of a site (its own texts are not searched; its monuments are)."""
    for monument in site.monuments:
        reindex_monument(monument)


def remove_monument(monument: Monument) -> None:
    """Drop a monument's index entries; flush."""
    db.session.execute(delete(SearchEntry).where(SearchEntry.monument_id == monument.id))
    db.session.flush()


def reindex_all() -> int:
    """Rebuild the whole index from the public rows; return how many monuments it holds."""
    db.session.execute(delete(SearchEntry))
    count = 0
    monuments = db.session.scalars(select(Monument).options(selectinload(Monument.stops)).order_by(Monument.id))
    for monument in monuments:
        if monument.texts:
            reindex_monument(monument)
            count += 1
    return count


def index_if_empty() -> int | None:
    """Build the index when it is empty but monuments are public (a database upgraded to it); flush.

    Return how many monuments were indexed, or None when the index was already there.
    """
    if db.session.scalar(select(SearchEntry.id).limit(1)) is not None:
        return None
    if db.session.scalar(select(Monument.id).where(Monument.live).limit(1)) is None:
        return None
    return reindex_all()


def _query_words(query: str) -> list[str]:
    return words(query)[:MAX_QUERY_WORDS]


def _fts5_match(found: list[str]) -> str:
    # Every term a quoted string ("" escapes a quote): FTS5 syntax never comes from the visitor.
    def quoted(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    *whole, last = found
    parts = [quoted(value) for value in dict.fromkeys(terms(" ".join(whole)))]
    parts.append("(" + " OR ".join(quoted(value) + "*" for value in prefixes(last)) + ")")
    return " AND ".join(parts)


def _tsquery(found: list[str]) -> str:
    # Every lexeme a quoted literal, cast to tsquery with no parser: tsquery syntax never comes
    # from the visitor either.
    def quoted(value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"

    *whole, last = found
    parts = [quoted(value) for value in dict.fromkeys(terms(" ".join(whole)))]
    parts.append("(" + " | ".join(quoted(value) + ":*" for value in prefixes(last)) + ")")
    return " & ".join(parts)


# bm25() works only in the full-text query itself: materialized, so SQLite keeps it there.
_SQLITE = """
WITH hit AS MATERIALIZED (
    SELECT rowid, bm25(search_fts, :name_weight, 1.0) AS rank FROM search_fts WHERE search_fts MATCH :match
)
SELECT e.monument_id, max(-hit.rank) AS score
FROM hit
JOIN search_entries AS e ON e.id = hit.rowid
JOIN monuments AS m ON m.id = e.monument_id
JOIN sites AS s ON s.id = m.site_id
WHERE m.live AND s.live AND (:site IS NULL OR s.slug = :site)
GROUP BY e.monument_id, s.position, m.position, m.slug
ORDER BY score DESC, s.position, m.position, m.slug
LIMIT :limit
"""
_POSTGRES = """
SELECT e.monument_id, max(ts_rank(e.document, q.query)) AS score
FROM search_entries AS e
CROSS JOIN (SELECT CAST(:match AS tsquery) AS query) AS q
JOIN monuments AS m ON m.id = e.monument_id
JOIN sites AS s ON s.id = m.site_id
WHERE e.document @@ q.query AND m.live AND s.live AND (CAST(:site AS text) IS NULL OR s.slug = :site)
GROUP BY e.monument_id, s.position, m.position, m.slug
ORDER BY score DESC, s.position, m.position, m.slug
LIMIT :limit
"""


def _ranked(found: list[str], site: str | None, limit: int) -> list[tuple[int, float]]:
    """Return (monument id, score) of the visible monuments matching every word, best first."""
    if db.engine.dialect.name == "postgresql":
        sql, match = _POSTGRES, _tsquery(found)
    else:
        sql, match = _SQLITE, _fts5_match(found)
    rows = db.session.execute(text(sql), {"match": match, "site": site, "limit": limit,
                                          "name_weight": NAME_WEIGHT})
    return [(monument_id, float(score)) for monument_id, score in rows]


def _snippet(summary: str) -> str:
    if len(summary) <= SNIPPET_LENGTH:
        return summary
    return summary[:SNIPPET_LENGTH].rsplit(" ", 1)[0] + "…"


def search(query: str, lang: str, site: str | None = None, limit: int = DEFAULT_LIMIT) -> list[SearchResult]:
    """Find the visible monuments whose texts (in any language) hold every word of query.

    The last word also matches as the start of a word ("mosq"). Results are in lang where the
    monument has it, best first. query must be at most MAX_QUERY_LENGTH characters.
    """
    found = _query_words(query)
    if not found:
        return []
    ranked = _ranked(found, site, max(1, min(limit, MAX_LIMIT)))
    if not ranked:
        return []
    ids = [monument_id for monument_id, _score in ranked]
    # Plain rows, not objects: the page shows a name, a summary and a site name.
    places = {row.id: row for row in db.session.execute(
        select(Monument.id, Monument.slug, Site.id.label("site_id"), Site.slug.label("site"))
        .join(Monument.site).where(Monument.id.in_(ids)))}
    texts: dict[int, dict[str, tuple[str, str]]] = {}
    for row in db.session.execute(select(MonumentText.monument_id, MonumentText.lang, MonumentText.name,
                                         MonumentText.summary).where(MonumentText.monument_id.in_(ids))):
        texts.setdefault(row.monument_id, {})[row.lang] = (row.name, row.summary)
    site_names: dict[int, dict[str, str]] = {}
    for row in db.session.execute(select(SiteText.site_id, SiteText.lang, SiteText.name).where(
            SiteText.site_id.in_({place.site_id for place in places.values()}))):
        site_names.setdefault(row.site_id, {})[row.lang] = row.name
    results = []
    for monument_id, score in ranked:
        place = places[monument_id]
        name, summary = pick(texts[monument_id], lang)
        results.append(SearchResult(
            slug=place.slug, name=name, site=place.site,
            site_name=pick(site_names.get(place.site_id, {}), lang) or place.site,
            summary=_snippet(summary), url=page_paths(place.slug, langs=[lang])[lang], score=score,
        ))
    return results


def _compact(found: set[str]) -> list[str]:
    """Sort words and drop each that starts another: offline search matches by prefix anyway."""
    ordered = sorted(found)
    return [word for word, following in zip(ordered, [*ordered[1:], ""], strict=True)
            if not following.startswith(word)]


def pack_index(monuments: list[Monument], langs: tuple[str, ...]) -> dict[str, list[list[str]]]:
    """Index a site's monuments for searching offline (pwa/js/search.js), per language.

    Each entry is [page path, name, words]: the folded words of the name, summary, body, facts
    and stops, article stripped, unstemmed (the phone matches prefixes), sorted, space-separated.
    """
    index: dict[str, list[list[str]]] = {}
    for lang in langs:
        entries = []
        for monument in monuments:
            if lang not in monument.texts:
                continue
            name, body = _entry_texts(monument, lang)
            found = {strip_article(word) for word in words(f"{name} {body}")}
            entries.append([page_paths(monument.slug, langs=[lang])[lang], name, " ".join(_compact(found))])
        index[lang] = entries
    return index
