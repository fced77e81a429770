"""flask load-content: validation first, idempotent upserts, one-file edits, nothing half-way."""

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select

from guide.codes.format import is_well_formed
from guide.codes.models import Code
from guide.codes.services import find_code
from guide.codes.services import retarget_code
from guide.content.models import ContentVersion
from guide.extensions import db
from guide.media.models import MediaFile
from guide.media.models import MediaVariant
from guide.media.services import media_path
from guide.monuments.models import Monument
from guide.monuments.services import get_monument
from guide.publishing.models import Revision
from guide.publishing.services import find_record
from guide.publishing.services import list_revisions
from guide.publishing.services import publish
from guide.publishing.services import save
from guide.sites.models import Site
from guide.timeutil import now_utc
from guide.tours.models import Tour

CONTENT = Path(__file__).resolve().parent.parent / "content"


def monument_dirs():
    return sorted(p.parent for p in CONTENT.glob("*/*/monument.toml"))


def copy_site(tmp_path: Path, count: int = 2) -> Path:
    """Copy Casablanca's site.toml and its first monuments with stops into tmp_path."""
    root = tmp_path / "content"
    site = root / "casablanca"
    site.mkdir(parents=True)
    shutil.copy(CONTENT / "casablanca" / "site.toml", site / "site.toml")
    with_stops = [d for d in monument_dirs() if tomllib.loads((d / "monument.toml").read_text()).get("stops")]
    for folder in with_stops[:count]:
        shutil.copytree(folder, site / folder.name)
    return root


def counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Site, Monument, Code)
    }


def test_sample_content_has_what_the_guide_promises(app):
    with app.app_context():
        casablanca = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
        monuments = casablanca.monuments
        assert len(monuments) >= 10
        assert sum(1 for m in monuments if len(m.stops) >= 2) >= 3
        with_audio = [m for m in monuments if all(g.audio for g in m.guides.values()) and len(m.guides) >= 2]
        assert len(with_audio) >= 3
        for monument in monuments:
            assert {"ar", "fr"} <= set(monument.texts)
            assert monument.primary_code is not None
            assert monument.cover is not None
            assert all(image.texts["ar"].alt and image.texts["fr"].alt for image in monument.images)
        slugs = {site.slug for site in db.session.scalars(select(Site))}
        assert {"casablanca", "fes", "marrakech", "rabat", "tanger", "ifrane"} <= slugs


def test_every_sample_code_is_well_formed_and_unique(app):
    with app.app_context():
        codes = list(db.session.scalars(select(Code)))
        assert codes
        assert all(is_well_formed(code.code) for code in codes)
        numbers = [(code.site_id, code.number) for code in codes]
        assert len(numbers) == len(set(numbers))


def test_loading_twice_changes_nothing(app, runner):
    with app.app_context():
        before = counts()
        versions = db.session.execute(select(ContentVersion.scope, ContentVersion.version)).all()
        stamps = dict(db.session.execute(select(Monument.slug, Monument.updated_dt)).all())
    result = runner.invoke(args=["load-content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 created, 0 updated")
    with app.app_context():
        assert counts() == before
        assert db.session.execute(select(ContentVersion.scope, ContentVersion.version)).all() == versions
        assert dict(db.session.execute(select(Monument.slug, Monument.updated_dt)).all()) == stamps


def test_editing_one_file_updates_that_record_only(empty_app, tmp_path):
    root = copy_site(tmp_path)
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["load-content", str(root)]).exit_code == 0
    with empty_app.app_context():
        stamps = dict(db.session.execute(select(Monument.slug, Monument.updated_dt)).all())
    edited, untouched = sorted(stamps)[:2]
    path = root / "casablanca" / edited / "monument.toml"
    head, french = path.read_text().split("[text.fr]", 1)
    french = re.sub(r'(?m)^summary = .*$', 'summary = "Résumé modifié."', french, count=1)
    path.write_text(head + "[text.fr]" + french)

    result = runner.invoke(args=["load-content", str(root)])
    assert result.exit_code == 0, result.output
    assert f"updated  monument {edited}" in result.output
    assert "1 updated" in result.output
    with empty_app.app_context():
        monument = db.session.scalar(select(Monument).where(Monument.slug == edited))
        assert monument.texts["fr"].summary == "Résumé modifié."
        after = dict(db.session.execute(select(Monument.slug, Monument.updated_dt)).all())
        assert after[untouched] == stamps[untouched]
        assert after[edited] != stamps[edited]


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda t: t + "\nthis is = = not toml\n", "not valid UTF-8 TOML"),
        (lambda t: t.replace("[text.ar]", "[text.xx_ar]", 1), "missing language(s): ar"),
        (lambda t: t.replace('access = "', 'access = "nowhere', 1), "access"),
        (lambda t: _set_code(t, "AAAAA"), "not a well-formed code"),
        (lambda t: t.replace('file = "images/', 'file = "../../../../etc/', 1), "outside the monument's folder"),
        (lambda t: t.replace('file = "images/', 'file = "images/missing-', 1), "file not found"),
        (lambda t: t.replace("[text.fr]\nname = \"", "[text.fr]\nname = \"\u202e", 1), "bidirectional override"),
        (lambda t: t.replace("slug = ", "slug = \"other-slug\"\nold_slug = ", 1), "extra"),
    ],
)
def test_a_malformed_file_is_reported_with_its_path_and_loads_nothing(empty_app, tmp_path, mutate, reason):
    root = copy_site(tmp_path)
    broken = sorted((root / "casablanca").glob("*/monument.toml"))[-1]
    broken.write_text(mutate(broken.read_text()))
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["load-content", str(root)])
    assert result.exit_code != 0
    assert str(broken) in result.output
    assert reason.lower() in result.output.lower()
    assert "nothing was loaded" in result.output
    with empty_app.app_context():
        assert counts() == {"Site": 0, "Monument": 0, "Code": 0}


def _set_code(text: str, code: str) -> str:
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("code = "))
    lines[index] = f'code = "{code}"'
    return "\n".join(lines)


def test_html_disguised_as_audio_is_refused(empty_app, tmp_path):
    root = copy_site(tmp_path, count=1)
    audio = next((root / "casablanca").glob("*/audio/*.m4a"))
    audio.write_bytes(b"<html><script>alert(1)</script></html>")
    result = empty_app.test_cli_runner().invoke(args=["load-content", str(root)])
    assert result.exit_code != 0
    with empty_app.app_context():
        assert _("This file is not an M4A, MP3, Opus or Ogg audio file.") in result.output


def test_two_monuments_sharing_a_code_are_refused(empty_app, tmp_path):
    root = copy_site(tmp_path)
    first, second = sorted((root / "casablanca").glob("*/monument.toml"))[:2]
    code = tomllib.loads(first.read_text())["code"]
    second.write_text(_set_code(second.read_text(), code))
    result = empty_app.test_cli_runner().invoke(args=["load-content", str(root)])
    assert result.exit_code != 0
    assert f"code {code} is also used in" in result.output


@pytest.mark.parametrize(
    ("edit", "refused"),
    [
        # The file still names the code as before: the retirement made since stands.
        (lambda text: text + "\n", False),
        # The file gives the retired code a new number: that would bring it back.
        (lambda text: re.sub(r"(?m)^number = \d+$", "number = 999", text, count=1), True),
    ],
)
def test_a_retired_code_cannot_come_back(empty_app, tmp_path, edit, refused):
    root = copy_site(tmp_path, count=1)
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["load-content", str(root)]).exit_code == 0
    path = next((root / "casablanca").glob("*/monument.toml"))
    code = tomllib.loads(path.read_text())["code"]
    with empty_app.app_context():
        db.session.get(Code, code).retired_dt = now_utc()
        db.session.commit()
    path.write_text(edit(path.read_text()))
    result = runner.invoke(args=["load-content", str(root)])
    assert (result.exit_code != 0) == refused
    assert ("was retired and cannot be reused" in result.output) == refused
    with empty_app.app_context():
        assert db.session.get(Code, code).is_retired


def test_removing_a_stop_keeps_its_plaque_valid(empty_app, tmp_path):
    root = copy_site(tmp_path, count=1)
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["load-content", str(root)]).exit_code == 0
    path = next((root / "casablanca").glob("*/monument.toml"))
    document = tomllib.loads(path.read_text())
    last_stop_code = document["stops"][-1]["code"]
    text = path.read_text()
    path.write_text(text[: text.rindex("[[stops]]")])

    assert runner.invoke(args=["load-content", str(root)]).exit_code == 0
    with empty_app.app_context():
        code = db.session.get(Code, last_stop_code)
        assert code.stop is None
        assert code.monument.slug == document["slug"]
    response = empty_app.test_client().get(f"/q/{last_stop_code}")
    assert response.status_code == 200
    assert f'data-monument="{document["slug"]}"' in response.text


def test_new_code_prints_fresh_well_formed_codes(runner, app):
    result = runner.invoke(args=["new-code", "--count", "5"])
    codes = result.output.split()
    assert len(codes) == len(set(codes)) == 5
    with app.app_context():
        taken = set(db.session.scalars(select(Code.code)))
    assert all(is_well_formed(code) and code not in taken for code in codes)


def test_missing_folder_is_reported(empty_app, tmp_path):
    result = empty_app.test_cli_runner().invoke(args=["load-content", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert "not a folder" in result.output


def set_summary(text: str, summary: str) -> str:
    """Change the French summary of a monument.toml's text."""
    head, french = text.split("[text.fr]", 1)
    return head + "[text.fr]" + re.sub(r"(?m)^summary = .*$", f'summary = "{summary}"', french, count=1)


def loaded_site(empty_app, tmp_path, *args: str) -> tuple[Path, Path]:
    """Load one Casablanca monument from a copy of content/; return the copy and its monument.toml."""
    root = copy_site(tmp_path, count=1)
    result = empty_app.test_cli_runner().invoke(args=["load-content", str(root), *args])
    assert result.exit_code == 0, result.output
    return root, next((root / "casablanca").glob("*/monument.toml"))


def french_summary(slug: str) -> str:
    return db.session.scalar(select(Monument).where(Monument.slug == slug)).texts["fr"].summary


@pytest.mark.parametrize("overwrite", [False, True])
def test_an_import_never_overwrites_a_database_edit_without_overwrite(empty_app, tmp_path, overwrite):
    root, path = loaded_site(empty_app, tmp_path)
    slug = path.parent.name
    with empty_app.app_context():
        head = db.session.get(Revision, find_record("monument", slug).head_revision_id)
        data = {**head.data, "text": {**head.data["text"], "fr": {**head.data["text"]["fr"], "summary": "Dans la base."}}}
        edit_id = save("monument", slug, data, head.id, "curator@example.org").id
        publish("monument", slug, author="curator@example.org")
        db.session.commit()
    path.write_text(set_summary(path.read_text(), "Dans le fichier."))

    result = empty_app.test_cli_runner().invoke(
        args=["load-content", str(root), *(["--overwrite"] if overwrite else [])]
    )
    with empty_app.app_context():
        monument = find_record("monument", slug)
        if overwrite:
            assert result.exit_code == 0, result.output
            assert f"updated  monument {slug}" in result.output
            assert french_summary(slug) == "Dans le fichier."
            assert monument.head_revision_id != edit_id
        else:
            assert result.exit_code != 0
            assert str(path) in result.output
            assert "curator@example.org" in result.output
            assert "--overwrite" in result.output
            assert "nothing was loaded" in result.output
            assert french_summary(slug) == "Dans la base."
            assert monument.head_revision_id == edit_id
        # Either way the database edit is still there, as a revision.
        assert db.session.get(Revision, edit_id).data["text"]["fr"]["summary"] == "Dans la base."


def test_a_file_that_would_undo_a_code_change_is_refused(empty_app, tmp_path):
    root, path = loaded_site(empty_app, tmp_path)
    slug = path.parent.name
    stop_code = tomllib.loads(path.read_text())["stops"][0]["code"]
    with empty_app.app_context():
        retarget_code(find_code(stop_code), get_monument(slug), author="cli")
        db.session.commit()
    # A summary edit leaves the plaque alone: it loads, and the retarget stands.
    path.write_text(set_summary(path.read_text(), "Autre résumé."))
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["load-content", str(root)]).exit_code == 0
    # Renumbering the stop's plaque in the file would move the code back: refused.
    text = path.read_text()
    start = text.index("[[stops]]")
    path.write_text(text[:start] + re.sub(r"(?m)^number = \d+$", "number = 998", text[start:], count=1))
    result = runner.invoke(args=["load-content", str(root)])
    assert result.exit_code != 0
    assert stop_code in result.output
    with empty_app.app_context():
        code = find_code(stop_code)
        assert code.stop is None
        assert code.monument.slug == slug


def test_a_draft_load_saves_without_publishing(empty_app, tmp_path):
    root, path = loaded_site(empty_app, tmp_path, "--draft")
    slug = path.parent.name
    client, runner = empty_app.test_client(), empty_app.test_cli_runner()
    with empty_app.app_context():
        for kind, key in (("site", "casablanca"), ("monument", slug)):
            record = find_record(kind, key)
            assert (record.live, record.state, record.published_revision_id) == (False, "draft", None)
            assert record.head_revision_id == record.imported_revision_id is not None
    for args in (["publish", "--site", "casablanca"], ["publish", "--monument", slug]):
        assert runner.invoke(args=args).exit_code == 0
    assert client.get(f"/fr/monuments/{slug}").status_code == 200
    summary = tomllib.loads(path.read_text())["text"]["fr"]["summary"]

    path.write_text(set_summary(path.read_text(), "Résumé en attente."))
    result = runner.invoke(args=["load-content", str(root), "--draft"])
    assert f"updated  monument {slug}" in result.output
    with empty_app.app_context():
        assert french_summary(slug) == summary
    assert runner.invoke(args=["publish", "--monument", slug]).exit_code == 0
    with empty_app.app_context():
        assert french_summary(slug) == "Résumé en attente."


def test_records_from_before_revisions_get_a_baseline_from_their_files(app, runner):
    with app.app_context():
        stamps = dict(db.session.execute(select(Monument.slug, Monument.updated_dt)).all())
        for model in (Site, Monument, Tour, Code):
            db.session.execute(model.__table__.update().values(head_revision_id=None, imported_revision_id=None))
        for model in (Site, Monument, Tour):
            db.session.execute(model.__table__.update().values(published_revision_id=None))
        db.session.execute(Revision.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["load-content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 created, 0 updated")
    with app.app_context():
        for monument in db.session.scalars(select(Monument)):
            (revision,) = list_revisions("monument", monument.slug)
            assert monument.head_revision_id == monument.published_revision_id == revision.id
            assert revision.author == f"import content/{monument.site.slug}/{monument.slug}/monument.toml"
        assert dict(db.session.execute(select(Monument.slug, Monument.updated_dt)).all()) == stamps
    assert runner.invoke(args=["load-content", str(CONTENT)]).output.startswith("0 created, 0 updated")


def test_a_draft_load_is_published_by_the_next_plain_load(empty_app, tmp_path):
    root, path = loaded_site(empty_app, tmp_path, "--draft")
    slug = path.parent.name
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["load-content", str(root), "--draft"]).output.endswith("0 updated, 2 unchanged.\n")
    result = runner.invoke(args=["load-content", str(root)])
    assert result.exit_code == 0, result.output
    assert f"updated  monument {slug}" in result.output
    assert empty_app.test_client().get(f"/fr/monuments/{slug}").status_code == 200


@pytest.mark.parametrize("other_site", [False, True])
def test_a_file_cannot_take_another_monuments_plaque(empty_app, tmp_path, other_site):
    root, path = loaded_site(empty_app, tmp_path)
    slug = path.parent.name
    code = tomllib.loads(path.read_text())["code"]
    # A second folder, loaded on its own later, holds only a copy of that monument.
    site_slug = "fes" if other_site else "casablanca"
    site = tmp_path / "other" / site_slug
    site.mkdir(parents=True)
    shutil.copy(CONTENT / site_slug / "site.toml", site / "site.toml")
    copy = site / f"{slug}-copy"
    shutil.copytree(path.parent, copy)
    text = (copy / "monument.toml").read_text().replace(f'slug = "{slug}"', f'slug = "{slug}-copy"', 1)
    # Other keypad numbers: only the plaque codes themselves are another monument's.
    text = re.sub(r"(?m)^number = (\d+)$", lambda match: f"number = {int(match[1]) + 500}", text)
    (copy / "monument.toml").write_text(text)
    result = empty_app.test_cli_runner().invoke(args=["load-content", str(tmp_path / "other")])
    assert result.exit_code != 0
    reason = "is a plaque of another site" if other_site else f"already leads to {slug}"
    assert f"code {code} {reason}" in result.output
    with empty_app.app_context():
        assert find_code(code).monument.slug == slug
        assert find_record("monument", f"{slug}-copy") is None


def test_unpublishing_cancels_a_pending_schedule(app, runner):
    assert runner.invoke(args=["publish", "--site", "rabat", "--at", "2030-06-03 12:00"]).exit_code == 0
    assert runner.invoke(args=["unpublish", "--site", "rabat"]).exit_code == 0
    with app.app_context():
        site = find_record("site", "rabat")
        assert (site.live, site.publish_at) == (False, None)


def test_an_export_with_a_missing_media_file_says_so_and_writes_nothing(app, runner, tmp_path):
    with app.app_context():
        # A file the content names, not one of the image variants made from it (guide/media).
        variants = select(MediaVariant.media_sha256)
        media = db.session.scalars(select(MediaFile).where(MediaFile.sha256.not_in(variants))
                                   .order_by(MediaFile.sha256)).first()
        source = media_path(media.sha256, media.extension)
        aside = tmp_path / "aside"
        shutil.move(source, aside)
    try:
        result = runner.invoke(args=["export-content", str(tmp_path / "out")])
    finally:
        shutil.move(aside, source)
    assert result.exit_code != 0
    assert media.filename in result.output
    assert "Traceback" not in result.output
    assert list((tmp_path / "out").iterdir()) == []
