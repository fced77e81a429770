"""Codes are created, retargeted when content moves, and retired, never deleted nor reused."""

import pytest
from sqlalchemy import select

from guide.codes.format import is_well_formed
from guide.codes.models import Code
from guide.codes.services import CodeError
from guide.codes.services import create_code
from guide.codes.services import retarget_code
from guide.codes.services import retire_code
from guide.content.models import ContentVersion
from guide.extensions import db
from guide.monuments.models import Monument
from guide.monuments.services import get_monument
from guide.monuments.services import get_stop
from guide.sites.models import Site


def content_version() -> int:
    """The version of Casablanca, the site of every monument these tests change."""
    return db.session.scalar(select(ContentVersion.version).where(ContentVersion.scope == "casablanca"))


def _monument(slug: str) -> Monument:
    return get_monument(slug)


def _other_site_monument(monument: Monument) -> Monument:
    site = db.session.scalar(select(Site).where(Site.id != monument.site_id).limit(1))
    other = Monument(site=site, slug="elsewhere")
    db.session.add(other)
    db.session.flush()
    return other


def test_create_gives_a_fresh_well_formed_code_and_the_next_number(app, client):
    with app.app_context():
        mosque = _monument("hassan-ii-mosque")
        numbers = set(db.session.scalars(select(Code.number).where(Code.site_id == mosque.site_id)))
        before = content_version()
        code = create_code(mosque, author="cli")
        db.session.commit()
        assert is_well_formed(code.code)
        assert code.number == max(numbers) + 1
        assert code.monument is mosque
        assert code.stop is None
        assert content_version() == before + 1
        created = code.code
    page = client.get(f"/q/{created}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Hassan II" in page.get_data(as_text=True)


def test_create_for_a_stop_and_with_a_chosen_number(app):
    with app.app_context():
        mosque = _monument("hassan-ii-mosque")
        minaret = get_stop(mosque, "minaret")
        code = create_code(mosque, minaret, number=500, author="cli")
        assert (code.stop, code.monument, code.number) == (minaret, None, 500)
        with pytest.raises(CodeError):
            create_code(mosque, number=500, author="cli")
        with pytest.raises(CodeError):
            create_code(mosque, number=0, author="cli")
        with pytest.raises(CodeError):
            create_code(_monument("villa-des-arts"), minaret, author="cli")


def test_retarget_keeps_the_plaque_valid_when_content_moves(app, client):
    with app.app_context():
        mosque = _monument("hassan-ii-mosque")
        code = mosque.primary_code.code
    assert "Hassan II" in client.get(f"/q/{code}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    with app.app_context():
        villa = _monument("villa-des-arts")
        before = content_version()
        retarget_code(db.session.get(Code, code), villa, author="cli")
        db.session.commit()
        assert content_version() == before + 1
    page = client.get(f"/q/{code}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Villa des Arts" in page.get_data(as_text=True)
    # The cached page of the old target was not served: the content version moved on.
    assert "Hassan II" not in page.get_data(as_text=True).split("<main", 1)[1].split("</h1>", 1)[0]


def test_retarget_to_a_stop_and_refusals(app):
    with app.app_context():
        mosque = _monument("hassan-ii-mosque")
        code = db.session.get(Code, mosque.primary_code.code)
        minaret = get_stop(mosque, "minaret")
        retarget_code(code, mosque, minaret, author="cli")
        assert (code.stop, code.monument) == (minaret, None)
        with pytest.raises(CodeError):
            retarget_code(code, _other_site_monument(mosque), author="cli")
        with pytest.raises(CodeError):
            retarget_code(code, _monument("villa-des-arts"), minaret, author="cli")


def test_retire_shows_the_friendly_410_page_and_cannot_be_undone(app, client):
    with app.app_context():
        code = db.session.get(Code, _monument("hassan-ii-mosque").primary_code.code)
        retire_code(code, author="cli")
        db.session.commit()
        with pytest.raises(CodeError):
            retire_code(code, author="cli")
        with pytest.raises(CodeError):
            retarget_code(code, _monument("villa-des-arts"), author="cli")
        retired = code.code
    response = client.get(f"/q/{retired}", headers={"Accept-Language": "ar"})
    assert response.status_code == 410
    assert 'lang="ar"' in response.get_data(as_text=True)
    assert db.session is not None
    with app.app_context():
        assert db.session.get(Code, retired) is not None


def test_cli_create_retarget_retire(app, runner, client):
    result = runner.invoke(args=["codes", "create", "--monument", "hassan-ii-mosque", "--stop", "minaret"])
    assert result.exit_code == 0, result.output
    code = result.output.split()[0]
    assert is_well_formed(code)
    result = runner.invoke(args=["codes", "retarget", code.lower(), "--monument", "villa-des-arts"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(Code, code).monument.slug == "villa-des-arts"
    assert "Villa des Arts" in client.get(f"/q/{code}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    result = runner.invoke(args=["codes", "retire", code])
    assert result.exit_code == 0, result.output
    assert client.get(f"/q/{code}").status_code == 410
    listing = runner.invoke(args=["codes", "list", "--site", "casablanca"])
    assert f"{code}  retired" in listing.output


@pytest.mark.parametrize(("args", "message"), [
    (["codes", "create", "--monument", "nowhere"], "No monument has the slug nowhere"),
    (["codes", "create", "--monument", "hassan-ii-mosque", "--stop", "nowhere"], "has no stop nowhere"),
    (["codes", "retire", "AAAAA"], "No plaque carries the code AAAAA"),
    (["codes", "retarget", "H" * 200, "--monument", "villa-des-arts"], "No plaque carries the code"),
    (["codes", "list", "--site", "atlantis"], "No site has the slug atlantis"),
])
def test_cli_errors_are_clear(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
