"""Translated error pages for people and JSON errors with a reason for the API."""

import logging
from urllib.parse import urlsplit

from flask import Flask
from flask import current_app
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import SecurityError

from guide.i18n import negotiate_language
from guide.i18n import url_language
from guide.media.storage import StorageError

logger = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in to continue."),
    403: _l("You are not allowed to do this."),
    404: _l("We could not find this page."),
    405: _l("This address does not accept that kind of request."),
    409: _l("This record changed while you were editing it."),
    410: _l("This page is no longer available."),
    413: _l("The file or form is too large."),
    414: _l("This address is too long."),
    416: _l("The requested part of the file does not exist."),
    429: _l("Too many requests. Please wait a moment and try again."),
    431: _l("The request headers are too large."),
    500: _l("Something went wrong on our side. Please try again later."),
    503: _l("The guide is briefly unavailable. Please try again in a minute."),
}
TITLES = {
    400: _l("Bad request"),
    401: _l("Sign-in required"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    410: _l("Gone"),
    413: _l("Too large"),
    414: _l("Address too long"),
    416: _l("Range not satisfiable"),
    429: _l("Too many requests"),
    431: _l("Headers too large"),
    500: _l("Server error"),
    503: _l("Temporarily unavailable"),
}
# When the database or the media store does not answer: come back after this many seconds.
RETRY_AFTER_S = 30
# What SQLAlchemy raises when the database is down, restarting or out of connections.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, SQLAlchemyTimeoutError)
# Headers an HTTP error carries that describe the resource, not the error page.
_KEPT_HEADERS = frozenset(("allow", "content-range", "retry-after"))


def wants_json() -> bool:
    """Tell whether the caller is an API client rather than a person with a browser."""
    # /offline/codes.json is read by the service worker, like the API.
    if request.path.startswith("/api/") or request.path.endswith(".json"):
        return True
    # The CMS's scripts (uploads) ask for JSON: a 403, 400 or 413 must reach them as a reason.
    return request.path.startswith("/curator/") and request.accept_mimetypes.best_match(
        ("text/html", "application/json")) == "application/json"


def error_response(status: int, reason: str | None = None):
    """Build a translated error response: JSON under /api/, an HTML page elsewhere."""
    # Choose the language before the first gettext: Flask-Babel keeps the first locale it sees.
    if "lang" not in g:
        # Under /ar/… or /fr/… the URL's language wins, even where no route matched.
        g.lang = url_language(request.path) or negotiate_language()
    message = str(reason or MESSAGES.get(status, MESSAGES[500]))
    if wants_json():
        response = jsonify(error=status, title=str(TITLES.get(status, TITLES[500])), message=message)
        response.status_code = status
        return response
    title = TITLES.get(status, TITLES[500])
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _bind_public_urls(app: Flask) -> None:
    # An untrusted Host left the request without URL building; the error page's links are
    # relative, so bind them to the public address rather than to whatever the client sent.
    if request_ctx.url_adapter is None:
        public = urlsplit(app.config["PUBLIC_BASE_URL"])
        request_ctx.url_adapter = app.url_map.bind(
            public.netloc, script_name=request.root_path or "/", url_scheme=public.scheme,
            subdomain=app.url_map.default_subdomain or "",
        )


def init_app(app: Flask) -> None:
    """Answer every HTTP error and every unexpected exception with a translated page."""
    # JSON reasons in Arabic stay readable instead of \u escapes.
    app.json.ensure_ascii = False

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if isinstance(error, SecurityError):
            _bind_public_urls(app)
        status = error.code or 500
        reason = error.description if getattr(error, "translated", False) else None
        response = current_app.make_response(error_response(status, reason))
        # Allow (405), Content-Range (416: the size) and Retry-After stay on the translated page.
        for name, value in error.get_headers():
            if name.lower() in _KEPT_HEADERS:
                response.headers[name] = value
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(SQLAlchemyTimeoutError)
    @app.errorhandler(StorageError)
    def handle_unavailable(error: Exception):
        # The database is down, restarting or out of connections (or the bucket does not
        # answer): a translated 503 that says when to come back, never a 500 or a hang.
        logger.warning("503 for %s: %s: %s", request.path, error.__class__.__name__, (str(error) or " ").splitlines()[0])
        forget_session()
        response = current_app.make_response(error_response(503))
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(InternalServerError)
    def handle_server_error(error: InternalServerError):
        # Flask has already logged the original exception; the visitor gets a plain page.
        return error_response(500)


def forget_session() -> None:
    # Its connection is gone: give it back without a ROLLBACK that would fail again.
    from guide.extensions import db

    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.invalidate()


def abort(status: int, reason: str | None = None) -> None:
    """Stop the request with a status and a translated reason (by default the status's own)."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[status](description=str(reason or MESSAGES.get(status, MESSAGES[500])))
    error.translated = True
    raise error
