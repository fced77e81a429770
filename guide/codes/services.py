"""Plaque codes: resolving what was scanned or typed, and their lifecycle."""

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from guide import published
from guide.codes.format import fold
from guide.codes.format import is_well_formed
from guide.codes.format import new_code
from guide.codes.format import typo_candidates
from guide.codes.models import Code
from guide.extensions import db
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.monuments.urls import page_paths
from guide.publishing.models import Revision
from guide.publishing.revisions import add_revision
from guide.sites.models import Site
from guide.text import pick
from guide.timeutil import as_utc
from guide.timeutil import now_utc

MAX_TYPED_LENGTH = 32
# Raw input longer than this is refused before folding: no real code hides in that many marks.
MAX_RAW_LENGTH = 256
# Keypad numbers are small; longer digit strings are typos, and int() stays cheap.
MAX_NUMBER_DIGITS = 6


class CodeError(Exception):
    """A code change that cannot be made; the message is translated for the curator."""


@dataclass
class Resolution:
    code: Code | None = None
    # Codes one typo away that lead somewhere, for a "did you mean" link.
    suggestions: list[str] = field(default_factory=list)
    # The place the code leads to, when visitors may see it.
    monument: Monument | None = None

    @property
    def found(self) -> bool:
        return self.code is not None and not self.code.is_retired and self.monument is not None

    @property
    def unavailable(self) -> bool:
        """The code is on a plaque, but its place is not published yet."""
        return self.code is not None and not self.code.is_retired and self.monument is None


def _with_targets(query):
    return query.options(
        selectinload(Code.site),
        selectinload(Code.monument).selectinload(Monument.site),
        selectinload(Code.stop).selectinload(Stop.monument),
    )


def code_query(in_service: bool = True, public: bool = True) -> Select:
    """Select codes: still on a plaque (in_service), leading to a place visitors may see (public)."""
    query = select(Code)
    if in_service:
        query = query.where(Code.retired_dt.is_(None))
    if public:
        query = query.where(published.leads_to_visible(Code.monument_id, Code.stop_id))
    return query


def code_pages(code: Code, langs: Iterable[str] | None = None) -> dict[str, str]:
    """Map each language to the path of the page a code leads to: its stop's or its monument's."""
    return page_paths(code.target_monument.slug, code.stop.slug if code.stop is not None else None, langs)


def find_code(code: str) -> Code | None:
    """Return the code row with its target loaded, or None."""
    return db.session.scalar(_with_targets(select(Code).where(Code.code == code)))


def read_code(raw: str) -> str | None:
    """Fold what was scanned or typed (see format.fold); None if too long to be a code or number."""
    if len(raw) > MAX_RAW_LENGTH:
        return None
    folded = fold(raw)
    return folded if len(folded) <= MAX_TYPED_LENGTH else None


# Cached answers for a code: its page or its retired notice. An unknown code's answer is never
# kept, so junk codes cannot push real pages out of the cache; nor is a place not yet
# published, so that publishing it opens the page at once.
CACHED_CODE_STATUSES = (200, 410)


def cache_code(raw: str) -> str | None:
    """Return the folded code to key a cached answer by, or None when it cannot be a code."""
    code = read_code(raw)
    return code if code and is_well_formed(code) else None


def _code_row(code: str) -> Code | None:
    # One statement: the row, its stop, its place and that place's site, enough to tell whether
    # visitors may see it; texts come later with the page, when it is not cached already.
    stop = joinedload(Code.stop)
    return db.session.scalar(select(Code).where(Code.code == code).options(
        stop.lazyload(Stop.texts),
        *_place_options(stop.joinedload(Stop.monument)),
        *_place_options(joinedload(Code.monument)),
    ))


def _place_options(monument) -> tuple:
    return (monument.lazyload(Monument.texts), monument.joinedload(Monument.site).lazyload(Site.texts))


def resolve_code(raw: str) -> Resolution:
    """Resolve a scanned or typed code to its place, if visible; suggest codes for a one-character slip."""
    code = read_code(raw)
    if code is None:
        return Resolution()
    row = _code_row(code) if is_well_formed(code) else None
    if row is not None:
        place = row.target_monument
        return Resolution(row, monument=place if published.monument_is_visible(place) else None)
    candidates = typo_candidates(code)
    if not candidates:
        return Resolution()
    existing = db.session.scalars(code_query().where(Code.code.in_(candidates)).with_only_columns(Code.code))
    return Resolution(suggestions=sorted(existing))


@dataclass
class Entry:
    """What a visitor typed, resolved: a code to open, or why not."""

    code: Code | None = None
    # "empty", "too-long", "unknown-code", "unknown-number", "retired", "unavailable" (its place
    # is not published yet) or "ambiguous".
    problem: str | None = None
    # Codes the visitor may have meant: near a typo, or the same number in several sites.
    choices: list[Code] = field(default_factory=list)


def _keypad_number(text: str) -> int | None:
    # text is folded: Arabic-Indic (١٢) and Persian (۱۲) digits are ASCII by now.
    if not text or len(text) > MAX_NUMBER_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def resolve_entry(raw: str, site: Site | None = None) -> Entry:
    """Resolve a typed plaque code, or a keypad number within a site (or any site if unique)."""
    # NFKC would spell № as "NO": read it as the # people also type before a number.
    text = read_code(raw.replace("№", "#"))
    if text is None:
        return Entry(problem="too-long")
    if not text:
        return Entry(problem="empty")
    number = _keypad_number(text.removeprefix("#"))
    if number is not None:
        return _resolve_number(number, site)
    resolution = resolve_code(text)
    if resolution.code is not None:
        if resolution.code.is_retired:
            return Entry(code=resolution.code, problem="retired")
        if resolution.unavailable:
            return Entry(code=resolution.code, problem="unavailable")
        return Entry(code=resolution.code)
    choices = list(db.session.scalars(
        _with_targets(select(Code).where(Code.code.in_(resolution.suggestions)).order_by(Code.code))
    ))
    return Entry(problem="unknown-code", choices=choices)


def _resolve_number(number: int, site: Site | None) -> Entry:
    query = code_query(public=False).where(Code.number == number)
    if site is not None:
        query = query.where(Code.site_id == site.id)
    matches = list(db.session.scalars(
        _with_targets(query.join(Site, Site.id == Code.site_id).order_by(Site.position))
    ))
    visible = [code for code in matches if published.monument_is_visible(code.target_monument)]
    if not visible:
        # A number printed on a plaque whose place is not published yet is not a typo.
        return Entry(code=matches[0], problem="unavailable") if matches else Entry(problem="unknown-number")
    if len(visible) > 1:
        return Entry(problem="ambiguous", choices=visible)
    return Entry(code=visible[0])


# Lifecycle. These only flush; the CLI or the CMS request commits.

def _check_target(site_id: int, monument: Monument, stop: Stop | None) -> None:
    if stop is not None and stop.monument_id != monument.id:
        raise CodeError(_("The stop %(stop)s is not part of %(monument)s.", stop=stop.slug,
                          monument=monument.slug))
    if monument.site_id != site_id:
        # The keypad number printed on the plaque is only unique within its site.
        raise CodeError(_("A code cannot move to a monument of another site."))


def code_document(code: Code) -> dict:
    """Describe a code as its revisions record it: site, keypad number, target and retirement."""
    monument = code.target_monument
    return {
        "code": code.code,
        "site": code.site.slug,
        "number": code.number,
        "monument": monument.slug if monument is not None else None,
        "stop": code.stop.slug if code.stop is not None else None,
        "retired_at": as_utc(code.retired_dt).isoformat() if code.retired_dt is not None else None,
    }


def _revise(code: Code, author: str) -> None:
    # Every change of a plaque is a revision: it takes effect at once (the plaque is physical),
    # and its history says who did what.
    db.session.flush()
    revision = add_revision("code", code.code, code_document(code), author, code.head_revision_id)
    code.head_revision_id = revision.id


def create_code(monument: Monument, stop: Stop | None = None, number: int | None = None, *,
                author: str) -> Code:
    """Give a monument, or one of its stops, a fresh permanent code and keypad number."""
    _check_target(monument.site_id, monument, stop)
    if number is None:
        number = next_number(monument.site)
    elif number < 1:
        raise CodeError(_("A keypad number starts at 1."))
    elif db.session.scalar(select(Code.code).where(Code.site_id == monument.site_id, Code.number == number)):
        raise CodeError(_("The number %(number)d is already printed on another plaque of this site.",
                          number=number))
    taken_codes = set(db.session.scalars(select(Code.code)))
    code = Code(code=new_code(taken_codes), site=monument.site, number=number,
                monument=None if stop else monument, stop=stop)
    db.session.add(code)
    _revise(code, author)
    return code


def retarget_code(code: Code, monument: Monument, stop: Stop | None = None, *, author: str) -> Code:
    """Point a code at another monument or stop: the plaque stays valid when content moves."""
    if code.is_retired:
        raise CodeError(_("The code %(code)s is retired; create a new one instead.", code=code.code))
    _check_target(code.site_id, monument, stop)
    code.monument, code.stop = (None, stop) if stop else (monument, None)
    _revise(code, author)
    return code


def retire_code(code: Code, *, author: str, when: datetime | None = None) -> Code:
    """Take a code out of service for good (now, or when an export says); scans then show a 410 page."""
    if code.is_retired:
        raise CodeError(_("The code %(code)s is already retired.", code=code.code))
    code.retired_dt = when or now_utc()
    _revise(code, author)
    return code


def assign_code(code: str, number: int, site: Site, monument: Monument | None = None,
                stop: Stop | None = None, *, author: str) -> Code:
    """Create the code with this text and number, or move it to this target: what a record says."""
    row = db.session.get(Code, code)
    before = code_document(row) if row is not None else None
    if row is None:
        row = Code(code=code, site=site, number=number)
        db.session.add(row)
    elif row.site_id != site.id:
        # The keypad number printed on the plaque is only unique within its site.
        raise CodeError(_("A code cannot move to a monument of another site."))
    row.site, row.number = site, number
    row.monument, row.stop = monument, stop
    # Publishing bumps the content version once for the whole record.
    if code_document(row) != before:
        _revise(row, author)
    return row


def codes_in_site(site: Site) -> list[Code]:
    """List a site's codes by keypad number, retired ones included."""
    return list(db.session.scalars(
        _with_targets(select(Code).where(Code.site_id == site.id).order_by(Code.number))
    ))


def next_number(site: Site) -> int:
    """Return the keypad number a new plaque of this site would get."""
    return (db.session.scalar(select(func.max(Code.number)).where(Code.site_id == site.id)) or 0) + 1


# The CMS: choosing a target on a site's codes page, and naming it.

def site_targets(site: Site) -> list[tuple[Monument, Stop | None]]:
    """List what a code of this site may lead to: each monument, then its stops, in guide order."""
    monuments = db.session.scalars(
        select(Monument).where(Monument.site_id == site.id).order_by(Monument.position, Monument.slug)
        .options(selectinload(Monument.texts), selectinload(Monument.stops).selectinload(Stop.texts))
    )
    targets: list[tuple[Monument, Stop | None]] = []
    for monument in monuments:
        targets.append((monument, None))
        targets += [(monument, stop) for stop in monument.stops]
    return targets


def target_key(monument: Monument, stop: Stop | None = None) -> str:
    """Name a target in a form: the monument's slug, then /stop for a stop."""
    return f"{monument.slug}/{stop.slug}" if stop is not None else monument.slug


def parse_target(site: Site, value: str | None) -> tuple[Monument, Stop | None]:
    """Read a target chosen in a form; it must be a monument or stop of site, else CodeError."""
    monument_slug, _slash, stop_slug = (value or "").strip().partition("/")
    # monuments.services imports this module, so the lookups are written out here.
    monument = (db.session.scalar(select(Monument).where(Monument.slug == monument_slug))
                if monument_slug and len(monument_slug) <= 80 and "\x00" not in monument_slug else None)
    if monument is None:
        raise CodeError(_("Choose a monument or a stop of this site."))
    if monument.site_id != site.id:
        # The keypad number printed on the plaque is only unique within its site.
        raise CodeError(_("A code cannot move to a monument of another site."))
    if not stop_slug:
        return monument, None
    stop = next((stop for stop in monument.stops if stop.slug == stop_slug), None)
    if stop is None:
        raise CodeError(_("Choose a monument or a stop of this site."))
    return monument, stop


def place_name(monument: Monument | None, stop: Stop | None, lang: str) -> tuple[str, str | None]:
    """Name a code's target for curators in lang (else another language): (text, its language).

    A monument never published has no public texts yet; its latest revision names it.
    """
    if stop is not None:
        text = pick(stop.texts, lang)
        if text is not None:
            return text.title, text.lang
        return stop.slug, None
    if monument is None:
        return "", None
    text = pick(monument.texts, lang)
    if text is not None:
        return text.name, text.lang
    revision = db.session.get(Revision, monument.head_revision_id) if monument.head_revision_id else None
    names = {code: entry.get("name") for code, entry in ((revision.data.get("text") or {}) if revision else {}).items()
             if isinstance(entry, dict) and entry.get("name")}
    chosen = pick(names, lang)
    if chosen is not None:
        return chosen, next(code for code, name in names.items() if name == chosen)
    return monument.slug, None
