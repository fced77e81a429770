"""Reading API query parameters, and refusing a request in the caller's language."""

from typing import NoReturn

from flask import g
from flask import request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from guide.errors import abort
from guide.i18n import negotiate_language


def refuse(status: int, reason: LazyString) -> NoReturn:
    """Answer an error whose message follows Accept-Language."""
    # Documents carry every language, so only a refusal needs the caller's: pick it just now.
    g.lang = negotiate_language()
    abort(status, reason)


def single_arg(name: str) -> str | None:
    """Return a query parameter given at most once; refuse it given twice."""
    values = request.args.getlist(name)
    if len(values) > 1:
        refuse(400, _l("Give the %(name)s parameter only once.", name=name))
    return values[0] if values else None
