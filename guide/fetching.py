"""Fetch the app's own pages in-process, byte for byte as served.

Shared by offline packs, the service worker's app shell and a future static export.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from flask import current_app
from flask import g
from flask_babel import force_locale

from guide.caching import collecting
from guide.caching import include_part
from guide.i18n import formatting_locale


class PageError(RuntimeError):
    """A page of the app did not answer 200."""


@contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Run template and gettext calls as if the request were in lang."""
    missing = object()
    previous = g.get("lang", missing)
    g.lang = lang
    try:
        with force_locale(formatting_locale(lang, current_app.config["LOCALE_TERRITORY"])):
            yield
    finally:
        if previous is missing:
            g.pop("lang", None)
        else:
            g.lang = previous


def fetch_page(url: str) -> tuple[bytes, str]:
    """Return the exact bytes and type the server sends for one of its own pages.

    Going through the app itself, rather than calling the render functions, guarantees that a
    pack's sha256 matches what the browser downloads. The inner request shares this app context,
    hence its database session and transaction (a second session would wait on locks the first
    holds); g is emptied for it and given back afterwards, so neither request sees the other's.
    """
    app = current_app._get_current_object()
    saved = dict(vars(g))
    vars(g).clear()
    try:
        with collecting() as used:
            response = app.test_client().get(url)
    finally:
        vars(g).clear()
        vars(g).update(saved)
    if response.status_code != 200:
        raise PageError(f"{url} answered {response.status_code}")
    data = response.get_data()
    # What includes this page changes with the page: with its site, or (a page about every site)
    # only when its bytes do.
    include_part(used, partial(page_digest, url), hashlib.sha256(data).digest())
    return data, response.mimetype


def page_digest(url: str) -> bytes:
    """Return the sha256 of one of the app's own pages as it is served now."""
    return hashlib.sha256(fetch_page(url)[0]).digest()


@contextmanager
def page_request(url: str) -> Iterator[None]:
    """Stand in the request for one of the app's own pages: its URL rule, arguments and language.

    Packs render pages inside this from objects they already loaded, with the views' own
    functions, so each page's bytes are those its URL serves, without a request through the
    app. It shares this app context and database session; g is emptied for it and given back
    afterwards, as for fetch_page.
    """
    app = current_app._get_current_object()
    saved = dict(vars(g))
    vars(g).clear()
    try:
        with app.test_request_context(url):
            # The URL processors set g.lang from /<lang>/, as for a real request.
            app.preprocess_request()
            yield
    finally:
        vars(g).clear()
        vars(g).update(saved)
