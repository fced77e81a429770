"""Media under content-addressed URLs, cached for a year, with HTTP Range for audio."""

import re

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import send_from_directory
from flask import url_for

from guide.media.models import MediaFile
from guide.media.services import AUDIO_FORMATS
from guide.media.services import IMAGE_FORMATS
from guide.media.services import media_path

bp = Blueprint("media", __name__)

FILENAME = re.compile(r"([0-9a-f]{64})\.([a-z0-9]{2,4})")
MIMETYPES = dict(ext_mime for ext_mime in (*IMAGE_FORMATS.values(), *AUDIO_FORMATS.values()))


def media_url(media: MediaFile) -> str:
    """Return the permanent path of a media file."""
    return url_for("media.serve", filename=media.filename)


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
    response = send_from_directory(
        path.parent, path.name, mimetype=MIMETYPES[extension], conditional=True,
        max_age=current_app.config.get("MEDIA_MAX_AGE", 31536000),
    )
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
