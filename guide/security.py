"""Security headers on every response; requests refused before any view or query runs."""

import re
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from flask import Flask
from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from guide.errors import abort

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        # The QR scanner's polyfill compiles its self-hosted wasm; no eval() of scripts.
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "worker-src 'self'",
        "manifest-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
MEDIA_POLICY = "default-src 'none'; sandbox"


COMMON_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"),
)
PAGE_HEADERS = (("Content-Security-Policy", CONTENT_SECURITY_POLICY), *COMMON_HEADERS)
MEDIA_HEADERS = (("Content-Security-Policy", MEDIA_POLICY), *COMMON_HEADERS)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")

# C0 and C1 controls (NUL among them: PostgreSQL refuses it in text) and lone surrogates.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Below gunicorn's own limits (request line 4094 bytes, 8190 a header field, 100 fields), whose
# bare 400 answers are neither translated nor JSON: the app refuses first, with a reason.
MAX_URL_BYTES = 2048
MAX_HEADER_BYTES = 16384
# Werkzeug cannot match an IPv6 literal against its list, so [::1] is not among them.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def trusted_hosts(public_base_url: str, extra: tuple[str, ...]) -> list[str]:
    """Trust the public address's host, loopback (local serving, health checks) and extra hosts."""
    public = urlsplit(public_base_url).hostname
    return list(dict.fromkeys(host.lower() for host in (public, *LOOPBACK_HOSTS, *extra) if host))


def refuse_unsafe_request() -> None:
    """Refuse overlong URLs (414), huge headers (431) and control characters (400), translated."""
    # Every request passes here, /q/ scans first: plain loops over the environ, and the decoded
    # path and query are searched only when they are not plain printable ASCII.
    environ = request.environ
    path = request.path
    query = environ.get("QUERY_STRING", "")
    if len(environ.get("PATH_INFO", "")) + len(query) > MAX_URL_BYTES:
        abort(414)
    if sum(len(name) + len(value) for name, value in environ.items() if name[:5] == "HTTP_") > MAX_HEADER_BYTES:
        abort(431)
    plain = path.isascii() and path.isprintable() and query.isascii() and query.isprintable() and "%" not in query
    if not plain and (CONTROL_CHARACTERS.search(path) or any(
        CONTROL_CHARACTERS.search(key) or CONTROL_CHARACTERS.search(value)
        for key, value in request.args.items(multi=True)
    )):
        abort(400, _l("The address contains characters that are not allowed."))


def relative_location(response):
    """Drop the scheme and host from a redirect to this same host: never echo the Host header."""
    location = response.headers.get("Location")
    if location and "://" in location:
        parts = urlsplit(location)
        if parts.netloc.lower() == request.host.lower():
            # One leading slash: "//host/…" would be a protocol-relative URL to another site.
            path = "/" + parts.path.lstrip("/")
            response.headers["Location"] = urlunsplit(("", "", path, parts.query, parts.fragment))
    return response


class DatabaseInteger(IntegerConverter):
    """An <int:…> URL part that fits a PostgreSQL integer: a bigger one is a 404, not a DataError."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**31 - 1) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)


def init_app(app: Flask) -> None:
    """Refuse unsafe requests; add CSP, nosniff, referrer and HSTS headers to every response."""
    app.url_map.converters["int"] = DatabaseInteger
    app.before_request(refuse_unsafe_request)
    # Routing redirects (//, trailing slashes) are built from the Host header: keep them relative.
    app.after_request(relative_location)

    @app.after_request
    def add_security_headers(response):
        defaults = MEDIA_HEADERS if request.path.startswith("/media/") else PAGE_HEADERS
        if request.is_secure:
            defaults = (*defaults, HSTS)
        # A view may set its own policy; keep it. One pass over the few headers present is
        # much cheaper than setdefault, which raises and catches a KeyError per missing name.
        present = {name.lower() for name, _value in response.headers}
        response.headers.extend([header for header in defaults if header[0].lower() not in present])
        return response
