"""Typing a plaque code or a keypad number when the camera does not work."""

from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from guide.codes.format import new_code
from guide.codes.models import Code
from guide.codes.services import retire_code
from guide.extensions import db
from guide.monuments.models import Monument
from guide.monuments.services import get_monument
from guide.sites.models import Site

AR = {"Accept-Language": "ar"}
FR = {"Accept-Language": "fr"}


def _mosque_code(app) -> Code:
    with app.app_context():
        code = get_monument("hassan-ii-mosque").primary_code
        return code.code, code.number


def _target(response) -> tuple[str, dict]:
    parts = urlsplit(response.headers["Location"])
    return parts.path, parse_qs(parts.query)


@pytest.mark.parametrize("path", ["/q", "/q/", "/fr/enter", "/ar/enter"])
def test_the_form_is_there_in_each_language(client, path):
    response = client.get(path, headers=AR, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="code"' in html
    assert 'action="/' in html


def test_the_entry_page_speaks_the_language_of_its_url(client):
    assert 'lang="ar"' in client.get("/ar/enter").get_data(as_text=True)
    assert 'lang="fr"' in client.get("/fr/enter", headers=AR).get_data(as_text=True)
    assert 'lang="ar"' in client.get("/q", headers=AR).get_data(as_text=True)


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {spaced} ", "{dashed}"])
def test_a_typed_code_opens_its_page_counted_as_typed(app, client, typed):
    code, _number = _mosque_code(app)
    raw = typed.format(code=code, lower=code.lower(), spaced=f"{code[:2]} {code[2:]}", dashed=f"{code[:2]}-{code[2:]}")
    response = client.get("/fr/enter", query_string={"code": raw})
    assert response.status_code == 303
    assert _target(response) == (f"/q/{code}", {"via": ["typed"]})
    page = client.get(response.headers["Location"], headers=FR)
    assert page.status_code == 200
    assert "Hassan II" in page.get_data(as_text=True)


def test_a_one_character_typo_is_caught_and_the_intended_code_suggested(app, client):
    code, _number = _mosque_code(app)
    wrong = next(char for char in "ACDEFG" if char != code[1])
    typo = code[0] + wrong + code[2:]
    response = client.get("/fr/enter", query_string={"code": typo})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'href="/q/{code}?via=typed"' in html
    assert "Hassan II" in html
    assert "faute de frappe" in html


def test_swapped_and_missing_characters_are_suggested_too(app, client):
    code, _number = _mosque_code(app)
    for typo in (code[1] + code[0] + code[2:], code[:-2] + code[-1]):
        html = client.get("/ar/enter", query_string={"code": typo}).get_data(as_text=True)
        assert f'href="/q/{code}?via=typed"' in html, typo


@pytest.mark.parametrize("digits", ["{n}", "{arabic}", "#{n}", "№{n}"])
def test_a_keypad_number_opens_its_page(app, client, digits):
    code, number = _mosque_code(app)
    arabic = str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = client.get("/ar/enter", query_string={"code": digits.format(n=number, arabic=arabic),
                                                      "site": "casablanca"})
    assert response.status_code == 303
    assert _target(response) == (f"/q/{code}", {"via": ["typed"]})


def test_a_number_without_a_site_works_when_only_one_site_has_it(app, client):
    code, number = _mosque_code(app)
    response = client.get("/fr/enter", query_string={"code": str(number)})
    assert response.status_code == 303
    assert _target(response)[0] == f"/q/{code}"


def test_a_number_two_sites_share_asks_which_site(app, client):
    code, number = _mosque_code(app)
    with app.app_context():
        mosque = get_monument("hassan-ii-mosque")
        other_site = db.session.scalar(select(Site).where(Site.id != mosque.site_id).limit(1))
        other = Monument(site=other_site, slug="elsewhere")
        db.session.add(other)
        db.session.flush()
        fresh = new_code(set(db.session.scalars(select(Code.code))))
        db.session.add(Code(code=fresh, site=other_site, number=number, monument=other))
        db.session.commit()
        other_slug = other_site.slug
    response = client.get("/fr/enter", query_string={"code": str(number)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="/q/{code}?via=typed"' in html
    assert f'href="/q/{fresh}?via=typed"' in html
    chosen = client.get("/fr/enter", query_string={"code": str(number), "site": other_slug})
    assert _target(chosen)[0] == f"/q/{fresh}"


@pytest.mark.parametrize(("query", "status", "text"), [
    ({"code": "999999", "site": "casablanca"}, 404, "Aucune étape de Casablanca ne porte le numéro"),
    ({"code": "999999"}, 404, "Aucune étape ne porte le numéro"),
    ({"code": "1234567"}, 404, "Aucune plaque ne porte le code"),
    ({"code": "ZZZZZZZZ"}, 404, "Aucune plaque ne porte le code"),
    ({"code": "   "}, 400, "Tapez un code ou un numéro d’étape."),
    ({"code": "X" * 33}, 400, "Un code de plaque compte 5 caractères"),
    ({"code": "<script>alert(1)</script>"}, 404, "Aucune plaque ne porte le code"),
    ({"code": "H3J4Y", "site": "atlantis"}, 404, "Ce site n’est pas dans le guide."),
    ({"code": "H3J4Y", "site": "x" * 1500}, 404, "Ce site n’est pas dans le guide."),
])
def test_bad_input_gets_a_translated_message(client, query, status, text):
    response = client.get("/fr/enter", query_string=query)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert text in html
    assert "<script>alert" not in html


def test_an_unknown_code_is_explained_in_arabic(client):
    response = client.get("/ar/enter", query_string={"code": "AAAAA"})
    assert response.status_code == 404
    assert "لا توجد لوحة تحمل الرمز" in response.get_data(as_text=True)


def test_a_retired_code_says_so(app, client):
    code, _number = _mosque_code(app)
    with app.app_context():
        retire_code(db.session.get(Code, code))
        db.session.commit()
    response = client.get("/fr/enter", query_string={"code": code})
    assert response.status_code == 410
    assert "n’est plus en service" in response.get_data(as_text=True)
