"""French typography at render time: no-break spaces, curly apostrophes and digit groups, only in French prose."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guide.text import NBSP
from guide.text import NNBSP
from guide.text import french_typography
from guide.text import typeset_html

PROSE = st.lists(st.sampled_from(list("abcé l'«»;:!?0123 4\n.,-") + ["  ", "http", "14:05", "\u00a0"]),
                 max_size=40).map("".join)
URLS = st.from_regex(r"https?://[a-z]{1,8}\.[a-z]{2,3}(/[a-z'?:;!=&]{0,12}){0,3}", fullmatch=True)


@given(PROSE)
def test_idempotent(text):
    once = french_typography(text, "fr")
    assert french_typography(once, "fr") == once


@given(PROSE, st.sampled_from(["ar", "en", "zgh", "de-DE"]))
def test_never_changes_text_outside_french(text, lang):
    assert french_typography(text, lang) == text


@given(PROSE, URLS, PROSE)
def test_never_changes_a_url(before, url, after):
    text = f"{before} {url} {after}"
    assert url in french_typography(text, "fr")


@given(PROSE)
def test_no_punctuation_can_start_a_line(text):
    typeset = french_typography(text, "fr")
    assert not re.search(r"\s[;:!?»]", typeset.replace(NBSP, "").replace(NNBSP, ""))
    assert not re.search(r"«\s", typeset.replace(NBSP, "x"))


@pytest.mark.parametrize(("source", "expected"), [
    ("marocain ; son minaret", f"marocain{NNBSP}; son minaret"),
    ("Écoutez : le bruit", f"Écoutez{NBSP}: le bruit"),
    ("Vraiment ? Oui !", f"Vraiment{NNBSP}? Oui{NNBSP}!"),
    ("« Les Jasmines »", f"«{NBSP}Les Jasmines{NBSP}»"),
    # A scheme without // is prose, not a URL (found by hypothesis).
    ("http:« x", f"http:«{NBSP}x"),
    ("l'église d'Auguste", "l’église d’Auguste"),
    ("1 350 marches, 12 000 m²", f"1{NNBSP}350 marches, 12{NNBSP}000 m²"),
    ("à 14:05, en 1917", "à 14:05, en 1917"),
])
def test_french_rules(source, expected):
    assert french_typography(source, "fr") == expected


def test_html_pass_touches_french_text_only():
    html = ('<p title="a ; b" data-note="a ; b">Écoutez : le <span lang="ar" title="x ; y">أ : ب</span>'
            ' <bdi class="code" dir="ltr">A ?</bdi> <code>x ; y</code> l&#39;eau &amp; <a href="/q?code=x ;">voir ?</a>'
            ' <img alt="l&#39;arc : vue" src="/l\'arc ?.webp" data-lang="ar"></p>'
            '<script type="application/ld+json">{"a": "b ; c"}</script>')
    out = str(typeset_html(html, "fr"))
    assert out == ('<p title="a\u202f; b" data-note="a ; b">Écoutez\u00a0: le <span lang="ar" title="x ; y">أ : ب</span>'
                   ' <bdi class="code" dir="ltr">A ?</bdi> <code>x ; y</code> l’eau &amp; <a href="/q?code=x ;">voir\u202f?</a>'
                   ' <img alt="l’arc\u00a0: vue" src="/l\'arc ?.webp" data-lang="ar"></p>'
                   '<script type="application/ld+json">{"a": "b ; c"}</script>')
    assert str(typeset_html(html, "ar")) == html


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", "\n", html)


def test_french_pages_hold_no_breakable_space_before_punctuation(app, client):
    from tests.test_browser_pages import sample_monument

    monument = sample_monument(app)
    for path in ("/fr/", "/fr/sites/casablanca", f"/fr/monuments/{monument['slug']}",
                 f"/fr/monuments/{monument['slug']}/{monument['stop']}", "/fr/enter"):
        html = client.get(path).get_data(as_text=True)
        text = visible_text(html)
        assert not re.search(r"[ \t][;:!?»]", text), (path, re.search(r".{30}[^\S\n][;:!?»].{0,10}", text))
        assert not re.search(r"[^\W\d_]'[^\W\d_]", text.replace("&#39;", "'")), path
    # The Markdown body and UI strings alike.
    page = client.get(f"/fr/monuments/{monument['slug']}").get_data(as_text=True)
    assert NBSP + ":" in page or NNBSP + ";" in page or "’" in page


def test_structured_data_and_urls_keep_their_bytes(app, client):
    from tests.test_browser_pages import sample_monument

    monument = sample_monument(app)
    html = client.get(f"/fr/monuments/{monument['slug']}").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1))
    api = client.get(f"/api/v1/monuments/{monument['slug']}").get_json()
    assert data["description"] == api["texts"]["fr"]["summary"]
    assert NBSP not in json.dumps(api, ensure_ascii=False)
    assert NNBSP not in json.dumps(api, ensure_ascii=False)
    for href in re.findall(r'href="([^"]*)"', html):
        assert NBSP not in href
        assert NNBSP not in href
        assert "’" not in href


def test_arabic_pages_are_left_as_written(app, client):
    html = client.get("/ar/").get_data(as_text=True)
    assert NNBSP not in html
    assert "’" not in html
