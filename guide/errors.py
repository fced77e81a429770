"""Translated error pages for people and JSON errors with a reason for the API."""

from flask import Flask
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError

from guide.i18n import negotiate_language
from guide.i18n import url_language

MESSAGES = {
    400: _l("The request could not be understood."),
    404: _l("We could not find this page."),
    405: _l("This address does not accept that kind of request."),
    410: _l("This page is no longer available."),
    413: _l("The file or form is too large."),
    416: _l("The requested part of the file does not exist."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
}
TITLES = {
    400: _l("Bad request"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    410: _l("Gone"),
    413: _l("Too large"),
    416: _l("Range not satisfiable"),
    429: _l("Too many requests"),
    500: _l("Server error"),
}


def wants_json() -> bool:
    """Tell whether the caller is an API client rather than a person with a browser."""
    return request.path.startswith("/api/")


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


def init_app(app: Flask) -> None:
    """Answer every HTTP error and every unexpected exception with a translated page."""
    # JSON reasons in Arabic stay readable instead of \u escapes.
    app.json.ensure_ascii = False

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        reason = error.description if getattr(error, "translated", False) else None
        response = error_response(status, reason)
        if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response = app.make_response(response)
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(InternalServerError)
    def handle_server_error(error: InternalServerError):
        # Flask has already logged the original exception; the visitor gets a plain page.
        return error_response(500)


def abort(status: int, reason: str) -> None:
    """Stop the request with a status and a translated reason shown to the visitor."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[status](description=str(reason))
    error.translated = True
    raise error
