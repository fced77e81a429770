"""Revisions, drafts and publication: visitors see the published revision only; nothing is lost."""

import copy
import json
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from guide.codes.models import Code
from guide.codes.services import create_code
from guide.codes.services import retarget_code
from guide.codes.services import retire_code
from guide.extensions import db
from guide.monuments.services import get_monument
from guide.publishing.models import Revision
from guide.publishing.services import ConflictError
from guide.publishing.services import DocumentError
from guide.publishing.services import PublishingError
from guide.publishing.services import find_record
from guide.publishing.services import get_revision
from guide.publishing.services import list_revisions
from guide.publishing.services import next_due
from guide.publishing.services import publish
from guide.publishing.services import publish_due
from guide.publishing.services import restore
from guide.publishing.services import save
from guide.publishing.services import schedule
from guide.publishing.services import submit_for_review
from guide.publishing.services import unpublish
from guide.timeutil import as_utc
from guide.timeutil import now_utc

MOSQUE = "hassan-ii-mosque"
MOSQUE_CODE = "H3J4Y"
EDIT = {"fr": "Résumé révisé par la conservatrice", "ar": "ملخص منقح من المحافظة"}
CURATOR = "curator@example.org"


def head_of(kind: str, key: str) -> Revision:
    return db.session.get(Revision, find_record(kind, key).head_revision_id)


def edited(data: dict, summaries: dict[str, str]) -> dict:
    """A copy of a monument record with new summaries in the given languages."""
    data = copy.deepcopy(data)
    for lang, summary in summaries.items():
        data["text"][lang]["summary"] = summary
    return data


def save_edit(summaries=EDIT, author=CURATOR) -> Revision:
    head = head_of("monument", MOSQUE)
    return save("monument", MOSQUE, edited(head.data, summaries), head.id, author)


def body(response) -> str:
    """A response's text, JSON decoded so Arabic reads as itself."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


PUBLIC = [
    pytest.param(f"/fr/monuments/{MOSQUE}", {}, ["fr"], id="page-fr"),
    pytest.param(f"/ar/monuments/{MOSQUE}", {}, ["ar"], id="page-ar"),
    pytest.param(f"/api/v1/monuments/{MOSQUE}", {}, ["fr", "ar"], id="api"),
    pytest.param(f"/q/{MOSQUE_CODE}", {"Accept-Language": "fr"}, ["fr"], id="q-fr"),
    pytest.param(f"/q/{MOSQUE_CODE}", {"Accept-Language": "ar"}, ["ar"], id="q-ar"),
    # A pack lists its pages by hash: publishing changes its version, not its text.
    pytest.param("/api/v1/packs/casablanca", {}, [], id="pack"),
]


@pytest.mark.parametrize(("url", "headers", "langs"), PUBLIC)
def test_a_draft_changes_nothing_public_until_published(app, url, headers, langs):
    client = app.test_client()
    before = client.get(url, headers=headers)
    assert before.status_code == 200
    with app.app_context():
        save_edit()
        db.session.commit()
    assert client.get(url, headers=headers).get_data() == before.get_data()
    with app.app_context():
        publish("monument", MOSQUE, author=CURATOR)
        db.session.commit()
    after = client.get(url, headers=headers)
    assert after.get_data() != before.get_data()
    assert all(EDIT[lang] in body(after) for lang in langs)


def test_restoring_an_older_revision_brings_its_text_back_in_both_languages(app, client):
    with app.app_context():
        original = head_of("monument", MOSQUE)
        number, data = original.number, original.data
        summaries = {lang: text["summary"] for lang, text in data["text"].items()}
        save_edit()
        publish("monument", MOSQUE, author=CURATOR)
        db.session.commit()
    for lang in ("fr", "ar"):
        assert EDIT[lang] in client.get(f"/{lang}/monuments/{MOSQUE}").text
    with app.app_context():
        restored = restore("monument", MOSQUE, number, CURATOR, head_of("monument", MOSQUE).id)
        assert restored.number == number + 2
        assert restored.data == data
        publish("monument", MOSQUE, author=CURATOR)
        db.session.commit()
    for lang in ("fr", "ar"):
        page = client.get(f"/{lang}/monuments/{MOSQUE}").text
        assert EDIT[lang] not in page
        assert summaries[lang].split()[0] in page
    api = body(client.get(f"/api/v1/monuments/{MOSQUE}"))
    assert all(summaries[lang] in api for lang in ("fr", "ar"))


def test_a_stale_save_is_refused_with_both_versions_and_nothing_is_lost(app):
    with app.app_context():
        base = head_of("monument", MOSQUE)
        first = save("monument", MOSQUE, edited(base.data, {"fr": "Première version"}), base.id, "a@example.org")
        second_data = edited(base.data, {"ar": "النسخة الثانية"})
        with pytest.raises(ConflictError) as refused:
            save("monument", MOSQUE, second_data, base.id, "b@example.org")
        assert refused.value.submitted == second_data
        assert refused.value.base.id == base.id
        assert refused.value.head.id == first.id
        messages = set()
        for lang in ("fr", "ar"):
            with force_locale(lang):
                messages.add(str(ConflictError(second_data, base, first)))
        assert len(messages) == 2
        db.session.commit()
        assert head_of("monument", MOSQUE).id == first.id
        assert get_revision("monument", MOSQUE, base.number).data == base.data
        assert get_revision("monument", MOSQUE, first.number).data["text"]["fr"]["summary"] == "Première version"


def test_a_translation_change_alone_is_a_revision_of_the_whole_record(app):
    with app.app_context():
        before = list_revisions("monument", MOSQUE)
        revision = save_edit({"ar": EDIT["ar"]})
        assert [r.number for r in list_revisions("monument", MOSQUE)] == [r.number for r in before] + [revision.number]
        assert revision.data["text"]["ar"]["summary"] == EDIT["ar"]
        assert revision.data["text"]["fr"] == before[-1].data["text"]["fr"]
        assert revision.base_id == before[-1].id
        assert revision.author == CURATOR


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["text"].pop("ar"), "missing language(s): ar"),
        (lambda d: d.update(access="nowhere"), "access"),
        (lambda d: d.update(site="atlantis"), "atlantis"),
        (lambda d: d["media"].clear(), "images/cover.webp"),
    ],
)
def test_an_invalid_record_is_not_saved(app, change, reason):
    with app.app_context():
        head = head_of("monument", MOSQUE)
        data = copy.deepcopy(head.data)
        change(data)
        with pytest.raises(DocumentError, match=re.escape(reason)):
            save("monument", MOSQUE, data, head.id, CURATOR)
        assert head_of("monument", MOSQUE).id == head.id


def test_states_follow_review_and_publication(app):
    with app.app_context():
        monument = find_record("monument", MOSQUE)
        assert (monument.state, monument.live) == ("published", True)
        save_edit()
        assert monument.state == "draft"
        submit_for_review("monument", MOSQUE)
        assert monument.state == "review"
        revision = publish("monument", MOSQUE, author=CURATOR)
        assert (monument.state, monument.published_revision_id) == ("published", revision.id)
        assert as_utc(monument.updated_dt) == as_utc(revision.created_dt)
        unpublish("monument", MOSQUE)
        assert (monument.state, monument.live) == ("draft", False)


def test_publishing_an_older_revision_leaves_the_draft_as_head(app, client):
    with app.app_context():
        original = head_of("monument", MOSQUE)
        draft = save_edit()
        publish("monument", MOSQUE, revision_id=original.id, author=CURATOR)
        monument = find_record("monument", MOSQUE)
        assert (monument.head_revision_id, monument.published_revision_id) == (draft.id, original.id)
        assert monument.state == "draft"
        db.session.commit()
    assert EDIT["fr"] not in client.get(f"/fr/monuments/{MOSQUE}").text


@pytest.mark.parametrize(("offset", "published"), [(timedelta(minutes=-5), True), (timedelta(hours=3), False)])
def test_publish_at_publishes_when_due(app, client, offset, published):
    with app.app_context():
        save_edit()
        local = datetime.now(UTC).astimezone(find_zone(app)).replace(tzinfo=None) + offset
        record = schedule("monument", MOSQUE, local)
        assert abs(as_utc(record.publish_at) - (now_utc() + offset)) < timedelta(seconds=5)
        assert next_due() == as_utc(record.publish_at)
        db.session.commit()
        done = publish_due(now_utc())
        db.session.commit()
        assert done == ([("monument", MOSQUE)] if published else [])
        # A second worker arriving late finds nothing left to do.
        assert publish_due(now_utc()) == []
        assert (next_due() is None) == published
    assert (EDIT["fr"] in client.get(f"/fr/monuments/{MOSQUE}").text) == published


def find_zone(app):
    from zoneinfo import ZoneInfo

    return ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])


def test_schedule_reads_casablanca_wall_clock_time(app):
    with app.app_context():
        # June: Morocco is on UTC+1 outside Ramadan.
        record = schedule("monument", MOSQUE, datetime(2030, 6, 3, 12, 0))
        assert as_utc(record.publish_at) == datetime(2030, 6, 3, 11, 0, tzinfo=UTC)
        schedule("monument", MOSQUE, None)
        assert record.publish_at is None
        assert next_due() is None


def test_unknown_records_and_revisions_are_clear_errors(app):
    with app.app_context():
        with pytest.raises(PublishingError, match="atlantis"):
            publish("site", "atlantis")
        with pytest.raises(PublishingError):
            restore("monument", MOSQUE, 999, CURATOR, head_of("monument", MOSQUE).id)
        with pytest.raises(PublishingError):
            publish("code", MOSQUE_CODE)


def test_code_lifecycle_writes_code_revisions_with_their_author(app):
    with app.app_context():
        mosque = get_monument(MOSQUE)
        code = create_code(mosque, author="cli")
        retarget_code(code, get_monument("villa-des-arts"), author="curator@example.org")
        retire_code(code, author="import content/casablanca/codes.toml")
        revisions = list_revisions("code", code.code)
        assert [r.author for r in revisions] == ["cli", "curator@example.org", "import content/casablanca/codes.toml"]
        assert [r.data["monument"] for r in revisions] == [MOSQUE, "villa-des-arts", "villa-des-arts"]
        assert revisions[-1].data["retired_at"] is not None
        assert revisions[1].base_id == revisions[0].id
        assert code.head_revision_id == revisions[-1].id


def test_a_new_monument_saved_as_a_draft_has_no_public_rows_until_published(app):
    with app.app_context():
        data = copy.deepcopy(head_of("monument", "villa-des-arts").data)
        data.update(slug="new-place", code=fresh_code(), number=900, stops=[])
        save("monument", "new-place", data, None, CURATOR)
        monument = find_record("monument", "new-place")
        assert (monument.live, monument.state, monument.published_revision_id) == (False, "draft", None)
        assert monument.texts == {}
        assert monument.codes == []
        publish("monument", "new-place", author=CURATOR)
        assert monument.live
        assert monument.texts["fr"].name == data["text"]["fr"]["name"]
        assert [code.code for code in monument.codes] == [data["code"]]
        assert list_revisions("code", data["code"])[0].author == CURATOR


def fresh_code() -> str:
    from guide.codes.format import new_code

    return new_code(set(db.session.scalars(select(Code.code))))


def test_cli_lists_shows_restores_schedules_and_publishes(app, runner, client):
    with app.app_context():
        save_edit()
        db.session.commit()
    listing = runner.invoke(args=["revisions", "list", "--monument", MOSQUE]).output.splitlines()
    assert listing[0].split()[0] == "1"
    assert listing[0].endswith("published")
    assert CURATOR in listing[1]
    assert "head" in listing[1]
    assert listing[-1] == "state draft, live"
    shown = runner.invoke(args=["revisions", "show", "--monument", MOSQUE, "2"])
    assert json.loads(shown.output)["text"]["fr"]["summary"] == EDIT["fr"]

    assert runner.invoke(args=["submit", "--monument", MOSQUE]).output == f"monument {MOSQUE}: submitted for review.\n"
    assert runner.invoke(args=["publish", "--monument", MOSQUE]).exit_code == 0
    assert EDIT["fr"] in client.get(f"/fr/monuments/{MOSQUE}").text

    restored = runner.invoke(args=["revisions", "restore", "--monument", MOSQUE, "1"])
    assert "revision 3 saved as a draft" in restored.output
    assert runner.invoke(args=["publish", "--monument", MOSQUE, "--revision", "1"]).exit_code == 0
    assert EDIT["fr"] not in client.get(f"/fr/monuments/{MOSQUE}").text
    scheduled = runner.invoke(args=["publish", "--monument", MOSQUE, "--at", "2030-06-03 12:00"])
    assert "2030-06-03 11:00 UTC" in scheduled.output
    assert runner.invoke(args=["unpublish", "--site", "fes"]).output == "site fes: unpublished.\n"
    assert runner.invoke(args=["codes", "retire", MOSQUE_CODE]).exit_code == 0
    code_history = runner.invoke(args=["revisions", "list", "--code", MOSQUE_CODE.lower()]).output.splitlines()
    assert "cli  head" in code_history[-2]
    assert code_history[-1] == "retired"
    with app.app_context():
        assert find_record("site", "fes").live is False
        assert as_utc(find_record("monument", MOSQUE).publish_at) == datetime(2030, 6, 3, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["publish"], "Give one of --monument, --site."),
        (["publish", "--monument", MOSQUE, "--site", "fes"], "Give one of --monument, --site."),
        (["publish", "--code", MOSQUE_CODE], "No such option '--code'"),
        (["revisions", "list"], "Give one of --monument, --site, --code."),
        (["revisions", "list", "--code", "AAAAA"], "No code has the key AAAAA"),
        (["unpublish", "--monument", "nowhere"], "No monument has the key nowhere"),
        (["revisions", "show", "--site", "fes", "99"], "fes has no revision 99"),
        (["publish", "--monument", MOSQUE, "--revision", "99"], "has no revision 99"),
        (["publish", "--monument", MOSQUE, "--at", "tomorrow"], "%Y-%m-%d %H:%M"),
    ],
)
def test_cli_errors_are_clear(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
