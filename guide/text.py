"""Per-language text picking and Markdown rendering for content."""

from functools import lru_cache
from typing import TypeVar

import nh3
from flask import current_app
from markdown_it import MarkdownIt
from markupsafe import Markup

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
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"
