"""The tour editor: texts per language, stops added, removed and reordered, revisions, publication, rights."""

import re

import pytest
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.extensions import db
from guide.publishing.models import Revision
from guide.publishing.services import find_record
from tests.curator import login
from tests.curator import make_user
from tests.curator import post

TOUR = "art-deco-downtown"
EDITOR_URL = f"/curator/tours/{TOUR}"
STOPS = ["hotel-lincoln", "rialto-cinema", "central-post-office", "wilaya-former-town-hall",
         "sacre-coeur-cathedral", "villa-des-arts"]


def form_of(client, url: str = EDITOR_URL) -> dict[str, str]:
    """The editor form's fields as the browser would send them (inputs and textareas)."""
    page = client.get(url).text
    form = page[page.index('action="' + url + '"'):]
    fields = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields[name] = value
    for name, value in re.findall(r'<input type="text" id="[^"]+" name="([^"]+)" value="([^"]*)"', form):
        fields[name] = value
    for name, value in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = value
    import html

    return {name: html.unescape(value) for name, value in fields.items()}


def published_stops(app) -> list[str]:
    with app.app_context():
        return [stop.monument.slug for stop in find_record("tour", TOUR).stops]


def head(app) -> Revision:
    with app.app_context():
        revision = db.session.get(Revision, find_record("tour", TOUR).head_revision_id)
        db.session.expunge(revision)
        return revision


@pytest.fixture
def editor(app, client):
    login(client, make_user(app, "editor", ("casablanca",)))
    return client


def test_the_site_page_of_the_cms_lists_its_tours(editor):
    page = editor.get("/curator/sites/casablanca").text
    assert EDITOR_URL in page
    assert "/curator/sites/casablanca/tours/new" in page
    assert EDITOR_URL in editor.get("/curator/sites/casablanca/tours").text


def test_the_editor_shows_every_language_side_by_side(editor):
    page = editor.get(EDITOR_URL).text
    assert 'name="text.ar.title"' in page
    assert 'lang="ar" dir="rtl"' in page
    assert 'name="text.fr.title"' in page
    assert page.count('name="stop.') >= len(STOPS)


@pytest.mark.parametrize(("lang", "stop", "addable"), [
    ("ar", "فندق لينكولن (عمارة بيسونو)", "متحف مؤسسة عبد الرحمن السلاوي"),
    ("fr", "Hôtel Lincoln (immeuble Bessonneau)", "Musée de la Fondation Abderrahman Slaoui"),
])
def test_the_editor_names_monuments_in_the_interface_language(app, editor, lang, stop, addable):
    # The interface locale is ar_MA or fr_MA: names were once looked up under that key, so always French.
    editor.set_cookie(app.config["LANGUAGE_COOKIE"], lang)
    page = editor.get(EDITOR_URL).text
    assert f"<bdi>{stop}</bdi>" in page
    assert addable in page


def test_saving_texts_makes_a_draft_revision_that_publishing_shows(app, editor, client):
    fields = form_of(editor)
    fields["text.fr.title"] = "Promenade Art déco"
    fields["text.ar.title"] = "جولة الآرت ديكو"
    response = post(editor, EDITOR_URL, {**fields, "action": "save", "comment": "titles"}, token_from=EDITOR_URL)
    assert response.status_code == 302
    revision = head(app)
    assert revision.data["text"]["fr"]["title"] == "Promenade Art déco"
    assert revision.author.startswith("editor")
    # A draft: visitors still see the published title.
    assert "Promenade Art déco" not in client.get(f"/fr/tours/{TOUR}").text
    assert post(editor, f"{EDITOR_URL}/publish", token_from=EDITOR_URL).status_code == 302
    assert "Promenade Art déco" in client.get(f"/fr/tours/{TOUR}").text
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.target == f"tour:{TOUR}")))
    assert {"tour.save", "tour.publish"} <= actions


@pytest.mark.parametrize(("action", "expected"), [
    ("up:1", ["rialto-cinema", "hotel-lincoln", *STOPS[2:]]),
    ("down:0", ["rialto-cinema", "hotel-lincoln", *STOPS[2:]]),
    ("down:5", STOPS),
    ("remove:2", [*STOPS[:2], *STOPS[3:]]),
])
def test_reordering_and_removing_stops(app, editor, action, expected):
    before = head(app).number
    response = post(editor, EDITOR_URL, {**form_of(editor), "action": action}, token_from=EDITOR_URL)
    assert response.status_code == 302
    revision = head(app)
    assert [stop["monument"] for stop in revision.data["stops"]] == expected
    assert revision.number == (before if expected == STOPS else before + 1)
    # Notes travel with their stop.
    notes = {stop["monument"]: stop["note"] for stop in revision.data["stops"]}
    assert "Marché central" in notes["hotel-lincoln"]["fr"]


def test_adding_a_monument_of_the_site(app, editor):
    response = post(editor, EDITOR_URL, {**form_of(editor), "action": "add", "new_stop": "habous-quarter"},
                    token_from=EDITOR_URL)
    assert response.status_code == 302
    assert head(app).data["stops"][-1] == {"monument": "habous-quarter", "note": {}}
    assert post(editor, f"{EDITOR_URL}/publish", token_from=EDITOR_URL).status_code == 302
    assert published_stops(app)[-1] == "habous-quarter"


def test_unpublishing_hides_the_tour(app, editor, client):
    assert post(editor, f"{EDITOR_URL}/unpublish", token_from=EDITOR_URL).status_code == 302
    assert client.get(f"/fr/tours/{TOUR}").status_code == 404
    with app.app_context():
        assert not find_record("tour", TOUR).live


def test_creating_a_tour(app, editor, client):
    url = "/curator/sites/casablanca/tours/new"
    data = {"slug": "place-mohammed-v", "position": "2",
            "text.fr.title": "La place Mohammed V", "text.fr.summary": "Deux édifices.", "text.fr.intro": "Intro.",
            "text.ar.title": "ساحة محمد الخامس", "text.ar.summary": "مبنيان.", "text.ar.intro": "مقدمة.",
            "stops": ["central-post-office", "wilaya-former-town-hall"]}
    response = post(editor, url, data, token_from=url)
    assert response.status_code == 302, response.text
    assert client.get("/fr/tours/place-mohammed-v").status_code == 404
    assert post(editor, "/curator/tours/place-mohammed-v/publish", token_from=url).status_code == 302
    page = client.get("/ar/tours/place-mohammed-v").text
    assert "ساحة محمد الخامس" in page
    assert "/ar/monuments/wilaya-former-town-hall" in page


@pytest.mark.parametrize(("change", "status"), [
    ({"action": "add", "new_stop": "atlantis"}, 400),
    ({"action": "up:99"}, 400),
    ({"action": "explode"}, 400),
    ({"position": "-1"}, 400),
    ({"position": "9" * 40}, 400),
    ({"text.fr.title": "x" * 300}, 400),
    ({"text.fr.title": ""}, 400),
    ({"text.fr.intro": "y" * 30_000}, 400),
    ({"stop.0.monument": "atlantis"}, 400),
    ({"stop.0.monument": "atlantis\x00"}, 400),
    ({"base_revision_id": "99999999999999999999"}, 400),
    ({"base_revision_id": "abc"}, 400),
])
def test_bad_input_is_a_clear_4xx_and_saves_nothing(app, editor, change, status):
    before = head(app).number
    response = post(editor, EDITOR_URL, {**form_of(editor), **change}, token_from=EDITOR_URL)
    assert response.status_code == status
    assert "<html" in response.text
    assert head(app).number == before


def test_an_odd_but_harmless_text_is_kept_clean(app, editor):
    fields = form_of(editor)
    fields["text.fr.summary"] = "Résumé\x00 avec \u202ebidi\u202c et 😀 emoji"
    assert post(editor, EDITOR_URL, fields, token_from=EDITOR_URL).status_code == 302
    assert head(app).data["text"]["fr"]["summary"] == "Résumé avec bidi et 😀 emoji"


def test_a_stale_form_is_a_conflict(app, editor):
    stale = form_of(editor)
    fields = dict(stale, **{"text.fr.summary": "Première modification."})
    assert post(editor, EDITOR_URL, fields, token_from=EDITOR_URL).status_code == 302
    response = post(editor, EDITOR_URL, dict(stale, **{"text.fr.summary": "Seconde."}), token_from=EDITOR_URL)
    assert response.status_code == 409
    assert head(app).data["text"]["fr"]["summary"] == "Première modification."


def test_a_new_tour_with_bad_input_is_refused(app, editor):
    url = "/curator/sites/casablanca/tours/new"
    base = {"slug": "ok-slug", "text.fr.title": "T", "text.fr.summary": "S", "text.fr.intro": "I",
            "text.ar.title": "ع", "text.ar.summary": "م", "text.ar.intro": "ق",
            "stops": ["central-post-office", "wilaya-former-town-hall"]}
    for change in ({"slug": "Bad Slug"}, {"slug": TOUR}, {"slug": "x" * 100}, {"stops": ["central-post-office"]},
                   {"stops": ["central-post-office", "marrakech-nothing"]}, {"text.ar.title": ""}):
        response = post(editor, url, {**base, **change}, token_from=url)
        assert response.status_code == 400, change
    with app.app_context():
        assert find_record("tour", "ok-slug") is None


# --- Rights -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [EDITOR_URL, "/curator/sites/casablanca/tours", "/curator/sites/casablanca/tours/new"])
def test_an_editor_of_another_site_gets_403(app, client, url):
    login(client, make_user(app, "editor", ("fes",)))
    assert client.get(url).status_code == 403


def test_an_editor_of_another_site_cannot_save_or_publish(app, client):
    login(client, make_user(app, "editor", ("casablanca",), email="owner@dalil.example"))
    fields = form_of(client)
    fields.pop("csrf_token")
    login(client, make_user(app, "editor", ("fes",)))
    for url, data in ((EDITOR_URL, fields), (f"{EDITOR_URL}/publish", {}), (f"{EDITOR_URL}/unpublish", {})):
        assert post(client, url, data, token_from="/curator/").status_code == 403
    with app.app_context():
        assert find_record("tour", TOUR).live
        refused = db.session.scalars(select(AuditEvent.outcome).where(AuditEvent.target == f"tour:{TOUR}"))
        assert "refused" in set(refused)


def test_a_translator_edits_notes_in_their_language_only(app, client):
    login(client, make_user(app, "translator", ("casablanca",), languages=("ar",)))
    fields = form_of(client)
    arabic = dict(fields, **{"stop.0.note.ar": "ملاحظة جديدة."})
    assert post(client, EDITOR_URL, arabic, token_from=EDITOR_URL).status_code == 302
    assert head(app).data["stops"][0]["note"]["ar"] == "ملاحظة جديدة."
    fields = form_of(client)
    assert post(client, EDITOR_URL, dict(fields, **{"stop.0.note.fr": "Nouvelle note."}),
                token_from=EDITOR_URL).status_code == 403
    # Reordering is the route, not a text: an editor's work.
    assert post(client, EDITOR_URL, dict(fields, action="down:0"), token_from=EDITOR_URL).status_code == 403
    assert post(client, f"{EDITOR_URL}/publish", token_from=EDITOR_URL).status_code == 403


def test_signed_out_curators_are_sent_to_sign_in(client):
    response = client.get(EDITOR_URL)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
