"""The editor's services: a record's document as flat form values and back, who may change what,
the media map of uploaded files, conflict merging and the draft preview.

A form field's name is its place in the document: ``text.ar.name``, ``cover.alt.fr``,
``stops.<slug>.text.ar.body``, ``guides.fr.transcript``. Fields missing from a submitted form keep
the value of the revision the form was opened from, so a translator's form that leaves out what
they may not change cannot change it.
"""

from __future__ import annotations

import copy
import re
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from flask import g
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from guide.extensions import db
from guide.guides.services import count_sentences
from guide.i18n import formatting_locale
from guide.i18n import languages
from guide.media.models import MediaFile

# A path the media helper's upload gives: the file's own hash names it.
UPLOADED = re.compile(r"^media/([0-9a-f]{64})\.[a-z0-9]{2,5}$")
# Invisible direction overrides and NULs would let a title reorder or hide text around it (content/schema).
FORBIDDEN = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")
MAX_MARKDOWN = 100_000
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True)
class TextField:
    """One translatable field: its key, its label and how it is typed."""

    key: str
    label: object
    widget: str = "line"  # line, text (plain paragraphs) or markdown
    max_length: int | None = None  # as content/schema.py allows

    @property
    def required(self) -> bool:
        return self.key in ("name", "summary", "body", "title")


MONUMENT_TEXT = (
    TextField("name", _l("Name"), max_length=200),
    TextField("summary", _l("Summary"), "text"),
    TextField("body", _l("Story (Markdown)"), "markdown"),
    TextField("period", _l("Period"), max_length=120),
    TextField("architect", _l("Architect"), max_length=200),
    TextField("style", _l("Style"), max_length=200),
    TextField("address", _l("Address"), max_length=300),
    TextField("hours", _l("Opening hours"), "text"),
)
STOP_TEXT = (TextField("title", _l("Title"), max_length=200), TextField("body", _l("Text (Markdown)"), "markdown"))
GUIDE_TEXT = (TextField("transcript", _l("Transcript"), "text"), TextField("narrator", _l("Narrator")))
IMAGE_TEXT = (TextField("alt", _l("Alternative text"), "text"), TextField("credit", _l("Credit")))
SITE_TEXT = (TextField("name", _l("Name")), TextField("description", _l("Description"), "text"))
ACCESS_CHOICES = (("inside", _l("Open to visitors inside")), ("street", _l("Seen from the street")),
                  ("partial", _l("Partly open to visitors")))
MONUMENT_INTEGERS = ("year_start", "year_end")
COORDINATES = ("latitude", "longitude")


class FormProblems(Exception):
    """The form cannot become a document; problems maps field names to translated messages."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__("; ".join(f"{name}: {', '.join(messages)}" for name, messages in problems.items()))
        self.problems = problems


# --- Document → form values ------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value)


def _image_values(values: dict, prefix: str, entry: dict | None) -> None:
    entry = entry or {}
    values[f"{prefix}.file"] = entry.get("file", "")
    for lang in languages():
        for field in IMAGE_TEXT:
            values[f"{prefix}.{field.key}.{lang}"] = (entry.get(field.key) or {}).get(lang, "")


def _guide_values(values: dict, prefix: str, guides: list[dict]) -> None:
    by_lang = {guide["lang"]: guide for guide in guides}
    for lang in languages():
        guide = by_lang.get(lang, {})
        values[f"{prefix}.{lang}.transcript"] = guide.get("transcript", "")
        values[f"{prefix}.{lang}.narrator"] = guide.get("narrator", "")
        values[f"{prefix}.{lang}.audio"] = guide.get("audio") or ""


def monument_values(doc: dict) -> dict[str, str]:
    """Return a monument document as the editor's form values, by field name."""
    values = {name: _text(doc.get(name)) for name in (*MONUMENT_INTEGERS, *COORDINATES, "access", "wikidata")}
    for lang in languages():
        text = doc.get("text", {}).get(lang, {})
        for field in MONUMENT_TEXT:
            values[f"text.{lang}.{field.key}"] = text.get(field.key, "")
    _image_values(values, "cover", doc.get("cover"))
    for index, entry in enumerate(doc.get("gallery", [])):
        _image_values(values, f"gallery.{index}", entry)
    _guide_values(values, "guides", doc.get("guides", []))
    for stop in doc.get("stops", []):
        prefix = f"stops.{stop['slug']}"
        for lang in languages():
            text = stop.get("text", {}).get(lang, {})
            for field in STOP_TEXT:
                values[f"{prefix}.text.{lang}.{field.key}"] = text.get(field.key, "")
        _image_values(values, f"{prefix}.image", stop.get("image"))
        _guide_values(values, f"{prefix}.guides", stop.get("guides", []))
    return values


def site_values(doc: dict) -> dict[str, str]:
    """Return a site document as the editor's form values, by field name."""
    values = {name: _text(doc.get(name)) for name in ("position", *COORDINATES)}
    for lang in languages():
        for field in SITE_TEXT:
            values[f"{field.key}.{lang}"] = doc.get(field.key, {}).get(lang, "")
    return values


def document_values(kind: str, doc: dict) -> dict[str, str]:
    """Return a site's or monument's document as form values."""
    return site_values(doc) if kind == "site" else monument_values(doc)


# --- Form → document -------------------------------------------------------------------------


class _Reader:
    """Read submitted fields over a base document's values, collecting problems by field."""

    def __init__(self, form: MultiDict, base_values: dict[str, str]):
        self.form, self.base = form, base_values
        self.problems: dict[str, list[str]] = {}

    def get(self, name: str) -> str:
        if name in self.form:
            value = self.form.get(name, "")
            # Browsers send CRLF line ends; the content format keeps LF.
            value = value.replace("\r\n", "\n").strip()
            if FORBIDDEN.search(value):
                self.problem(name, _("Remove the invisible direction-control or NUL characters from this text."))
            return value
        return self.base.get(name, "")

    def problem(self, name: str, message: str) -> None:
        self.problems.setdefault(name, []).append(message)

    def number(self, name: str, kind=int, low: float | None = None, high: float | None = None):
        value = self.get(name)
        if not value:
            return None
        try:
            number = kind(value.replace(",", ".")) if kind is float else kind(value)
        except ValueError:
            self.problem(name, _("Enter a whole number.") if kind is int else _("Enter a decimal number."))
            return None
        if low is not None and not low <= number <= high:
            self.problem(name, _("Enter a number from %(low)s to %(high)s.", low=low, high=high))
        return number

    def texts(self, pattern: str) -> dict[str, str]:
        """Return {lang: value} for a field written per language, leaving out empty languages."""
        found = {lang: self.get(pattern.format(lang=lang)) for lang in languages()}
        return {lang: value for lang, value in found.items() if value}

    def required(self, pattern: str, values: dict[str, str]) -> None:
        for lang in current_app.config["REQUIRED_LANGUAGES"]:
            if not values.get(lang):
                self.problem(pattern.format(lang=lang), _("Required in this language."))


def _image(reader: _Reader, prefix: str, base: dict | None) -> dict | None:
    path = reader.get(f"{prefix}.file")
    if not path or reader.form.get(f"{prefix}.remove"):
        return None
    entry = dict(base or {})
    entry["file"] = path
    for field in IMAGE_TEXT:
        entry[field.key] = reader.texts(f"{prefix}.{field.key}.{{lang}}")
        reader.required(f"{prefix}.{field.key}.{{lang}}", entry[field.key])
    return entry


def _guides(reader: _Reader, prefix: str, base: list[dict]) -> list[dict]:
    by_lang = {guide["lang"]: guide for guide in base}
    guides = []
    for lang in languages():
        before = by_lang.get(lang, {})
        transcript = reader.get(f"{prefix}.{lang}.transcript")
        audio = reader.get(f"{prefix}.{lang}.audio")
        if not transcript and not audio:
            continue
        if not transcript:
            reader.problem(f"{prefix}.{lang}.transcript", _("A recording needs its transcript."))
        guide = {**before, "lang": lang, "transcript": transcript, "audio": audio or None,
                 "narrator": reader.get(f"{prefix}.{lang}.narrator")}
        guide.setdefault("spoken", "")
        # Sentence timings belong to one transcript: kept while the sentences still match them.
        timings = before.get("timings")
        if timings is not None and (audio != (before.get("audio") or "")
                                    or len(timings) != count_sentences(transcript)):
            timings = None
        guide["timings"] = timings
        guides.append(guide)
    # Languages the interface does not show (disabled since) stay as they were.
    guides.extend(guide for lang, guide in by_lang.items() if lang not in languages())
    return guides


def _text_entries(reader: _Reader, prefix: str, fields, base: dict) -> dict:
    entries = {}
    for lang in languages():
        entry = {field.key: reader.get(f"{prefix}.{lang}.{field.key}") for field in fields}
        if not any(entry.values()) and lang not in current_app.config["REQUIRED_LANGUAGES"]:
            continue
        for field in fields:
            if field.required and not entry[field.key]:
                reader.problem(f"{prefix}.{lang}.{field.key}", _("Required in this language."))
            if field.max_length and len(entry[field.key]) > field.max_length:
                reader.problem(f"{prefix}.{lang}.{field.key}",
                               _("At most %(count)d characters.", count=field.max_length))
        entries[lang] = {**base.get(lang, {}), **entry}
    entries.update({lang: text for lang, text in base.items() if lang not in languages()})
    return entries


def monument_document(form: MultiDict, base: dict, site=None) -> dict:
    """Build a monument document from the editor's form over the base revision's document.

    A filled-in "new stop" (new_stop.slug and its texts) is appended with a fresh plaque of site.
    """
    reader = _Reader(form, monument_values(base))
    doc = copy.deepcopy(base)
    for name in MONUMENT_INTEGERS:
        doc[name] = reader.number(name, int, -3000, 2100)
    for name, limit in zip(COORDINATES, (90, 180), strict=True):
        doc[name] = reader.number(name, float, -limit, limit)
    access = reader.get("access") or "inside"
    if access not in dict(ACCESS_CHOICES):
        reader.problem("access", _("Choose one of the listed values."))
    doc["access"] = access
    doc["wikidata"] = reader.get("wikidata") or None
    if doc["wikidata"] and not WIKIDATA.match(doc["wikidata"]):
        reader.problem("wikidata", _("Like Q12345; empty if none."))
    doc["text"] = _text_entries(reader, "text", MONUMENT_TEXT, base.get("text", {}))
    doc["cover"] = _image(reader, "cover", base.get("cover"))
    gallery = []
    for index, entry in enumerate([*base.get("gallery", []), None]):
        image = _image(reader, f"gallery.{index}", entry)
        if image is not None:
            gallery.append(image)
    doc["gallery"] = gallery
    doc["guides"] = _guides(reader, "guides", base.get("guides", []))
    doc["stops"] = _stops(reader, base.get("stops", []))
    new_stop = _new_stop(reader, doc["stops"])
    if reader.problems:
        raise FormProblems(reader.problems)
    if new_stop is not None and site is not None:
        new_stop["code"], new_stop["number"] = fresh_plaque(site)
        doc["stops"].append(new_stop)
    doc["media"] = resolve_media(doc, base.get("media", {}))
    return doc


def _new_stop(reader: _Reader, stops: list[dict]) -> dict | None:
    slug = reader.get("new_stop.slug").lower()
    texts = {lang: {field.key: reader.get(f"new_stop.text.{lang}.{field.key}") for field in STOP_TEXT}
             for lang in languages()}
    if not slug and not any(value for text in texts.values() for value in text.values()):
        return None
    if not SLUG.match(slug) or len(slug) > 80:
        reader.problem("new_stop.slug", _("Use lower-case letters, digits and single hyphens, like old-medina."))
    elif slug in {stop["slug"] for stop in stops}:
        reader.problem("new_stop.slug", _("Another stop of this monument already has this address."))
    text = {}
    for lang, entry in texts.items():
        if not any(entry.values()) and lang not in current_app.config["REQUIRED_LANGUAGES"]:
            continue
        for field in STOP_TEXT:
            if not entry[field.key]:
                reader.problem(f"new_stop.text.{lang}.{field.key}", _("Required in this language."))
        text[lang] = entry
    return {"slug": slug, "text": text, "image": None, "guides": []}


def _stops(reader: _Reader, base: list[dict]) -> list[dict]:
    by_slug = {stop["slug"]: stop for stop in base}
    listed = [slug for slug in reader.form.getlist("stop") if slug in by_slug]
    # The order the form lists them in (the curator may move them), then any it left out.
    order = list(dict.fromkeys([*listed, *by_slug]))
    stops = []
    for slug in order:
        prefix = f"stops.{slug}"
        if reader.form.get(f"{prefix}.remove"):
            continue
        before = by_slug[slug]
        stop = copy.deepcopy(before)
        stop["text"] = _text_entries(reader, f"{prefix}.text", STOP_TEXT, before.get("text", {}))
        stop["image"] = _image(reader, f"{prefix}.image", before.get("image"))
        stop["guides"] = _guides(reader, f"{prefix}.guides", before.get("guides", []))
        stops.append(stop)
    return stops


def site_document(form: MultiDict, base: dict) -> dict:
    """Build a site document from the site editor's form over the base revision's document."""
    reader = _Reader(form, site_values(base))
    doc = copy.deepcopy(base)
    doc["position"] = reader.number("position") or 0
    for name, limit in zip(COORDINATES, (90, 180), strict=True):
        doc[name] = reader.number(name, float, -limit, limit)
    doc["name"] = reader.texts("name.{lang}")
    reader.required("name.{lang}", doc["name"])
    doc["description"] = reader.texts("description.{lang}")
    reader.required("description.{lang}", doc["description"])
    for key in ("name", "description"):
        doc[key].update({lang: text for lang, text in base.get(key, {}).items() if lang not in languages()})
    if reader.problems:
        raise FormProblems(reader.problems)
    return doc


def build_document(kind: str, form: MultiDict, base: dict, site=None) -> dict:
    """Build a site's or monument's document from a submitted editor form."""
    return site_document(form, base) if kind == "site" else monument_document(form, base, site)


# --- Media ------------------------------------------------------------------------------------


def media_paths(doc: dict) -> list[str]:
    """Return every file path a monument document names (images and recordings)."""
    images = [doc.get("cover"), *doc.get("gallery", [])]
    guides = list(doc.get("guides", []))
    for stop in doc.get("stops", []):
        images.append(stop.get("image"))
        guides.extend(stop.get("guides", []))
    paths = [image["file"] for image in images if image and image.get("file")]
    paths += [guide["audio"] for guide in guides if guide.get("audio")]
    return list(dict.fromkeys(paths))


def resolve_media(doc: dict, base_media: dict[str, str]) -> dict[str, str]:
    """Map each path the document names to its file's sha256.

    A path ``media/<sha256>.<ext>`` is a file just uploaded through the media helper and names its
    own hash; any other path is one the record already had, found in the base document's map.
    A path found in neither is left out, so that saving reports it as a missing file.
    """
    media = {}
    for path in media_paths(doc):
        uploaded = UPLOADED.match(path)
        if uploaded and db.session.get(MediaFile, uploaded[1]) is not None:
            media[path] = uploaded[1]
        elif path in base_media:
            media[path] = base_media[path]
    return media


def media_file(doc: dict, path: str) -> MediaFile | None:
    """Return the stored file a document's path names, for a preview."""
    if not path:
        return None
    uploaded = UPLOADED.match(path)
    sha = uploaded[1] if uploaded else (doc.get("media") or {}).get(path)
    return db.session.get(MediaFile, sha) if sha else None


# --- Who may change what -----------------------------------------------------------------------

# Per-language dictionaries: the key below them is a language.
_LANGUAGE_KEYS = frozenset({"text", "alt", "credit", "name", "description"})
# Keys whose values are files: changing them is media work.
_MEDIA_KEYS = frozenset({"file", "audio"})


def _leaves(value, path=(), lang=None, out=None) -> dict[tuple, tuple]:
    """Flatten a document to {path: (value, lang, action)}, lists keyed by what identifies an item."""
    out = {} if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            if not path and key == "media":
                continue  # derived from the files named elsewhere
            item_lang = key if path and path[-1] in _LANGUAGE_KEYS else lang
            _leaves(item, (*path, key), item_lang, out)
        return out
    if isinstance(value, list) and path and path[-1] == "stops":
        out[(*path, "order")] = ([stop.get("slug") for stop in value], None, "edit")
        for stop in value:
            _leaves(stop, (*path, ("stop", stop.get("slug"))), lang, out)
        return out
    if isinstance(value, list) and path and path[-1] == "guides":
        for guide in value:
            _leaves({k: v for k, v in guide.items() if k != "lang"}, (*path, ("guide", guide.get("lang"))),
                    guide.get("lang"), out)
        return out
    if isinstance(value, list) and path and path[-1] == "gallery":
        out[(*path, "count")] = (len(value), None, "edit")
        for index, item in enumerate(value):
            _leaves(item, (*path, index), lang, out)
        return out
    if path and path[-1] in _MEDIA_KEYS:
        out[path] = (value, None, "media")
    else:
        out[path] = (value, lang, "edit_text" if lang else "edit")
    return out


def required_permissions(before: dict, after: dict) -> list[tuple[str, str | None]]:
    """Return the (action, language) pairs that turning document before into after needs."""
    old, new = _leaves(before), _leaves(after)
    needed = set()
    for path in old.keys() | new.keys():
        was, now = old.get(path), new.get(path)
        if (was and was[0]) == (now and now[0]):
            continue
        _value, lang, action = now or was
        needed.add((action, lang))
    return sorted(needed, key=lambda pair: (pair[0], pair[1] or ""))


# --- Conflicts ---------------------------------------------------------------------------------


@dataclass
class Merge:
    """What a conflict page shows: form values, the head's differing values, and values not placed."""

    values: dict[str, str]
    current: dict[str, str]
    clashes: set[str]
    unplaced: dict[str, str]


def merge_conflict(kind: str, base: dict, submitted: dict, head: dict) -> Merge:
    """Merge a stale save onto the head: the curator's changes win, the head fills what they left.

    Every value the curator changed stays in the form; where the head changed the same field the
    head's value is shown beside it; what has no place in the head any more is listed apart.
    """
    base_values = document_values(kind, base)
    mine = document_values(kind, submitted)
    theirs = document_values(kind, head)
    values, current, clashes, unplaced = {}, {}, set(), {}
    for name, head_value in theirs.items():
        value = mine.get(name, head_value)
        changed_by_me = name in mine and value != base_values.get(name, "")
        values[name] = value if changed_by_me else head_value
        if changed_by_me and head_value != value:
            current[name] = head_value
            if head_value != base_values.get(name, ""):
                clashes.add(name)
    for name, value in mine.items():
        if name not in theirs and value and value != base_values.get(name, ""):
            unplaced[name] = value
    return Merge(values, current, clashes, unplaced)


def problem_fields(kind: str, doc: dict, problems: list[str]) -> dict[str, list[str]]:
    """Place a DocumentError's "path: message" problems on the form's field names where possible."""
    placed: dict[str, list[str]] = {}
    for problem in problems:
        location, _sep, message = problem.partition(": ")
        parts = location.split(".")
        name = ".".join(_form_path(doc, parts)) if kind == "monument" else location
        placed.setdefault(name, []).append(message or problem)
    return placed


def _form_path(doc, parts: list[str]) -> list[str]:
    out, node = [], doc
    for part in parts:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            item = node[int(part)]
            if out and out[-1] == "stops":
                out.append(str(item.get("slug")))
            elif out and out[-1] == "guides":
                out.append(str(item.get("lang")))
            else:
                out.append(part)
            node = item
            continue
        out.append(part)
        node = node.get(part) if isinstance(node, dict) else None
    return out


# --- Preview -----------------------------------------------------------------------------------


@contextmanager
def _visitor_language(lang: str):
    # The public templates read g.lang and the page's alternates; put back what the CMS had.
    saved = {key: g.get(key) for key in ("lang", "alternates")}
    g.lang = lang
    try:
        with force_locale(formatting_locale(lang, current_app.config["LOCALE_TERRITORY"])):
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                g.pop(key, None)
            else:
                setattr(g, key, value)


def preview_page(kind: str, record, doc: dict, lang: str, revision_number: int | None = None) -> str:
    """Render a record's public page from a draft document, as visitors would see it once published.

    The document is written into the public rows inside a savepoint that is always rolled back,
    and the page is rendered by the public template directly, never through the page cache
    (guide/versions.py keeps caches away from a session with uncommitted public changes).
    """
    from guide.monuments.rendering import render_monument
    from guide.monuments.services import apply_monument_document
    from guide.publishing.models import Revision
    from guide.sites.services import apply_site_document

    savepoint = db.session.begin_nested()
    try:
        if kind == "monument":
            previous = db.session.get(Revision, record.published_revision_id or 0)
            apply_monument_document(record, doc, previous.data if previous else None, "preview")
        else:
            apply_site_document(record, doc)
        with _visitor_language(lang):
            endpoint = "editor.preview"
            kinds = "monuments" if kind == "monument" else "sites"
            extra = {"revision": revision_number} if revision_number else {}
            g.alternates = {code: url_for(endpoint, kinds=kinds, slug=record.slug, page_lang=code, **extra)
                            for code in languages()}
            if kind == "monument":
                return render_monument(record, lang)
            from flask import render_template

            return render_template("sites/site.html", site=record)
    finally:
        savepoint.rollback()


# --- New monuments -----------------------------------------------------------------------------

NEW_MONUMENT_TEXT = MONUMENT_TEXT[:3]


def fresh_plaque(site) -> tuple[str, int]:
    """Return a plaque code no record uses and the site's next keypad number, drafts included."""
    from sqlalchemy import select

    from guide.codes.format import new_code
    from guide.codes.models import Code
    from guide.content.schema import code_entries
    from guide.publishing.models import Revision

    taken = set(db.session.scalars(select(Code.code)))
    numbers = set(db.session.scalars(select(Code.number).where(Code.site_id == site.id)))
    # A draft's plaque exists only in its revisions until it is first published.
    for data in db.session.scalars(select(Revision.data).where(Revision.kind == "monument")):
        for code, (number, _stop) in code_entries(data).items():
            taken.add(code)
            if data.get("site") == site.slug:
                numbers.add(number)
    return new_code(taken), max(numbers, default=0) + 1


def new_monument_document(form: MultiDict, site) -> dict:
    """Build the first document of a new monument in site from the creation form."""
    from guide.publishing.services import find_record

    reader = _Reader(form, {})
    slug = reader.get("slug").lower()
    if not SLUG.match(slug) or len(slug) > 80:
        reader.problem("slug", _("Use lower-case letters, digits and single hyphens, like old-medina."))
    elif find_record("monument", slug) is not None:
        reader.problem("slug", _("Another monument already has this address."))
    text = {}
    for lang in languages():
        entry = {field.key: reader.get(f"text.{lang}.{field.key}") for field in NEW_MONUMENT_TEXT}
        if not any(entry.values()) and lang not in current_app.config["REQUIRED_LANGUAGES"]:
            continue
        for field in NEW_MONUMENT_TEXT:
            if not entry[field.key]:
                reader.problem(f"text.{lang}.{field.key}", _("Required in this language."))
        text[lang] = entry
    if reader.problems:
        raise FormProblems(reader.problems)
    code, number = fresh_plaque(site)
    return {"site": site.slug, "slug": slug, "code": code, "number": number, "access": "inside",
            "text": text, "media": {}}
