"""Paths of monument and stop pages per language: one helper for pages, codes, the API and packs."""

from collections.abc import Iterable

from flask import url_for

from guide.i18n import languages


def page_paths(slug: str, stop_slug: str | None = None, langs: Iterable[str] | None = None) -> dict[str, str]:
    """Map each language to the path of a monument's page, or of one of its stops' pages."""
    if stop_slug is not None:
        return {lang: url_for("monuments.stop", lang=lang, slug=slug, stop_slug=stop_slug)
                for lang in langs or languages()}
    return {lang: url_for("monuments.detail", lang=lang, slug=slug) for lang in langs or languages()}
