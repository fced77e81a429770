"""Check media bytes for what they really are, and store them once under their hash."""

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import mutagen
from flask import current_app
from flask import url_for
from flask_babel import gettext as _
from PIL import Image as PILImage

from guide.extensions import db
from guide.media.models import MediaFile

IMAGE_FORMATS = {"WEBP": ("webp", "image/webp"), "PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}
# mutagen's class name tells the container; the extension never does.
AUDIO_FORMATS = {
    "MP4": ("m4a", "audio/mp4"),
    "MP3": ("mp3", "audio/mpeg"),
    "OggOpus": ("opus", "audio/ogg"),
    "OggVorbis": ("ogg", "audio/ogg"),
}
MAX_IMAGE_PIXELS = 40_000_000
MIN_AUDIO_SECONDS = 0.5
MAX_AUDIO_SECONDS = 2 * 3600
MEDIA_EXTENSIONS = tuple(ext for ext, _mime in (*IMAGE_FORMATS.values(), *AUDIO_FORMATS.values()))


class MediaError(ValueError):
    """The bytes are not an image or audio file we accept."""


@dataclass(frozen=True)
class Probe:
    sha256: str
    extension: str
    mimetype: str
    size: int
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None


def probe_image(data: bytes) -> Probe:
    """Identify an image by its bytes, refusing bombs, truncation and unknown formats."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise MediaError(_("The image is too large in pixels."))
                image_format = image.format
                width, height = image.size
                image.load()
    except MediaError:
        raise
    except (OSError, SyntaxError, ValueError, PILImage.DecompressionBombError,
            PILImage.DecompressionBombWarning) as error:
        raise MediaError(_("This file is not a readable WebP, PNG or JPEG image.")) from error
    extension, mimetype = IMAGE_FORMATS[image_format]
    return Probe(hashlib.sha256(data).hexdigest(), extension, mimetype, len(data), width, height)


def probe_audio(data: bytes) -> Probe:
    """Identify an audio file by its bytes and read its duration."""
    try:
        audio = mutagen.File(io.BytesIO(data))
    except mutagen.MutagenError as error:
        raise MediaError(_("This file is not a readable audio file.")) from error
    # An untagged but valid file is falsy, so test for None, not truthiness.
    if audio is None or type(audio).__name__ not in AUDIO_FORMATS:
        raise MediaError(_("This file is not an M4A, MP3, Opus or Ogg audio file."))
    duration = float(audio.info.length or 0)
    if not MIN_AUDIO_SECONDS <= duration <= MAX_AUDIO_SECONDS:
        raise MediaError(_("The recording must last between one second and two hours."))
    extension, mimetype = AUDIO_FORMATS[type(audio).__name__]
    return Probe(
        hashlib.sha256(data).hexdigest(), extension, mimetype, len(data), duration_s=round(duration, 2)
    )


def media_url(media: MediaFile) -> str:
    """Return the permanent path of a media file."""
    return url_for("media.serve", filename=media.filename)


def media_path(sha256: str, extension: str) -> Path:
    """Return where a media file lives on disk."""
    return Path(current_app.config["MEDIA_DIR"]) / sha256[:2] / f"{sha256}.{extension}"


def store_media(data: bytes, probe: Probe) -> MediaFile:
    """Write the bytes once under their hash and return their row; the caller commits."""
    path = media_path(probe.sha256, probe.extension)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half a file under its final name.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    media = db.session.get(MediaFile, probe.sha256)
    if media is None:
        media = MediaFile(
            sha256=probe.sha256, extension=probe.extension, mimetype=probe.mimetype, size=probe.size,
            width=probe.width, height=probe.height, duration_s=probe.duration_s,
        )
        db.session.add(media)
    return media
