"""Translation status: each translatable field of a record, in each language, and when it changed.

A field in a language is
- *missing* when it is empty there while another language has it;
- *outdated* when another language's value changed after it was last changed or confirmed here;
- *up to date* otherwise.

Stamps (translation_stamps) are written by add_revision for every revision of a site or monument,
whoever made it (the CMS, load-content, a restore, the CLI): each value that changed since the
previous revision gets the revision's time and author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC
from datetime import datetime

from babel import Locale
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy import select

from guide.extensions import db
from guide.i18n import languages
from guide.monuments.models import Monument
from guide.publishing.models import Revision
from guide.sites.models import Site
from guide.timeutil import as_utc
from guide.timeutil import now_utc
from guide.translating.models import TranslationStamp

MISSING, OUTDATED, UP_TO_DATE = "missing", "outdated", "up_to_date"
STATUSES = (MISSING, OUTDATED, UP_TO_DATE)
KINDS = ("site", "monument")
SITE_TEXT = ("name", "description")
MONUMENT_TEXT = ("name", "summary", "body", "period", "architect", "style", "address", "hours")
STOP_TEXT = ("title", "body")
IMAGE_TEXT = ("alt", "credit")
# Stamps with no time sort before every real one: a field nobody stamped yet never outdates another.
_NEVER = datetime.min.replace(tzinfo=UTC)
# What a stamp made only to hold a confirmation stores as its change time (the epoch: any
# database and time zone can read it back, unlike year 1).
UNCHANGED = datetime(1970, 1, 1, tzinfo=UTC)


class TranslationError(Exception):
    """A confirmation that cannot be done; the message is translated for the curator."""


# Field paths --------------------------------------------------------------------------------

def translatable_fields(kind: str, document: dict | None) -> list[tuple[str, dict[str, str]]]:
    """List every translatable field of a site or monument document as (path, {lang: value}).

    Every enabled language (required, then extra) has a value, "" when the document has none.
    Paths: site "name", "description"; monument "text.<field>", "cover.alt", "gallery.<n>.credit",
    "guides.transcript" (the guide of each language), "stops.<slug>.text.title",
    "stops.<slug>.image.alt", "stops.<slug>.guides.transcript".
    """
    if not document:
        return []
    langs = languages()
    if kind == "site":
        return [(name, _per_language(document.get(name), langs)) for name in SITE_TEXT]
    if kind == "tour":
        from guide.tours.services import translatable_fields as tour_fields

        return tour_fields(document, langs)
    fields = _texts("text", document.get("text"), MONUMENT_TEXT, langs)
    _image(fields, "cover", document.get("cover"), langs)
    for number, image in enumerate(document.get("gallery") or []):
        _image(fields, f"gallery.{number}", image, langs)
    _guides(fields, "guides", document.get("guides"), langs)
    for stop in document.get("stops") or []:
        prefix = f"stops.{stop['slug']}"
        fields.extend(_texts(f"{prefix}.text", stop.get("text"), STOP_TEXT, langs))
        _image(fields, f"{prefix}.image", stop.get("image"), langs)
        _guides(fields, f"{prefix}.guides", stop.get("guides"), langs)
    return fields


def _value(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _per_language(mapping, langs) -> dict[str, str]:
    mapping = mapping if isinstance(mapping, dict) else {}
    return {lang: _value(mapping.get(lang)) for lang in langs}


def _texts(prefix: str, texts, names, langs) -> list[tuple[str, dict[str, str]]]:
    texts = texts if isinstance(texts, dict) else {}
    return [(f"{prefix}.{name}", {lang: _value((texts.get(lang) or {}).get(name)) for lang in langs})
            for name in names]


def _image(fields: list, prefix: str, image, langs) -> None:
    if isinstance(image, dict):
        fields.extend((f"{prefix}.{name}", _per_language(image.get(name), langs)) for name in IMAGE_TEXT)


def _guides(fields: list, prefix: str, guides, langs) -> None:
    # Guides are a list with one entry per language: their transcripts are one field.
    if guides:
        by_lang = {guide.get("lang"): guide.get("transcript") for guide in guides if isinstance(guide, dict)}
        fields.append((f"{prefix}.transcript", _per_language(by_lang, langs)))


_STOP_PATH = re.compile(r"^stops\.([^.]+)\.(.+)$")
_GALLERY_PATH = re.compile(r"^gallery\.(\d+)\.(alt|credit)$")


def field_label(path: str) -> str:
    """Return a translatable field's name for curators: "Stop “hall” title", "Cover alt text"."""
    stop = _STOP_PATH.match(path)
    if stop:
        slug, rest = stop.groups()
        labels = {
            "note": _("Note at “%(stop)s”", stop=slug),
            "text.title": _("Stop “%(stop)s” title", stop=slug),
            "text.body": _("Stop “%(stop)s” text", stop=slug),
            "image.alt": _("Stop “%(stop)s” image alt text", stop=slug),
            "image.credit": _("Stop “%(stop)s” image credit", stop=slug),
            "guides.transcript": _("Stop “%(stop)s” guide transcript", stop=slug),
        }
        return labels.get(rest, path)
    gallery = _GALLERY_PATH.match(path)
    if gallery:
        number = int(gallery.group(1)) + 1
        if gallery.group(2) == "alt":
            return _("Gallery image %(number)d alt text", number=number)
        return _("Gallery image %(number)d credit", number=number)
    labels = {
        "name": _("Name"), "description": _("Description"),
        "text.name": _("Name"), "text.summary": _("Summary"), "text.body": _("Text"),
        "text.title": _("Title"), "text.intro": _("Introduction"),
        "text.period": _("Period"), "text.architect": _("Architect"), "text.style": _("Style"),
        "text.address": _("Address"), "text.hours": _("Opening hours"),
        "cover.alt": _("Cover alt text"), "cover.credit": _("Cover credit"),
        "guides.transcript": _("Guide transcript"),
    }
    return labels.get(path, path)


def stop_of(path: str) -> str | None:
    """Return the stop slug a field path belongs to, or None for the record's own fields."""
    stop = _STOP_PATH.match(path)
    return stop.group(1) if stop else None


def language_label(lang: str, capital: bool = False) -> str:
    """Return a language's name in the interface language ("Arabic", « arabe », "العربية").

    French writes it in lower case inside a sentence: capital=True is for the start of one.
    """
    try:
        name = Locale.parse(lang).get_display_name(get_locale() or "en") or lang
    except (ValueError, TypeError):
        return lang
    return name[:1].upper() + name[1:] if capital else name


# Stamping -----------------------------------------------------------------------------------

def stamp_revision(kind: str, key: str, previous: dict | None, document: dict, when: datetime,
                   author: str) -> None:
    """Stamp each (field, language) whose value differs from the previous revision's.

    A record's first revision stamps every value it has. A change that brings an outdated or
    missing translation back in line (its counterpart changed after it) also confirms that
    counterpart at the same moment, so translating Arabic after a French change does not in turn
    flag the French as outdated. Stamps of fields the record no longer has are removed.
    Reads the record's stamps in one query.
    """
    if kind not in KINDS:
        return
    when = as_utc(when)
    before = dict(translatable_fields(kind, previous)) if previous else {}
    stamps = _stamps_of([(kind, key)]).get((kind, key), {})
    fields = translatable_fields(kind, document)
    for path, values in fields:
        old = before.get(path, {})
        changed = [lang for lang, value in values.items()
                   if value != old.get(lang, "") and (previous is not None or value)]
        if not changed:
            continue
        for lang in changed:
            if not values[lang]:
                continue
            # Languages this change catches up with: newer than this one's last change, or any
            # language with a value when this one had none.
            since = _effective(stamps.get((path, lang)))
            for other, value in values.items():
                if other in changed or not value:
                    continue
                stamp = stamps.get((path, other))
                if not old.get(lang) or (stamp is not None and as_utc(stamp.changed_dt) > since):
                    stamp = stamp or _new_stamp(stamps, kind, key, path, other, UNCHANGED, "")
                    stamp.confirmed_dt = when
        for lang in changed:
            stamp = stamps.get((path, lang)) or _new_stamp(stamps, kind, key, path, lang, when, author)
            stamp.changed_dt, stamp.author, stamp.confirmed_dt = when, author[:320], None
    present = {path for path, _values in fields}
    for (path, _lang), stamp in stamps.items():
        if path not in present:
            db.session.delete(stamp)
    db.session.flush()


def _new_stamp(stamps: dict, kind: str, key: str, path: str, lang: str, when: datetime,
               author: str) -> TranslationStamp:
    stamp = TranslationStamp(kind=kind, record_key=key, field=path, lang=lang, changed_dt=when,
                             author=author[:320])
    db.session.add(stamp)
    stamps[(path, lang)] = stamp
    return stamp


def _stamps_of(records: list[tuple[str, str]]) -> dict[tuple[str, str], dict[tuple[str, str], TranslationStamp]]:
    """Load the stamps of several records at once: {(kind, key): {(field, lang): stamp}}."""
    found: dict = {record: {} for record in records}
    if not records:
        return found
    conditions = [(TranslationStamp.kind == kind) & (TranslationStamp.record_key.in_(
        [key for record_kind, key in records if record_kind == kind])) for kind in {k for k, _key in records}]
    for stamp in db.session.scalars(select(TranslationStamp).where(or_(*conditions))):
        found.setdefault((stamp.kind, stamp.record_key), {})[(stamp.field, stamp.lang)] = stamp
    return found


def _effective(stamp: TranslationStamp | None) -> datetime:
    # The last moment this value was known to agree with the others: changed or confirmed.
    if stamp is None:
        return _NEVER
    return max(as_utc(stamp.changed_dt), as_utc(stamp.confirmed_dt) or _NEVER)


# Statuses -----------------------------------------------------------------------------------

def value_statuses(values: dict[str, str], stamps: dict[str, TranslationStamp]) -> dict[str, str | None]:
    """Status of one field in each language (None where no language has it)."""
    statuses: dict[str, str | None] = {}
    for lang, value in values.items():
        others = [other for other, text in values.items() if other != lang and text]
        if not value:
            statuses[lang] = MISSING if others else None
            continue
        since = _effective(stamps.get(lang))
        # Only a value can be translated from: emptying another language outdates nothing.
        newer = any(stamps.get(other) is not None and as_utc(stamps[other].changed_dt) > since
                    for other in others)
        statuses[lang] = OUTDATED if newer else UP_TO_DATE
    return statuses


@dataclass
class FieldStatus:
    """One translatable field of a record: its values and status in each language."""

    path: str
    label: str
    stop: str | None
    values: dict[str, str]
    statuses: dict[str, str | None]
    stamps: dict[str, TranslationStamp] = dataclass_field(default_factory=dict)


def record_statuses(kind: str, key: str, document: dict | None,
                    stamps: dict[tuple[str, str], TranslationStamp] | None = None) -> list[FieldStatus]:
    """Return the status of every field of a record that some language has, in document order."""
    if stamps is None:
        stamps = _stamps_of([(kind, key)]).get((kind, key), {})
    result = []
    for path, values in translatable_fields(kind, document):
        if not any(values.values()):
            continue
        field_stamps = {lang: stamps[(path, lang)] for lang in values if (path, lang) in stamps}
        result.append(FieldStatus(path, field_label(path), stop_of(path), values,
                                  value_statuses(values, field_stamps), field_stamps))
    return result


def head_document(record: Site | Monument) -> dict | None:
    """Return the record's latest revision document (its working copy), or None."""
    revision = db.session.get(Revision, record.head_revision_id) if record.head_revision_id else None
    return revision.data if revision else None


@dataclass
class TableRow:
    """One line of a site's translation table: the site, a monument, or one of its stops."""

    kind: str
    key: str
    stop: str | None
    names: dict[str, str]
    # {lang: {status: count}}
    counts: dict[str, dict[str, int]]
    fields: list[FieldStatus]
    # A stop's monument names, for context when a filter hides the monument's own row.
    parent_names: dict[str, str] = dataclass_field(default_factory=dict)

    def count(self, lang: str, status: str) -> int:
        return self.counts.get(lang, {}).get(status, 0)


def site_table(site: Site, monuments: list[Monument]) -> list[TableRow]:
    """Return the site's translation table: its own row, then each monument and its stops."""
    records = [("site", site.slug)] + [("monument", monument.slug) for monument in monuments]
    revision_ids = [record.head_revision_id for record in [site, *monuments] if record.head_revision_id]
    documents = {revision.id: revision.data for revision in db.session.scalars(
        select(Revision).where(Revision.id.in_(revision_ids)))} if revision_ids else {}
    stamps = _stamps_of(records)
    rows = []
    for record, (kind, key) in zip([site, *monuments], records, strict=True):
        document = documents.get(record.head_revision_id)
        fields = record_statuses(kind, key, document, stamps.get((kind, key), {}))
        names = _names(kind, document)
        rows.append(_row(kind, key, None, names, [f for f in fields if f.stop is None]))
        for stop in (document or {}).get("stops", []) if kind == "monument" else []:
            texts = stop.get("text") or {}
            stop_names = {lang: _value((texts.get(lang) or {}).get("title")) for lang in languages()}
            row = _row(kind, key, stop["slug"], stop_names, [f for f in fields if f.stop == stop["slug"]])
            row.parent_names = names
            rows.append(row)
    return rows


def record_names(kind: str, document: dict | None) -> dict[str, str]:
    """Return a site's or monument's name in each language ("" where it has none)."""
    return _names(kind, document)


def _names(kind: str, document: dict | None) -> dict[str, str]:
    if not document:
        return {}
    if kind == "site":
        return _per_language(document.get("name"), languages())
    texts = document.get("text") or {}
    return {lang: _value((texts.get(lang) or {}).get("name")) for lang in languages()}


def _row(kind, key, stop, names, fields) -> TableRow:
    counts = {lang: dict.fromkeys(STATUSES, 0) for lang in languages()}
    for status_field in fields:
        for lang, status in status_field.statuses.items():
            if status is not None:
                counts[lang][status] += 1
    return TableRow(kind, key, stop, names, counts, fields)


# Confirming ---------------------------------------------------------------------------------

def confirm(kind: str, key: str, lang: str, author: str, path: str | None = None) -> list[str]:
    """Confirm that a field (or every outdated field) of a record still holds in lang; return the paths.

    Only a field with a value in lang can be confirmed; the caller checks permissions.
    """
    record = _record(kind, key)
    fields = record_statuses(kind, key, head_document(record))
    if lang not in languages():
        raise TranslationError(_("This language is not enabled."))
    if path is None:
        chosen = [f for f in fields if f.statuses.get(lang) == OUTDATED]
    else:
        chosen = [f for f in fields if f.path == path and f.values.get(lang)]
        if not chosen:
            raise TranslationError(_("This field has no text to confirm in this language."))
    now = now_utc()
    for status_field in chosen:
        stamp = status_field.stamps.get(lang)
        if stamp is None:
            stamp = TranslationStamp(kind=kind, record_key=key, field=status_field.path, lang=lang,
                                     changed_dt=UNCHANGED, author="")
            db.session.add(stamp)
        stamp.confirmed_dt = now
        stamp.author = author[:320]
    db.session.flush()
    return [status_field.path for status_field in chosen]


def _record(kind: str, key: str) -> Site | Monument | None:
    model = Site if kind == "site" else Monument
    return db.session.scalar(select(model).where(model.slug == key))


def find_record(kind: str, key: str) -> Site | Monument | None:
    """Return the site or monument with this slug, or None (an unknown kind too)."""
    return _record(kind, key) if kind in KINDS else None


# Publishing ---------------------------------------------------------------------------------

def missing_required(kind: str, document: dict) -> list[tuple[str, str]]:
    """Return (path, lang) of every field empty in a required language while another language has it.

    What counts: every text visitors read on the page — a site's name and description, a
    monument's name, summary, text and its optional facts (period, architect, style, address,
    hours: a fact given in one language must be given in every required one), stop titles and
    texts, and the alt text and credit of every image. What does not: guide transcripts (a
    guide is a recording made in one language; a page without a guide in a language still reads
    completely, and the table still shows it as missing), and what is not text (narrator, audio).
    """
    required = current_app.config["REQUIRED_LANGUAGES"]
    missing = []
    for path, values in translatable_fields(kind, document):
        if path.endswith("guides.transcript") or not any(values.values()):
            continue
        missing.extend((path, lang) for lang in required if not values.get(lang))
    return missing


def missing_message(missing: list[tuple[str, str]]) -> str:
    """Say which fields are missing in which required language, for a refused publication."""
    parts = []
    for lang in [code for code in languages() if code in {lang for _path, lang in missing}]:
        labels = ", ".join(field_label(path) for path, field_lang in missing if field_lang == lang)
        parts.append(_("%(language)s is missing: %(fields)s", language=language_label(lang, capital=True), fields=labels))
    return "; ".join(parts)
