"""Media: content-addressed URLs, Range requests, headers, and refusing disguised files."""

import io
import struct
import zlib

import pytest
from PIL import Image as PILImage
from sqlalchemy import select

from guide.extensions import db
from guide.media.models import MediaFile
from guide.media.services import MediaError
from guide.media.services import probe_audio
from guide.media.services import probe_image


@pytest.fixture
def audio(app):
    with app.app_context():
        media = db.session.scalars(select(MediaFile).where(MediaFile.mimetype == "audio/mp4")).first()
        return f"/media/{media.filename}", media.size


@pytest.fixture
def image(app):
    with app.app_context():
        media = db.session.scalars(select(MediaFile).where(MediaFile.mimetype == "image/webp")).first()
        return f"/media/{media.filename}", media.size


def test_media_is_served_with_its_type_and_cached_forever(client, audio):
    url, size = audio
    response = client.get(url, buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "audio/mp4"
    assert int(response.headers["Content-Length"]) == size
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [("bytes=0-1", 0, 1), ("bytes=100-199", 100, 199), ("bytes=-500", None, None), ("bytes=1000-", 1000, None)],
)
def test_audio_answers_range_requests(client, audio, range_header, first, last):
    url, size = audio
    whole = client.get(url, buffered=True).data
    response = client.get(url, buffered=True, headers={"Range": range_header})
    assert response.status_code == 206
    start = first if first is not None else size - 500
    end = last if last is not None else size - 1
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response.data == whole[start : end + 1]


def test_a_range_past_the_end_is_416(client, audio):
    url, size = audio
    response = client.get(url, buffered=True, headers={"Range": f"bytes={size + 10}-{size + 20}"})
    assert response.status_code == 416


def test_images_revalidate_with_their_etag(client, image):
    url, _size = image
    first = client.get(url, buffered=True)
    again = client.get(url, buffered=True, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/media/..%2f..%2fetc%2fpasswd",
        "/media/../../etc/passwd",
        "/media/" + "a" * 64 + ".exe",
        "/media/" + "A" * 64 + ".webp",
        "/media/" + "0" * 64 + ".webp",
        "/media/" + "0" * 63 + ".webp",
        # A NUL is a 400 and an overlong URL a 414 before any view: see test_hardening.py.
        "/media/" + "a" * 1500,
    ],
)
def test_bad_media_paths_are_404(client, path):
    assert client.get(path, buffered=True).status_code == 404


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares a huge canvas: a decompression bomb."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _image_bytes(kind: str, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "tan").save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "blob",
    [
        _png_header_only(20_000, 10_000),
        _png_header_only(10_000, 10_000),
        _image_bytes("JPEG")[:200],
        _image_bytes("TIFF"),
        _image_bytes("GIF"),
        b"<html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"",
    ],
    ids=["bomb-200mp", "100mp", "truncated-jpeg", "tiff", "gif", "html", "svg", "empty"],
)
def test_images_that_are_not_what_they_claim_are_refused(app, blob):
    with app.app_context(), pytest.raises(MediaError):
        probe_image(blob)


@pytest.mark.parametrize("kind", ["WEBP", "PNG", "JPEG"])
def test_real_images_are_accepted(app, kind):
    with app.app_context():
        probe = probe_image(_image_bytes(kind))
        assert (probe.width, probe.height) == (40, 30)


@pytest.mark.parametrize("blob", [b"<html></html>", b"\x00" * 4096, b"ID3" + b"\x00" * 50, b""])
def test_audio_that_is_not_audio_is_refused(app, blob):
    with app.app_context(), pytest.raises(MediaError):
        probe_audio(blob)


def test_real_audio_reports_its_duration(app, client, audio):
    url, _size = audio
    with app.app_context():
        probe = probe_audio(client.get(url, buffered=True).data)
        assert probe.mimetype == "audio/mp4"
        assert probe.duration_s > 1
