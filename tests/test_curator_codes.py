"""The codes pages of the CMS: list, create, retarget, retire, and plaque downloads."""

import subprocess
from datetime import date
from urllib.parse import unquote

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.codes.models import Code
from guide.codes.models import ScanCount
from guide.extensions import db
from guide.monuments.models import Monument
from guide.publishing.models import Revision
from guide.sites.models import Site
from tests.curator import csrf_token
from tests.curator import login
from tests.curator import make_user
from tests.curator import post

MOSQUE_CODE = "H3J4Y"


NO_TARGET = "Choose a monument or a stop of this site."
OTHER_SITE = "A code cannot move to a monument of another site."
NUMBER_TAKEN = "The number %(number)d is already printed on another plaque of this site."
BAD_NUMBER = "A keypad number is a whole number from 1 to %(max)d."
CONFIRM = "Tick the box to confirm that this plaque is taken out of service."


def translated(app, message: str, lang: str) -> str:
    """The catalog's translation of the start of a message (placeholders cut off), checked to exist."""
    with app.test_request_context(), force_locale(lang):
        text = gettext(message)
    assert text != message or lang == "en", f"no {lang} translation of {message!r}"
    return text.split("%(")[0]


def _snapshot(app) -> dict:
    """Everything a code change could touch: codes with their targets, and code revisions."""
    with app.app_context():
        codes = {code.code: (code.monument_id, code.stop_id, code.retired_dt is not None, code.number)
                 for code in db.session.scalars(select(Code))}
        revisions = db.session.scalar(select(func.count()).select_from(Revision).where(Revision.kind == "code"))
        return {"codes": codes, "revisions": revisions}


def _signed_in(app, client, role="editor", sites=("casablanca",), **kwargs):
    user = make_user(app, role, sites=sites, **kwargs)
    login(client, user)
    return user


def _add_fes_monument(app) -> None:
    with app.app_context():
        fes = db.session.scalar(select(Site).where(Site.slug == "fes"))
        db.session.add(Monument(site=fes, slug="bou-inania"))
        db.session.commit()


def test_codes_page_lists_every_code_with_its_target_state_and_scans(app, client):
    with app.app_context():
        retired = db.session.scalar(select(Code).where(Code.code != MOSQUE_CODE).order_by(Code.number))
        retired.retired_dt = db.func.now()
        db.session.add(ScanCount(code=MOSQUE_CODE, day=date(2025, 3, 1), lang="ar",
                                 channel="camera", count=1234))
        db.session.commit()
        retired_code = retired.code
        count = db.session.scalar(select(func.count()).select_from(Code).join(Site).where(Site.slug == "casablanca"))
    _signed_in(app, client, "translator", languages=("ar",))
    client.set_cookie("dalil_lang", "fr")
    page = client.get("/curator/sites/casablanca/codes")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert html.count('<tr') - 1 == count
    assert MOSQUE_CODE in html
    assert retired_code in html
    assert "Mosquée Hassan II" in html
    assert "1\u202f234" in html or "1 234" in html or "1\xa0234" in html
    assert translated(app, "Retired", "fr") in html
    # A translator sees the list and the downloads, not the forms that change codes.
    assert "/codes/create" not in html
    assert f"/curator/codes/{MOSQUE_CODE}/plaque.pdf" in html
    # The site's card on the CMS home links here.
    assert "/curator/sites/casablanca/codes" in client.get("/curator/").get_data(as_text=True)


def test_unknown_site_is_404_and_other_sites_are_403(app, client):
    _signed_in(app, client, "editor", sites=("fes",))
    assert client.get("/curator/sites/atlantis/codes").status_code == 404
    assert client.get("/curator/sites/casablanca/codes").status_code == 403
    assert client.get(f"/curator/codes/{MOSQUE_CODE}").status_code == 403
    assert client.get("/curator/codes/ZZZZZ").status_code == 404
    assert client.get("/curator/sites/fes/codes").status_code == 200


def test_editor_creates_a_code_for_a_monument_and_for_a_stop(app, client):
    user = _signed_in(app, client)
    response = post(client, "/curator/sites/casablanca/codes/create", {"target": "villa-des-arts"})
    assert response.status_code == 302
    created = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        code = db.session.get(Code, created)
        assert code.monument.slug == "villa-des-arts"
        assert code.stop is None
        revision = db.session.get(Revision, code.head_revision_id)
        assert revision.author == user.email
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "code.create"))
        assert (event.actor, event.target, event.outcome) == (user.email, f"code:{created}", "ok")
    assert client.get(f"/q/{created}", headers={"Accept-Language": "fr"}).status_code == 200
    response = post(client, "/curator/sites/casablanca/codes/create", {"target": "hassan-ii-mosque/minaret",
                                                                       "number": "777"})
    assert response.status_code == 302
    with app.app_context():
        code = db.session.get(Code, response.headers["Location"].rsplit("/", 1)[1])
        assert (code.stop.slug, code.number) == ("minaret", 777)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "777" in page.get_data(as_text=True)


@pytest.mark.parametrize(("data", "message"), [
    ({"target": "nowhere"}, NO_TARGET),
    ({"target": ""}, NO_TARGET),
    ({"target": "hassan-ii-mosque/nowhere"}, NO_TARGET),
    ({"target": "bou-inania"}, OTHER_SITE),
    ({"target": "villa-des-arts", "number": "12"}, NUMBER_TAKEN),
    ({"target": "villa-des-arts", "number": "0"}, BAD_NUMBER),
    ({"target": "villa-des-arts", "number": "abc"}, BAD_NUMBER),
    ({"target": "villa-des-arts", "number": "9" * 40}, BAD_NUMBER),
    ({"target": "x" * 5000}, NO_TARGET),
])
def test_create_errors_are_translated_400s_that_change_nothing(app, client, data, message):
    _add_fes_monument(app)
    _signed_in(app, client)
    before = _snapshot(app)
    client.set_cookie("dalil_lang", "fr")
    response = post(client, "/curator/sites/casablanca/codes/create", data)
    assert response.status_code == 400
    assert translated(app, message, "fr") in response.get_data(as_text=True)
    # What was typed is kept.
    assert f'value="{data.get("number", "")[:16]}"' in response.get_data(as_text=True)
    assert _snapshot(app) == before
    client.set_cookie("dalil_lang", "ar")
    arabic = post(client, "/curator/sites/casablanca/codes/create", data)
    assert arabic.status_code == 400
    assert 'dir="rtl"' in arabic.get_data(as_text=True)
    assert translated(app, message, "ar") in arabic.get_data(as_text=True)
    assert _snapshot(app) == before


def test_retarget_through_the_cms_changes_what_the_plaque_opens(app, client):
    user = _signed_in(app, client)
    assert "Hassan II" in client.get(f"/q/{MOSQUE_CODE}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    response = post(client, f"/curator/codes/{MOSQUE_CODE}/retarget", {"target": "villa-des-arts"})
    assert response.status_code == 302
    page = client.get(f"/q/{MOSQUE_CODE}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Villa des Arts" in page.get_data(as_text=True)
    with app.app_context():
        code = db.session.get(Code, MOSQUE_CODE)
        assert code.monument.slug == "villa-des-arts"
        assert db.session.get(Revision, code.head_revision_id).author == user.email
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "code.retarget"))
        assert event.detail["before"] == "hassan-ii-mosque"
        assert event.detail["after"] == "villa-des-arts"
    # To a stop of the same site, the code given in lower case.
    response = post(client, f"/curator/codes/{MOSQUE_CODE.lower()}/retarget", {"target": "hassan-ii-mosque/minaret"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Code, MOSQUE_CODE).stop.slug == "minaret"


@pytest.mark.parametrize(("target", "message"), [
    ("bou-inania", OTHER_SITE),
    ("nowhere", NO_TARGET),
    ("villa-des-arts/minaret", NO_TARGET),
])
def test_retarget_errors_are_400s_that_change_nothing(app, client, target, message):
    _add_fes_monument(app)
    _signed_in(app, client)
    before = _snapshot(app)
    response = post(client, f"/curator/codes/{MOSQUE_CODE}/retarget", {"target": target})
    assert response.status_code == 400
    assert translated(app, message, "fr") in response.get_data(as_text=True)
    assert _snapshot(app) == before


def test_retire_needs_confirmation_then_the_plaque_answers_410(app, client):
    user = _signed_in(app, client)
    before = _snapshot(app)
    unconfirmed = post(client, f"/curator/codes/{MOSQUE_CODE}/retire", {})
    assert unconfirmed.status_code == 400
    assert translated(app, CONFIRM, "fr") in unconfirmed.get_data(as_text=True)
    assert _snapshot(app) == before
    response = post(client, f"/curator/codes/{MOSQUE_CODE}/retire", {"confirm": "yes"})
    assert response.status_code == 302
    assert client.get(f"/q/{MOSQUE_CODE}", headers={"Accept-Language": "ar"}).status_code == 410
    with app.app_context():
        code = db.session.get(Code, MOSQUE_CODE)
        assert code.is_retired
        assert db.session.get(Revision, code.head_revision_id).author == user.email
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "code.retire")).actor == user.email
    page = client.get(f"/curator/codes/{MOSQUE_CODE}").get_data(as_text=True)
    assert "/retire" not in page
    assert "/retarget" not in page
    # Retired is for good: neither retired again nor moved.
    after = _snapshot(app)
    again = post(client, f"/curator/codes/{MOSQUE_CODE}/retire", {"confirm": "yes"})
    assert again.status_code == 400
    assert translated(app, "The code %(code)s is already retired.", "fr") in again.get_data(as_text=True)
    moved = post(client, f"/curator/codes/{MOSQUE_CODE}/retarget", {"target": "villa-des-arts"})
    assert moved.status_code == 400
    assert translated(app, "The code %(code)s is retired; create a new one instead.", "fr") in moved.get_data(as_text=True)
    assert _snapshot(app) == after
    # Its plaque is not printed any more.
    assert client.get(f"/curator/codes/{MOSQUE_CODE}/plaque.pdf").status_code == 400


@pytest.mark.parametrize(("url", "data"), [
    ("/curator/sites/casablanca/codes/create", {"target": "villa-des-arts"}),
    (f"/curator/codes/{MOSQUE_CODE}/retarget", {"target": "villa-des-arts"}),
    (f"/curator/codes/{MOSQUE_CODE}/retire", {"confirm": "yes"}),
])
def test_translator_cannot_change_codes(app, client, url, data):
    _signed_in(app, client, "translator", languages=("ar", "fr"))
    before = _snapshot(app)
    response = post(client, url, data)
    assert response.status_code == 403
    assert _snapshot(app) == before
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "refused.codes")) is not None


@pytest.mark.parametrize(("url", "data"), [
    ("/curator/sites/casablanca/codes/create", {"target": "villa-des-arts"}),
    (f"/curator/codes/{MOSQUE_CODE}/retarget", {"target": "villa-des-arts"}),
    (f"/curator/codes/{MOSQUE_CODE}/retire", {"confirm": "yes"}),
])
def test_editor_of_fes_cannot_change_casablanca_codes(app, client, url, data):
    _signed_in(app, client, "editor", sites=("fes",))
    before = _snapshot(app)
    response = post(client, url, data)
    assert response.status_code == 403
    assert _snapshot(app) == before
    for download in (f"/curator/codes/{MOSQUE_CODE}/plaque.pdf", "/curator/monuments/hassan-ii-mosque/plaques.pdf",
                     "/curator/sites/casablanca/plaques.pdf"):
        assert client.get(download).status_code == 403


def test_fes_editor_cannot_move_a_casablanca_code_into_fes(app, client):
    _add_fes_monument(app)
    _signed_in(app, client, "editor", sites=("fes", "casablanca"))
    before = _snapshot(app)
    # Allowed in both sites, still refused: a keypad number belongs to its site.
    response = post(client, f"/curator/codes/{MOSQUE_CODE}/retarget", {"target": "bou-inania"})
    assert response.status_code == 400
    assert _snapshot(app) == before
    response = post(client, "/curator/sites/fes/codes/create", {"target": "hassan-ii-mosque"})
    assert response.status_code == 400
    assert _snapshot(app) == before


@pytest.mark.parametrize("url", [
    "/curator/sites/casablanca/codes/create",
    f"/curator/codes/{MOSQUE_CODE}/retarget",
    f"/curator/codes/{MOSQUE_CODE}/retire",
])
def test_state_changes_refuse_get(app, client, url):
    _signed_in(app, client)
    before = _snapshot(app)
    assert client.get(url).status_code == 405
    assert _snapshot(app) == before


def test_post_without_csrf_token_is_refused(app, client):
    _signed_in(app, client)
    before = _snapshot(app)
    response = client.post(f"/curator/codes/{MOSQUE_CODE}/retire", data={"confirm": "yes"})
    assert response.status_code == 400
    response = client.post(f"/curator/codes/{MOSQUE_CODE}/retire",
                           data={"confirm": "yes", "csrf_token": "forged" + csrf_token(client)[6:]})
    assert response.status_code == 400
    assert _snapshot(app) == before


def test_signed_out_curator_is_sent_to_sign_in(client):
    response = client.get("/curator/sites/casablanca/codes")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/curator/login")
    assert client.get(f"/curator/codes/{MOSQUE_CODE}/plaque.pdf").status_code == 302


def _pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "plaque.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def _disposition(response) -> tuple[str, str]:
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment; filename=\"")
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii()
    assert "/" not in fallback
    encoded = header.split("filename*=UTF-8''", 1)[1]
    return fallback, unquote(encoded)


def test_plaque_downloads_are_real_pdf_and_png(app, client, tmp_path):
    _signed_in(app, client, "translator", languages=("ar",))
    client.set_cookie("dalil_lang", "ar")
    one = client.get(f"/curator/codes/{MOSQUE_CODE}/plaque.pdf")
    assert one.status_code == 200
    assert one.mimetype == "application/pdf"
    assert one.data.startswith(b"%PDF")
    assert one.headers["Cache-Control"] == "no-store"
    fallback, name = _disposition(one)
    assert fallback == f"plaque-{MOSQUE_CODE}-a6.pdf"
    assert name == f"{MOSQUE_CODE} مسجد الحسن الثاني.pdf"
    info = _pdf_text(one.data, tmp_path)
    assert "Pages:           1" in info
    assert "105 x 148 mm" in info or "297.6 x 419.5 pts" in info or "297.64 x 419.53 pts" in info
    a5 = client.get(f"/curator/codes/{MOSQUE_CODE}/plaque.pdf?paper=a5")
    assert a5.data.startswith(b"%PDF")
    assert len(a5.data) != len(one.data)
    png = client.get(f"/curator/codes/{MOSQUE_CODE}/plaque.png")
    assert png.status_code == 200
    assert png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
    monument = client.get("/curator/monuments/hassan-ii-mosque/plaques.pdf")
    assert monument.data.startswith(b"%PDF")
    # The mosque and its four stops: one plaque a page.
    assert "Pages:           5" in _pdf_text(monument.data, tmp_path)
    assert _disposition(monument) == ("plaques-hassan-ii-mosque.pdf", "مسجد الحسن الثاني.pdf")
    sheet = client.get("/curator/sites/casablanca/plaques.pdf")
    assert sheet.status_code == 200
    assert sheet.data.startswith(b"%PDF")
    with app.app_context():
        in_service = db.session.scalar(select(func.count()).select_from(Code).join(Site)
                                       .where(Site.slug == "casablanca", Code.retired_dt.is_(None)))
    assert f"Pages:           {-(-in_service // 8)}" in _pdf_text(sheet.data, tmp_path)
    assert _disposition(sheet) == ("plaques-casablanca.pdf", "الدار البيضاء.pdf")


@pytest.mark.parametrize(("url", "status"), [
    (f"/curator/codes/{MOSQUE_CODE}/plaque.pdf?paper=a0", 400),
    (f"/curator/codes/{MOSQUE_CODE}/plaque.gif", 404),
    ("/curator/monuments/hassan-ii-mosque/plaques.pdf?layout=poster", 400),
    ("/curator/monuments/nowhere/plaques.pdf", 404),
    ("/curator/monuments/..%2Fetc/plaques.pdf", 404),
    ("/curator/sites/atlantis/plaques.pdf", 404),
    ("/curator/sites/fes/plaques.pdf", 404),
    ("/curator/codes/NOPE1/plaque.png", 404),
])
def test_bad_download_requests_are_translated_4xx(app, client, url, status):
    _signed_in(app, client, "admin", sites=())
    client.set_cookie("dalil_lang", "ar")
    response = client.get(url)
    assert response.status_code == status
    assert 'dir="rtl"' in response.get_data(as_text=True)


def test_download_name_drops_bidi_controls_and_path_characters(app, client):
    with app.app_context():
        text = db.session.get(Code, MOSQUE_CODE).monument.texts["fr"]
        text.name = "Mosquée/..\\\u202egpj.exe\u2066"
        db.session.commit()
    _signed_in(app, client)
    client.set_cookie("dalil_lang", "fr")
    response = client.get("/curator/monuments/hassan-ii-mosque/plaques.pdf")
    assert response.status_code == 200
    _fallback, name = _disposition(response)
    assert "\u202e" not in name
    assert "/" not in name
    assert "\\" not in name
    assert "\u2066" not in name
    assert name.startswith("Mosquée")


def test_code_page_shows_its_history_symbol_and_downloads(app, client):
    _signed_in(app, client)
    post(client, f"/curator/codes/{MOSQUE_CODE}/retarget", {"target": "hassan-ii-mosque/minaret"})
    client.set_cookie("dalil_lang", "ar")
    page = client.get(f"/curator/codes/{MOSQUE_CODE.lower()}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'src="/qr/{MOSQUE_CODE}.svg"' in html
    assert f"https://dalil.example/q/{MOSQUE_CODE}" in html
    assert "hassan-ii-mosque/minaret" in html
    assert "editor-casablanca-all@dalil.example" in html
    assert f'action="/curator/codes/{MOSQUE_CODE}/retire"' in html
    assert 'name="confirm" value="yes" required' in html
    assert "/curator/monuments/hassan-ii-mosque/plaques.pdf" in html
    assert "style=" not in html


def test_translator_sees_the_code_page_without_its_forms(app, client):
    _signed_in(app, client, "translator", languages=("fr",))
    html = client.get(f"/curator/codes/{MOSQUE_CODE}").get_data(as_text=True)
    assert f"/curator/codes/{MOSQUE_CODE}/plaque.pdf" in html
    assert "/retarget" not in html
    assert "/retire" not in html


def test_refused_reads_are_in_the_audit_log(app, client):
    user = _signed_in(app, client, "editor", sites=("fes",))
    assert client.get("/curator/sites/casablanca/codes").status_code == 403
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "refused.view"))
        assert (event.actor, event.target, event.outcome) == (user.email, "site:casablanca", "refused")
