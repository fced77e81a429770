"""flask generate-scale: a seeded synthetic set in three languages that the loader and the pages take."""

import re
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from guide.codes.format import is_well_formed
from guide.codes.models import Code
from guide.content.scale import SITE_WEIGHTS
from guide.content.scale import generate_scale
from guide.extensions import db
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.sites.models import Site

CONTENT = Path(__file__).resolve().parent.parent / "content"
ARABIC_LETTERS = re.compile("[\u0621-\u064a]")
THREE = [{"EXTRA_LANGUAGES": ("en",)}]
COUNT = 60


@pytest.fixture(scope="module")
def scale_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale") / "set"
    generate_scale(root, CONTENT, COUNT, seed=1)
    return root


def documents(root: Path) -> dict[str, dict]:
    return {path.parent.relative_to(root).as_posix(): tomllib.loads(path.read_text(encoding="utf-8"))
            for path in sorted(root.glob("*/*/monument.toml"))}


def tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_same_seed_writes_the_same_files(tmp_path, scale_dir):
    generate_scale(tmp_path / "again", CONTENT, COUNT, seed=1)
    generate_scale(tmp_path / "other", CONTENT, COUNT, seed=2)
    assert tree(tmp_path / "again") == tree(scale_dir)
    assert documents(tmp_path / "other") != documents(scale_dir)


def test_a_folder_that_holds_files_is_refused(tmp_path):
    (tmp_path / "taken.txt").write_text("x")
    with pytest.raises(FileExistsError):
        generate_scale(tmp_path, CONTENT, 3)


@pytest.mark.parametrize("count", [1, 7, 60, 1001])
def test_monuments_are_shared_between_the_six_sites_by_weight(tmp_path, count):
    from guide.content.scale import _share

    shares = _share(count)
    assert sum(shares.values()) == count
    assert set(shares) == set(SITE_WEIGHTS)
    assert max(shares, key=shares.get) == "casablanca"


def test_the_set_looks_like_a_city_guide(scale_dir):
    found = documents(scale_dir)
    assert len(found) == COUNT
    assert {key.split("/")[0] for key in found} == set(SITE_WEIGHTS)
    # The loader keys monuments by slug alone: two sites may not share one.
    assert len({key.split("/")[1] for key in found}) == COUNT
    codes = [doc["code"] for doc in found.values()] + [s["code"] for doc in found.values() for s in doc["stops"]]
    assert len(codes) == len(set(codes))
    assert all(is_well_formed(code) for code in codes)
    sample = {doc["code"] for doc in map(tomllib.loads, (p.read_text() for p in CONTENT.glob("*/*/monument.toml")))}
    assert not sample & set(codes)
    for key, doc in found.items():
        site = tomllib.loads((scale_dir / key.split("/")[0] / "site.toml").read_text())
        assert set(doc["text"]) == {"ar", "fr", "en"}
        assert set(site["name"]) == {"ar", "fr", "en"}
        assert 1 <= len(doc["stops"]) <= 6
        assert 1800 <= len(doc["text"]["fr"]["body"]) <= 4500, key
        assert 150 <= len(doc["text"]["fr"]["summary"]) <= 500, key
        assert len(ARABIC_LETTERS.findall(doc["text"]["ar"]["body"])) > 1000
        assert abs(doc["latitude"] - site["latitude"]) < 0.3
        assert abs(doc["longitude"] - site["longitude"]) < 0.3
        assert doc["cover"]["file"]
        assert all(set(guide) >= {"lang", "transcript"} for guide in doc["guides"])
    numbers = {}
    for key, doc in found.items():
        for number in [doc["number"], *(stop["number"] for stop in doc["stops"])]:
            assert numbers.setdefault((key.split("/")[0], number), key) == key


def test_media_are_shared_on_disk(scale_dir):
    files = [path for path in scale_dir.glob("*/*/*/*") if path.is_file()]
    assert files
    assert all(path.stat().st_nlink > 1 for path in files)
    assert len({path.stat().st_ino for path in files}) <= 7


@pytest.mark.parametrize("empty_app", THREE, indirect=True)
def test_the_set_loads_and_every_language_renders(empty_app, scale_dir):
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["load-content", str(scale_dir)])
    assert result.exit_code == 0, result.output
    found = documents(scale_dir)
    stops = sum(len(doc["stops"]) for doc in found.values())
    with empty_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Monument)) == COUNT
        assert db.session.scalar(select(func.count()).select_from(Stop)) == stops
        assert db.session.scalar(select(func.count()).select_from(Code)) == COUNT + stops
        assert db.session.scalar(select(func.count()).select_from(Site)) == len(SITE_WEIGHTS)
    client = empty_app.test_client()
    key, doc = next(iter(found.items()))
    site_slug, slug = key.split("/")
    for lang, direction in (("ar", "rtl"), ("fr", "ltr"), ("en", "ltr")):
        page = client.get(f"/{lang}/monuments/{slug}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f'lang="{lang}"' in html
        assert f'dir="{direction}"' in html
        assert doc["text"][lang]["name"] in html
        stop = doc["stops"][0]
        assert client.get(f"/{lang}/monuments/{slug}/{stop['slug']}").status_code == 200
        site_page = client.get(f"/{lang}/sites/{site_slug}")
        assert site_page.status_code == 200
        assert doc["text"][lang]["name"] in site_page.get_data(as_text=True)
    api = client.get(f"/api/v1/monuments/{slug}").get_json()
    assert list(api["texts"]) == ["ar", "fr", "en"]
    assert api["texts"]["en"]["name"] == doc["text"]["en"]["name"]
    assert len(api["stops"]) == len(doc["stops"])
    scanned = client.get(f"/q/{doc['stops'][0]['code']}", headers={"Accept-Language": "en"})
    assert scanned.status_code == 200
    assert doc["stops"][0]["text"]["en"]["title"] in scanned.get_data(as_text=True)
    # Loading the same files again changes nothing.
    again = runner.invoke(args=["load-content", str(scale_dir)])
    assert again.exit_code == 0
    assert f"0 created, 0 updated, {COUNT + len(SITE_WEIGHTS)} unchanged" in again.output


def test_the_command_writes_the_set(runner, tmp_path):
    result = runner.invoke(args=["generate-scale", str(tmp_path / "set"), "--monuments", "8", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "8 monuments" in result.output
    assert len(list((tmp_path / "set").glob("*/*/monument.toml"))) == 8
    refused = runner.invoke(args=["generate-scale", str(tmp_path / "set")])
    assert refused.exit_code != 0
    assert "not empty" in refused.output
