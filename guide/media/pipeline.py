"""Make uploaded media safe and light: images re-encoded without metadata, audio as speech-grade AAC.

Only bytes go in and out here (no database): guide/media/services.py stores what this returns.
Nothing an upload says about itself is trusted: formats are read from the content, sizes are
checked before anything is decoded, and every image is decoded and re-encoded, so what is kept
holds pixels and nothing else (no EXIF, GPS, XMP, comments, ICC profile or appended bytes).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass

import mutagen
from flask import current_app
from flask import has_app_context
from flask_babel import gettext as _
from PIL import Image as PILImage
from PIL import ImageCms
from PIL import ImageOps

# Pillow's own names; the extension and type come from what the bytes are.
IMAGE_FORMATS = {"WEBP": ("webp", "image/webp"), "PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
# The normalised master's long side: sharp on any phone or tablet, and a quarter of a 12 MP photo.
MASTER_LONG_SIDE = 2400
MASTER_QUALITY = 85
# Responsive copies (srcset): never wider than the master, never upscaled.
VARIANT_WIDTHS = (480, 960, 1600)
VARIANT_FORMATS = ("webp", "jpg")
VARIANT_QUALITY = {"webp": 80, "jpg": 82}
# What curators may upload as a recording: mutagen's class name tells the container.
AUDIO_INPUTS = frozenset({"MP4", "MP3", "OggOpus", "OggVorbis", "WAVE", "FLAC", "AIFF", "EasyMP3", "EasyMP4"})
MIN_AUDIO_SECONDS = 0.5
DEFAULT_MAX_AUDIO_SECONDS = 30 * 60
# Speech-grade mono AAC-LC in M4A: it plays in every browser, iOS Safari included (Ogg/Opus
# does not on older iPhones), and at 40 kbit/s a voice is clear.
AUDIO_BITRATE = 40_000
AUDIO_SAMPLE_RATE = 44_100
# Loudness for a phone speaker (the level podcasts and Apple use): -16 LUFS integrated, peaks
# limited under -1.5 dBFS; a whisper is raised at most 30 dB, a shout lowered at most 30 dB.
TARGET_LUFS = -16.0
PEAK_LIMIT = round(10 ** (-1.5 / 20), 3)
MIN_GAIN_DB, MAX_GAIN_DB = -30.0, 30.0


class MediaError(ValueError):
    """The bytes are not an image or audio file we accept; the message is translated."""


@dataclass(frozen=True)
class Encoded:
    """Bytes made by the pipeline, with what they are."""

    data: bytes
    extension: str
    mimetype: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None


def _setting(name: str, default):
    return current_app.config.get(name, default) if has_app_context() else default


def max_image_pixels() -> int:
    """Return the largest image, in pixels, that is decoded at all."""
    return int(_setting("MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))


def max_audio_seconds() -> float:
    """Return the longest recording accepted."""
    return float(_setting("MAX_AUDIO_SECONDS", DEFAULT_MAX_AUDIO_SECONDS))


def open_image(data: bytes) -> PILImage.Image:
    """Open an image by its content (JPEG, PNG or WebP), refusing bombs before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: make that an error too.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            image = PILImage.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
            # Only the header has been read: the declared size is checked before decoding.
            if image.width * image.height > max_image_pixels():
                raise MediaError(_("The image is too large in pixels."))
            image.load()
    except MediaError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise MediaError(_("The image is too large in pixels.")) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise MediaError(_("This file is not a readable WebP, PNG or JPEG image.")) from error
    return image


def upright(image: PILImage.Image) -> PILImage.Image:
    """Turn an image as its EXIF orientation says (a phone held sideways), so no viewer has to."""
    # Unreadable EXIF: nothing to turn by, and it is dropped on re-encoding anyway.
    with contextlib.suppress(OSError, ValueError, SyntaxError, KeyError, TypeError):
        return ImageOps.exif_transpose(image)
    return image


def _has_alpha(image: PILImage.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        alpha = image.convert("RGBA").getchannel("A")
        return alpha.getextrema()[0] < 255
    return False


def _to_srgb(image: PILImage.Image) -> PILImage.Image:
    """Convert to sRGB (RGB or RGBA), applying an embedded ICC profile, then forget the profile."""
    alpha = _has_alpha(image)
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            target = ImageCms.createProfile("sRGB")
            mode = "RGBA" if alpha else "RGB"
            if image.mode == "CMYK" or (alpha and image.mode != "RGBA"):
                image = image.convert("RGBA" if alpha else "RGB")
            image = ImageCms.profileToProfile(image, source, target, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: keep the pixels as they are
    image = image.convert("RGBA" if alpha else "RGB")
    # Whatever rode along (EXIF, XMP, comments, ICC, DPI) stays behind: only pixels are written.
    image.info.clear()
    return image


def _encode(image: PILImage.Image, extension: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.info.clear()
    if extension == "jpg":
        if image.mode == "RGBA":
            # JPEG has no transparency: lay the picture on white, as the page's background is light.
            flat = PILImage.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    else:
        # Method 2 of 6: a third of the default's time for the same size on photos (bench_uploads).
        image.save(buffer, "WEBP", quality=quality, method=2)
    return buffer.getvalue()


def normalise_image(data: bytes) -> tuple[Encoded, PILImage.Image]:
    """Decode an uploaded image and re-encode it upright, in sRGB, without metadata, at most 2400 px.

    Returns the master's bytes (JPEG, or WebP when it has transparency) and its decoded pixels,
    from which the variants are made.
    """
    image = open_image(data)
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # an animation keeps its first frame only
    image = _to_srgb(upright(image))
    if max(image.size) > MASTER_LONG_SIDE:
        image.thumbnail((MASTER_LONG_SIDE, MASTER_LONG_SIDE), PILImage.Resampling.LANCZOS, reducing_gap=2.0)
    extension = "webp" if image.mode == "RGBA" else "jpg"
    body = _encode(image, extension, MASTER_QUALITY)
    return Encoded(body, extension, IMAGE_FORMATS["WEBP" if extension == "webp" else "JPEG"][1],
                   *image.size), image


def variant_widths(width: int) -> tuple[int, ...]:
    """Return the variant widths made for an image this wide: only smaller ones."""
    return tuple(size for size in VARIANT_WIDTHS if size < width)


def make_variants(image: PILImage.Image) -> list[tuple[int, Encoded]]:
    """Encode WebP and JPEG copies of decoded pixels at each variant width below the image's own."""
    made = []
    image = _to_srgb(image)
    full_width, full_height = image.size
    # Widest first, each copy scaled from the one before: a fraction of the work of scaling the
    # master each time, and no visible difference.
    for width in sorted(variant_widths(full_width), reverse=True):
        height = max(1, round(full_height * width / full_width))
        image = image.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=2.0)
        for extension in VARIANT_FORMATS:
            body = _encode(image, extension, VARIANT_QUALITY[extension])
            mimetype = IMAGE_FORMATS["WEBP" if extension == "webp" else "JPEG"][1]
            made.append((width, Encoded(body, extension, mimetype, width, height)))
    return sorted(made, key=lambda item: (item[0], item[1].extension))


def read_audio(data: bytes, accepted=AUDIO_INPUTS, refusal: str | None = None) -> tuple[str, float]:
    """Identify a recording by its content with mutagen; return its container and duration.

    accepted names mutagen's classes (containers) taken; refusal says why anything else is not.
    """
    refusal = refusal or _("This file is not a readable audio file.")
    try:
        audio = mutagen.File(io.BytesIO(data))
    except (mutagen.MutagenError, OSError, ValueError, EOFError, IndexError, KeyError) as error:
        raise MediaError(refusal) from error
    # An untagged but valid file (a plain WAV) is falsy: test for None, not truthiness.
    if audio is None or type(audio).__name__ not in accepted or audio.info is None:
        raise MediaError(refusal)
    duration = float(getattr(audio.info, "length", 0) or 0)
    check_duration(duration)
    return type(audio).__name__, duration


def check_duration(duration: float) -> None:
    """Refuse an empty recording and one over the limit (30 minutes by default)."""
    if duration < MIN_AUDIO_SECONDS:
        raise MediaError(_("The recording is empty."))
    if duration > max_audio_seconds():
        raise MediaError(_("The recording is longer than %(minutes)d minutes.",
                           minutes=int(max_audio_seconds() // 60)))


def transcode_audio(data: bytes) -> Encoded:
    """Transcode a recording to loudness-normalised mono AAC in M4A at 40 kbit/s, without tags.

    The ffmpeg bundled with PyAV does the work, in two passes over the decoded sound: the first
    measures its integrated loudness (EBU R128, the ebur128 filter), the second applies the gain
    that brings it to -16 LUFS, with a limiter keeping peaks under -1.5 dBFS, then resamples to
    mono 44.1 kHz and encodes AAC-LC. (ffmpeg's loudnorm filter does both in one pass, but it
    works at 192 kHz and took ten times longer.) The M4A is written with its index first
    (faststart), so playback and seeking start before the whole file has arrived; no tag of the
    source is copied.
    """
    import av

    read_audio(data)
    fd, path = tempfile.mkstemp(suffix=".m4a")
    os.close(fd)
    try:
        try:
            gain = TARGET_LUFS - _integrated_loudness(data)
            _encode_aac(data, path, max(MIN_GAIN_DB, min(MAX_GAIN_DB, gain)))
        except MediaError:
            raise
        except (av.FFmpegError, ValueError, OSError, EOFError) as error:
            raise MediaError(_("This file is not a readable audio file.")) from error
        with open(path, "rb") as handle:
            body = handle.read()
    finally:
        os.unlink(path)
    audio = mutagen.File(io.BytesIO(body))
    duration = round(float(audio.info.length), 2) if audio is not None else 0.0
    check_duration(duration)
    return Encoded(body, "m4a", "audio/mp4", duration_s=duration)


def _decoded(data: bytes, chain: list[tuple[str, str]]):
    """Decode data's first audio stream through a filter chain; yield the filtered frames.

    Stops with MediaError past the duration limit: the header's duration was checked, and a
    lying one ends here rather than hours later.
    """
    import av
    import av.filter

    limit = max_audio_seconds() + 1
    with av.open(io.BytesIO(data), mode="r") as source:
        if not source.streams.audio:
            raise MediaError(_("This file is not a readable audio file."))
        stream = source.streams.audio[0]
        graph = av.filter.Graph()
        nodes = [graph.add_abuffer(template=stream), *(graph.add(name, options) for name, options in chain),
                 graph.add("abuffersink")]
        for left, right in zip(nodes, nodes[1:], strict=False):
            left.link_to(right)
        graph.configure()
        decoded = 0.0
        for frame in source.decode(stream):
            decoded += frame.samples / (frame.sample_rate or 1)
            if decoded > limit:
                raise MediaError(_("The recording is longer than %(minutes)d minutes.",
                                   minutes=int(max_audio_seconds() // 60)))
            frame.pts = None
            graph.push(frame)
            yield from _pulled(graph)
        graph.push(None)
        yield from _pulled(graph)


def _pulled(graph):
    import av

    while True:
        try:
            frame = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return
        yield frame


def _integrated_loudness(data: bytes) -> float:
    """Measure a recording's integrated loudness in LUFS (EBU R128), on its mono downmix."""
    loudness = None
    for frame in _decoded(data, [("aformat", "channel_layouts=mono"), ("ebur128", "metadata=1")]):
        loudness = frame.metadata.get("lavfi.r128.I", loudness)
    # Silence measures -70 LUFS or nothing at all: no gain then, rather than +54 dB of noise.
    value = float(loudness) if loudness is not None else TARGET_LUFS
    return value if value > -70 else TARGET_LUFS


def _encode_aac(data: bytes, path: str, gain_db: float) -> None:
    import av

    with av.open(path, mode="w", format="mp4", options={"movflags": "+faststart", "fflags": "+bitexact"}) as target:
        # ffmpeg's "fast" AAC coder: three times quicker than its default, no audible loss on a voice.
        out = target.add_stream("aac", rate=AUDIO_SAMPLE_RATE, layout="mono", options={"aac_coder": "fast"})
        out.bit_rate = AUDIO_BITRATE
        chain = [
            ("aformat", "channel_layouts=mono"),
            ("volume", f"{gain_db:.2f}dB"),
            # A limiter, not clipping, for the few peaks the gain pushes over -1.5 dBFS.
            ("alimiter", f"limit={PEAK_LIMIT}:level=disabled"),
            ("aresample", str(AUDIO_SAMPLE_RATE)),
            ("aformat", f"sample_fmts=fltp:channel_layouts=mono:sample_rates={AUDIO_SAMPLE_RATE}"),
            # AAC takes frames of exactly frame_size samples.
            ("asetnsamples", f"n={out.codec_context.frame_size or 1024}:p=0"),
        ]
        for frame in _decoded(data, chain):
            frame.pts = None
            for packet in out.encode(frame):
                target.mux(packet)
        for packet in out.encode(None):
            target.mux(packet)
