"""Word-level differences between two revisions of a record, per field and per language.

Texts are split into words, each with the white space after it; a word is everything between
two white spaces, punctuation and Arabic harakat included, so an Arabic word is never cut
inside. Joining the "equal" and "insert" segments gives the new text back exactly, and the
"equal" and "delete" segments the old one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from guide.translating.services import field_label
from guide.translating.services import language_label
from guide.translating.services import translatable_fields

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
# A word and the white space after it; white space at the very start stands alone.
_TOKEN = re.compile(r"^\s+|\S+\s*")
# Above this many token pairs left to compare, let difflib skip very common words (autojunk):
# a slightly rougher diff of a huge rewrite beats a page that takes seconds.
_EXACT_LIMIT = 1_000_000
Segments = list[tuple[str, str]]


def tokenize(text: str) -> list[str]:
    """Split text into words, each with the white space after it, losing nothing."""
    return _TOKEN.findall(text)


def diff_words(old: str, new: str) -> Segments:
    """Return the (op, text) segments turning old into new, op being equal, insert or delete.

    Paragraphs (lines) are compared first, then the words of the paragraphs that changed: an
    edit in a long text costs the size of the paragraphs it touched.
    """
    old, new = old or "", new or ""
    before, after = old.splitlines(keepends=True), new.splitlines(keepends=True)
    segments: Segments = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            _append(segments, EQUAL, "".join(before[i1:i2]))
        elif op == "delete":
            _append(segments, DELETE, "".join(before[i1:i2]))
        elif op == "insert":
            _append(segments, INSERT, "".join(after[j1:j2]))
        else:
            _diff_tokens(segments, tokenize("".join(before[i1:i2])), tokenize("".join(after[j1:j2])))
    return _join_changes(segments)


def _diff_tokens(segments: Segments, before: list[str], after: list[str]) -> None:
    # Words are matched without the white space after them, so a line break added after the
    # last word does not count as changing that word; the white space itself still shows.
    keys_before, keys_after = [token.strip() for token in before], [token.strip() for token in after]
    # The common start and end are cheap to find and are most of a small edit.
    start = 0
    while start < min(len(before), len(after)) and keys_before[start] == keys_after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and keys_before[-1 - end] == keys_after[-1 - end]:
        end += 1
    _equal_tokens(segments, before[:start], after[:start])
    stop_before, stop_after = len(before) - end, len(after) - end
    middle_before, middle_after = keys_before[start:stop_before], keys_after[start:stop_after]
    autojunk = len(middle_before) * len(middle_after) > _EXACT_LIMIT
    matcher = SequenceMatcher(None, middle_before, middle_after, autojunk=autojunk)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _equal_tokens(segments, before[start + i1:start + i2], after[start + j1:start + j2])
            continue
        if op in ("delete", "replace"):
            _append(segments, DELETE, "".join(before[start + i1:start + i2]))
        if op in ("insert", "replace"):
            _append(segments, INSERT, "".join(after[start + j1:start + j2]))
    _equal_tokens(segments, before[stop_before:], after[stop_after:])


def _equal_tokens(segments: Segments, before: list[str], after: list[str]) -> None:
    # Same words; only the white space after a word may differ.
    for old, new in zip(before, after, strict=True):
        if old == new:
            _append(segments, EQUAL, old)
            continue
        word = old.rstrip()
        _append(segments, EQUAL, word)
        _append(segments, DELETE, old[len(word):])
        _append(segments, INSERT, new[len(word):])


def _join_changes(segments: Segments) -> Segments:
    """Tidy changes for reading: one deletion then one insertion between unchanged runs.

    A lone space between two changes is folded into them ("-a b +c d", not "-a +c b -b +d"),
    and white space ending both sides of a change is left outside it.
    """
    joined: Segments = []
    run_old: list[str] = []
    run_new: list[str] = []
    for index, (op, text) in enumerate(segments):
        between = (op == EQUAL and not text.strip() and 0 < index < len(segments) - 1
                   and segments[index - 1][0] != EQUAL and segments[index + 1][0] != EQUAL)
        if op == EQUAL and not between:
            _flush(joined, run_old, run_new)
            _append(joined, EQUAL, text)
            continue
        if op in (DELETE, EQUAL):
            run_old.append(text)
        if op in (INSERT, EQUAL):
            run_new.append(text)
    _flush(joined, run_old, run_new)
    return joined


def _flush(joined: Segments, run_old: list[str], run_new: list[str]) -> None:
    old, new = "".join(run_old), "".join(run_new)
    run_old.clear()
    run_new.clear()
    shared = 0
    while (shared < min(len(old), len(new)) and old[-1 - shared] == new[-1 - shared]
           and old[-1 - shared].isspace()):
        shared += 1
    _append(joined, DELETE, old[:len(old) - shared])
    _append(joined, INSERT, new[:len(new) - shared])
    _append(joined, EQUAL, old[len(old) - shared:])


def _append(segments: Segments, op: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1][0] == op:
        segments[-1] = (op, segments[-1][1] + text)
    else:
        segments.append((op, text))


def apply_segments(segments: Segments, side: str = "new") -> str:
    """Rebuild the new (equal + insert) or old (equal + delete) text from segments."""
    keep = {EQUAL, INSERT if side == "new" else DELETE}
    return "".join(text for op, text in segments if op in keep)


@dataclass
class FieldDiff:
    """One field of the record: per language for texts, one value otherwise."""

    path: str
    label: str
    # Texts: {lang: segments}; other fields: {"": segments}.
    languages: dict[str, Segments]
    old: dict[str, str]
    new: dict[str, str]
    is_text: bool

    @property
    def changed(self) -> bool:
        return any(self.old[key] != self.new[key] for key in self.languages)

    def changed_in(self, key: str) -> bool:
        """Tell whether this field differs in one language (or, for other fields, at all)."""
        return self.old.get(key, "") != self.new.get(key, "")


def diff_documents(kind: str, old: dict | None, new: dict | None) -> list[FieldDiff]:
    """Compare two revision documents field by field: translatable texts first, then the rest."""
    old_texts = dict(translatable_fields(kind, old))
    new_texts = dict(translatable_fields(kind, new))
    diffs = []
    for path in _union(list(old_texts), list(new_texts)):
        before, after = old_texts.get(path, {}), new_texts.get(path, {})
        langs = list(dict.fromkeys([*after, *before]))
        olds = {lang: before.get(lang, "") for lang in langs}
        news = {lang: after.get(lang, "") for lang in langs}
        diffs.append(FieldDiff(path, field_label(path),
                               {lang: diff_words(olds[lang], news[lang]) for lang in langs}, olds, news, True))
    old_facts, new_facts = _facts(old), _facts(new)
    for path in _union(list(old_facts), list(new_facts)):
        before, after = old_facts.get(path, ""), new_facts.get(path, "")
        diffs.append(FieldDiff(path, fact_label(path), {"": diff_words(before, after)},
                               {"": before}, {"": after}, False))
    return diffs


def _union(first: list[str], second: list[str]) -> list[str]:
    # The new document's order, with fields only the old one had after their predecessor.
    order = list(second)
    for index, path in enumerate(first):
        if path not in order:
            previous = first[index - 1] if index else None
            order.insert(order.index(previous) + 1 if previous in order else len(order), path)
    return order


# Keys holding per-language texts: they are compared by translatable_fields, not here.
_TEXT_KEYS = {"text", "alt", "credit", "transcript"}
_SITE_TEXT_KEYS = {"name", "description"}


def _facts(document: dict | None) -> dict[str, str]:
    """Flatten what is not a translatable text into {path: value as text}."""
    facts: dict[str, str] = {}
    if not document:
        return facts
    top_skip = _TEXT_KEYS | (_SITE_TEXT_KEYS if "text" not in document else set())
    _walk({key: value for key, value in document.items() if key not in top_skip}, "", facts)
    return facts


def _walk(value, prefix: str, facts: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _TEXT_KEYS and prefix:
                continue
            _walk(item, f"{prefix}.{key}" if prefix else str(key), facts)
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        for index, item in enumerate(value):
            # Stops by slug and guides by language: reordering them is not a change of each.
            name = item.get("slug") or item.get("lang") or str(index)
            _walk(item, f"{prefix}.{name}", facts)
    elif value is not None and value != "" and value != []:
        facts[prefix] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def fact_label(path: str) -> str:
    """Return a non-text field's name for curators: "Start year", "Stop “hall”: Keypad number"."""
    from flask_babel import gettext as _

    labels = {
        "slug": _("Slug"), "site": _("Site"), "code": _("Plaque code"), "number": _("Keypad number"),
        "position": _("Position"), "year_start": _("Start year"), "year_end": _("End year"),
        "latitude": _("Latitude"), "longitude": _("Longitude"), "access": _("Access"),
        "wikidata": _("Wikidata"), "cover.file": _("Cover file"), "image.file": _("Image file"),
        "audio": _("Recording"), "narrator": _("Narrator"), "spoken": _("Spoken text"),
        "timings": _("Sentence timings"),
    }
    parts = path.split(".")
    if parts[0] == "stops" and len(parts) > 2:
        return _("Stop “%(stop)s”: %(field)s", stop=parts[1], field=fact_label(".".join(parts[2:])))
    if parts[0] == "media" and len(parts) > 1:
        return _("File %(path)s", path=".".join(parts[1:]))
    if parts[0] == "gallery" and len(parts) == 3 and parts[2] == "file":
        return _("Gallery image %(number)d file", number=int(parts[1]) + 1 if parts[1].isdigit() else 0)
    if parts[0] == "guides" and len(parts) == 3:
        return _("Guide (%(language)s): %(field)s", language=language_label(parts[1]), field=labels.get(parts[2], parts[2]))
    return labels.get(path, path)
