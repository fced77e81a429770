"""The editor: side-by-side languages, saving, conflicts, permissions, Markdown and page previews."""

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from guide.extensions import db
from guide.publishing.models import Revision
from guide.publishing.services import find_record
from tests.curator import csrf_token
from tests.curator import login
from tests.curator import make_user

SLUG = "sacre-coeur-cathedral"
EDITOR_URL = f"/curator/monuments/{SLUG}"
FIELD = re.compile(r'<(input|textarea)\b[^>]*\bname="([^"]+)"[^>]*>', re.DOTALL)


def form_fields(html: str) -> dict[str, str]:
    """Read the editor's submitted fields from its page, as a browser would send them."""
    from html import unescape

    fields = {}
    for match in re.finditer(r'<input\b([^>]*)>|<textarea\b([^>]*)>(.*?)</textarea>|<select\b([^>]*)>(.*?)</select>',
                             html, re.DOTALL):
        attributes = match.group(1) or match.group(2) or match.group(4) or ""
        name = re.search(r'\bname="([^"]*)"', attributes)
        if not name or not name.group(1) or re.search(r"\bdisabled\b", attributes):
            continue
        if match.group(1) is not None:
            kind = re.search(r'\btype="([^"]+)"', attributes)
            if kind and kind.group(1) in ("checkbox", "radio", "submit", "button"):
                continue
            value = re.search(r'\bvalue="([^"]*)"', attributes)
            fields.setdefault(name.group(1), []).append(unescape(value.group(1)) if value else "")
        elif match.group(2) is not None:
            fields.setdefault(name.group(1), []).append(unescape(match.group(3)))
        else:
            selected = re.search(r'<option value="([^"]*)" selected', match.group(5))
            fields.setdefault(name.group(1), []).append(unescape(selected.group(1)) if selected else "")
    return fields


def editor_form(client, url: str = EDITOR_URL) -> dict[str, list[str]]:
    """Open the editor and return the form its save button would send."""
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    start = html.index('class="editor-form"')
    return form_fields(html[start:html.index("</form>", start)])


def save(client, form: dict, url: str = EDITOR_URL, **changes):
    data = {name: list(values) for name, values in form.items()}
    for name, value in changes.items():
        data[name.replace("__", ".")] = [value]
    return client.post(url, data=data, content_type="multipart/form-data")


def head_number(app, kind: str = "monument", slug: str = SLUG) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(Revision.number)).where(
            Revision.kind == kind, Revision.record_key == slug))


def head_document(app, kind: str = "monument", slug: str = SLUG) -> dict:
    with app.app_context():
        record = find_record(kind, slug)
        return db.session.get(Revision, record.head_revision_id).data


@pytest.fixture
def editor(app, client):
    user = make_user(app, "editor", sites=("casablanca",))
    login(client, user)
    return user


def test_editor_shows_languages_side_by_side_each_with_its_own_direction(app, client, editor):
    for interface, _other in (("fr", "ar"), ("ar", "fr")):
        client.set_cookie("dalil_lang", interface)
        html = client.get(EDITOR_URL).get_data(as_text=True)
        assert f'<html lang="{interface}"' in html
        for lang, direction in (("ar", "rtl"), ("fr", "ltr")):
            name = re.search(rf'<input type="text" id="[^"]+" name="text\.{lang}\.name"[^>]*>', html).group()
            assert f'lang="{lang}"' in name
            assert f'dir="{direction}"' in name
            body = re.search(rf'<textarea id="[^"]+" name="text\.{lang}\.body"[^>]*>', html, re.DOTALL).group()
            assert f'lang="{lang}"' in body
            assert f'dir="{direction}"' in body
        assert 'name="stops.nave.text.ar.title"' in html
        assert 'name="cover.alt.fr"' in html
        assert 'name="guides.ar.transcript"' in html


@pytest.mark.parametrize("app", [{"EXTRA_LANGUAGES": "en"}], indirect=True)
def test_a_third_language_gets_its_own_column(app, client, editor):
    html = client.get(EDITOR_URL).get_data(as_text=True)
    assert re.search(r'name="text\.en\.name" value="" lang="en" dir="ltr"', html)


def test_save_writes_a_draft_revision_and_leaves_the_public_page(app, client, editor):
    before = head_number(app)
    form = editor_form(client)
    response = save(client, form, text__fr__name="Sacré-Cœur, nouveau nom", comment="Nom revu")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert head_number(app) == before + 1
    assert head_document(app)["text"]["fr"]["name"] == "Sacré-Cœur, nouveau nom"
    assert "Sacré-Cœur, nouveau nom" not in client.get(f"/fr/monuments/{SLUG}").get_data(as_text=True)
    page = client.get(EDITOR_URL).get_data(as_text=True)
    assert "Sacré-Cœur, nouveau nom" in page
    with app.app_context():
        revision = db.session.scalar(select(Revision).where(Revision.kind == "monument", Revision.record_key == SLUG,
                                                             Revision.number == before + 1))
        assert revision.author == editor.email
        assert revision.comment == "Nom revu"


def test_unchanged_form_saves_nothing(app, client, editor):
    before = head_number(app)
    response = save(client, editor_form(client))
    assert response.status_code == 302
    assert head_number(app) == before


def test_stale_save_is_a_conflict_that_loses_nothing(app, client, editor):
    form = editor_form(client)
    other = app.test_client()
    login(other, make_user(app, "editor", sites=("casablanca",), email="other@dalil.example"))
    assert save(other, editor_form(other), text__fr__name="Le nom de l'autre",
                text__ar__summary="ملخص جديد من زميل").status_code == 302
    after_other = head_number(app)
    response = save(client, form, text__fr__name="Mon nom à moi", text__fr__period="1930-1953 (revu)")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    # Mine stays in the form, theirs is shown beside it; nothing was written.
    assert 'value="Mon nom à moi"' in html
    assert "Le nom de l&#39;autre" in html
    assert 'value="1930-1953 (revu)"' in html
    # A field only the other curator changed takes their value, so saving again keeps both.
    assert "ملخص جديد من زميل</textarea>" in html
    assert head_number(app) == after_other
    again = form_fields(html[html.index('class="editor-form"'):])
    assert save(client, again).status_code == 302
    document = head_document(app)
    assert document["text"]["fr"]["name"] == "Mon nom à moi"
    assert document["text"]["ar"]["summary"] == "ملخص جديد من زميل"


@pytest.mark.parametrize("bad", ["Nom \u202e inversé", "Nom\x00nul", "Nom \u2066isolé"])
def test_direction_overrides_and_nul_are_refused_with_a_message(app, client, editor, bad):
    before = head_number(app)
    response = save(client, editor_form(client), text__fr__name=bad)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "caractères invisibles de contrôle de direction ou NUL" in html
    assert 'id="f-text-fr-name-errors"' in html
    assert head_number(app) == before


def test_missing_required_text_is_a_400_next_to_the_field(app, client, editor):
    client.set_cookie("dalil_lang", "ar")
    response = save(client, editor_form(client), text__ar__summary="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="f-text-ar-summary-errors"' in html
    assert 'dir="rtl"' in html


def test_bad_numbers_are_a_400(app, client, editor):
    response = save(client, editor_form(client), year_start="mil neuf cent", latitude="123")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="f-year_start-errors"' in html
    assert 'id="f-latitude-errors"' in html
    assert "de -90 à 90" in html
    assert 'value="mil neuf cent"' in html


def test_script_in_markdown_is_escaped_in_the_preview_and_the_page(app, client, editor):
    token = csrf_token(client, EDITOR_URL)
    source = "Texte <script>alert(1)</script> [lien](javascript:alert(1)) <img src=x onerror=alert(1)>"
    response = client.post("/curator/markdown", json={"text": source, "lang": "fr"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<script" not in html
    assert 'href="javascript:' not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert save(client, editor_form(client), text__fr__body=source).status_code == 302
    page = client.get(f"{EDITOR_URL}/preview/fr").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert 'href="javascript:' not in page


def test_markdown_preview_needs_csrf_and_a_language(app, client, editor):
    assert client.post("/curator/markdown", json={"text": "x", "lang": "fr"}).status_code == 400
    token = csrf_token(client, EDITOR_URL)
    headers = {"X-CSRFToken": token}
    assert client.post("/curator/markdown", json={"text": "x", "lang": "de"}, headers=headers).status_code == 400
    assert client.post("/curator/markdown", json=["x"], headers=headers).status_code == 400
    assert client.post("/curator/markdown", json={"text": "x" * 200_000, "lang": "ar"},
                       headers=headers).status_code == 413
    answer = client.post("/curator/markdown", json={"text": "## عنوان\n\n**نص**", "lang": "ar"}, headers=headers)
    assert answer.get_json()["html"] == "<h2>عنوان</h2>\n<p><strong>نص</strong></p>\n"


def test_preview_renders_the_draft_without_touching_public_pages_or_caches(app, client, editor):
    public = client.get(f"/fr/monuments/{SLUG}").get_data(as_text=True)
    assert save(client, editor_form(client), text__fr__summary="Résumé du brouillon").status_code == 302
    preview = client.get(f"{EDITOR_URL}/preview/fr")
    assert preview.status_code == 200
    assert preview.headers["Cache-Control"] == "no-store"
    html = preview.get_data(as_text=True)
    assert "Résumé du brouillon" in html
    assert '<html lang="fr" dir="ltr">' in html
    arabic = client.get(f"{EDITOR_URL}/preview/ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic
    # The public page (cached before) and a fresh render both still show the published text.
    assert client.get(f"/fr/monuments/{SLUG}").get_data(as_text=True) == public
    with app.app_context():
        monument = find_record("monument", SLUG)
        assert monument.texts["fr"].summary != "Résumé du brouillon"
    # The interface language did not follow the previewed page's language.
    assert client.get_cookie("dalil_lang").value == "fr"


def test_preview_of_an_older_revision_and_of_another_records_number(app, client, editor):
    assert client.get(f"{EDITOR_URL}/preview/fr?revision=1").status_code == 200
    assert client.get(f"{EDITOR_URL}/preview/fr?revision=999").status_code == 404
    assert client.get(f"{EDITOR_URL}/preview/fr?revision=abc").status_code == 404
    assert client.get(f"{EDITOR_URL}/preview/de").status_code == 404
    assert client.get("/curator/sites/casablanca/preview/ar").status_code == 200


def test_unknown_slug_is_404_and_get_on_post_routes_is_405(app, client, editor):
    assert client.get("/curator/monuments/no-such-place").status_code == 404
    assert client.get("/curator/sites/atlantis").status_code == 404
    for action in ("publish", "unpublish", "submit", "schedule", "revisions/1/restore"):
        assert client.get(f"{EDITOR_URL}/{action}").status_code == 405, action
    assert client.get("/curator/markdown").status_code == 405


def test_five_thousand_form_parts_are_a_413(app, client, editor):
    token = csrf_token(client, EDITOR_URL)
    parts = {f"x{index}": "1" for index in range(5000)}
    # Encoded here: the test client would spool a body this large to a file it never closes.
    body = b"".join(f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                    for name, value in {"csrf_token": token, **parts}.items()) + b"--b--\r\n"
    multipart = client.post(EDITOR_URL, data=body, content_type="multipart/form-data; boundary=b")
    assert multipart.status_code == 413
    urlencoded = client.post(EDITOR_URL, data={"csrf_token": token, **parts})
    assert urlencoded.status_code == 413
    assert head_number(app) is not None


def test_site_page_lists_monuments_and_the_site_editor_saves(app, client, editor):
    html = client.get("/curator/sites/casablanca").get_data(as_text=True)
    assert f'href="/curator/monuments/{SLUG}"' in html
    assert 'href="/curator/sites/casablanca/edit"' in html
    home = client.get("/curator/").get_data(as_text=True)
    assert 'href="/curator/sites/casablanca"' in home
    form = editor_form(client, "/curator/sites/casablanca/edit")
    assert 'name.ar' in form
    assert 'description.fr' in form
    response = save(client, form, "/curator/sites/casablanca/edit", name__fr="Casablanca la blanche")
    assert response.status_code == 302
    assert head_document(app, "site", "casablanca")["name"]["fr"] == "Casablanca la blanche"


def test_stops_are_reordered_removed_and_added_with_a_fresh_plaque(app, client, editor):
    form = editor_form(client)
    slugs = form["stop"]
    assert len(slugs) >= 2
    form["stop"] = list(reversed(slugs))
    response = save(client, form, **{f"stops__{slugs[0]}__remove": "1"})
    assert response.status_code == 302
    assert [stop["slug"] for stop in head_document(app)["stops"]] == list(reversed(slugs))[:-1]

    texts = {"new_stop.slug": "terrasse", "new_stop.text.ar.title": "السطح", "new_stop.text.ar.body": "نص.",
             "new_stop.text.fr.title": "La terrasse", "new_stop.text.fr.body": "Texte."}
    missing = save(client, editor_form(client), **{**{k.replace(".", "__"): v for k, v in texts.items()},
                                                   "new_stop__text__fr__body": ""})
    assert missing.status_code == 400
    html = missing.get_data(as_text=True)
    assert 'id="f-new_stop-text-fr-body-errors"' in html
    assert 'value="La terrasse"' in html
    response = save(client, editor_form(client), **{k.replace(".", "__"): v for k, v in texts.items()})
    assert response.status_code == 302
    stops = head_document(app)["stops"]
    added = stops[-1]
    assert added["slug"] == "terrasse"
    assert added["text"]["fr"]["title"] == "La terrasse"
    numbers = [stop["number"] for stop in stops[:-1]] + [head_document(app)["number"]]
    assert added["number"] > max(numbers)
    assert added["code"] not in [stop["code"] for stop in stops[:-1]]


def test_an_uploaded_file_path_names_its_hash_in_the_media_map(app, client, editor):
    document = head_document(app)
    sha = document["media"][document["cover"]["file"]]
    extension = document["cover"]["file"].rsplit(".", 1)[1]
    path = f"media/{sha}.{extension}"
    assert save(client, editor_form(client), cover__file=path).status_code == 302
    saved = head_document(app)
    assert saved["cover"]["file"] == path
    assert saved["media"][path] == sha
    unknown = f"media/{'0' * 64}.webp"
    response = save(client, editor_form(client), cover__file=unknown)
    assert response.status_code == 400
    assert unknown in response.get_data(as_text=True)


def test_a_format_problem_is_shown_next_to_its_field(app, client, editor):
    response = save(client, editor_form(client), wikidata="douze")
    assert response.status_code == 400
    assert 'id="f-wikidata-errors"' in response.get_data(as_text=True)


def test_a_form_based_on_another_records_revision_is_refused(app, client, editor):
    with app.app_context():
        other = find_record("monument", "hassan-ii-mosque").head_revision_id
    before = head_number(app)
    response = save(client, editor_form(client), base_revision_id=str(other), text__fr__name="Autre base")
    assert response.status_code == 400
    assert head_number(app) == before


@pytest.mark.browser
def test_columns_follow_their_language_and_stack_on_a_phone(app, live_server, browser):
    from tests.browser import page_context
    from tests.curator import PASSWORD

    user = make_user(app, "editor", sites=("casablanca",))
    for interface, width in (("fr", 1024), ("ar", 1024), ("ar", 390)):
        context = page_context(browser, viewport={"width": width, "height": 800})
        context.add_cookies([{"name": "dalil_lang", "value": interface, "url": live_server.url}])
        page = context.new_page()
        page.goto(live_server.url + "/curator/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_url("**/curator/")
        page.goto(live_server.url + EDITOR_URL)
        direction = "getComputedStyle(document.querySelector('#f-text-{}-name')).direction"
        assert page.evaluate(direction.format("ar")) == "rtl"
        assert page.evaluate(direction.format("fr")) == "ltr"
        arabic = page.locator("#f-text-ar-name").bounding_box()
        french = page.locator("#f-text-fr-name").bounding_box()
        if width == 390:
            assert arabic["y"] < french["y"]
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        else:
            assert abs(arabic["y"] - french["y"]) < 2
            # Arabic first: on the right in the Arabic interface, on the left in the French one.
            assert (arabic["x"] > french["x"]) == (interface == "ar")
        page.fill("#f-text-fr-body", "## Titre\n\n**gras** <script>x</script>")
        preview = page.locator("#f-text-fr-body-preview")
        preview.locator("h2", has_text="Titre").wait_for()
        assert preview.locator("strong").inner_text() == "gras"
        assert preview.locator("script").count() == 0
        assert "<script>x</script>" in preview.inner_text()
        context.close()


def test_a_name_too_long_is_a_translated_400(app, client, editor):
    client.set_cookie("dalil_lang", "ar")
    before = head_number(app)
    response = save(client, editor_form(client), text__ar__name="ب" * 201)
    assert response.status_code == 400
    assert "200" in response.get_data(as_text=True).split('id="f-text-ar-name-errors"')[1][:200]
    assert head_number(app) == before


def test_an_upload_through_the_media_helper_is_saved_with_the_record(app, client, editor):
    import io

    from PIL import Image

    html = client.get(EDITOR_URL).get_data(as_text=True)
    assert f'data-upload-url="/curator/monuments/{SLUG}/media"' in html
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(image, "PNG")
    token = csrf_token(client, EDITOR_URL)
    upload = client.post(f"/curator/monuments/{SLUG}/media", headers={"X-CSRFToken": token},
                         data={"kind": "image", "file": (io.BytesIO(image.getvalue()), "photo.png")},
                         content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_data(as_text=True)
    sent = upload.get_json()
    assert save(client, editor_form(client), cover__file=sent["path"]).status_code == 302
    document = head_document(app)
    assert document["cover"]["file"] == sent["path"]
    assert document["media"][sent["path"]] == sent["sha256"]
    preview = client.get(f"{EDITOR_URL}/preview/fr").get_data(as_text=True)
    assert sent["sha256"] in preview


def test_each_language_column_says_when_it_is_outdated(app, client, editor):
    """After the French name changes, the Arabic name is flagged in the editor, beside its own column."""
    form = editor_form(client)
    assert save(client, form, text__fr__name="Sacré-Cœur, nom revu").status_code == 302
    html = client.get(EDITOR_URL).get_data(as_text=True)

    def column(code: str) -> str:
        end = html.index(f'id="f-text-{code}-name"')
        return html[html.rindex('<div class="lang-col', 0, end):end]

    arabic_column, french_column = column("ar"), column("fr")
    assert "status-outdated" in arabic_column
    assert "status-outdated" not in french_column
