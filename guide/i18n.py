"""Language of each request: the /<lang>/ URL prefix, else cookie, Accept-Language, default."""

from functools import cache
from functools import lru_cache

from babel import Locale
from babel import UnknownLocaleError
from flask import Flask
from flask import current_app
from flask import g
from flask import has_request_context
from flask import request
from flask import url_for
from werkzeug.routing import BaseConverter

COOKIE_MAX_AGE = 365 * 24 * 3600
# What a negotiated answer depends on, for the Vary header.
NEGOTIATION_VARY = ("Accept-Language", "Cookie")
NEGOTIATION_VARY_HEADER = ", ".join(NEGOTIATION_VARY)


def languages() -> tuple[str, ...]:
    """Return the enabled content languages, required ones first."""
    return current_app.config["LANGUAGES"]


def current_language() -> str:
    """Return the language of this request, or the default outside a request."""
    if has_request_context() and "lang" in g:
        return g.lang
    return current_app.config["DEFAULT_LANGUAGE"]


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def text_direction(lang: str) -> str:
    """Return "rtl" or "ltr" for a language code, as CLDR says."""
    return _locale(lang).text_direction


def language_name(lang: str) -> str:
    """Return a language's name written in that language (العربية, Français)."""
    name = _locale(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


@cache
def formatting_locale(lang: str, territory: str) -> str:
    """Return lang_TERRITORY (ar_MA, fr_MA) where CLDR has it, else lang."""
    try:
        Locale.parse(f"{lang}_{territory}")
    except (UnknownLocaleError, ValueError):
        return lang
    return f"{lang}_{territory}"


def select_locale() -> str:
    """Give Flask-Babel a whitelisted locale, never raw user input."""
    return formatting_locale(current_language(), current_app.config["LOCALE_TERRITORY"])


def negotiate_language() -> str:
    """Pick the visitor's language: remembered choice, then Accept-Language, then default."""
    # The answer now depends on these two headers: init_app's hook sends Vary for them.
    g.negotiated = True
    config = current_app.config
    enabled = config["LANGUAGES"]
    # Straight from the WSGI environ: every scan negotiates, and most phones send no cookie.
    environ = request.environ
    if "HTTP_COOKIE" in environ:
        remembered = request.cookies.get(config["LANGUAGE_COOKIE"])
        if remembered in enabled:
            return remembered
    return _accepted_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""), enabled, config["DEFAULT_LANGUAGE"])


def url_language(path: str) -> str | None:
    """Return the enabled language a path starts with (/ar/…), even one no route matches."""
    first = path.lstrip("/").partition("/")[0]
    return first if first in languages() else None


def _weight(params: list[str]) -> float:
    # The last q parameter counts; a malformed or out-of-range one rules the range out (-1).
    weight = 1.0
    for param in params:
        key, _sep, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = -1.0
            if not 0 <= weight <= 1:
                weight = -1.0
    return weight


@lru_cache(maxsize=512)
def _accepted_language(header: str, enabled: tuple[str, ...], default: str) -> str:
    """RFC 4647 lookup: ranges by descending q (ties in header order), matched by primary subtag.

    "*" means the default; "xx;q=0" rules language xx out wherever else it appears. Every scan
    asks, and phones send few distinct headers, so each is parsed once per worker.
    """
    ranges = []
    for position, item in enumerate(header.split(",")):
        tag, *params = [piece.strip() for piece in item.split(";")]
        weight = _weight(params)
        if tag and weight >= 0:
            ranges.append((-weight, position, tag.lower()))
    excluded = {tag for weight, _position, tag in ranges if weight == 0}
    allowed = [lang for lang in enabled if lang not in excluded]
    for weight, _position, tag in sorted(ranges):
        if weight == 0:
            continue
        if tag == "*":
            return default if default in allowed else (allowed[0] if allowed else default)
        primary = tag.partition("-")[0]
        if primary in allowed:
            return primary
    return default


def alternate_urls() -> dict[str, str]:
    """Map each language to this page's URL in that language."""
    if "alternates" in g:
        return g.alternates
    if request.endpoint and request.view_args is not None and "lang" in (request.url_rule.arguments):
        return {
            lang: url_for(request.endpoint, **{**request.view_args, "lang": lang})
            for lang in languages()
        }
    return {lang: url_for("sites.home_in", lang=lang) for lang in languages()}


def _make_converter(allowed: tuple[str, ...]) -> type[BaseConverter]:
    class LanguageConverter(BaseConverter):
        """Match only the enabled language codes, so /xx/ is a plain 404."""

        regex = "|".join(sorted(allowed, key=len, reverse=True))

    return LanguageConverter


def init_app(app: Flask) -> None:
    """Register the language converter, URL processors and template helpers."""
    app.url_map.converters["lang"] = _make_converter(app.config["LANGUAGES"])

    @app.url_value_preprocessor
    def pull_language(endpoint, values):
        if values and "lang" in values:
            g.lang = values["lang"]

    @app.url_defaults
    def add_language(endpoint, values):
        if "lang" not in values and "lang" in g and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = g.lang

    @app.after_request
    def remember_language(response):
        # Reading a page under /<lang>/ is the visitor's choice; the next QR scan honours it.
        # Only a navigation is a choice: a pack download fetching every language is not.
        # The URL first: a scan (/q/) or an API call, most requests, stops there.
        view_args = request.view_args
        if not view_args or "lang" not in view_args or response.status_code >= 400:
            return response
        if request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate":
            cookie = app.config["LANGUAGE_COOKIE"]
            if request.cookies.get(cookie) != g.lang:
                response.set_cookie(
                    cookie, g.lang, max_age=COOKIE_MAX_AGE, samesite="Lax",
                    secure=request.is_secure, httponly=False,
                )
        return response

    @app.after_request
    def vary_on_negotiation(response):
        # Caches must not hand one visitor's language to another.
        # A cached answer often says it already: then reading and rewriting the header is waste.
        if g.get("negotiated") and response.headers.get("Vary") != NEGOTIATION_VARY_HEADER:
            response.vary.update(NEGOTIATION_VARY)
        return response

    @app.context_processor
    def language_context():
        lang = current_language()
        return {
            "lang": lang,
            "text_dir": text_direction(lang),
            "languages": languages(),
            "language_name": language_name,
            "text_direction": text_direction,
            "alternate_urls": alternate_urls,
        }
