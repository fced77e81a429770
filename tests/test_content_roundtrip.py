"""export-content, then load-content into an empty database, loses nothing: files, pages and API agree."""

import copy
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy import text

from guide.codes.models import Code
from guide.codes.services import create_code
from guide.codes.services import retire_code
from guide.content.models import ContentVersion
from guide.extensions import db
from guide.monuments.services import get_monument
from guide.publishing.models import Revision
from guide.publishing.services import find_record
from guide.publishing.services import save

MOSQUE = "hassan-ii-mosque"
# Caching bookkeeping stays: the app keeps counting versions across the wipe.
KEPT_TABLES = {ContentVersion.__tablename__}


def tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def wipe_database() -> None:
    """Empty the content tables, as a new database would be (PostgreSQL's ids start again at 1)."""
    tables = [table for table in reversed(db.metadata.sorted_tables) if table.name not in KEPT_TABLES]
    for table in tables:
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        # Pages carry a few row ids (a guide's, for the player); SQLite reuses them by itself.
        for table in tables:
            if "id" in table.c and table.c.id.autoincrement in (True, "auto"):
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), 1, false)"))
    db.session.commit()


def public_urls() -> list[str]:
    """Pages and documents visitors and API clients read, for every monument and code."""
    urls = ["/api/v1/sites", "/api/v1/monuments", "/fr/", "/ar/", "/offline/codes.json", "/api/v1/packs/casablanca"]
    for monument in db.session.scalars(select(Revision.record_key).where(Revision.kind == "monument").distinct()):
        urls += [f"/fr/monuments/{monument}", f"/ar/monuments/{monument}", f"/api/v1/monuments/{monument}"]
    for code in db.session.scalars(select(Code.code).order_by(Code.code)):
        urls += [f"/q/{code}", f"/api/v1/codes/{code}"]
    return urls


def fetch(client, urls: list[str]) -> dict[str, tuple[int, bytes]]:
    return {url: (response.status_code, response.get_data())
            for url in urls for response in [client.get(url, headers={"Accept-Language": "ar"})]}


@pytest.fixture
def round_trip(app, tmp_path):
    """Edit the loaded sample in the database, export it, load the export into an emptied database, export again."""
    client, runner = app.test_client(), app.test_cli_runner()
    with app.app_context():
        # Codes made and retired in the database, and a draft that is not published.
        extra = create_code(get_monument(MOSQUE), author="cli").code
        retire_code(db.session.scalar(select(Code).where(Code.code == "H3J4Y")), author="cli")
        head = db.session.get(Revision, find_record("monument", MOSQUE).head_revision_id)
        draft = copy.deepcopy(head.data)
        draft["text"]["fr"]["summary"] = "Brouillon jamais publié."
        save("monument", MOSQUE, draft, head.id, "curator@example.org")
        db.session.commit()
        urls = public_urls()
    before = fetch(client, urls)
    first, second = tmp_path / "first", tmp_path / "second"
    result = runner.invoke(args=["export-content", str(first)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        wipe_database()
    result = runner.invoke(args=["load-content", str(first)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["export-content", str(second)]).exit_code == 0
    return {"first": first, "second": second, "before": before, "after": fetch(client, urls), "extra": extra}


def test_export_load_export_gives_identical_files(round_trip):
    first, second = tree(round_trip["first"]), tree(round_trip["second"])
    assert first == second
    assert "casablanca/codes.toml" in first
    assert any(path.endswith(".m4a") for path in first)
    codes = {entry["code"]: entry for entry in tomllib.loads(first["casablanca/codes.toml"].decode())["codes"]}
    assert codes[round_trip["extra"]]["target"] == MOSQUE
    assert "retired_at" in codes["H3J4Y"]
    # Exports hold what visitors see: the published revision, not the draft.
    assert "Brouillon jamais publié" not in first[f"casablanca/{MOSQUE}/monument.toml"].decode()


def test_pages_and_documents_are_identical_after_the_round_trip(round_trip):
    before, after = round_trip["before"], round_trip["after"]
    assert {url: status for url, (status, _body) in before.items()} == {url: status for url, (status, _body) in after.items()}
    assert [url for url in before if before[url] != after[url]] == []


def test_export_refuses_a_folder_that_holds_a_site(runner, tmp_path):
    (tmp_path / "fes").mkdir()
    result = runner.invoke(args=["export-content", str(tmp_path)])
    assert result.exit_code != 0
    assert str(tmp_path / "fes") in result.output
    assert list(tmp_path.iterdir()) == [tmp_path / "fes"]


def test_export_of_one_site(runner, tmp_path):
    assert runner.invoke(args=["export-content", str(tmp_path), "--site", "fes"]).exit_code == 0
    assert [path.name for path in tmp_path.iterdir()] == ["fes"]
    result = runner.invoke(args=["export-content", str(tmp_path / "none"), "--site", "atlantis"])
    assert result.exit_code != 0
    assert "atlantis" in result.output


def test_loading_an_export_made_after_a_published_edit_is_no_conflict(app, tmp_path):
    """The files say exactly what the database holds: nothing would be lost, so nothing is refused."""
    from guide.publishing.services import publish

    runner = app.test_cli_runner()
    with app.app_context():
        head = db.session.get(Revision, find_record("monument", MOSQUE).head_revision_id)
        edited = copy.deepcopy(head.data)
        edited["text"]["fr"]["summary"] = "Résumé revu dans le CMS."
        save("monument", MOSQUE, edited, head.id, "curator@example.org")
        publish("monument", MOSQUE, author="curator@example.org")
        db.session.commit()
    assert runner.invoke(args=["export-content", str(tmp_path / "out")]).exit_code == 0
    result = runner.invoke(args=["load-content", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        record = find_record("monument", MOSQUE)
        assert db.session.get(Revision, record.published_revision_id).data["text"]["fr"]["summary"] == "Résumé revu dans le CMS."
