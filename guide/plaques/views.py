"""/qr/<CODE>.png and .svg: the QR symbols printed on plaques, for print shops and the CMS."""

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import request
from flask_babel import gettext as _

from guide.codes.services import find_code
from guide.codes.services import read_code
from guide.errors import abort
from guide.plaques.symbols import plaque_url
from guide.plaques.symbols import symbol_png
from guide.plaques.symbols import symbol_svg

bp = Blueprint("plaques", __name__)

# QR images depend only on the code and PUBLIC_BASE_URL, which change at most on a redeploy.
IMAGE_MAX_AGE = 30 * 24 * 3600


def _image_code(code: str) -> str:
    """Return the existing code for an image URL, case-insensitively, or stop with a 404."""
    folded = read_code(code)
    row = find_code(folded) if folded else None
    if row is None:
        abort(404, _("No plaque carries this code."))
    return row.code


def _image_response(body: bytes, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = IMAGE_MAX_AGE
    return response.make_conditional(request)


@bp.get("/qr/<code>.png")
def image_png(code: str):
    """Send the QR code of a plaque as a PNG, ten pixels a module."""
    found = _image_code(code)
    return _image_response(symbol_png(plaque_url(found, current_app.config["PUBLIC_BASE_URL"])), "image/png")


@bp.get("/qr/<code>.svg")
def image_svg(code: str):
    """Send the QR code of a plaque as an SVG, for print shops and the CMS."""
    found = _image_code(code)
    return _image_response(symbol_svg(plaque_url(found, current_app.config["PUBLIC_BASE_URL"])), "image/svg+xml")
