"""Content archives in the CMS: a site downloaded as a zip, a zip uploaded through the loader, and hostile zips refused."""

import copy
import html
import io
import stat
import struct
import tempfile
import warnings
import zipfile
import zlib
from functools import cache

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from guide.audit.models import AuditEvent
from guide.content import archive
from guide.content.archive import ArchiveError
from guide.content.archive import Limits
from guide.extensions import db
from guide.publishing.models import Revision
from guide.publishing.services import find_record
from guide.publishing.services import save
from tests.curator import csrf_token
from tests.curator import login
from tests.curator import make_user
from tests.test_content_roundtrip import wipe_database

MOSQUE = "hassan-ii-mosque"
EXPORT = "/curator/sites/casablanca/export.zip"
IMPORT = "/curator/import"


def admin(app, client):
    user = make_user(app, "admin", sites=())
    login(client, user)
    return user


def download(client, url: str = EXPORT):
    with client.get(url) as response:
        return response.status_code, response.headers, response.get_data()


def upload(client, data: bytes, name: str = "casablanca.zip", **options):
    """POST a zip to the import form with its CSRF token (multipart encoded here: werkzeug's test
    builder would spill a large body to a temporary file it never closes)."""
    fields = {"csrf_token": csrf_token(client, IMPORT),
              "archive": FileStorage(io.BytesIO(data), filename=name, content_type="application/zip"),
              **{key: "y" for key, value in options.items() if value}}
    boundary, body = encode_multipart(fields)
    return client.post(IMPORT, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def counts(app) -> tuple[int, int]:
    """Revisions and successful imports: what an import writes."""
    with app.app_context():
        revisions = db.session.scalar(select(func.count()).select_from(Revision))
        imports = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "content.import", AuditEvent.outcome == "ok"))
        return revisions, imports


def translated(app, lang: str, message: str, **values) -> str:
    with app.test_request_context(), force_locale(lang):
        text = gettext(message, **values)
    assert text != message % values if values else text != message, f"{message!r} is not translated to {lang}"
    return text


def rezip(data: bytes, change=None, extra=()) -> bytes:
    """Copy a zip, changing members' bytes (name -> bytes or None to drop) and adding more."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if change and info.filename in change:
                body = change[info.filename]
                if body is None:
                    continue
            target.writestr(info, body)
        for name, body in extra:
            target.writestr(name, body)
    return out.getvalue()


def make_zip(entries, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": that is the point
        with zipfile.ZipFile(out, "w", compression) as zipped:
            for entry in entries:
                if isinstance(entry, zipfile.ZipInfo):
                    zipped.writestr(entry, b"x")
                else:
                    zipped.writestr(*entry)
    return out.getvalue()


# Field offsets in a central directory header and in the local header it points to.
CENTRAL_TO_LOCAL = {8: 6, 10: 8}


def patch_central(data: bytes, name: bytes, offset: int, fmt: str, value) -> bytes:
    """Change a field (flags: 8, method: 10) of one entry's central directory header and of its local header."""
    data = bytearray(data)
    central = data.index(b"PK\x01\x02")
    while bytes(data[central + 46:central + 46 + struct.unpack_from("<H", data, central + 28)[0]]) != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into(fmt, data, central + offset, value)
    local = struct.unpack_from("<I", data, central + 42)[0]
    struct.pack_into(fmt, data, local + CENTRAL_TO_LOCAL[offset], value)
    return bytes(data)


def zeros_deflated(megabytes: int) -> bytes:
    """A raw deflate stream of megabytes MiB of zeros, built from one compressed MiB repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(1024 * 1024)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def raw_zip(name: str, deflated: bytes, size: int, crc: int = 0) -> bytes:
    """One deflated member written by hand, sizes as given (ZIP64 when they need it): a header may lie."""
    encoded = name.encode()
    big = size >= 0xFFFFFFFF or len(deflated) >= 0xFFFFFFFF
    extra = struct.pack("<HHQQ", 1, 16, size, len(deflated)) if big else b""
    sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(deflated), size)
    version = 45 if big else 20
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", version, 0, 8, 0, 0x21, crc, *sizes,
                        len(encoded), len(extra)) + encoded + extra
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", version, version, 0, 8, 0, 0x21, crc, *sizes,
                          len(encoded), len(extra), 0, 0, 0, 0o644 << 16, 0) + encoded + extra
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(deflated), 0)
    return local + deflated + central + end


@cache
def hostile_zips() -> dict[str, tuple[bytes, int, str]]:
    """Each hostile upload, the status it must get and the reason logged."""
    site = ("casablanca/site.toml", "slug = 'casablanca'\n")
    link = zipfile.ZipInfo("casablanca/link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    fifo = zipfile.ZipInfo("casablanca/fifo")
    fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
    accented = make_zip([site, ("casablanca/caf\u00e9.txt", b"x")])
    not_utf8_flagged = accented.replace("caf\u00e9".encode(), b"caf\xff\xfe")
    cp437 = patch_central(make_zip([site, ("casablanca/cafe.txt", b"x")]), b"casablanca/cafe.txt", 8, "<H", 0)
    cp437 = cp437.replace(b"cafe.txt", b"caf\x82.txt")
    encrypted = patch_central(make_zip([site]), b"casablanca/site.toml", 8, "<H", 0x1)
    unknown_method = patch_central(make_zip([site]), b"casablanca/site.toml", 10, "<H", 99)
    damaged = bytearray(make_zip([site, ("casablanca/big.txt", bytes(range(256)) * 400)]))
    middle = damaged.index(b"casablanca/big.txt") + 40
    damaged[middle:middle + 20] = bytes(20)
    return {
        "not a zip": (b"<!doctype html><script>alert(1)</script>" * 50, 400, "not-zip"),
        "empty file": (b"", 400, "not-zip"),
        "truncated": (make_zip([site, ("casablanca/a.txt", bytes(5000))])[:-30], 400, "not-zip"),
        "damaged member": (bytes(damaged), 400, "corrupt"),
        "too many files": (make_zip([(f"casablanca/{number}.txt", b"") for number in range(5001)]), 400, "too-many-files"),
        # A 10 MB zip declaring 10 GB: refused from the central directory, before unpacking anything.
        "10 GB bomb": (raw_zip("casablanca/zeros.bin", zeros_deflated(10 * 1024), 10 * 1024**3), 400, "ratio"),
        # 1.1 GB declared at an ordinary ratio: over the unpacked limit, refused before unpacking.
        "over 1 GB unpacked": (raw_zip("casablanca/big.bin", bytes(12 * 1024**2), 1100 * 1024**2), 400, "unpacked-size"),
        # 600 MB (under the 1 GB limit) from 600 kB: refused for its ratio.
        "ratio bomb": (raw_zip("casablanca/zeros.bin", zeros_deflated(600), 600 * 1024**2), 400, "ratio"),
        # Declares 1 kB, unpacks to 50 MB: reading stops at the declared size and the archive is refused.
        "lying header": (raw_zip("casablanca/zeros.bin", zeros_deflated(50), 1024), 400, "corrupt"),
        "parent path": (make_zip([site, ("../escape.txt", b"x")]), 400, "path"),
        "nested parent": (make_zip([site, ("casablanca/../../escape.txt", b"x")]), 400, "path"),
        "absolute path": (make_zip([site, ("/tmp/escape.txt", b"x")]), 400, "path"),
        "drive letter": (make_zip([site, ("C:/escape.txt", b"x")]), 400, "path"),
        "backslashes": (make_zip([site, ("casablanca\\..\\..\\escape.txt", b"x")]), 400, "path"),
        "bidi control": (make_zip([site, ("casablanca/a\u202egpj.exe", b"x")]), 400, "path"),
        "symlink": (make_zip([site, link]), 400, "link"),
        "fifo": (make_zip([site, fifo]), 400, "link"),
        "duplicate": (make_zip([site, site]), 400, "duplicate"),
        "duplicate by case": (make_zip([site, ("Casablanca/site.toml", b"x")]), 400, "duplicate"),
        "file and folder": (make_zip([site, ("casablanca/images", b"x"), ("casablanca/images/a.webp", b"x")]), 400, "duplicate"),
        "invalid UTF-8 name": (not_utf8_flagged, 400, "names"),
        "cp437 name": (cp437, 400, "names"),
        "encrypted": (encrypted, 400, "encrypted"),
        "unknown compression": (unknown_method, 400, "method"),
    }


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A temporary folder of our own for the import's unpacking: it must be empty after every request."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# Export


def test_admin_downloads_a_site_as_the_export_content_files(app, client, runner, tmp_path):
    admin(app, client)
    status, headers, data = download(client)
    assert status == 200
    assert headers["Content-Type"] == "application/zip"
    assert headers["Content-Disposition"].startswith("attachment; filename=dalil-casablanca-")
    assert headers["Content-Disposition"].endswith(".zip")
    assert headers["Cache-Control"] == "no-store"
    assert int(headers["Content-Length"]) == len(data)
    assert runner.invoke(args=["export-content", str(tmp_path), "--site", "casablanca"]).exit_code == 0
    expected = {path.relative_to(tmp_path).as_posix(): path.read_bytes()
                for path in sorted(tmp_path.rglob("*")) if path.is_file()}
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert {name: zipped.read(name) for name in zipped.namelist()} == expected
        assert "casablanca/codes.toml" in zipped.namelist()
    # The same content gives the same bytes.
    assert download(client)[2] == data
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.export"))
        assert event.target == "site:casablanca"
        assert event.detail["files"] == len(expected)


def test_export_of_an_unknown_or_unpublished_site(app, client):
    admin(app, client)
    assert download(client, "/curator/sites/atlantis/export.zip")[0] == 404
    with app.app_context():
        find_record("site", "fes").live = False
        db.session.commit()
    client.set_cookie("dalil_lang", "fr")
    status, _headers, body = download(client, "/curator/sites/fes/export.zip")
    assert status == 409
    assert "fes" in body.decode()


# Import


def test_round_trip_into_the_same_database_changes_nothing(app, client, scratch):
    admin(app, client)
    data = download(client)[2]
    before = counts(app)
    response = upload(client, data)
    assert response.status_code == 303, html.unescape(response.get_data(as_text=True))
    assert counts(app) == (before[0], before[1] + 1)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "hassan-ii-mosque" in page.get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.import"))
        assert event.detail["created"] == []
        assert event.detail["updated"] == []
        assert f"monument {MOSQUE}" in event.detail["unchanged"]
    assert download(client)[2] == data
    assert list(scratch.iterdir()) == []


def test_round_trip_into_an_empty_database_gives_identical_bytes(app, client, scratch):
    admin(app, client)
    data = download(client)[2]
    with app.app_context():
        wipe_database()
    user = admin(app, client)
    assert upload(client, data).status_code == 303
    assert download(client)[2] == data
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.import"))
        assert "site casablanca" in event.detail["created"]
        assert f"monument {MOSQUE}" in event.detail["created"]
        head = db.session.get(Revision, find_record("monument", MOSQUE).head_revision_id)
        # Who imported it shows in the record's history.
        assert head.author == f"import {user.email}/casablanca/{MOSQUE}/monument.toml"
    assert client.get(f"/fr/monuments/{MOSQUE}").status_code == 200


def test_a_zipped_folder_of_sites_is_read_from_inside_it(app, client, scratch):
    admin(app, client)
    data = download(client)[2]
    wrapped = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(wrapped, "w") as target:
        target.writestr("export/", b"")
        for info in source.infolist():
            target.writestr(f"export/{info.filename}", source.read(info))
        target.writestr("__MACOSX/export/._site.toml", b"\x00")
    assert upload(client, wrapped.getvalue()).status_code == 303


def edit_in_the_cms(app):
    with app.app_context():
        head = db.session.get(Revision, find_record("monument", MOSQUE).head_revision_id)
        draft = copy.deepcopy(head.data)
        draft["text"]["fr"]["summary"] = "Modifié dans le CMS."
        save("monument", MOSQUE, draft, head.id, "editor@dalil.example")
        db.session.commit()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_record_changed_since_its_import_is_a_conflict_and_nothing_is_written(app, client, scratch, lang):
    admin(app, client)
    data = download(client)[2]
    edit_in_the_cms(app)
    # The file differs from what was imported, and the database changed since: both sides moved.
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        text = zipped.read(f"casablanca/{MOSQUE}/monument.toml").decode()
    changed = rezip(data, {f"casablanca/{MOSQUE}/monument.toml": text.replace("Mosquée", "La mosquée", 1).encode()})
    before = counts(app)
    client.set_cookie("dalil_lang", lang)
    response = upload(client, changed)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert f'dir="{"rtl" if lang == "ar" else "ltr"}"' in page
    assert translated(app, lang, "Some records cannot be imported") in page
    # The path stands apart from the reason, whatever the language's colon spacing.
    assert f'<code dir="ltr">casablanca/{MOSQUE}/monument.toml</code>' in page
    assert str(scratch) not in page
    assert "/tmp" not in page
    assert counts(app) == before
    with app.app_context():
        refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.import",
                                                             AuditEvent.outcome == "refused"))
        assert refused.detail["reason"] == "conflict"
    assert list(scratch.iterdir()) == []
    # Ticked, the archive's version wins; the CMS version stays in the history.
    response = upload(client, changed, overwrite=True)
    assert response.status_code == 303
    assert counts(app)[0] > before[0]


def test_an_invalid_file_in_the_archive_is_listed_and_nothing_is_written(app, client, scratch):
    admin(app, client)
    data = download(client)[2]
    broken = rezip(data, {f"casablanca/{MOSQUE}/monument.toml": b"slug = [unclosed"})
    before = counts(app)
    response = upload(client, broken)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert f'<code dir="ltr">casablanca/{MOSQUE}/monument.toml</code>' in page
    assert "TOML" in page
    assert counts(app) == before
    assert list(scratch.iterdir()) == []


def test_a_zip_without_any_site_says_so(app, client, scratch):
    admin(app, client)
    response = upload(client, make_zip([("notes/readme.txt", b"hello")]))
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "no <site>/site.toml found" in page
    assert str(scratch) not in page
    assert list(scratch.iterdir()) == []


def test_media_files_are_checked_as_load_content_checks_them(app, client, scratch):
    admin(app, client)
    data = download(client)[2]
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        image = next(name for name in zipped.namelist() if name.startswith(f"casablanca/{MOSQUE}/images/"))
    response = upload(client, rezip(data, {image: b"<html><script>alert(1)</script></html>"}))
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert f"casablanca/{MOSQUE}/monument.toml" in page
    assert image.split("/", 2)[2] in page
    assert "<script>alert" not in page
    assert list(scratch.iterdir()) == []


def test_import_as_drafts_leaves_the_public_page_alone(app, client, scratch):
    admin(app, client)
    data = download(client)[2]
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        text = zipped.read(f"casablanca/{MOSQUE}/monument.toml").decode()
    changed = rezip(data, {f"casablanca/{MOSQUE}/monument.toml": text.replace("Mosquée", "La mosquée", 1).encode()})
    public = client.get(f"/fr/monuments/{MOSQUE}").get_data()
    response = upload(client, changed, draft=True)
    assert response.status_code == 303
    with app.app_context():
        record = find_record("monument", MOSQUE)
        assert record.head_revision_id != record.published_revision_id
    assert client.get(f"/fr/monuments/{MOSQUE}").get_data() == public


@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize("case", list(hostile_zips()))
def test_hostile_zip_is_a_translated_400_and_nothing_is_written(app, client, scratch, case, lang):
    data, status, reason = hostile_zips()[case]
    admin(app, client)
    before = counts(app)
    client.set_cookie("dalil_lang", lang)
    response = upload(client, data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == status, (case, page[-2000:])
    assert f'lang="{lang}"' in page
    assert translated(app, lang, "The archive was refused") in page
    assert translated(app, lang, "Nothing was imported.") in page
    assert counts(app) == before
    assert list(scratch.iterdir()) == []
    assert not (scratch.parent / "escape.txt").exists()
    with app.app_context():
        refusal = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.import"))
        assert refusal.outcome == "refused"
        assert refusal.detail["reason"] == reason


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_an_upload_over_the_size_limit_is_a_translated_413(app, client, scratch, lang):
    admin(app, client)
    app.config["MAX_IMPORT_MB"] = 1
    client.set_cookie("dalil_lang", lang)
    before = counts(app)
    response = upload(client, bytes(1536 * 1024))
    assert response.status_code == 413
    page = html.unescape(response.get_data(as_text=True))
    assert translated(app, lang, "The archive is larger than %(size)d MB.", size=1) in page
    assert counts(app) == before


def test_the_default_upload_limit_is_above_the_app_wide_one(app, client, scratch):
    """An upload over the 64 MB body limit of other pages reaches the archive's own checks."""
    admin(app, client)
    assert app.config["MAX_IMPORT_MB"] * 1024 * 1024 > app.config["MAX_CONTENT_LENGTH"]
    client.set_cookie("dalil_lang", "fr")
    response = upload(client, bytes(app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024))
    assert response.status_code == 400
    assert translated(app, "fr", "This file is not a readable zip archive.") in html.unescape(response.get_data(as_text=True))


def test_utf8_names_without_the_utf8_flag_are_read_as_utf8(tmp_path):
    name = "casablanca/\u0645\u0633\u062c\u062f.txt"
    data = patch_central(make_zip([(name, b"x")]), name.encode(), 8, "<H", 0)
    limits = Limits(max_files=10, max_unpacked=1024, max_ratio=100)
    files, size = archive.unpack(io.BytesIO(data), tmp_path, limits)
    assert (files, size) == (1, 1)
    assert (tmp_path / name).read_bytes() == b"x"


def test_extraction_stops_a_member_that_unpacks_to_more_than_it_declares(tmp_path, monkeypatch):
    """Whatever zipfile does with a lying size, the copy counts bytes itself."""
    data = make_zip([("casablanca/a.txt", b"x" * 10)])
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, info, *args, **kwargs: io.BytesIO(bytes(10_000)))
    with pytest.raises(ArchiveError) as error:
        archive.unpack(io.BytesIO(data), tmp_path, Limits(max_files=10, max_unpacked=2**20, max_ratio=100))
    assert error.value.reason == "lying-size"


# Who may


@pytest.mark.parametrize(("role", "languages"), [("editor", ()), ("translator", ("ar",))])
def test_editors_and_translators_may_neither_export_nor_import(app, client, scratch, role, languages):
    login(client, make_user(app, role, sites=("casablanca",), languages=languages))
    assert download(client)[0] == 403
    assert client.get(IMPORT).status_code == 403
    before = counts(app)
    fields = {"csrf_token": csrf_token(client),
              "archive": FileStorage(io.BytesIO(b"PK"), filename="x.zip", content_type="application/zip")}
    boundary, body = encode_multipart(fields)
    response = client.post(IMPORT, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 403
    assert counts(app) == before
    home = client.get("/curator/").get_data(as_text=True)
    assert IMPORT not in home
    assert "export.zip" not in home
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "refused.import")) == 3


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(EXPORT).status_code == 302
    assert client.get(IMPORT).status_code == 302


def test_admin_sees_the_menu_entry_and_the_download_link(app, client):
    admin(app, client)
    home = client.get("/curator/").get_data(as_text=True)
    assert f'href="{IMPORT}"' in home
    assert f'href="{EXPORT}"' in home


def test_get_changes_nothing_and_other_methods_are_405(app, client):
    admin(app, client)
    before = counts(app)
    page = client.get(IMPORT + "?overwrite=y&draft=y")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    assert counts(app) == before
    assert client.post(EXPORT, data={"csrf_token": csrf_token(client)}).status_code == 405
    assert client.delete(IMPORT).status_code == 405
    assert client.put(IMPORT).status_code == 405


def test_an_upload_without_csrf_token_is_refused(app, client, scratch):
    admin(app, client)
    data = download(client)[2]
    boundary, body = encode_multipart({"archive": FileStorage(io.BytesIO(data), filename="c.zip")})
    before = counts(app)
    response = client.post(IMPORT, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert counts(app) == before


def test_a_form_without_a_file_is_a_400_with_the_field_error(app, client):
    admin(app, client)
    response = client.post(IMPORT, data={"csrf_token": csrf_token(client, IMPORT)})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html.unescape(response.get_data(as_text=True))


# In a browser

SHOTS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1024, "height": 768}}


def look(page, path) -> None:
    """No sideways scrolling; keep a full-page picture."""
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), path.name
    page.screenshot(path=str(path), full_page=True)


def submit_in_browser(app, page, url: str, lang: str, path, status: int) -> None:
    """Choose a zip by its label, press the button, and check the answer's status."""
    page.goto(url)
    page.get_by_label(translated(app, lang, "Zip archive in the content format")).set_input_files(str(path))
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name=translated(app, lang, "Check and import")).click()
    assert answer.value.status == status
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.parametrize("app", [{"PUBLIC_BASE_URL": "http://127.0.0.1:8000"}], indirect=True)
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_import_pages_fit_a_phone_and_a_tablet(app, client, live_server, browser, lang, tmp_path):
    """The form, a refusal, a summary and a conflict, with no sideways scrolling; the file input is
    found by its label. DALIL_SCREENSHOTS=folder keeps the pictures."""
    import os
    from pathlib import Path

    from tests.browser import close
    from tests.browser import page_context

    folder = Path(os.environ.get("DALIL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    admin(app, client)
    data = download(client)[2]
    files = {"casablanca": data, "hostile": hostile_zips()["parent path"][0]}
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        text = zipped.read(f"casablanca/{MOSQUE}/monument.toml").decode()
    files["conflict"] = rezip(data, {f"casablanca/{MOSQUE}/monument.toml": text.replace("Mosquée", "La mosquée", 1).encode()})
    for name, body in files.items():
        (tmp_path / f"{name}.zip").write_bytes(body)
    session = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    url = live_server.url + IMPORT
    for size, viewport in SHOTS.items():
        context = page_context(browser, viewport=viewport)
        context.add_cookies([{"name": session.key, "value": session.value, "url": live_server.url},
                             {"name": "dalil_lang", "value": lang, "url": live_server.url}])
        page = context.new_page()
        page.goto(url)
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        look(page, folder / f"import-form-{lang}-{size}.png")
        submit_in_browser(app, page, url, lang, tmp_path / "hostile.zip", 400)
        look(page, folder / f"import-refused-{lang}-{size}.png")
        submit_in_browser(app, page, url, lang, tmp_path / "casablanca.zip", 303)
        assert page.url.startswith(url + "/")
        look(page, folder / f"import-result-{lang}-{size}.png")
        if size == "phone":
            edit_in_the_cms(app)
        submit_in_browser(app, page, url, lang, tmp_path / "conflict.zip", 409)
        look(page, folder / f"import-conflict-{lang}-{size}.png")
        close(context)
