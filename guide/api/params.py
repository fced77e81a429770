"""Reading API query parameters, and refusing a request in the caller's language."""

import re
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


# near=LAT,LON in decimal degrees, ASCII digits, no exponent or spaces, each within its range.
# The pattern itself holds the ranges, so the OpenAPI document and the check are one rule.
LATITUDE = r"-?(?:90(?:\.0{1,15})?|[1-8]?[0-9](?:\.[0-9]{1,15})?)"
LONGITUDE = r"-?(?:180(?:\.0{1,15})?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]{1,15})?)"
NEAR_PATTERN = f"^{LATITUDE},{LONGITUDE}$"
# Longer values cannot match; the cap keeps the regular expression away from 10 kB inputs.
NEAR_MAX_LENGTH = 40
NEAR = re.compile(NEAR_PATTERN)


def near_arg() -> tuple[float, float] | None:
    """Return near=LAT,LON as (latitude, longitude) in degrees; refuse anything else."""
    raw = single_arg("near")
    if raw is None:
        return None
    if len(raw) > NEAR_MAX_LENGTH or not NEAR.fullmatch(raw):
        refuse(400, _l("The near parameter must be a latitude from -90 to 90 and a longitude from -180 to 180, "
                       "in degrees with a dot and ASCII digits, separated by a comma: near=33.5951,-7.6185."))
    latitude, longitude = raw.split(",")
    return float(latitude), float(longitude)
