"""The public pages over HTTP: languages, directions, structure, accessibility and bad input."""

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale
from flask_babel import gettext
from sqlalchemy import select

from guide.codes.models import Code
from guide.config import Defaults
from guide.extensions import db
from guide.media.services import media_url
from guide.monuments.models import Monument
from guide.sites.models import Site
from guide.text import french_typography
from guide.timeutil import now_utc

LANGUAGES = Defaults.REQUIRED_LANGUAGES
DIRECTIONS = {"ar": "rtl", "fr": "ltr"}
PWA_CSS = Path(__file__).resolve().parent.parent / "pwa" / "css"


def parse(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def other_language(lang: str) -> str:
    return next(code for code in LANGUAGES if code != lang)


def sample_content(app) -> list[dict]:
    """Read the sample monuments into plain data, so no app context stays open during requests."""
    with app.test_request_context():
        monuments = []
        for monument in db.session.scalars(select(Monument).order_by(Monument.slug)):
            path = f"/monuments/{monument.slug}"
            guides = [(path, guide) for guide in monument.guides.values()]
            guides += [(f"{path}/{stop.slug}", guide) for stop in monument.stops for guide in stop.guides.values()]
            monuments.append({
                "slug": monument.slug,
                "path": path,
                "code": monument.primary_code.code if monument.primary_code else None,
                "texts": {
                    lang: {key: getattr(text, key) for key in ("name", "summary", "period", "architect", "address")}
                    for lang, text in monument.texts.items()
                },
                "credits": {lang: text.credit for lang, text in monument.cover.texts.items()} if monument.cover else {},
                "stops": [{"slug": stop.slug, "path": f"{path}/{stop.slug}",
                           "titles": {lang: text.title for lang, text in stop.texts.items()}}
                          for stop in monument.stops],
                "guides": [{"path": guide_path, "lang": guide.lang, "audio": media_url(guide.audio),
                            "first_paragraph": guide.transcript.split("\n\n")[0].strip()}
                           for guide_path, guide in guides if guide.audio],
            })
        return monuments


def page_paths(app) -> list[str]:
    """Every monument and stop page of the sample content, without the language prefix."""
    return [path for m in sample_content(app) for path in (m["path"], *(stop["path"] for stop in m["stops"]))]


def translated(app, lang: str, message: str) -> str:
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        return gettext(message)


def assert_language(soup: BeautifulSoup, lang: str) -> None:
    assert soup.html["lang"] == lang
    assert soup.html["dir"] == DIRECTIONS[lang]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_is_in_the_language_of_its_url(app, client, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    soup = parse(response)
    assert_language(soup, lang)
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
        names = [monument.texts[lang].name for monument in site.monuments]
    assert names, "the sample content has monuments in Casablanca"
    card_names = [link.get_text(strip=True) for link in soup.select(".place-list .place-name")]
    assert card_names == names
    assert soup.select_one("section.how h2")


@pytest.mark.parametrize(("lang", "phrase"), [("fr", "Les 12 monuments de Casablanca"),
                                               ("ar", "كل معالم الدار البيضاء (12)")])
def test_home_lists_a_site_s_first_monuments_and_links_to_all(app, app_factory, lang, phrase):
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
        names = [monument.texts[lang].name for monument in site.monuments]
    assert len(names) == 12
    soup = parse(app_factory(HOME_MONUMENTS_PER_SITE=3).test_client().get(f"/{lang}/"))
    # A city of thousands of monuments: its first ones in guide order, then a link to them all.
    assert [link.get_text(strip=True) for link in soup.select(".place-list .place-name")] == names[:3]
    more = soup.select_one(f".places a.more-link[href='/{lang}/sites/casablanca']")
    assert more.get_text(" ", strip=True) == phrase
    # With every monument shown, the link keeps its name.
    whole = parse(app_factory(HOME_MONUMENTS_PER_SITE=12).test_client().get(f"/{lang}/"))
    assert phrase not in whole.select_one(".places a.more-link").get_text(" ", strip=True)


def test_home_shows_the_other_cities_as_coming_soon(app, client):
    with app.app_context():
        empty = [site for site in db.session.scalars(select(Site)) if not site.monuments]
        names = {site.texts["fr"].name for site in empty}
    soup = parse(client.get("/fr/"))
    listed = {link.get_text(strip=True) for link in soup.select(".coming .city-list a")}
    assert listed == names


def test_home_example_code_is_a_real_plaque(app, client):
    soup = parse(client.get("/fr/"))
    example = soup.select_one(".how a[href^='/q/']")
    assert example is not None
    response = client.get(example["href"])
    assert response.status_code == 200
    assert parse(response).select_one("article.monument")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_monument_and_stop_page_answers(app, client, lang):
    paths = page_paths(app)
    assert any(path.count("/") == 3 for path in paths), "the sample content has stops"
    for path in paths:
        response = client.get(f"/{lang}{path}")
        assert response.status_code == 200, path
        soup = parse(response)
        assert_language(soup, lang)
        assert len(soup.find_all("h1")) == 1, path


@pytest.mark.parametrize("lang", LANGUAGES)
def test_monument_page_shows_its_story_facts_and_code(app, client, lang):
    other = other_language(lang)
    for monument in sample_content(app):
        text = monument["texts"][lang]
        soup = parse(client.get(f"/{lang}{monument['path']}"))
        # French pages set French spacing and apostrophes (guide/text.py); the stored text keeps its own.
        assert soup.h1.get_text(strip=True) == french_typography(text["name"], lang)
        assert soup.select_one(".lead").get_text(strip=True) == french_typography(text["summary"], lang)
        facts = soup.select_one("dl.facts").get_text(" ", strip=True)
        for key in ("period", "architect", "address"):
            assert french_typography(text[key], lang) in facts
        code = soup.select_one(".plaque-code bdi.code")
        assert code["dir"] == "ltr"
        assert code.get_text() == monument["code"]
        other_name = soup.select_one(f".other-name [lang={other}]")
        assert other_name.get_text() == monument["texts"][other]["name"]
        assert other_name["dir"] == DIRECTIONS[other]
        stop_links = [a["href"] for a in soup.select(".stop-list a")]
        assert stop_links == [f"/{lang}{stop['path']}" for stop in monument["stops"]]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_stop_pages_link_to_their_neighbours(app, client, lang):
    monument = next(m for m in sample_content(app) if len(m["stops"]) >= 2)
    stops = monument["stops"]
    for index, stop in enumerate(stops):
        soup = parse(client.get(f"/{lang}{stop['path']}"))
        assert soup.h1.get_text(strip=True) == stop["titles"][lang]
        previous = soup.select_one(".pager a[rel=prev]")
        following = soup.select_one(".pager a[rel=next]")
        if index == 0:
            assert previous is None
        else:
            assert previous["href"] == f"/{lang}{stops[index - 1]['path']}"
        if index == len(stops) - 1:
            assert following is None
            assert soup.select_one(".pager a.pager-next")["href"] == f"/{lang}{monument['path']}"
        else:
            assert following["href"] == f"/{lang}{stops[index + 1]['path']}"
        crumbs = [a["href"] for a in soup.select(".breadcrumbs a")]
        assert crumbs[-1] == f"/{lang}{monument['path']}"
        assert soup.select_one(".breadcrumbs [aria-current=page]").get_text(strip=True) == stop["titles"][lang]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_switch_leads_to_the_same_page(app, client, lang):
    other = other_language(lang)
    for path in ["/", "/sites/casablanca", *page_paths(app)]:
        soup = parse(client.get(f"/{lang}{path}"))
        switch = soup.select_one("header nav.language-switch")
        link = switch.select_one(f"a[hreflang={other}]")
        assert link["href"] == f"/{other}{path}"
        assert link["lang"] == other
        assert switch.select_one("[aria-current=true]")["lang"] == lang
        assert switch.select_one(f"a[hreflang={lang}]") is None


@pytest.mark.parametrize("path", ["/", "/sites/casablanca", "/monuments/hassan-ii-mosque"])
def test_pages_list_their_alternates_by_hreflang(client, path):
    soup = parse(client.get(f"/fr{path}"))
    alternates = {link["hreflang"]: link["href"] for link in soup.select("link[rel=alternate][hreflang]")}
    for lang in LANGUAGES:
        assert alternates[lang] == f"https://dalil.example/{lang}{path}"


def test_home_names_the_negotiated_page_as_x_default(client):
    soup = parse(client.get("/ar/"))
    assert soup.select_one("link[hreflang=x-default]")["href"] == "https://dalil.example/"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_transcript_sits_beside_the_audio(app, client, lang):
    guides = [guide for m in sample_content(app) for guide in m["guides"] if guide["lang"] == lang]
    assert guides, "the sample content has recorded guides"
    for guide in guides:
        section = parse(client.get(f"/{lang}{guide['path']}")).select_one("section.audio-guide")
        audio = section.find("audio")
        assert audio["src"] == guide["audio"]
        assert audio.has_attr("controls")
        transcript = section.select_one("details.transcript")
        assert transcript is not None, guide["path"]
        assert audio.sourceline < transcript.sourceline
        # One element per sentence, each with the second it starts at, in the paragraph's words.
        paragraph = transcript.select_one(".transcript-text p")
        assert all(span.has_attr("data-start") for span in paragraph.select(".sentence"))
        assert paragraph.get_text() == french_typography(" ".join(guide["first_paragraph"].split()), lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_monument_structured_data(app, client, lang):
    for monument in sample_content(app):
        soup = parse(client.get(f"/{lang}{monument['path']}"))
        data = json.loads(soup.select_one("script[type='application/ld+json']").string)
        assert data["@type"] == "LandmarksOrHistoricalBuildings"
        assert data["name"] == monument["texts"][lang]["name"]
        assert data["inLanguage"] == lang
        assert data["url"] == f"https://dalil.example/{lang}{monument['path']}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_images_have_alt_text(app, client, lang):
    paths = ["/", "/sites/casablanca", *page_paths(app)]
    content_images = 0
    for path in paths:
        soup = parse(client.get(f"/{lang}{path}"))
        for image in soup.find_all("img"):
            assert image.has_attr("alt"), (path, image)
            assert image.has_attr("width")
            assert image.has_attr("height")
        for image in soup.select("figure img"):
            assert image["alt"].strip(), (path, image)
            content_images += 1
    assert content_images


@pytest.mark.parametrize("lang", LANGUAGES)
def test_figures_credit_their_pictures(app, client, lang):
    monument = next(m for m in sample_content(app) if m["credits"])
    soup = parse(client.get(f"/{lang}{monument['path']}"))
    assert soup.select_one("figure.cover figcaption").get_text(strip=True) == french_typography(monument["credits"][lang], lang)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "path", ["/monuments/no-such-monument", "/monuments/hassan-ii-mosque/no-such-stop", "/sites/no-such-site"]
)
def test_unknown_slugs_get_a_translated_404(app, client, lang, path):
    response = client.get(f"/{lang}{path}")
    assert response.status_code == 404
    soup = parse(response)
    assert_language(soup, lang)
    title = translated(app, lang, "Page not found")
    assert title != "Page not found", "the catalogs are compiled"
    assert soup.h1.get_text(strip=True) == title
    assert title in soup.title.get_text()
    assert soup.select_one(f"a.button[href='/{lang}/']")


@pytest.mark.parametrize("path", ["/xx/", "/xx/monuments/hassan-ii-mosque", "/en/", "/AR/"])
def test_unknown_language_prefix_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert parse(response).html["lang"] in LANGUAGES


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ar", "ar"),
        ("fr", "fr"),
        ("de", Defaults.DEFAULT_LANGUAGE),
        ("ar-MA", "ar"),
        ("fr-FR,fr;q=0.9", "fr"),
        ("fr;q=0.4, ar;q=0.9", "ar"),
        ("en-US,en;q=0.9,fr;q=0.8,ar;q=0.7", "fr"),
        ("de-DE, ar;q=0.1", "ar"),
    ],
)
def test_home_negotiates_accept_language(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert_language(parse(response), expected)
    assert "Accept-Language" in response.headers.get("Vary", "")


@pytest.mark.parametrize(
    "header", [";q=abc", "*", "ar;q=abc", ",,,;;;", "ar;q=2", "fr;q=-1", "x" * 5000, "é-ü;q=0.5", "fr, " * 1000]
)
def test_garbage_accept_language_never_fails(client, header):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert parse(response).html["lang"] in LANGUAGES


def test_cookie_remembers_the_language_read_last(client):
    assert parse(client.get("/", headers={"Accept-Language": "fr"})).html["lang"] == "fr"
    assert client.get("/ar/monuments/hassan-ii-mosque").status_code == 200
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert_language(parse(response), "ar")


@pytest.mark.parametrize("value", ["../../etc", "xx_INVALID", "", "ar\x00"])
def test_bad_language_cookie_is_ignored(client, value):
    client.set_cookie("dalil_lang", value)
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert_language(parse(response), "fr")


@pytest.mark.parametrize("value", ["../../etc", "xx_INVALID", "ar/../fr", "%00"])
@pytest.mark.parametrize("path", ["/", "/fr/", "/fr/monuments/hassan-ii-mosque"])
def test_lang_query_parameter_is_ignored(client, value, path):
    response = client.get(path, query_string={"lang": value}, headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert_language(parse(response), "fr")


@pytest.mark.parametrize("path", ["/", "/ar/", "/fr/monuments/hassan-ii-mosque", "/fr/monuments/nope"])
def test_huge_query_string_is_not_a_server_error(client, path):
    response = client.get(path + "?q=" + "x" * 100_000)
    assert response.status_code < 500


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_code_page_isolates_the_typed_code(app, client, lang):
    client.set_cookie("dalil_lang", lang)
    response = client.get("/q/ZZZZZ<b>")
    assert response.status_code == 404
    soup = parse(response)
    assert_language(soup, lang)
    assert soup.h1.get_text(strip=True) == translated(app, lang, "Unknown code")
    typed = soup.select_one(".lead bdi.code")
    assert typed["dir"] == "ltr"
    assert typed.get_text() == "ZZZZZ<b>"
    assert soup.select_one(".lead b") is None


def test_retired_code_page_still_leads_to_the_building(app, client):
    with app.app_context():
        code = db.session.scalar(select(Code).where(Code.monument_id.is_not(None)).order_by(Code.code))
        code.retired_dt = now_utc()
        slug = code.monument.slug
        db.session.commit()
        value = code.code
    client.set_cookie("dalil_lang", "ar")
    response = client.get(f"/q/{value}")
    assert response.status_code == 410
    soup = parse(response)
    assert soup.select_one(".lead bdi.code").get_text() == value
    assert soup.select_one(f"a.button[href='/ar/monuments/{slug}']")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_have_landmarks_skip_link_and_heading_order(app, client, lang):
    for path in [f"/{lang}/", f"/{lang}/sites/casablanca", *(f"/{lang}{p}" for p in page_paths(app)),
                 f"/{lang}/nope"]:
        soup = parse(client.get(path))
        skip = soup.select_one("body > a.skip-link")
        assert skip["href"] == "#main"
        assert soup.select_one("main#main")
        assert soup.select_one("header.site-header")
        assert soup.select_one("footer.site-footer")
        levels = [int(heading.name[1]) for heading in soup.find_all(re.compile(r"^h[1-6]$"))]
        assert levels[0] == 1, path
        assert all(after - before <= 1 for before, after in zip(levels, levels[1:], strict=False)), (path, levels)
        for nav in soup.find_all("nav"):
            assert nav.get("aria-label"), path


@pytest.mark.parametrize("path", ["/fr/", "/ar/monuments/hassan-ii-mosque", "/fr/monuments/hassan-ii-mosque/minaret",
                                  "/ar/nope", "/q/ZZZZZ"])
def test_pages_have_no_inline_style_or_script(client, path):
    soup = parse(client.get(path))
    assert soup.find(style=True) is None
    assert soup.find("style") is None
    # Only external scripts run; JSON data blocks are never executed, so the CSP allows them.
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") in ("application/ld+json", "application/json"), script


PHYSICAL_PROPERTY = re.compile(
    r"(?<![\w-])(margin-left|margin-right|padding-left|padding-right|border-left|border-right|left|right"
    r"|border-(top|bottom)-(left|right)-radius|(border-)?(left|right)-(width|color|style))\s*:"
)
PHYSICAL_VALUE = re.compile(r"(?<![\w-])(float|clear|text-align)\s*:\s*(left|right)\b")


@pytest.mark.parametrize("stylesheet", sorted(PWA_CSS.glob("*.css")), ids=lambda path: path.name)
def test_stylesheets_use_logical_properties(stylesheet):
    css = re.sub(r"/\*.*?\*/", "", stylesheet.read_text(), flags=re.S)
    found = [match.group(0) for pattern in (PHYSICAL_PROPERTY, PHYSICAL_VALUE) for match in pattern.finditer(css)]
    assert not found, f"{stylesheet.name} uses physical properties: {found}"
