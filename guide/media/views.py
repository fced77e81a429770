"""Media under content-addressed URLs, cached for a year, with HTTP Range for audio; curators' uploads."""

import re
import time
import unicodedata

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import parse_range_header
from werkzeug.utils import send_file
from werkzeug.wsgi import FileWrapper

from guide.accounts.permissions import require
from guide.audit.services import record
from guide.curator.shell import attach
from guide.errors import abort
from guide.extensions import db
from guide.media.services import AUDIO_FORMATS
from guide.media.services import IMAGE_FORMATS
from guide.media.services import MediaError
from guide.media.services import Upload
from guide.media.services import content_path
from guide.media.services import media_url
from guide.media.services import srcset_entry
from guide.media.services import store_upload
from guide.media.services import thumbnail
from guide.media.storage import media_key
from guide.media.storage import media_storage
from guide.monuments.models import Monument

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
    environ = request.environ
    if "HTTP_RANGE" in environ and not _serves_range(environ, sha256):
        environ = {name: value for name, value in environ.items() if name != "HTTP_RANGE"}
    storage = media_storage()
    key = media_key(sha256, extension)
    max_age = current_app.config.get("MEDIA_MAX_AGE", 31536000)
    path = storage.local_path(key)
    if path is not None:
        # The bytes are named by their sha256, the strongest ETag there is.
        response = send_file(
            path, environ, mimetype=MIMETYPES[extension], conditional=True, etag=sha256,
            max_age=max_age, response_class=current_app.response_class,
        )
    else:
        response = _stream(storage, key, environ, MIMETYPES[extension], sha256, max_age)
    response.headers.update(MEDIA_HEADERS)
    return response


def _stream(storage, key: str, environ: dict, mimetype: str, etag: str, max_age: int):
    """Stream an object from a remote store, as send_file would a file: ETag, 304, Range and 206.

    The app relays the bytes rather than redirecting to the bucket: the service worker and the
    offline packs need every file on the guide's own origin.
    """
    try:
        handle = storage.open(key)
    except FileNotFoundError:
        abort(404)
    # werkzeug's own wrapper (not the server's): it seeks, so a Range reads only its part.
    response = current_app.response_class(FileWrapper(handle), mimetype=mimetype, direct_passthrough=True)
    response.content_length = handle.length
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.expires = int(time.time() + max_age)
    try:
        response = response.make_conditional(environ, accept_ranges=True, complete_length=handle.length)
    except RequestedRangeNotSatisfiable:
        handle.close()
        raise
    if response.status_code == 206:
        handle.end = response.content_range.stop
    return response


# Curators' uploads, under /curator/ (sign-in required, no-store): a second blueprint, since the
# files above are public.
uploads = Blueprint("media_uploads", __name__, url_prefix="/curator", template_folder="templates")
attach(uploads)
# Bidirectional and other invisible format controls, NUL and line breaks: never in a shown name.
_INVISIBLE = ("Cc", "Cf", "Zl", "Zp")
MAX_NAME_LENGTH = 120


def display_name(filename: str | None) -> str:
    """Keep an uploaded file's name for display only: no folders, controls or bidi overrides."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(char for char in name if unicodedata.category(char) not in _INVISIBLE)
    return " ".join(name.split())[:MAX_NAME_LENGTH]


def _monument(slug: str) -> Monument:
    monument = db.session.scalar(select(Monument).where(Monument.slug == slug))
    if monument is None:
        abort(404)
    require("media", monument.site, target=f"monument:{slug}")
    return monument


def _refused(status: int, error: str, message: str):
    return jsonify(error=error, message=message), status


def upload_json(upload: Upload, kind: str, name: str) -> dict:
    """Describe a stored upload for the CMS's script and the editor's record."""
    media = upload.media
    return {
        "kind": kind,
        "path": content_path(media),
        "sha256": media.sha256,
        "url": media_url(media),
        "mimetype": media.mimetype,
        "bytes": media.size,
        "width": media.width,
        "height": media.height,
        "duration_s": media.duration_s,
        "name": name,
        "variants": [
            {"url": media_url(variant.media), "width": variant.width, "format": variant.format,
             "sha256": variant.media_sha256, "bytes": variant.media.size}
            for variant in upload.variants
        ],
    }


@uploads.post("/monuments/<slug>/media")
def upload(slug: str):
    """Take a photo or a recording for a monument: check it, clean it, store it under its hash (JSON)."""
    monument = _monument(slug)
    kind = request.form.get("kind", "")
    sent = request.files.get("file")
    if kind not in ("image", "audio"):
        return _refused(400, "kind", _("Choose an image or a recording."))
    if sent is None or not sent.filename and not sent.content_length:
        return _refused(400, "no_file", _("Choose a file to upload."))
    megabytes = current_app.config["MAX_IMAGE_UPLOAD_MB"]
    limit = int(float(megabytes) * 1024 * 1024)
    data = sent.stream.read(limit + 1) if kind == "image" else sent.stream.read()
    if kind == "image" and len(data) > limit:
        shown = f"{megabytes:g}"
        return _refused(413, "too_large", _("The image is larger than %(size)s MB.", size=shown))
    if not data:
        return _refused(400, "empty", _("The file is empty."))
    name = display_name(sent.filename)
    try:
        stored = store_upload(kind, data)
    except MediaError as error:
        db.session.rollback()
        return _refused(400, "invalid", str(error))
    # Nothing in the record changes: the editor saves the returned path with the record.
    record("media.upload", f"monument:{monument.slug}", kind=kind, sha256=stored.media.sha256,
           bytes_in=len(data), bytes_out=stored.media.size, name=name)
    db.session.commit()
    return jsonify(upload_json(stored, kind, name)), 201


@uploads.get("/monuments/<slug>/media")
def library(slug: str):
    """Show a monument's photos and recordings, with fields to upload new ones."""
    monument = _monument(slug)
    return render_template("media/library.html", monument=monument,
                           upload_url=url_for("media_uploads.upload", slug=monument.slug))
