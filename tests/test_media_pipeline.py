"""The media pipeline on bytes alone: images cleaned and resized, recordings transcoded and levelled."""

import array
import io
import math
import random
import struct
import wave
import zlib

import av
import mutagen
import pytest
from PIL import Image as PILImage
from PIL import ImageCms

from guide.media.pipeline import AUDIO_BITRATE
from guide.media.pipeline import MASTER_LONG_SIDE
from guide.media.pipeline import MediaError
from guide.media.pipeline import make_variants
from guide.media.pipeline import normalise_image
from guide.media.pipeline import read_audio
from guide.media.pipeline import transcode_audio

GPS_IFD, EXIF_IFD, ORIENTATION, MAKER_NOTE = 0x8825, 0x8769, 0x0112, 0x927C


def jpeg_with_metadata(size=(60, 40), orientation=6) -> bytes:
    """A JPEG carrying GPS, a MakerNote, a comment, XMP, an ICC profile and an orientation."""
    image = PILImage.new("RGB", size, "white")
    # A red block in the stored top-left corner tells which way the picture was turned.
    image.paste((255, 0, 0), (0, 0, size[0] // 3, size[1] // 3))
    exif = PILImage.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "SecretCam"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (33.0, 36.0, 27.5), 3: "W", 4: (7.0, 37.0, 57.0)})
    exif.get_ifd(EXIF_IFD)[MAKER_NOTE] = b"MAKERNOTE-SERIAL-123456"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), comment=b"secret-comment", icc_profile=icc,
               xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-xmp</x:xmpmeta>')
    return buffer.getvalue()


METADATA_MARKERS = (b"Exif", b"SecretCam", b"MAKERNOTE", b"secret-comment", b"secret-xmp", b"ICC_PROFILE",
                    b"http://ns.adobe.com")


def image_bytes(kind: str, size=(40, 30), mode="RGB", color="tan") -> bytes:
    buffer = io.BytesIO()
    PILImage.new(mode, size, color).save(buffer, kind)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares a huge canvas: a decompression bomb."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + \
        chunk(b"IEND", b"")


def polyglot_png() -> bytes:
    """A valid PNG with HTML in a text chunk and after its end: it passes verify()."""
    buffer = io.BytesIO()
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<html><script>alert(1)</script></html>")
    PILImage.new("RGB", (50, 40), "navy").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue() + b"<html><body><script>alert(document.cookie)</script></body></html>"


def wav(seconds: float, rate=16000, channels=1, amplitude=0.3, frequency=220.0) -> bytes:
    """An untagged WAV: a tone with some noise, like a voice for loudness purposes."""
    randomness = random.Random(1)
    samples = array.array("h")
    for index in range(int(seconds * rate)):
        value = amplitude * (0.8 * math.sin(2 * math.pi * frequency * index / rate) + 0.2 * randomness.uniform(-1, 1))
        samples.extend([int(value * 32767)] * channels)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def wav_header(seconds: float, rate=8000) -> bytes:
    """A WAV header claiming seconds of 8-bit mono sound, followed by one second of it."""
    size = int(rate * seconds)
    header = (b"RIFF" + struct.pack("<I", 36 + size) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate, 1, 8)
              + b"data" + struct.pack("<I", size))
    return header + b"\x80" * min(size, rate)


def decoded_rms(data: bytes) -> float:
    total, count = 0.0, 0
    with av.open(io.BytesIO(data)) as container:
        for frame in container.decode(audio=0):
            for plane in frame.to_ndarray():
                total += float((plane.astype("float64") ** 2).sum())
                count += plane.size
    return math.sqrt(total / count)


def test_metadata_is_stripped_and_the_photo_turned_upright():
    encoded, _pixels = normalise_image(jpeg_with_metadata())
    for marker in METADATA_MARKERS:
        assert marker not in encoded.data, marker
    with PILImage.open(io.BytesIO(encoded.data)) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(stored.info)
        # Orientation 6: the stored 60×40 picture is shown 40×60, its top-left block now top-right.
        assert stored.size == (40, 60) == (encoded.width, encoded.height)
        red = stored.convert("RGB").getpixel((35, 3))
        assert red[0] > 200
        assert red[1] < 80
        assert stored.convert("RGB").getpixel((3, 3))[1] > 200


def test_a_polyglot_keeps_no_html():
    encoded, pixels = normalise_image(polyglot_png())
    assert b"<script" not in encoded.data.lower()
    assert b"<html" not in encoded.data.lower()
    for _width, variant in make_variants(pixels):
        assert b"<script" not in variant.data


@pytest.mark.parametrize("blob", [png_header_only(20_000, 10_000), png_header_only(10_000, 10_000)],
                         ids=["200mp-bomb", "100mp"])
def test_bombs_are_refused_before_decoding(blob):
    assert len(blob) < 25_000
    with pytest.raises(MediaError):
        normalise_image(blob)


def test_a_photo_is_scaled_down_to_the_master_size():
    big = image_bytes("JPEG", size=(3000, 2000))
    encoded, pixels = normalise_image(big)
    assert (encoded.width, encoded.height) == (MASTER_LONG_SIDE, 1600)
    variants = make_variants(pixels)
    assert sorted({width for width, _encoded in variants}) == [480, 960, 1600]
    assert sorted({variant.extension for _width, variant in variants}) == ["jpg", "webp"]
    for width, variant in variants:
        with PILImage.open(io.BytesIO(variant.data)) as opened:
            assert opened.width == width == variant.width
            assert opened.format == ("WEBP" if variant.extension == "webp" else "JPEG")


def test_variants_are_never_upscaled():
    _encoded, pixels = normalise_image(image_bytes("PNG", size=(600, 400)))
    assert {width for width, _variant in make_variants(pixels)} == {480}
    _encoded, pixels = normalise_image(image_bytes("PNG", size=(300, 200)))
    assert make_variants(pixels) == []


def test_transparency_is_kept_in_webp_and_flattened_in_jpeg():
    encoded, pixels = normalise_image(image_bytes("PNG", size=(500, 300), mode="RGBA", color=(0, 0, 0, 0)))
    assert encoded.extension == "webp"
    jpeg = next(variant for _width, variant in make_variants(pixels) if variant.extension == "jpg")
    with PILImage.open(io.BytesIO(jpeg.data)) as flat:
        assert flat.mode == "RGB"
        assert flat.getpixel((5, 5)) == (255, 255, 255)


def test_cmyk_and_grey_photos_become_srgb():
    for mode, color in (("CMYK", (0, 255, 255, 0)), ("L", 128)):
        encoded, _pixels = normalise_image(image_bytes("JPEG", size=(80, 60), mode=mode, color=color))
        with PILImage.open(io.BytesIO(encoded.data)) as stored:
            assert stored.mode == "RGB"


def test_an_untagged_wav_becomes_mono_aac_at_speech_bitrate():
    source = wav(6, rate=22050, channels=2)
    assert mutagen.File(io.BytesIO(source)) is not None
    encoded = transcode_audio(source)
    assert (encoded.extension, encoded.mimetype) == ("m4a", "audio/mp4")
    assert encoded.duration_s == pytest.approx(6, abs=0.1)
    with av.open(io.BytesIO(encoded.data)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac"
        assert stream.codec_context.channels == 1
    info = mutagen.File(io.BytesIO(encoded.data)).info
    assert 32_000 <= info.bitrate <= 48_000
    assert info.channels == 1
    assert AUDIO_BITRATE == 40_000


def test_loudness_is_evened_out():
    quiet = decoded_rms(transcode_audio(wav(8, amplitude=0.03)).data)
    loud = decoded_rms(transcode_audio(wav(8, amplitude=0.9)).data)
    # A 30× (30 dB) difference in the sources ends within 3 dB.
    assert abs(20 * math.log10(loud / quiet)) < 3


def test_tags_are_not_carried_over(tmp_path):
    source = tmp_path / "tagged.m4a"
    source.write_bytes(transcode_audio(wav(3)).data)
    tagged = mutagen.File(source)
    tagged["\xa9nam"] = ["secret-title"]
    tagged["\xa9ART"] = ["Someone Private"]
    tagged.save()
    encoded = transcode_audio(source.read_bytes())
    assert b"secret-title" not in encoded.data
    assert b"Someone Private" not in encoded.data
    assert not mutagen.File(io.BytesIO(encoded.data)).tags


@pytest.mark.parametrize(
    "blob",
    [b"<html><script>alert(1)</script></html>" * 20, wav_header(0), wav_header(3 * 3600), b"", b"\x00" * 4096,
     b"ID3" + b"\x00" * 50],
    ids=["html-as-mp3", "zero-seconds", "three-hours", "empty", "zeros", "bare-id3"],
)
def test_recordings_that_are_not_acceptable_are_refused(blob):
    with pytest.raises(MediaError):
        read_audio(blob)
    with pytest.raises(MediaError):
        transcode_audio(blob)


def test_the_duration_limit_is_a_setting(app):
    app.config["MAX_AUDIO_SECONDS"] = 2
    with app.app_context(), pytest.raises(MediaError, match="2|minutes"):
        read_audio(wav(3))


def test_a_reload_finds_the_variants_made_before_without_encoding_again(app, monkeypatch):
    from sqlalchemy import delete
    from sqlalchemy import select

    from guide.extensions import db
    from guide.media import services
    from guide.media.models import MediaFile
    from guide.media.models import MediaVariant

    with app.app_context():
        variant = db.session.scalars(select(MediaVariant).limit(1)).first()
        source = db.session.get(MediaFile, variant.source_sha256)
        before = sorted((row.width, row.format, row.media_sha256) for row in services.variant_rows(source))
        data = services.media_path(source.sha256, source.extension).read_bytes()
        db.session.execute(delete(MediaVariant).where(MediaVariant.source_sha256 == source.sha256))

        def no_encoding(_pixels):
            raise AssertionError("variants encoded again")

        monkeypatch.setattr(services, "make_variants", no_encoding)
        services.store_media(data, services.probe_image(data))
        after = sorted((row.width, row.format, row.media_sha256) for row in services.variant_rows(source))
        assert after == before
        assert len(after) == 4


def test_images_stored_before_variants_get_them_from_the_command(app, runner):
    from sqlalchemy import delete
    from sqlalchemy import func
    from sqlalchemy import select

    from guide.extensions import db
    from guide.media.models import MediaVariant

    with app.app_context():
        db.session.execute(delete(MediaVariant))
        db.session.commit()
    page = app.test_client().get("/fr/monuments/hassan-ii-mosque").get_data(as_text=True)
    assert "<picture>" not in page
    result = runner.invoke(args=["media-variants"])
    assert result.exit_code == 0, result.output
    assert "24" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MediaVariant)) == 96
    assert runner.invoke(args=["media-variants"]).output.strip().endswith("0 image(s).")
    page = app.test_client().get("/fr/monuments/hassan-ii-mosque").get_data(as_text=True)
    assert '<source type="image/webp"' in page
