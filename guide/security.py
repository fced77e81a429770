"""Security headers on every response."""

from flask import Flask
from flask import request

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


def init_app(app: Flask) -> None:
    """Add CSP, nosniff, referrer and HSTS headers to every response."""

    @app.after_request
    def add_security_headers(response):
        defaults = MEDIA_HEADERS if request.path.startswith("/media/") else PAGE_HEADERS
        if request.is_secure:
            defaults = (*defaults, HSTS)
        # A view may set its own policy; keep it. One pass over the few headers present is
        # much cheaper than setdefault, which raises and catches a KeyError per missing name.
        present = {name.lower() for name, _value in response.headers.items()}
        for name, value in defaults:
            if name.lower() not in present:
                response.headers.add(name, value)
        return response
