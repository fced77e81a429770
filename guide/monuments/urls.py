"""The paths of monument and stop pages per language, for links, alternates and code indexes.

Kept apart from rendering so that the codes domain, which the monuments' write services
use, can name pages without importing them back.
"""

from collections.abc import Iterable

from flask import url_for

from guide.i18n import languages


def page_paths(slug: str, stop_slug: str | None = None, langs: Iterable[str] | None = None) -> dict[str, str]:
    """Map each language to the path of a monument's page, or of one of its stops' pages."""
    if stop_slug is not None:
        return {lang: url_for("monuments.stop", lang=lang, slug=slug, stop_slug=stop_slug)
                for lang in langs or languages()}
    return {lang: url_for("monuments.detail", lang=lang, slug=slug) for lang in langs or languages()}
