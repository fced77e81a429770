"""Media under content-addressed URLs, cached for a year, with HTTP Range for audio."""

import re

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import request
from werkzeug.http import parse_range_header
from werkzeug.utils import send_file

from guide.media.services import AUDIO_FORMATS
from guide.media.services import IMAGE_FORMATS
from guide.media.services import media_path
from guide.media.services import srcset_entry
from guide.media.services import thumbnail

bp = Blueprint("media", __name__)
# Every page's images use these, the public pages' and the CMS's alike.
bp.add_app_template_filter(srcset_entry, "media_srcset")
bp.add_app_template_global(thumbnail, "thumbnail")

FILENAME = re.compile(r"([0-9a-f]{64})\.([a-z0-9]{2,4})")
MIMETYPES = dict(ext_mime for ext_mime in (*IMAGE_FORMATS.values(), *AUDIO_FORMATS.values()))
MEDIA_HEADERS = (
    ("Cache-Control", "public, max-age=31536000, immutable"),
    ("Access-Control-Allow-Origin", "*"),
    # A page on another origin playing the audio must see which part it received.
    ("Access-Control-Expose-Headers", "Content-Range, Accept-Ranges, Content-Length, ETag"),
)


def _serves_range(environ: dict, etag: str) -> bool:
    """Tell whether to honour this request's Range header rather than send the whole file.

    RFC 9110 §14.2 lets a server ignore Range: we do for several ranges, other units and
    malformed values (200 with the whole file, not 416), and when If-Range names another
    representation, compared strongly as §13.1.5 requires (a weak W/ tag never matches).
    """
    parsed = parse_range_header(environ.get("HTTP_RANGE"))
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return False
    if_range = environ.get("HTTP_IF_RANGE", "").strip()
    return not if_range.startswith(("W/", '"')) or if_range == f'"{etag}"'


@bp.get("/media/<filename>")
def serve(filename: str):
    """Send a media file; its URL names its bytes, so browsers may keep it forever."""
    match = FILENAME.fullmatch(filename)
    if match is None or match[2] not in MIMETYPES:
        abort(404)
    sha256, extension = match.groups()
    path = media_path(sha256, extension)
    if not path.is_file():
        abort(404)
    environ = request.environ
    if "HTTP_RANGE" in environ and not _serves_range(environ, sha256):
        environ = {name: value for name, value in environ.items() if name != "HTTP_RANGE"}
    # The bytes are named by their sha256, the strongest ETag there is.
    response = send_file(
        path, environ, mimetype=MIMETYPES[extension], conditional=True, etag=sha256,
        max_age=current_app.config.get("MEDIA_MAX_AGE", 31536000),
        response_class=current_app.response_class,
    )
    response.headers.update(MEDIA_HEADERS)
    return response
