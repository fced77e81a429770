"""Per-language text picking and Markdown rendering for content."""

import re
from functools import lru_cache
from html import unescape
from typing import TypeVar

import nh3
from flask import current_app
from markdown_it import MarkdownIt
from markupsafe import Markup
from markupsafe import escape

T = TypeVar("T")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ALLOWED_TAGS = {"p", "h2", "h3", "h4", "em", "strong", "ul", "ol", "li", "blockquote", "a", "br", "code"}


def pick(texts: dict[str, T], lang: str) -> T | None:
    """Return the text in lang, else in the default language, else in any language."""
    if lang in texts:
        return texts[lang]
    default = current_app.config["DEFAULT_LANGUAGE"]
    if default in texts:
        return texts[default]
    return next(iter(texts.values()), None)


@lru_cache(maxsize=4096)
def render_markdown(source: str) -> Markup:
    """Render curator Markdown to HTML that keeps only safe tags and http(s) links."""
    html = _markdown.render(source)
    # Headings in bodies sit under the page's own h1, so they start at h2.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)


def format_duration(seconds: float | None) -> str:
    """Write a duration as m:ss, which reads the same in Arabic and French."""
    if not seconds:
        return "0:00"
    # Whole seconds, rounded down, as browsers show an audio element's duration.
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


# French typography (Imprimerie nationale): a narrow no-break space before ; ! ?, a no-break
# space before : and inside « », curly apostrophes, and digit groups held together.
NNBSP = "\u202f"
NBSP = "\u00a0"
_URL = re.compile(r"(?:https?://|mailto:)\S+|www\.\S+")
_BEFORE_TALL = re.compile(r"\s+([;!?])")
_BEFORE_COLON = re.compile(r"\s+:")
_AFTER_OPENING = re.compile(r"«\s*")
_BEFORE_CLOSING = re.compile(r"\s*»")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_DIGIT_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.,]?\d)")


def _typeset_plain(text: str) -> str:
    text = _BEFORE_TALL.sub(NNBSP + r"\1", text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    text = _BEFORE_CLOSING.sub(NBSP + "»", text)
    text = _APOSTROPHE.sub("’", text)
    return _DIGIT_GROUPS.sub(lambda match: match.group().replace(" ", NNBSP), text)


def french_typography(text: str, lang: str) -> str:
    """Apply French spacing and apostrophe rules to text in French; leave URLs and other languages alone."""
    if lang.split("-")[0] != "fr" or not text:
        return text
    parts, begin = [], 0
    for url in _URL.finditer(text):
        parts.append(_typeset_plain(text[begin:url.start()]))
        parts.append(url.group())
        begin = url.end()
    parts.append(_typeset_plain(text[begin:]))
    return "".join(parts)


_TOKEN = re.compile(r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|<[^>]*>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)([^>]*?)(/?)>", re.DOTALL)
_ATTRIBUTE = re.compile(r"""(?<![\w:-])(lang|class)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
# Attributes that people read (or hear): the rest hold URLs, names and data.
_READ_ATTRIBUTE = re.compile(r'(?<![\w:-])(alt|title|aria-label|placeholder)="([^"]*)"', re.IGNORECASE)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})
# Text that is code, not prose: plaque codes, program text, form values.
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "textarea", "time"})


def typeset_html(html: str, lang: str) -> Markup:
    """Apply french_typography to the text of rendered HTML: text nodes and the attributes people
    read (alt, title, aria-label, placeholder), never URLs, other attributes or scripts.

    An element in another language (lang="ar") and code (<code>, <bdi class="code">) are left
    as they are.
    """
    if lang.split("-")[0] != "fr":
        return Markup(html)
    out, begin = [], 0
    # Each open element: (name, its text is French prose).
    stack: list[tuple[str, bool]] = [("", True)]
    for token in _TOKEN.finditer(html):
        text = html[begin:token.start()]
        if text:
            out.append(_typeset_text(text) if stack[-1][1] else text)
        begin = token.end()
        tag = _TAG.fullmatch(token.group())
        if tag is None:
            out.append(token.group())
            continue
        closing, name, attributes, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3), tag.group(4)
        if closing:
            out.append(token.group())
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth][0] == name:
                    del stack[depth:]
                    break
            continue
        values = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in _ATTRIBUTE.finditer(attributes)}
        prose = stack[-1][1]
        if "lang" in values:
            prose = values["lang"].split("-")[0].lower() == "fr"
        if name in _VERBATIM or "code" in values.get("class", "").split():
            prose = False
        out.append(_READ_ATTRIBUTE.sub(_typeset_attribute, token.group()) if prose else token.group())
        if name not in _VOID and not self_closing:
            stack.append((name, prose))
    tail = html[begin:]
    out.append(_typeset_text(tail) if stack[-1][1] else tail)
    return Markup("".join(out))


def _typeset_attribute(match: re.Match) -> str:
    return f'{match.group(1)}="{escape(french_typography(unescape(match.group(2)), "fr"))}"'


def _typeset_text(text: str) -> str:
    return escape(french_typography(unescape(text), "fr"))


def sync_texts(texts: dict, values: dict[str, dict], model) -> None:
    """Make a record's per-language rows equal values, updating rows in place."""
    for lang in [lang for lang in texts if lang not in values]:
        del texts[lang]
    for lang, fields in values.items():
        row = texts.get(lang)
        if row is None:
            texts[lang] = model(lang=lang, **fields)
        else:
            for name, value in fields.items():
                setattr(row, name, value)
