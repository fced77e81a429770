"""Check media bytes for what they really are, store them once under their hash, and build image rows."""

import hashlib
import json
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask import url_for
from flask_babel import gettext as _
from PIL import Image as PILImage
from sqlalchemy import select

from guide.extensions import db
from guide.media.models import Image
from guide.media.models import ImageText
from guide.media.models import MediaFile
from guide.media.models import MediaVariant
from guide.media.pipeline import IMAGE_FORMATS
from guide.media.pipeline import Encoded
from guide.media.pipeline import MediaError
from guide.media.pipeline import make_variants
from guide.media.pipeline import normalise_image
from guide.media.pipeline import open_image
from guide.media.pipeline import read_audio
from guide.media.pipeline import transcode_audio
from guide.media.pipeline import upright
from guide.media.storage import media_key
from guide.media.storage import media_storage

# mutagen's class name tells the container; the extension never does.
AUDIO_FORMATS = {
    "MP4": ("m4a", "audio/mp4"),
    "MP3": ("mp3", "audio/mpeg"),
    "OggOpus": ("opus", "audio/ogg"),
    "OggVorbis": ("ogg", "audio/ogg"),
}
MEDIA_EXTENSIONS = tuple(ext for ext, _mime in (*IMAGE_FORMATS.values(), *AUDIO_FORMATS.values()))


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
    with open_image(data) as image:
        extension, mimetype = IMAGE_FORMATS[image.format]
        width, height = image.size
    return Probe(hashlib.sha256(data).hexdigest(), extension, mimetype, len(data), width, height)


def probe_audio(data: bytes) -> Probe:
    """Identify an audio file the guide can serve (M4A, MP3, Opus, Ogg) by its bytes; read its duration."""
    container, duration = read_audio(data, AUDIO_FORMATS, _("This file is not an M4A, MP3, Opus or Ogg audio file."))
    extension, mimetype = AUDIO_FORMATS[container]
    return Probe(
        hashlib.sha256(data).hexdigest(), extension, mimetype, len(data), duration_s=round(duration, 2)
    )


def media_url(media: MediaFile) -> str:
    """Return the permanent path of a media file."""
    return url_for("media.serve", filename=media.filename)


def media_path(sha256: str, extension: str) -> Path:
    """Return where a media file lives in the folder store (MEDIA_DIR); code that must work on S3 too uses media_storage()."""
    return Path(current_app.config["MEDIA_DIR"]) / media_key(sha256, extension)


def _write(sha256: str, extension: str, data: bytes) -> None:
    # Content-addressed: a key already stored holds these very bytes.
    media_storage().put(media_key(sha256, extension), data)


def _row(probe: Probe) -> tuple[MediaFile, bool]:
    media = db.session.get(MediaFile, probe.sha256)
    if media is not None:
        return media, False
    media = MediaFile(
        sha256=probe.sha256, extension=probe.extension, mimetype=probe.mimetype, size=probe.size,
        width=probe.width, height=probe.height, duration_s=probe.duration_s,
    )
    db.session.add(media)
    return media, True


def store_media(data: bytes, probe: Probe, variants: bool = True) -> MediaFile:
    """Write the bytes once under their hash and return their row, with an image's variants; the caller commits."""
    _write(probe.sha256, probe.extension, data)
    media, _created = _row(probe)
    wanted = variants and probe.mimetype.startswith("image/") and not has_variants(media)
    if wanted and not _known_variants(media):
        store_variants(media, upright(open_image(data)))
    return media


def _variant_index(sha256: str) -> str:
    # Beside the image, named so that /media/ never serves it.
    return f"{sha256[:2]}/{sha256}.variants.json"


def _known_variants(media: MediaFile) -> list[MediaVariant]:
    """Add the rows of variants already made for this image (a database reloaded, a re-import), if on disk."""
    try:
        listed = json.loads(media_storage().read(_variant_index(media.sha256)))
        probes = [(entry["width"], Probe(**entry["probe"])) for entry in listed]
    except (OSError, ValueError, TypeError, KeyError):
        return []
    if not probes or not all(media_storage().exists(media_key(probe.sha256, probe.extension))
                             for _width, probe in probes):
        return []
    rows = []
    for width, probe in probes:
        copy, _created = _row(probe)
        rows.append(MediaVariant(source_sha256=media.sha256, width=width, format=probe.extension,
                                 media_sha256=copy.sha256, media=copy))
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _probe(encoded: Encoded) -> Probe:
    return Probe(hashlib.sha256(encoded.data).hexdigest(), encoded.extension, encoded.mimetype, len(encoded.data),
                 encoded.width, encoded.height, encoded.duration_s)


def has_variants(media: MediaFile) -> bool:
    """Tell whether an image already has its responsive copies."""
    db.session.flush()
    return db.session.scalar(
        select(MediaVariant.width).where(MediaVariant.source_sha256 == media.sha256).limit(1)
    ) is not None


def store_variants(media: MediaFile, pixels: PILImage.Image) -> list[MediaVariant]:
    """Store WebP and JPEG copies of an image at the variant widths below its own; the caller commits."""
    rows, listed = [], []
    for width, encoded in make_variants(pixels):
        probe = _probe(encoded)
        _write(probe.sha256, probe.extension, encoded.data)
        listed.append({"width": width, "probe": asdict(probe)})
        copy, _created = _row(probe)
        variant = db.session.get(MediaVariant, (media.sha256, width, encoded.extension))
        if variant is None:
            variant = MediaVariant(source_sha256=media.sha256, width=width, format=encoded.extension,
                                   media_sha256=copy.sha256, media=copy)
            db.session.add(variant)
        rows.append(variant)
    db.session.flush()
    # Variants depend on the image's bytes alone: remember them, so a reload does not encode again.
    media_storage().put(_variant_index(media.sha256), json.dumps(listed).encode())
    return rows


@dataclass(frozen=True)
class Upload:
    """What an upload became: the stored file and, for an image, its variants."""

    media: MediaFile
    variants: list[MediaVariant]


def store_upload(kind: str, data: bytes) -> Upload:
    """Check, clean and store an uploaded image or recording under its new hash; the caller commits.

    Images are re-encoded upright without metadata (at most 2400 px) with their variants; audio is
    transcoded to loudness-normalised mono AAC. Raises MediaError, translated, for anything else.
    """
    if kind == "image":
        encoded, pixels = normalise_image(data)
        probe = _probe(encoded)
        _write(probe.sha256, probe.extension, encoded.data)
        media, _created = _row(probe)
        variants = variant_rows(media) or _known_variants(media) or store_variants(media, pixels)
        return Upload(media, variants)
    if kind == "audio":
        encoded = transcode_audio(data)
        probe = _probe(encoded)
        _write(probe.sha256, probe.extension, encoded.data)
        return Upload(_row(probe)[0], [])
    raise MediaError(_("Choose an image or a recording."))


def variant_rows(media: MediaFile) -> list[MediaVariant]:
    """Return an image's stored variants, narrowest first, JPEG before WebP (as they are made)."""
    db.session.flush()
    return list(db.session.scalars(
        select(MediaVariant).where(MediaVariant.source_sha256 == media.sha256)
        .order_by(MediaVariant.width, MediaVariant.format)
    ))


def content_path(media: MediaFile) -> str:
    """Name an uploaded file in a record, as the editor's media map keys it: media/<sha256>.<ext>."""
    return f"media/{media.filename}"


def make_image(entry, role: str, position: int, media: dict[str, str]) -> Image:
    """Build an image row from a content entry, its file found by hash in the media store."""
    image = Image(role=role, position=position, media=db.session.get(MediaFile, media[entry.file]))
    for lang, alt in entry.alt.items():
        image.texts[lang] = ImageText(lang=lang, alt=alt, credit=entry.credit.get(lang, ""))
    return image


def srcset_entry(media: MediaFile) -> str:
    """Write one candidate of an img srcset: the file's URL and its width."""
    return f"{media_url(media)} {media.width}w"


def thumbnail(image: Image) -> MediaFile:
    """Return the lightest copy of an image for a small picture: its narrowest WebP, else the file."""
    webp = [variant for variant in image.variants if variant.format == "webp"]
    return min(webp, key=lambda variant: variant.width).media if webp else image.media


def offline_files(image: Image) -> list[MediaFile]:
    """Return the files a phone fetches for an image: its WebP copies, or the file itself without them.

    Every browser that runs the offline guide reads WebP, so it never asks for the JPEG copies
    or the master that the <picture> element also names.
    """
    webp = [variant.media for variant in image.variants if variant.format == "webp"]
    return webp or [image.media]


def make_missing_variants(files: list[MediaFile]) -> set[str]:
    """Make the variants of each image file that has none (from the store); return the hashes that got them."""
    made = set()
    for media in files:
        if not media.mimetype.startswith("image/") or has_variants(media):
            continue
        if _known_variants(media):
            made.add(media.sha256)
            continue
        try:
            data = media_storage().read(media_key(media.sha256, media.extension))
        except FileNotFoundError:
            continue
        if store_variants(media, upright(open_image(data))):
            made.add(media.sha256)
    return made


def read_media(media: MediaFile) -> bytes:
    """Return a media file's bytes from the store (FileNotFoundError when missing, StorageError when unreachable)."""
    return media_storage().read(media_key(media.sha256, media.extension))
