"""CMS uploads: who may upload, what is refused (translated, as JSON), what is stored, and how it is used."""

import hashlib
import io
import re

import av
import mutagen
import pytest
from PIL import Image as PILImage
from sqlalchemy import func
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.extensions import db
from guide.media.models import MediaFile
from guide.media.models import MediaVariant
from guide.media.services import media_path
from guide.monuments.models import Monument
from guide.publishing.models import Revision
from guide.publishing.services import publish
from guide.publishing.services import save
from tests.curator import csrf_token
from tests.curator import login
from tests.curator import make_user
from tests.test_media_pipeline import METADATA_MARKERS
from tests.test_media_pipeline import image_bytes
from tests.test_media_pipeline import jpeg_with_metadata
from tests.test_media_pipeline import png_header_only
from tests.test_media_pipeline import polyglot_png
from tests.test_media_pipeline import wav
from tests.test_media_pipeline import wav_header

MONUMENT = "hassan-ii-mosque"
URL = f"/curator/monuments/{MONUMENT}/media"
JSON = {"Accept": "application/json"}


def send(client, data: bytes, kind: str = "image", filename: str = "photo.jpg", url: str = URL,
         headers=None, lang: str | None = None):
    """Upload as curator-media.js does: multipart, the CSRF token in a header, asking for JSON."""
    token = csrf_token(client)
    if lang:
        client.set_cookie("dalil_lang", lang)
    return client.post(url, data={"kind": kind, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data",
                       headers={"X-CSRFToken": token, **JSON, **(headers or {})})


@pytest.fixture
def editor(app, client):
    user = make_user(app, "editor", sites=("casablanca",))
    login(client, user)
    return user


def media_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MediaFile))


def stored_bytes(app, path: str) -> bytes:
    sha256, extension = re.fullmatch(r"media/([0-9a-f]{64})\.(\w+)", path).groups()
    with app.app_context():
        return media_path(sha256, extension).read_bytes()


def test_an_editor_uploads_a_photo_stored_under_its_hash_with_variants(app, client, editor):
    response = send(client, image_bytes("JPEG", size=(1000, 700)), filename="../../etc/passwd.jpg")
    assert response.status_code == 201
    body = response.get_json()
    data = stored_bytes(app, body["path"])
    assert body["path"] == f"media/{body['sha256']}.jpg"
    assert hashlib.sha256(data).hexdigest() == body["sha256"]
    assert body["url"] == f"/media/{body['sha256']}.jpg"
    assert (body["width"], body["height"], body["duration_s"]) == (1000, 700, None)
    assert body["name"] == "passwd.jpg"
    assert sorted((variant["width"], variant["format"]) for variant in body["variants"]) == [
        (480, "jpg"), (480, "webp"), (960, "jpg"), (960, "webp")]
    with app.app_context():
        rows = db.session.scalars(select(MediaVariant).where(MediaVariant.source_sha256 == body["sha256"])).all()
        assert len(rows) == 4
        for row in rows:
            assert media_path(row.media.sha256, row.media.extension).is_file()
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "media.upload")).one()
        assert (event.actor, event.target, event.outcome) == (editor.email, f"monument:{MONUMENT}", "ok")
    for variant in body["variants"]:
        served = client.get(variant["url"], buffered=True)
        assert served.status_code == 200
        assert served.mimetype == ("image/webp" if variant["format"] == "webp" else "image/jpeg")


def test_the_same_photo_twice_is_stored_once(app, client, editor):
    photo = image_bytes("PNG", size=(700, 500))
    first = send(client, photo).get_json()
    count = media_count(app)
    again = send(client, photo).get_json()
    assert again["path"] == first["path"]
    assert again["variants"] == first["variants"]
    assert media_count(app) == count


def test_gps_exif_comments_are_not_stored_and_the_photo_is_upright(app, client, editor):
    response = send(client, jpeg_with_metadata(size=(900, 600)), filename="IMG_0001.JPG")
    assert response.status_code == 201
    body = response.get_json()
    data = stored_bytes(app, body["path"])
    for marker in METADATA_MARKERS:
        assert marker not in data
    with PILImage.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()
        assert stored.size == (600, 900)
    for variant in body["variants"]:
        variant_bytes = client.get(variant["url"], buffered=True).data
        assert b"Exif" not in variant_bytes
        assert b"secret" not in variant_bytes
        with PILImage.open(io.BytesIO(variant_bytes)) as opened:
            assert opened.height > opened.width


@pytest.mark.parametrize(
    ("blob", "filename"),
    [
        (png_header_only(20_000, 10_000), "bomb.png"),
        (png_header_only(10_000, 10_000), "huge.png"),
        (image_bytes("JPEG", size=(400, 300))[:300], "truncated.jpg"),
        (image_bytes("TIFF"), "tiff.jpg"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n", "eps.jpg"),
        (image_bytes("GIF"), "anim.gif"),
        (b"<html><body><script>alert(1)</script></body></html>", "page.jpg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script.svg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', "onload.svg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body xmlns="http://www.w3.org/1999/xhtml">'
         b"<script>alert(1)</script></body></foreignObject></svg>", "foreign.svg"),
    ],
    ids=["bomb-200mp", "100mp", "truncated-jpeg", "tiff-as-jpg", "eps-as-jpg", "gif", "html-as-jpg", "svg-script",
         "svg-onload", "svg-foreignobject"],
)
def test_images_that_are_not_what_they_claim_are_refused_with_a_reason(app, client, editor, blob, filename):
    before = media_count(app)
    response = send(client, blob, filename=filename)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid"
    assert body["message"]
    assert media_count(app) == before


def test_a_refusal_is_translated(client, editor):
    png = png_header_only(20_000, 10_000)
    reasons = {lang: send(client, png, lang=lang).get_json()["message"] for lang in ("fr", "ar")}
    assert reasons["fr"] == "L’image comporte trop de pixels."
    assert reasons["ar"] != reasons["fr"]
    assert re.search("[\u0600-\u06ff]", reasons["ar"])


def test_a_polyglot_is_stored_without_its_html(app, client, editor):
    response = send(client, polyglot_png(), filename="innocent.png")
    assert response.status_code == 201
    body = response.get_json()
    assert b"<script" not in stored_bytes(app, body["path"]).lower()
    for variant in body["variants"]:
        assert b"<script" not in client.get(variant["url"], buffered=True).data.lower()


@pytest.mark.parametrize(
    ("filename", "shown"),
    [("../x.jpg", "x.jpg"), ("CON.jpg", "CON.jpg"), ("مسجد.jpg", "مسجد.jpg"),
     ("a\u202egpj.exe", "agpj.exe"), ("a\x00b\u2066.jpg", "ab.jpg"), ("photos/2024/x.jpg", "x.jpg")],
)
def test_files_are_stored_under_their_hash_and_named_safely(app, client, editor, filename, shown):
    response = send(client, image_bytes("PNG", size=(60, 40)), filename=filename)
    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"media/[0-9a-f]{64}\.jpg", body["path"])
    assert body["name"] == shown


# Test bodies stay under 500 kB: above it Werkzeug's test client spools them to a file it never closes.
@pytest.mark.parametrize("app", [{"MAX_IMAGE_UPLOAD_MB": 0.25}], indirect=True)
def test_an_image_over_the_limit_is_413_with_a_reason(app, client, editor):
    before = media_count(app)
    response = send(client, b"\xff\xd8" + b"\x00" * (256 * 1024), lang="fr")
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"
    assert response.get_json()["message"] == "L’image dépasse 0.25 Mo."
    assert media_count(app) == before


@pytest.mark.parametrize("app", [{"MAX_CONTENT_LENGTH": 64 * 1024}], indirect=True)
def test_a_body_over_the_upload_limit_is_413_json_or_a_page(client, editor):
    large = wav(3)
    assert len(large) > 64 * 1024
    response = send(client, large, kind="audio", filename="long.wav", lang="fr")
    assert response.status_code == 413
    assert response.get_json()["message"] == "Le fichier ou le formulaire est trop volumineux."
    page = client.post(URL, data={"kind": "audio", "file": (io.BytesIO(large), "long.wav")},
                       content_type="multipart/form-data", headers={"Accept": "text/html"})
    assert page.status_code == 413
    assert page.mimetype == "text/html"
    assert "trop volumineux" in page.get_data(as_text=True)


def test_a_translator_may_not_upload(app, client):
    login(client, make_user(app, "translator", sites=("casablanca",), languages=("ar",)))
    before = media_count(app)
    response = send(client, image_bytes("PNG"))
    assert response.status_code == 403
    assert response.get_json()["message"]
    assert media_count(app) == before
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "refused.media")).one()
        assert (event.target, event.outcome) == (f"monument:{MONUMENT}", "refused")


def test_an_editor_of_another_site_may_not_upload(app, client):
    login(client, make_user(app, "editor", sites=("fes",)))
    assert send(client, image_bytes("PNG")).status_code == 403
    assert client.get(URL).status_code == 403


def test_an_unknown_monument_is_404(client, editor):
    assert send(client, image_bytes("PNG"), url="/curator/monuments/no-such-place/media").status_code == 404


def test_signed_out_uploads_are_refused(client):
    response = client.post(URL, data={"kind": "image", "file": (io.BytesIO(image_bytes("PNG")), "a.png")},
                           content_type="multipart/form-data")
    assert response.status_code in (302, 400)


def test_an_upload_without_csrf_token_is_400(client, editor):
    response = client.post(URL, data={"kind": "image", "file": (io.BytesIO(image_bytes("PNG")), "a.png")},
                           content_type="multipart/form-data", headers=JSON)
    assert response.status_code == 400


def test_a_state_change_by_get_is_not_an_upload(client, editor):
    assert client.get(URL, headers=JSON).status_code == 200
    assert client.put(URL, headers=JSON).status_code == 405


@pytest.mark.parametrize(("data", "kind", "error"), [
    (b"", "image", "empty"), (b"x", "video", "kind"), (None, "image", "no_file")])
def test_missing_or_odd_fields_are_400(client, editor, data, kind, error):
    token = csrf_token(client)
    form = {"kind": kind}
    if data is not None:
        form["file"] = (io.BytesIO(data), "a.png")
    response = client.post(URL, data=form, content_type="multipart/form-data",
                           headers={"X-CSRFToken": token, **JSON})
    assert response.status_code == 400
    assert response.get_json()["error"] == error


def test_an_untagged_wav_is_transcoded_to_mono_aac(app, client, editor):
    response = send(client, wav(5, rate=22050, channels=2), kind="audio", filename="voix.wav")
    assert response.status_code == 201
    body = response.get_json()
    assert body["path"] == f"media/{body['sha256']}.m4a"
    assert body["duration_s"] == pytest.approx(5, abs=0.1)
    assert body["variants"] == []
    data = stored_bytes(app, body["path"])
    info = mutagen.File(io.BytesIO(data)).info
    assert info.channels == 1
    assert 32_000 <= info.bitrate <= 48_000
    with av.open(io.BytesIO(data)) as container:
        assert container.streams.audio[0].codec_context.name == "aac"
    with app.app_context():
        media = db.session.get(MediaFile, body["sha256"])
        assert (media.mimetype, media.extension) == ("audio/mp4", "m4a")
        assert media.duration_s == body["duration_s"]
    # Row 27: served with its detected type, a media CSP, and byte ranges.
    served = client.get(body["url"], buffered=True, headers={"Range": "bytes=0-99"})
    assert served.status_code == 206
    assert served.mimetype == "audio/mp4"
    assert served.headers["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert served.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert served.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("blob", "filename"), [
    (b"<html><script>alert(1)</script></html>" * 10, "song.mp3"), (wav_header(0), "silence.wav"),
    (wav_header(3 * 3600), "three-hours.wav")], ids=["html-as-mp3", "zero-seconds", "three-hours"])
def test_recordings_that_are_not_acceptable_are_400(app, client, editor, blob, filename):
    before = media_count(app)
    response = send(client, blob, kind="audio", filename=filename)
    assert response.status_code == 400
    assert response.get_json()["message"]
    assert media_count(app) == before


def test_an_uploaded_image_is_served_as_what_it_is(client, editor):
    body = send(client, image_bytes("PNG", size=(100, 80)), filename="fake.gif").get_json()
    served = client.get(body["url"], buffered=True)
    assert served.mimetype == "image/jpeg"
    assert served.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(body["url"], buffered=True, headers={"Range": "bytes=0-9"}).status_code == 206


def test_uploading_changes_no_record_until_the_editor_saves_the_path(app, client, editor):
    with app.app_context():
        head = db.session.scalar(select(Monument.head_revision_id).where(Monument.slug == MONUMENT))
    before = client.get(f"/fr/monuments/{MONUMENT}").get_data(as_text=True)
    body = send(client, image_bytes("JPEG", size=(1200, 900), color="olive")).get_json()
    with app.app_context():
        monument = db.session.scalar(select(Monument).where(Monument.slug == MONUMENT))
        assert monument.head_revision_id == head
        assert body["url"] not in client.get(f"/fr/monuments/{MONUMENT}").get_data(as_text=True)
        assert before == client.get(f"/fr/monuments/{MONUMENT}").get_data(as_text=True)
        # What the editor does with the returned path: the record names it, media maps it to the hash.
        document = dict(db.session.get(Revision, head).data)
        document["cover"] = {**document["cover"], "file": body["path"]}
        document["media"] = {**document["media"], body["path"]: body["sha256"]}
        save("monument", MONUMENT, document, head, editor.email)
        publish("monument", MONUMENT, author=editor.email)
        db.session.commit()
    page = client.get(f"/fr/monuments/{MONUMENT}").get_data(as_text=True)
    webp = [variant for variant in body["variants"] if variant["format"] == "webp"]
    assert f'srcset="{webp[0]["url"]} 480w, {webp[1]["url"]} 960w"' in page
    assert '<source type="image/webp"' in page
    pack = client.get("/api/v1/packs/casablanca").get_json()
    urls = {entry["url"] for entry in pack["files"]}
    assert {variant["url"] for variant in webp} <= urls
    # The phone fetches WebP copies only: the JPEG copies and the 1200 px master stay online.
    assert body["url"] not in urls


def test_the_library_page_draws_the_upload_fields(client, editor):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert page.count("data-media-field") == 2
    assert 'type="file"' in page
    assert re.search(r'<label for="media-image-file">', page)
    assert 'aria-live="polite"' in page
    assert '<input type="hidden" name="image" value=""' in page
    assert "curator-media.js" in page
    assert "<script>" not in page
    assert "style=" not in page


def _browser_session(app, client, user) -> dict:
    """The signed session cookie of a curator signed in on client, for a browser context."""
    token = login(client, user)
    with app.test_request_context():
        value = app.session_interface.get_signing_serializer(app).dumps(
            {"curator_token": token, "_user_id": token, "_permanent": True})
    return {"name": app.config["SESSION_COOKIE_NAME"], "value": value}


@pytest.mark.browser
@pytest.mark.parametrize("app", [{"SECURE_COOKIES": False}], indirect=True)
def test_a_curator_uploads_a_photo_and_a_recording_in_the_browser(app, client, live_server, browser, tmp_path):
    cookie = _browser_session(app, client, make_user(app, "editor", sites=("casablanca",)))
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(jpeg_with_metadata(size=(1100, 800)))
    recording = tmp_path / "voix.wav"
    recording.write_bytes(wav(2))
    page_html = tmp_path / "page.jpg"
    page_html.write_bytes(b"<html><script>alert(1)</script></html>")
    context = browser.new_context(locale="fr-FR", viewport={"width": 768, "height": 1024})
    context.add_cookies([{**cookie, "url": live_server.url}, {"name": "dalil_lang", "value": "fr", "url": live_server.url}])
    errors = []
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}{URL}")
    image_field = page.locator("[data-media-field][data-kind=image]")
    page.get_by_label("Photo", exact=True).set_input_files(str(page_html))
    status = image_field.locator("[data-media-status]")
    status.filter(has_text="WebP").wait_for()
    assert status.get_attribute("data-state") == "error"
    assert image_field.locator("[data-media-path]").input_value() == ""
    page.get_by_label("Photo", exact=True).set_input_files(str(photo))
    image_field.locator("[data-media-status][data-state=done]").wait_for()
    path = image_field.locator("[data-media-path]").input_value()
    assert re.fullmatch(r"media/[0-9a-f]{64}\.jpg", path)
    image_field.locator(".media-preview img").wait_for()
    assert page.evaluate("() => document.querySelector('.media-preview img').naturalWidth") == 480
    audio_field = page.locator("[data-media-field][data-kind=audio]")
    page.get_by_label("Enregistrement", exact=True).set_input_files(str(recording))
    audio_field.locator("[data-media-status][data-state=done]").wait_for(timeout=20000)
    assert audio_field.locator("[data-media-path]").input_value().endswith(".m4a")
    audio_field.locator(".media-preview audio").wait_for(state="attached")
    assert not [error for error in errors if "Content Security Policy" in error]
    context.close()
