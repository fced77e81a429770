"""Workflow in the editor: who may save, submit, publish, schedule and restore, and what visitors then see."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.extensions import db
from guide.publishing.services import find_record
from guide.timeutil import as_utc
from guide.timeutil import now_utc
from tests.curator import login
from tests.curator import make_user
from tests.curator import post
from tests.test_curator_editor import EDITOR_URL
from tests.test_curator_editor import SLUG
from tests.test_curator_editor import editor_form
from tests.test_curator_editor import head_document
from tests.test_curator_editor import head_number
from tests.test_curator_editor import save


def state(app, kind: str = "monument", slug: str = SLUG) -> tuple:
    with app.app_context():
        record = find_record(kind, slug)
        return record.state, record.live, record.head_revision_id, record.published_revision_id, record.publish_at


def refusals(app, action: str) -> int:
    with app.app_context():
        return len(list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                                    AuditEvent.outcome == "refused"))))


@pytest.fixture
def editor(app, client):
    user = make_user(app, "editor", sites=("casablanca",))
    login(client, user)
    return user


@pytest.fixture
def translator(app, client):
    user = make_user(app, "translator", sites=("casablanca",), languages=("ar",))
    login(client, user)
    return user


def test_save_then_publish_changes_the_public_page_and_the_api(app, client, editor):
    assert save(client, editor_form(client), text__fr__name="Sacré-Cœur de Casablanca",
                text__ar__name="كاتدرائية القلب المقدس بالدار البيضاء").status_code == 302
    assert "Sacré-Cœur de Casablanca" not in client.get(f"/fr/monuments/{SLUG}").get_data(as_text=True)
    response = post(client, f"{EDITOR_URL}/publish", {"comment": "Relu"}, token_from=EDITOR_URL)
    assert response.status_code == 302
    assert response.headers["Location"] == EDITOR_URL
    assert "Sacré-Cœur de Casablanca" in client.get(f"/fr/monuments/{SLUG}").get_data(as_text=True)
    assert "كاتدرائية القلب المقدس بالدار البيضاء" in client.get(f"/ar/monuments/{SLUG}").get_data(as_text=True)
    api = client.get(f"/api/v1/monuments/{SLUG}").get_data(as_text=True)
    assert "Sacré-Cœur de Casablanca" in api
    current, live, head, published, _when = state(app)
    assert (current, live, head == published) == ("published", True, True)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "monument.publish"))
        assert event.actor == editor.email
        assert event.detail["comment"] == "Relu"


def test_submit_for_review_then_the_state_shows(app, client, translator):
    assert save(client, editor_form(client), text__ar__summary="ملخص مراجع").status_code == 302
    response = post(client, f"{EDITOR_URL}/submit", {"comment": "جاهز"}, token_from=EDITOR_URL)
    assert response.status_code == 302
    assert state(app)[0] == "review"
    assert "En relecture" in client.get(EDITOR_URL).get_data(as_text=True)


def test_translator_cannot_publish(app, client, translator):
    before = state(app)
    page = client.get(EDITOR_URL).get_data(as_text=True)
    assert f"{EDITOR_URL}/publish" not in page
    for action in ("publish", "unpublish", "schedule"):
        response = post(client, f"{EDITOR_URL}/{action}", {"publish_at": "2030-01-01T10:00"}, token_from=EDITOR_URL)
        assert response.status_code == 403, action
    assert state(app) == before
    assert refusals(app, "refused.publish") == 3


def test_translator_edits_their_language_only(app, client, translator):
    form = editor_form(client)
    html = client.get(EDITOR_URL).get_data(as_text=True)
    assert 'name="text.fr.name" value="Cathédrale du Sacré-Cœur" lang="fr" dir="ltr"\n        readonly' in html
    before = head_number(app)
    assert save(client, form, text__ar__name="كاتدرائية القلب الأقدس").status_code == 302
    assert head_number(app) == before + 1
    # Another language, a fact, a picture's file, a stop removed: 403, audited, nothing saved.
    for change in ({"text.fr.name": "Autre nom"}, {"cover.credit.fr": "Autre"}, {"year_start": "1900"},
                   {"stops.nave.text.fr.body": "Autre texte"}, {"cover.file": "images/nave-section.webp"},
                   {"stops.nave.remove": "1"}, {"guides.fr.transcript": "Autre transcription."}):
        form = editor_form(client)
        data = {name: list(values) for name, values in form.items()}
        data.update({name: [value] for name, value in change.items()})
        response = client.post(EDITOR_URL, data=data, content_type="multipart/form-data")
        assert response.status_code == 403, change
        assert head_number(app) == before + 1
    assert refusals(app, "refused.edit_text") >= 4
    assert refusals(app, "refused.edit") >= 2


def test_translator_cannot_restore(app, client, translator):
    before = head_number(app)
    response = post(client, f"{EDITOR_URL}/revisions/1/restore", {"base_revision_id": "1"}, token_from=EDITOR_URL)
    assert response.status_code == 403
    assert head_number(app) == before


def test_editor_of_fes_cannot_read_or_change_casablanca(app, client):
    login(client, make_user(app, "editor", sites=("fes",)))
    before = state(app)
    assert client.get(EDITOR_URL).status_code == 403
    assert client.get("/curator/sites/casablanca").status_code == 403
    assert client.get(f"{EDITOR_URL}/revisions").status_code == 403
    assert client.get(f"{EDITOR_URL}/preview/fr").status_code == 403
    for action in ("publish", "unpublish", "submit", "schedule", "revisions/1/restore"):
        response = post(client, f"{EDITOR_URL}/{action}", {}, token_from="/curator/sites/fes")
        assert response.status_code == 403, action
    response = post(client, EDITOR_URL, {"base_revision_id": "1", "text.fr.name": "Pris"}, token_from="/curator/sites/fes")
    assert response.status_code == 403
    assert state(app) == before
    assert client.get("/curator/sites/fes").status_code == 200


def test_admin_edits_any_site(app, client):
    login(client, make_user(app, "admin", sites=()))
    assert client.get(EDITOR_URL).status_code == 200
    assert client.get("/curator/sites/fes/edit").status_code == 200


def test_revisions_list_and_restore_then_publish_brings_back_the_old_text(app, client, editor):
    original = head_document(app)["text"]["fr"]["summary"]
    first = head_number(app)
    assert save(client, editor_form(client), text__fr__summary="Un résumé qui ne restera pas.",
                comment="Essai").status_code == 302
    assert post(client, f"{EDITOR_URL}/publish", {}, token_from=EDITOR_URL).status_code == 302
    assert "Un résumé qui ne restera pas." in client.get(f"/fr/monuments/{SLUG}").get_data(as_text=True)

    page = client.get(f"{EDITOR_URL}/revisions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Essai" in html
    assert editor.email in html
    assert 'name="a"' in html
    assert 'name="b"' in html
    assert f"/curator/revisions/monument/{SLUG}/diff" in html
    assert f"{EDITOR_URL}/revisions/{first}/restore" in html

    with app.app_context():
        head_id = find_record("monument", SLUG).head_revision_id
    response = post(client, f"{EDITOR_URL}/revisions/{first}/restore", {"base_revision_id": str(head_id)},
                    token_from=EDITOR_URL)
    assert response.status_code == 302
    assert head_number(app) == first + 2
    assert head_document(app)["text"]["fr"]["summary"] == original
    # Restoring makes a draft: visitors still see the published text until it is published.
    assert "Un résumé qui ne restera pas." in client.get(f"/fr/monuments/{SLUG}").get_data(as_text=True)
    assert post(client, f"{EDITOR_URL}/publish", {}, token_from=EDITOR_URL).status_code == 302
    public = client.get(f"/fr/monuments/{SLUG}").get_data(as_text=True)
    assert "Un résumé qui ne restera pas." not in public
    assert "Cette grande église de béton blanc" in public


def test_restore_of_another_monuments_revision_number_is_404(app, client, editor):
    before = head_number(app)
    response = post(client, f"{EDITOR_URL}/revisions/{before + 50}/restore", {"base_revision_id": "1"},
                    token_from=EDITOR_URL)
    assert response.status_code == 404
    assert head_number(app) == before


def test_stale_restore_writes_nothing(app, client, editor):
    before = head_number(app)
    response = post(client, f"{EDITOR_URL}/revisions/1/restore", {"base_revision_id": "999999"}, token_from=EDITOR_URL)
    assert response.status_code == 302
    assert head_number(app) == before


def test_schedule_in_casablanca_time_and_cancel(app, client, editor):
    zone = ZoneInfo("Africa/Casablanca")
    local = (now_utc() + timedelta(days=3)).astimezone(zone).replace(second=0, microsecond=0)
    response = post(client, f"{EDITOR_URL}/schedule",
                    {"publish_at": local.strftime("%Y-%m-%dT%H:%M"), "action": "schedule"}, token_from=EDITOR_URL)
    assert response.status_code == 302
    assert as_utc(state(app)[4]) == local
    assert "(heure de Casablanca)" in client.get(EDITOR_URL).get_data(as_text=True)
    response = post(client, f"{EDITOR_URL}/schedule", {"action": "cancel"}, token_from=EDITOR_URL)
    assert response.status_code == 302
    assert state(app)[4] is None


@pytest.mark.parametrize("when", ["", "demain", "2001-01-01T10:00"])
def test_schedule_needs_a_future_time(app, client, editor, when):
    response = post(client, f"{EDITOR_URL}/schedule", {"publish_at": when, "action": "schedule"}, token_from=EDITOR_URL)
    assert response.status_code == 400
    assert 'name="text.fr.name"' in response.get_data(as_text=True)
    assert state(app)[4] is None


def test_a_refused_publication_is_a_400_with_the_form(app, client, editor, monkeypatch):
    from guide.publishing import services

    def refuse(*args, **kwargs):
        raise services.PublishingError("a required language is missing: fields text.ar.name")

    monkeypatch.setattr(services, "publish", refuse)
    before = state(app)
    response = post(client, f"{EDITOR_URL}/publish", {}, token_from=EDITOR_URL)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "a required language is missing" in html
    assert 'name="text.ar.name"' in html
    assert state(app) == before


def test_unpublish_hides_the_page(app, client, editor):
    assert post(client, f"{EDITOR_URL}/unpublish", {}, token_from=EDITOR_URL).status_code == 302
    assert client.get(f"/fr/monuments/{SLUG}").status_code == 404
    assert state(app)[1] is False


def test_site_workflow(app, client, editor):
    form = editor_form(client, "/curator/sites/casablanca/edit")
    assert save(client, form, "/curator/sites/casablanca/edit", description__fr="Une ville blanche.").status_code == 302
    assert post(client, "/curator/sites/casablanca/publish", {}, token_from=EDITOR_URL).status_code == 302
    assert "Une ville blanche." in client.get("/fr/sites/casablanca").get_data(as_text=True)
    assert client.get("/curator/sites/casablanca/revisions").status_code == 200


def test_new_monument_is_a_draft_with_a_fresh_plaque_then_published(app, client, editor):
    url = "/curator/sites/casablanca/monuments/new"
    assert client.get(url).status_code == 200
    texts = {"text.ar.name": "دار جديدة", "text.ar.summary": "ملخص.", "text.ar.body": "نص **الحكاية**.",
             "text.fr.name": "Maison nouvelle", "text.fr.summary": "Résumé.", "text.fr.body": "Le **récit**."}
    response = post(client, url, {"slug": "maison-nouvelle", **texts}, token_from=url)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"] == "/curator/monuments/maison-nouvelle"
    document = head_document(app, "monument", "maison-nouvelle")
    with app.app_context():
        from guide.codes.format import is_well_formed
        from guide.codes.models import Code

        assert is_well_formed(document["code"])
        assert db.session.get(Code, document["code"]) is None
        assert document["number"] > max(db.session.scalars(select(Code.number).where(Code.site_id == find_record(
            "site", "casablanca").id)))
    assert client.get("/fr/monuments/maison-nouvelle").status_code == 404
    assert client.get("/curator/monuments/maison-nouvelle/preview/fr").status_code == 200
    assert post(client, "/curator/monuments/maison-nouvelle/publish", {}, token_from=url).status_code == 302
    assert "Maison nouvelle" in client.get("/fr/monuments/maison-nouvelle").get_data(as_text=True)
    # The same address again, a bad one, or a missing text: 400 with the form kept.
    for slug, extra in (("maison-nouvelle", {}), ("Maison Nouvelle!", {}), ("autre-maison", {"text.fr.body": ""})):
        response = post(client, url, {"slug": slug, **texts, **extra}, token_from=url)
        assert response.status_code == 400, slug
        assert 'value="دار جديدة"' in response.get_data(as_text=True)


def test_translator_cannot_create_a_monument(app, client, translator):
    url = "/curator/sites/casablanca/monuments/new"
    assert client.get(url).status_code == 403
