"""The editor: side-by-side languages, saving, conflicts, permissions, Markdown and page previews."""

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from guide.extensions import db
from guide.publishing.models import Revision
from guide.publishing.services import find_record
from tests.curator import csrf_token
from tests.curator import login
from tests.curator import make_user
from tests.curator import post

SLUG = "sacre-coeur-cathedral"
EDITOR_URL = f"/curator/monuments/{SLUG}"
FIELD = re.compile(r'<(input|textarea)\b[^>]*\bname="([^"]+)"[^>]*>', re.DOTALL)


def form_fields(html: str) -> dict[str, str]:
    """Read the editor's submitted fields from its page, as a browser would send them."""
    from html import unescape

    fields = {}
    for match in re.finditer(r'<input\b([^>]*)>|<textarea\b([^>]*)>(.*?)</textarea>|<select\b([^>]*)>(.*?)</select>',
                             html, re.DOTALL):
        attributes = match.group(1) or match.group(2) or match.group(4) or ""
        name = re.search(r'\bname="([^"]*)"', attributes)
        if not name or not name.group(1) or re.search(r"\bdisabled\b", attributes):
            continue
        if match.group(1) is not None:
            kind = re.search(r'\btype="([^"]+)"', attributes)
            if kind and kind.group(1) in ("checkbox", "radio", "submit", "button"):
                continue
            value = re.search(r'\bvalue="([^"]*)"', attributes)
            fields.setdefault(name.group(1), []).append(unescape(value.group(1)) if value else "")
        elif match.group(2) is not None:
            fields.setdefault(name.group(1), []).append(unescape(match.group(3)))
        else:
            selected = re.search(r'<option value="([^"]*)" selected', match.group(5))
            fields.setdefault(name.group(1), []).append(unescape(selected.group(1)) if selected else "")
    return fields


def editor_form(client, url: str = EDITOR_URL) -> dict[str, list[str]]:
    """Open the editor and return the form its save button would send."""
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    start = html.index('class="editor-form"')
    return form_fields(html[start:html.index("</form>", start)])


def save(client, form: dict, url: str = EDITOR_URL, **changes):
    data = {name: list(values) for name, values in form.items()}
    for name, value in changes.items():
        data[name.replace("__", ".")] = [value]
    return client.post(url, data=data, content_type="multipart/form-data")


def head_number(app, kind: str = "monument", slug: str = SLUG) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(Revision.number)).where(
            Revision.kind == kind, Revision.record_key == slug))


def head_document(app, kind: str = "monument", slug: str = SLUG) -> dict:
    with app.app_context():
        record = find_record(kind, slug)
        return db.session.get(Revision, record.head_revision_id).data


@pytest.fixture
def editor(app, client):
    user = make_user(app, "editor", sites=("casablanca",))
    login(client, user)
    return user


def test_editor_shows_languages_side_by_side_each_with_its_own_direction(app, client, editor):
    for interface, other in (("fr", "ar"), ("ar", "fr")):
        client.set_cookie("dalil_lang", interface)
        html = client.get(EDITOR_URL).get_data(as_text=True)
        assert f'<html lang="{interface}"' in html
        for lang, direction in (("ar", "rtl"), ("fr", "ltr")):
            name = re.search(rf'<input type="text" id="[^"]+" name="text\.{lang}\.name"[^>]*>', html).group()
            assert f'lang="{lang}"' in name and f'dir="{direction}"' in name
            body = re.search(rf'<textarea id="[^"]+" name="text\.{lang}\.body"[^>]*>', html, re.DOTALL).group()
            assert f'lang="{lang}"' in body and f'dir="{direction}"' in body
        assert 'name="stops.nave.text.ar.title"' in html
        assert 'name="cover.alt.fr"' in html and 'name="guides.ar.transcript"' in html


@pytest.mark.parametrize("app", [{"EXTRA_LANGUAGES": "en"}], indirect=True)
def test_a_third_language_gets_its_own_column(app, client, editor):
    html = client.get(EDITOR_URL).get_data(as_text=True)
    assert re.search(r'name="text\.en\.name" value="" lang="en" dir="ltr"', html)
