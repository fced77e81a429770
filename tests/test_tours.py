"""Walking tours: route measure, content files, pages, API, packs and what drafts hide."""

import copy
import shutil
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guide.content.services import ContentError
from guide.content.services import load_content
from guide.extensions import db
from guide.publishing.models import Revision
from guide.publishing.services import DocumentError
from guide.publishing.services import find_record
from guide.publishing.services import publish
from guide.publishing.services import save
from guide.publishing.services import unpublish
from guide.tours.services import DETOUR_FACTOR
from guide.tours.services import WALKING_SPEED_KMH
from guide.tours.services import great_circle_m
from guide.tours.services import measure
from guide.tours.services import walking_minutes

CONTENT = Path(__file__).parent.parent / "content"
TOUR = "art-deco-downtown"
TOUR_FILE = CONTENT / "casablanca" / "tours" / f"{TOUR}.toml"
STOPS = ["hotel-lincoln", "rialto-cinema", "central-post-office", "wilaya-former-town-hall",
         "sacre-coeur-cathedral", "villa-des-arts"]
CURATOR = "curator@example.org"


def head_data(kind: str, key: str) -> dict:
    return copy.deepcopy(db.session.get(Revision, find_record(kind, key).head_revision_id).data)


# --- Measure ------------------------------------------------------------------------------------


def test_great_circle_of_a_known_distance():
    # One degree of latitude is 111.2 km on the mean sphere; Paris–London is about 344 km.
    assert great_circle_m((0, 0), (1, 0)) == pytest.approx(111_195, abs=1)
    assert great_circle_m((48.8566, 2.3522), (51.5074, -0.1278)) == pytest.approx(343_900, rel=0.005)


@pytest.mark.parametrize(("metres", "minutes"), [(0, 0), (1, 1), (1000, 18), (4500 / DETOUR_FACTOR, 60)])
def test_walking_time_uses_the_speed_and_detour_factor(metres, minutes):
    assert WALKING_SPEED_KMH == 4.5
    assert DETOUR_FACTOR == 1.3
    assert walking_minutes(metres) == minutes


@given(st.lists(st.tuples(st.floats(-80, 80), st.floats(-179, 179)), min_size=2, max_size=8))
@settings(max_examples=50, deadline=None)
def test_the_total_is_the_sum_of_the_legs(points):
    legs, total, minutes, complete = measure(points)
    assert complete
    assert len(legs) == len(points) - 1
    assert total == pytest.approx(sum(leg.metres for leg in legs))
    # The straight line between the ends is never longer than the route.
    assert great_circle_m(points[0], points[-1]) <= total + 1e-6
    assert minutes == walking_minutes(total)


def test_a_stop_without_coordinates_leaves_its_legs_unmeasured():
    legs, total, _minutes, complete = measure([(33.59, -7.61), None, (33.60, -7.62), (33.61, -7.62)])
    assert not complete
    assert [leg.metres is None for leg in legs] == [True, True, False]
    assert total == pytest.approx(legs[2].metres)


# --- Content ------------------------------------------------------------------------------------


def test_the_sample_tour_is_loaded_and_published(app):
    with app.app_context():
        tour = find_record("tour", TOUR)
        assert tour.live
        assert tour.state == "published"
        assert tour.site.slug == "casablanca"
        assert [stop.monument.slug for stop in tour.stops] == STOPS
        assert set(tour.texts) == {"ar", "fr"}
        assert all(set(stop.notes) == {"ar", "fr"} for stop in tour.stops)


def test_loading_twice_changes_nothing(app):
    with app.app_context():
        report = load_content(CONTENT)
        assert f"tour {TOUR}" in report.unchanged
        assert not report.changed


def copy_site(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "casablanca", root / "casablanca")
    return root


@pytest.mark.parametrize(("change", "reason"), [
    (lambda text: text.replace('monument = "rialto-cinema"', 'monument = "atlantis"'),
     "no monument atlantis in the site casablanca"),
    (lambda text: text.replace('monument = "rialto-cinema"', 'monument = "hotel-lincoln"'),
     "a monument appears twice"),
    (lambda text: text.replace('title = "Le centre-ville Art déco"', 'title = ""'), "text.fr.title"),
    (lambda text: text.replace("[text.ar]", "[text.zz-zz-zz]"), "missing language"),
    (lambda text: text.replace('slug = "art-deco-downtown"', 'slug = "other"'), "differs from its file name"),
    (lambda text: text + "\nwhatever = 1\n", "whatever"),
    (lambda text: text.replace('title = "Le centre-ville Art déco"', 'title = "A\\u0000B"'), "NUL"),
])
def test_a_bad_tour_file_is_refused_with_its_path_and_nothing_is_written(app, tmp_path, change, reason):
    root = copy_site(tmp_path)
    path = root / "casablanca" / "tours" / f"{TOUR}.toml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    # Another change in the same load, to see that nothing at all is written.
    site = root / "casablanca" / "site.toml"
    site.write_text(site.read_text(encoding="utf-8").replace("position = 1", "position = 7"), encoding="utf-8")
    with app.app_context():
        with pytest.raises(ContentError) as refused:
            load_content(root)
        db.session.rollback()
        assert str(path) in str(refused.value)
        assert reason in str(refused.value)
        assert find_record("site", "casablanca").position == 1


def test_a_stop_in_a_monument_of_another_site_is_refused(app, tmp_path):
    root = copy_site(tmp_path)
    shutil.copytree(CONTENT / "fes", root / "fes")
    tours = root / "fes" / "tours"
    tours.mkdir()
    text = (root / "casablanca" / "tours" / f"{TOUR}.toml").read_text(encoding="utf-8")
    (tours / "borrowed.toml").write_text(text.replace(f'slug = "{TOUR}"', 'slug = "borrowed"'), encoding="utf-8")
    with app.app_context(), pytest.raises(ContentError) as refused:
        load_content(root)
    assert "no monument hotel-lincoln in the site fes" in str(refused.value)


def test_an_edited_file_makes_a_new_published_revision(app, tmp_path):
    root = copy_site(tmp_path)
    path = root / "casablanca" / "tours" / f"{TOUR}.toml"
    text = path.read_text(encoding="utf-8")
    # Swap two stops: the route changes.
    text = text.replace('monument = "rialto-cinema"', 'monument = "SWAP"')
    text = text.replace('monument = "hotel-lincoln"', 'monument = "rialto-cinema"').replace('"SWAP"', '"hotel-lincoln"')
    path.write_text(text, encoding="utf-8")
    with app.app_context():
        report = load_content(root)
        db.session.commit()
        assert report.updated == [f"tour {TOUR}"]
        assert [stop.monument.slug for stop in find_record("tour", TOUR).stops][:2] == ["rialto-cinema", "hotel-lincoln"]


def test_export_writes_the_tour_and_reloads_it(app, runner, tmp_path):
    result = runner.invoke(args=["export-content", str(tmp_path / "out"), "--site", "casablanca"])
    assert result.exit_code == 0, result.output
    exported = tmp_path / "out" / "casablanca" / "tours" / f"{TOUR}.toml"
    data = tomllib.loads(exported.read_text(encoding="utf-8"))
    assert [stop["monument"] for stop in data["stops"]] == STOPS
    assert data == {**tomllib.loads(TOUR_FILE.read_text(encoding="utf-8")), "updated": data["updated"]}


def test_export_leaves_out_draft_tours(app, runner, tmp_path):
    with app.app_context():
        unpublish("tour", TOUR)
        db.session.commit()
    assert runner.invoke(args=["export-content", str(tmp_path / "out"), "--site", "casablanca"]).exit_code == 0
    assert not (tmp_path / "out" / "casablanca" / "tours").exists()


# --- Publishing ----------------------------------------------------------------------------------


def test_a_save_naming_a_monument_of_another_site_is_refused(app):
    with app.app_context():
        data = head_data("tour", TOUR)
        data["stops"][0]["monument"] = "atlantis"
        with pytest.raises(DocumentError, match="atlantis"):
            save("tour", TOUR, data, find_record("tour", TOUR).head_revision_id, CURATOR)


def test_a_note_in_one_language_only_cannot_be_published(app):
    with app.app_context():
        data = head_data("tour", TOUR)
        data["stops"][0]["note"] = {"fr": "Seulement en français."}
        save("tour", TOUR, data, find_record("tour", TOUR).head_revision_id, CURATOR)
        with pytest.raises(Exception, match="Note"):
            publish("tour", TOUR, author=CURATOR)


# --- Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "direction", "words"), [
    ("fr", "ltr", ["Le centre-ville Art déco", "Cinéma Rialto", "2,1", "km", "Code de la plaque"]),
    ("ar", "rtl", ["وسط المدينة على طراز الآرت ديكو", "سينما ريالتو", "كم"]),
])
def test_the_tour_page_in_each_language(client, lang, direction, words):
    response = client.get(f"/{lang}/tours/{TOUR}")
    assert response.status_code == 200
    page = response.text
    assert f'<html lang="{lang}" dir="{direction}">' in page
    for word in words:
        assert word in page
    # The stops in walking order, each linked to its page, with the plaque's URL for print.
    positions = [page.index(f"/{lang}/monuments/{slug}") for slug in STOPS]
    assert positions == sorted(positions)
    assert "https://dalil.example/q/" in page
    assert page.count('class="tour-leg"') == len(STOPS) - 1


def test_the_site_page_lists_its_tours(client):
    assert f"/fr/tours/{TOUR}" in client.get("/fr/sites/casablanca").text
    assert f"/ar/tours/{TOUR}" in client.get("/ar/sites/casablanca").text
    assert "/tours/" not in client.get("/fr/sites/fes").text


@pytest.mark.parametrize("slug", ["nope", "a" * 10_000, "%F0%9F%98%80", "..", "Art-Deco-Downtown", "x%00y"])
def test_unknown_tours_are_a_clear_4xx(client, slug):
    for url in (f"/fr/tours/{slug}", f"/api/v1/tours/{slug}"):
        response = client.get(url)
        assert 400 <= response.status_code < 500
        assert (response.is_json and "error" in response.get_json()) or "<html" in response.text


def test_an_edit_to_a_monument_shows_on_the_tour_page(app, client):
    assert "Cinéma Rialto" in client.get(f"/fr/tours/{TOUR}").text
    with app.app_context():
        data = head_data("monument", "rialto-cinema")
        data["text"]["fr"]["name"] = "Le Rialto"
        save("monument", "rialto-cinema", data, find_record("monument", "rialto-cinema").head_revision_id, CURATOR)
        publish("monument", "rialto-cinema", author=CURATOR)
        db.session.commit()
    assert "Le Rialto" in client.get(f"/fr/tours/{TOUR}").text


def test_a_draft_monument_leaves_the_route(app, client):
    with app.app_context():
        unpublish("monument", "rialto-cinema")
        db.session.commit()
    page = client.get(f"/fr/tours/{TOUR}").text
    assert "/fr/monuments/rialto-cinema" not in page
    assert "rialto-cinema" not in client.get(f"/api/v1/tours/{TOUR}").text
    assert client.get(f"/api/v1/tours/{TOUR}").get_json()["stop_count"] == len(STOPS) - 1


# --- Drafts ---------------------------------------------------------------------------------------


def test_a_draft_tour_is_invisible_to_visitors(app, client):
    with app.app_context():
        data = head_data("tour", TOUR)
        data["text"]["fr"]["title"] = "Titre en brouillon"
        save("tour", TOUR, data, find_record("tour", TOUR).head_revision_id, CURATOR)
        db.session.commit()
    # A draft revision of a published tour: visitors still see the published one.
    assert "Titre en brouillon" not in client.get(f"/fr/tours/{TOUR}").text
    assert "Titre en brouillon" not in client.get(f"/api/v1/tours/{TOUR}").text
    with app.app_context():
        unpublish("tour", TOUR)
        db.session.commit()
    assert client.get(f"/fr/tours/{TOUR}").status_code == 404
    assert client.get(f"/api/v1/tours/{TOUR}").status_code == 404
    assert TOUR not in client.get("/api/v1/tours").text
    assert f"/tours/{TOUR}" not in client.get("/fr/sites/casablanca").text
    files = [entry["url"] for entry in client.get("/api/v1/packs/casablanca").get_json()["files"]]
    assert not [url for url in files if "/tours/" in url]


def test_a_new_tour_is_a_draft_until_published(app, client):
    with app.app_context():
        data = head_data("tour", TOUR)
        data.update(slug="short-walk", stops=data["stops"][2:4])
        save("tour", "short-walk", data, None, CURATOR)
        db.session.commit()
    assert client.get("/fr/tours/short-walk").status_code == 404
    with app.app_context():
        publish("tour", "short-walk", author=CURATOR)
        db.session.commit()
    document = client.get("/api/v1/tours/short-walk").get_json()
    assert [stop["monument"] for stop in document["stops"]] == STOPS[2:4]


# --- API ------------------------------------------------------------------------------------------


def test_the_tour_document_has_every_language_and_the_route(client):
    document = client.get(f"/api/v1/tours/{TOUR}").get_json()
    assert set(document["texts"]) == {"ar", "fr"}
    assert [stop["monument"] for stop in document["stops"]] == STOPS
    assert document["stops"][0]["leg"] is None
    legs = [stop["leg"]["distance_m"] for stop in document["stops"][1:]]
    assert abs(sum(legs) - document["distance_m"]) <= len(legs)
    assert 1800 < document["distance_m"] < 2500
    assert document["measured"]
    assert document["walking_minutes"] == walking_minutes(document["distance_m"])
    assert document["links"]["pages"]["ar"].endswith(f"/ar/tours/{TOUR}")


@pytest.mark.parametrize(("query", "status", "count"), [
    ("", 200, 1), ("?site=casablanca", 200, 1), ("?site=fes", 200, 0), ("?site=atlantis", 404, None),
    ("?site=Casa%00", 400, None), ("?site=" + "a" * 1000, 400, None), ("?site=a&site=b", 400, None),
])
def test_the_tour_list(client, query, status, count):
    response = client.get(f"/api/v1/tours{query}")
    assert response.status_code == status
    assert response.is_json
    if count is not None:
        assert len(response.get_json()["items"]) == count


# --- Packs ----------------------------------------------------------------------------------------


def test_the_site_pack_holds_its_tour_pages(client):
    pack = client.get("/api/v1/packs/casablanca").get_json()
    files = {entry["url"]: entry for entry in pack["files"]}
    for lang in ("ar", "fr"):
        url = f"/{lang}/tours/{TOUR}"
        assert url in files
        # The bytes the pack lists are the page's.
        import hashlib

        assert files[url]["sha256"] == hashlib.sha256(client.get(url).data).hexdigest()
    assert "/fr/tours/" not in str(client.get("/api/v1/packs/fes").get_json()["files"])
