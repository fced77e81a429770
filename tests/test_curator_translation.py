"""Translation status: stamps on every revision, missing/outdated/up to date, confirming, the table."""

import copy
import re
import shutil
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.extensions import db
from guide.publishing.models import Revision
from guide.publishing.services import PublishingError
from guide.publishing.services import find_record
from guide.publishing.services import get_revision
from guide.publishing.services import publish
from guide.publishing.services import restore
from guide.publishing.services import save
from guide.translating.models import TranslationStamp
from guide.translating.services import MISSING
from guide.translating.services import OUTDATED
from guide.translating.services import UP_TO_DATE
from guide.translating.services import missing_required
from guide.translating.services import record_statuses
from guide.translating.services import translatable_fields
from tests.curator import csrf_token
from tests.curator import login
from tests.curator import make_user
from tests.curator import post

MOSQUE = "hassan-ii-mosque"
CONFIRM = f"/curator/translations/monument/{MOSQUE}/confirm"
DETAIL = f"/curator/translations/monument/{MOSQUE}"
TABLE = "/curator/sites/casablanca/translations"
NEW_SUMMARY = {"fr": "Un nouveau résumé de la mosquée, revu par la conservatrice.",
               "ar": "ملخص جديد للمسجد راجعته المحافظة."}
OTHER = {"fr": "ar", "ar": "fr"}
CONTENT = Path(__file__).resolve().parent.parent / "content"


def head_of(kind: str = "monument", key: str = MOSQUE) -> Revision:
    return db.session.get(Revision, find_record(kind, key).head_revision_id)


def save_with(change, author: str = "editor@dalil.example", kind: str = "monument", key: str = MOSQUE) -> Revision:
    """Save the record's head with change(document) applied."""
    head = head_of(kind, key)
    data = copy.deepcopy(head.data)
    change(data)
    return save(kind, key, data, head.id, author)


def set_summary(lang: str, text: str):
    def change(data):
        data["text"][lang]["summary"] = text
    return change


def status_of(path: str, kind: str = "monument", key: str = MOSQUE) -> dict:
    fields = {item.path: item for item in record_statuses(kind, key, head_of(kind, key).data)}
    return fields[path].statuses if path in fields else {}


def body(response) -> str:
    return response.get_data(as_text=True)


def test_field_paths_list_every_translatable_text_of_a_monument(app):
    with app.app_context():
        paths = dict(translatable_fields("monument", head_of().data))
    for path in ("text.name", "text.summary", "text.body", "text.hours", "cover.alt", "cover.credit",
                 "gallery.0.alt", "gallery.0.credit", "guides.transcript", "stops.minaret.text.title",
                 "stops.minaret.text.body", "stops.minaret.image.alt", "stops.minaret.image.credit",
                 "stops.minaret.guides.transcript", "stops.esplanade.text.title"):
        assert path in paths, path
        assert set(paths[path]) == {"ar", "fr"}
    assert "stops.esplanade.guides.transcript" not in paths  # that stop has no guide
    assert paths["text.name"] == {"ar": "مسجد الحسن الثاني", "fr": "Mosquée Hassan II"}
    assert paths["guides.transcript"]["ar"]
    assert paths["guides.transcript"]["fr"]


def test_field_paths_of_a_site(app):
    with app.app_context():
        paths = dict(translatable_fields("site", head_of("site", "casablanca").data))
    assert list(paths) == ["name", "description"]
    assert paths["name"]["ar"]


@pytest.mark.parametrize("app", [{"EXTRA_LANGUAGES": "zgh"}], indirect=True)
def test_an_extra_language_is_a_column_and_shows_missing_without_blocking(app, client):
    with app.app_context():
        statuses = status_of("text.name")
        assert statuses == {"ar": UP_TO_DATE, "fr": UP_TO_DATE, "zgh": MISSING}
        assert missing_required("monument", head_of().data) == []
    login(client, make_user(app, "admin", sites=()))
    page = body(client.get(TABLE))
    assert 'lang="zgh"' in page


def test_loading_content_stamps_every_value_once(app):
    with app.app_context():
        stamps = list(db.session.scalars(select(TranslationStamp).where(
            TranslationStamp.kind == "monument", TranslationStamp.record_key == MOSQUE)))
        assert {(stamp.field, stamp.lang) for stamp in stamps} >= {("text.name", "ar"), ("text.name", "fr"),
                                                                   ("stops.minaret.image.alt", "ar")}
        assert all(stamp.author.startswith("import") for stamp in stamps)
        assert {item.statuses["ar"] for item in record_statuses("monument", MOSQUE, head_of().data)} == {UP_TO_DATE}


@pytest.mark.parametrize("changed", ["fr", "ar"])
def test_outdated_after_the_counterpart_changes_and_up_to_date_after_a_save(app, changed):
    other = OTHER[changed]
    with app.app_context():
        save_with(set_summary(changed, NEW_SUMMARY[changed]))
        assert status_of("text.summary") == {changed: UP_TO_DATE, other: OUTDATED}
        # Untouched fields stay up to date.
        assert status_of("text.body") == {"ar": UP_TO_DATE, "fr": UP_TO_DATE}
        db.session.commit()
        # The translator brings the other language in line: both are up to date, not the first outdated.
        save_with(set_summary(other, NEW_SUMMARY[other]), author="translator@dalil.example")
        assert status_of("text.summary") == {"ar": UP_TO_DATE, "fr": UP_TO_DATE}
        # A later change of the first language outdates the other again.
        save_with(set_summary(changed, NEW_SUMMARY[changed] + " 2"))
        assert status_of("text.summary")[other] == OUTDATED


@pytest.mark.parametrize("changed", ["fr", "ar"])
def test_a_confirmation_clears_outdated_and_is_audited(app, client, changed):
    other = OTHER[changed]
    with app.app_context():
        save_with(set_summary(changed, NEW_SUMMARY[changed]))
        db.session.commit()
    translator = make_user(app, "translator", languages=(other,))
    login(client, translator)
    page = body(client.get(DETAIL))
    assert "Still correct" in page or "confirm" in page.lower()
    response = post(client, CONFIRM, {"lang": other, "path": "text.summary"}, token_from=DETAIL)
    assert response.status_code == 302
    with app.app_context():
        assert status_of("text.summary") == {"ar": UP_TO_DATE, "fr": UP_TO_DATE}
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "translation.confirm")).one()
        assert event.actor == translator.email
        assert event.target == f"monument:{MOSQUE}"
        assert event.detail["lang"] == other
        assert event.detail["fields"] == ["text.summary"]
        # After a confirmation, a new change of the counterpart outdates it again.
        save_with(set_summary(changed, NEW_SUMMARY[changed] + " encore"))
        assert status_of("text.summary")[other] == OUTDATED


def test_confirming_every_outdated_field_of_a_language(app, client):
    with app.app_context():
        def change(data):
            data["text"]["fr"]["summary"] = NEW_SUMMARY["fr"]
            data["text"]["fr"]["hours"] = "Tous les jours sauf le vendredi."
            data["stops"][1]["text"]["fr"]["title"] = "Le minaret, 210 mètres"
        save_with(change)
        db.session.commit()
        outdated = [item.path for item in record_statuses("monument", MOSQUE, head_of().data)
                    if item.statuses["ar"] == OUTDATED]
        assert outdated == ["text.summary", "text.hours", "stops.minaret.text.title"]
    login(client, make_user(app, "editor"))
    assert post(client, CONFIRM, {"lang": "ar"}, token_from=DETAIL).status_code == 302
    with app.app_context():
        assert not [item for item in record_statuses("monument", MOSQUE, head_of().data)
                    if OUTDATED in item.statuses.values()]


def test_a_translator_cannot_confirm_another_language(app, client):
    with app.app_context():
        save_with(set_summary("fr", NEW_SUMMARY["fr"]))
        db.session.commit()
    login(client, make_user(app, "translator", languages=("fr",)))
    response = post(client, CONFIRM, {"lang": "ar", "path": "text.summary"}, token_from=DETAIL)
    assert response.status_code == 403
    with app.app_context():
        assert status_of("text.summary")["ar"] == OUTDATED
        refused = db.session.scalars(select(AuditEvent).where(AuditEvent.outcome == "refused")).all()
        assert refused
        assert refused[-1].action == "refused.edit_text"


def test_confirm_needs_a_csrf_token_and_a_post(app, client):
    login(client, make_user(app, "editor"))
    assert client.post(CONFIRM, data={"lang": "ar", "path": "text.summary"}).status_code == 400
    assert client.get(CONFIRM).status_code == 405


@pytest.mark.parametrize(("form", "status"), [
    ({"lang": "de", "path": "text.summary"}, 400),
    ({"lang": "ar", "path": "text.nothing"}, 400),
    ({"lang": "ar", "path": "text.period\u202e"}, 400),
])
def test_confirming_nonsense_is_a_translated_400(app, client, form, status):
    login(client, make_user(app, "editor"))
    client.set_cookie("dalil_lang", "ar")
    response = post(client, CONFIRM, form, token_from=DETAIL)
    assert response.status_code == status
    assert 'dir="rtl"' in body(response)


def test_another_sites_records_are_403_and_unknown_ones_404(app, client):
    login(client, make_user(app, "editor", sites=("fes",)))
    assert client.get(TABLE).status_code == 403
    assert client.get(DETAIL).status_code == 403
    assert post(client, CONFIRM, {"lang": "ar"}).status_code == 403
    assert client.get("/curator/sites/atlantis/translations").status_code == 404
    assert client.get("/curator/translations/monument/atlantis").status_code == 404
    assert client.get(f"/curator/translations/code/{MOSQUE}").status_code == 404
    assert client.get("/curator/sites/fes/translations").status_code == 200


def test_pages_need_sign_in_and_are_not_stored(app, client):
    assert client.get(TABLE).status_code == 302
    login(client, make_user(app, "translator", languages=("ar",)))
    response = client.get(TABLE)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_table_counts_and_filters_what_needs_arabic(app, client):
    with app.app_context():
        save_with(set_summary("fr", NEW_SUMMARY["fr"]))

        def drop_arabic_period(data):
            data["text"]["ar"]["period"] = ""
        save_with(drop_arabic_period, key="hotel-lincoln")
        db.session.commit()
    login(client, make_user(app, "translator", languages=("ar",)))
    page = body(client.get(TABLE))
    assert "hotel-lincoln" in page
    assert "rialto-cinema" in page
    assert "1 outdated" in page or "outdated" in page
    needs_arabic = body(client.get(TABLE + "?lang=ar"))
    rows = re.findall(r'translations/monument/([a-z0-9-]+)', needs_arabic)
    assert set(rows) == {MOSQUE, "hotel-lincoln"}
    outdated = set(re.findall(r'translations/monument/([a-z0-9-]+)', body(client.get(TABLE + "?lang=ar&status=outdated"))))
    assert outdated == {MOSQUE}
    missing = set(re.findall(r'translations/monument/([a-z0-9-]+)', body(client.get(TABLE + "?lang=ar&status=missing"))))
    assert missing == {"hotel-lincoln"}
    assert not re.findall(r'translations/monument/', body(client.get(TABLE + "?lang=fr&status=missing")))
    # Each cell leads to the record's editor.
    assert f'href="/curator/monuments/{MOSQUE}"' in needs_arabic or "editor" in needs_arabic


@pytest.mark.parametrize("query", ["?lang=de", "?status=stale", "?lang=../../etc", "?lang=ar&status=%00"])
def test_a_bad_filter_is_a_400_never_a_500(app, client, query):
    login(client, make_user(app, "editor"))
    assert client.get(TABLE + query).status_code == 400
    assert client.get(DETAIL + query).status_code == 400


def test_detail_page_shows_each_value_in_its_own_language_and_direction(app, client):
    with app.app_context():
        save_with(set_summary("fr", "<script>alert(1)</script> nouveau résumé"))
        db.session.commit()
    login(client, make_user(app, "editor"))
    client.set_cookie("dalil_lang", "fr")
    page = body(client.get(DETAIL))
    assert re.search(r'class="tr-value" lang="ar" dir="rtl"[^>]*>ملخص|class="tr-value" lang="ar" dir="rtl"', page)
    assert 'class="tr-value" lang="fr" dir="ltr"' in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert 'id="stop-minaret"' in page
    filtered = body(client.get(DETAIL + "?lang=ar&status=outdated"))
    assert filtered.count('class="tr-field"') == 1


def test_restores_and_imports_stamp_what_they_change(app):
    with app.app_context():
        first = head_of().number
        save_with(set_summary("fr", NEW_SUMMARY["fr"]))
        restore("monument", MOSQUE, first, "restorer@dalil.example", head_of().id)
        stamp = db.session.get(TranslationStamp, ("monument", MOSQUE, "text.summary", "fr"))
        assert stamp.author == "restorer@dalil.example"
        assert db.session.get(TranslationStamp, ("monument", MOSQUE, "text.body", "fr")).author.startswith("import")


def test_stamps_of_removed_stops_are_removed(app):
    with app.app_context():
        def drop_stop(data):
            data["stops"] = [stop for stop in data["stops"] if stop["slug"] != "esplanade"]
        save_with(drop_stop)
        fields = {stamp.field for stamp in db.session.scalars(select(TranslationStamp).where(
            TranslationStamp.record_key == MOSQUE))}
        assert not [field for field in fields if field.startswith("stops.esplanade.")]
        assert "stops.minaret.text.title" in fields


def drop_arabic(data):
    data["text"]["ar"]["architect"] = ""
    data["stops"][1]["image"]["alt"]["ar"] = "x"  # still present: not listed


def test_publishing_is_refused_while_a_required_language_is_missing(app):
    with app.app_context():
        revision = save_with(drop_arabic)
        db.session.commit()
        with force_locale("en"), pytest.raises(PublishingError) as refused:
            publish("monument", MOSQUE, revision.id, "editor@dalil.example")
        assert str(refused.value) == "Arabic is missing: Architect"
        db.session.rollback()
        assert find_record("monument", MOSQUE).published_revision_id != revision.id


def test_publishing_lists_every_missing_field_by_language(app):
    with app.app_context():
        def change(data):
            data["text"]["ar"]["hours"] = ""
            data["text"]["fr"]["style"] = ""
        revision = save_with(change)
        # A field the schema requires can only be missing in a record saved before a language was required.
        revision.data = copy.deepcopy(revision.data)
        revision.data["stops"][1]["text"]["ar"]["title"] = ""
        revision.data["cover"]["alt"]["fr"] = ""
        with force_locale("en"), pytest.raises(PublishingError) as refused:
            publish("monument", MOSQUE, revision.id)
        message = str(refused.value)
        assert message.startswith("Arabic is missing: Opening hours, Stop “minaret” title;")
        assert "French is missing: Style, Cover alt text" in message


def test_a_guide_in_one_language_only_does_not_block_publishing(app):
    with app.app_context():
        def drop_guide(data):
            data["guides"] = [guide for guide in data["guides"] if guide["lang"] == "fr"]
        revision = save_with(drop_guide)
        assert status_of("guides.transcript") == {"ar": MISSING, "fr": UP_TO_DATE}
        publish("monument", MOSQUE, revision.id)
        assert find_record("monument", MOSQUE).published_revision_id == revision.id


def test_cli_publish_is_refused_with_the_missing_fields(app, runner):
    with app.app_context():
        revision = save_with(drop_arabic)
        db.session.commit()
        number = revision.number
    result = runner.invoke(args=["publish", "--monument", MOSQUE])
    assert result.exit_code != 0
    assert "Architect" in result.output or "Architecte" in result.output or "المهندس" in result.output
    with app.app_context():
        assert find_record("monument", MOSQUE).published_revision_id != get_revision("monument", MOSQUE, number).id


def test_the_site_card_links_to_the_table(app, client):
    login(client, make_user(app, "translator", languages=("ar",)))
    assert 'href="/curator/sites/casablanca/translations"' in body(client.get("/curator/"))
    assert csrf_token(client, TABLE)


def copy_monument(tmp_path: Path, slug: str = MOSQUE) -> Path:
    """Copy Casablanca's site.toml and one monument into tmp_path; return the monument.toml."""
    site = tmp_path / "content" / "casablanca"
    site.mkdir(parents=True)
    shutil.copy(CONTENT / "casablanca" / "site.toml", site / "site.toml")
    shutil.copytree(CONTENT / "casablanca" / slug, site / slug)
    return site / slug / "monument.toml"


def test_an_import_stamps_what_its_file_changed(app, runner, tmp_path):
    path = copy_monument(tmp_path)
    text = path.read_text()
    head, french = text.split("[text.fr]", 1)
    path.write_text(head + "[text.fr]" + re.sub(r'(?m)^summary = .*$', 'summary = "Un résumé venu du fichier."',
                                                french, count=1))
    result = runner.invoke(args=["load-content", str(tmp_path / "content")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert status_of("text.summary") == {"ar": OUTDATED, "fr": UP_TO_DATE}
        stamp = db.session.get(TranslationStamp, ("monument", MOSQUE, "text.summary", "fr"))
        assert stamp.author == f"import content/casablanca/{MOSQUE}/monument.toml"


def test_an_import_missing_a_required_language_is_refused_and_loads_nothing(app, runner, tmp_path):
    path = copy_monument(tmp_path)
    text = path.read_text()
    head, french = text.split("[text.fr]", 1)
    french, arabic = french.split("[text.ar]", 1)
    arabic = re.sub(r'(?m)^architect = .*\n', "", arabic, count=1)
    path.write_text(head + "[text.fr]" + french + "[text.ar]" + arabic)
    with app.app_context():
        before = head_of().number
    result = runner.invoke(args=["load-content", str(tmp_path / "content")])
    assert result.exit_code != 0
    assert "Architect" in result.output or "Architecte" in result.output
    assert "nothing was loaded" in result.output
    with app.app_context():
        assert head_of().number == before


def test_stamping_reads_the_stamps_once_whatever_the_record_size(app):
    from tests.queries import counting

    with app.app_context():
        head = head_of()
        data = copy.deepcopy(head.data)
        for stop in data["stops"]:
            stop["text"]["fr"]["title"] += " (révisé)"
        data["text"]["fr"]["summary"] = NEW_SUMMARY["fr"]
        with counting(app) as statements:
            save("monument", MOSQUE, data, head.id, "editor@dalil.example")
    stamp_reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT") and "translation_stamps" in sql]
    stamp_writes = [sql for sql in statements if not sql.lstrip().upper().startswith("SELECT") and "translation_stamps" in sql]
    assert len(stamp_reads) == 1
    # Five changed values: written in one batched statement (executemany), not one per field.
    assert len(stamp_writes) <= 2


def test_scheduling_is_refused_while_a_required_language_is_missing(app):
    from datetime import datetime

    from guide.publishing.services import schedule

    with app.app_context():
        save_with(drop_arabic)
        with force_locale("en"), pytest.raises(PublishingError, match="Arabic is missing: Architect"):
            schedule("monument", MOSQUE, datetime(2030, 1, 1, 9, 0))
        assert find_record("monument", MOSQUE).publish_at is None


def test_records_saved_before_stamps_existed(app, client):
    """A database from before translation status has no stamps: nothing is outdated until a change."""
    with app.app_context():
        db.session.execute(TranslationStamp.__table__.delete())
        assert {item.statuses["ar"] for item in record_statuses("monument", MOSQUE, head_of().data)} == {UP_TO_DATE}
        save_with(set_summary("fr", NEW_SUMMARY["fr"]))
        assert status_of("text.summary") == {"ar": OUTDATED, "fr": UP_TO_DATE}
        assert status_of("text.body") == {"ar": UP_TO_DATE, "fr": UP_TO_DATE}
        db.session.commit()
    login(client, make_user(app, "translator", languages=("ar",)))
    assert post(client, CONFIRM, {"lang": "ar", "path": "text.summary"}, token_from=DETAIL).status_code == 302
    assert post(client, CONFIRM, {"lang": "ar", "path": "text.body"}, token_from=DETAIL).status_code == 302
    assert client.get(DETAIL).status_code == 200
    with app.app_context():
        assert status_of("text.summary") == {"ar": UP_TO_DATE, "fr": UP_TO_DATE}
        # An Arabic value filled in where there was none confirms the French it translates.
        save_with(lambda data: data["text"]["ar"].update(period=""))
        save_with(lambda data: data["text"]["ar"].update(period="1986–1993"))
        assert status_of("text.period") == {"ar": UP_TO_DATE, "fr": UP_TO_DATE}


def test_a_scheduled_publication_refused_later_is_dropped_and_logged(app):
    """A head that lost a required text after it was scheduled: not retried forever, others still publish."""
    from datetime import timedelta

    from sqlalchemy import select

    from guide.audit.models import AuditEvent
    from guide.publishing.services import publish_due
    from guide.timeutil import now_utc

    with app.app_context():
        save_with(drop_arabic)
        site = find_record("site", "casablanca")
        monument = find_record("monument", MOSQUE)
        past = now_utc() - timedelta(minutes=5)
        monument.publish_at, site.publish_at = past, past
        db.session.flush()
        assert publish_due() == [("site", "casablanca")]
        assert monument.publish_at is None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "monument.publish"))
        assert (event.outcome, event.actor, event.target) == ("failed", "schedule", f"monument:{MOSQUE}")
        assert "Architect" in event.detail["reason"] or "Architecte" in event.detail["reason"]
