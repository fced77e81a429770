"""Languages: catalogs, Arabic plurals, locale whitelisting, Moroccan formats and timezone."""

import gettext
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from flask import g
from flask_babel import force_locale
from flask_babel import format_datetime
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext

from guide.i18n import formatting_locale
from guide.i18n import select_locale
from guide.i18n import text_direction

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


def test_arabic_plural_header_matches_cldr_for_every_count():
    with (TRANSLATIONS / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.num_plurals == 6
    plural = gettext.c2py(catalog.plural_expr)
    arabic = Locale("ar")
    for count in range(0, 1001):
        assert CLDR_ORDER[plural(count)] == arabic.plural_form(count), count


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "لا توجد محطات"), (1, "محطة واحدة"), (2, "محطتان"), (3, "3 محطات"), (11, "11 محطة"),
     (100, "100 محطة"), (102, "102 محطة"), (111, "111 محطة")],
)
def test_arabic_ngettext_uses_the_six_forms(app, count, expected):
    with app.test_request_context("/ar/"):
        g.lang = "ar"
        assert ngettext("%(num)d stop to discover", "%(num)d stops to discover", count).startswith(expected)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_catalog_is_complete(runner, lang):
    result = runner.invoke(args=["translate", "check"])
    assert result.exit_code == 0, result.output
    assert lang in result.output


def test_check_fails_on_a_message_missing_from_a_catalog(runner, monkeypatch, tmp_path):
    from guide import translate

    fake_root = tmp_path / "project"
    (fake_root / "translations" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (fake_root / "translations" / "fr" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
    )
    (fake_root / "translations" / "babel.cfg").write_text((TRANSLATIONS / "babel.cfg").read_text())
    (fake_root / "guide").mkdir()
    (fake_root / "guide" / "page.py").write_text('from flask_babel import gettext as _\n_("Hello")\n')
    (fake_root / "setup.cfg").write_text((TRANSLATIONS.parent / "setup.cfg").read_text())
    monkeypatch.setattr(translate, "PROJECT_ROOT", fake_root)
    monkeypatch.setattr(translate, "SETUP_CFG", fake_root / "setup.cfg")
    result = runner.invoke(args=["translate", "check"])
    assert result.exit_code != 0
    assert "fr: untranslated: 'Hello'" in result.output


@pytest.mark.parametrize(("lang", "expected"), [("ar", "ar_MA"), ("fr", "fr_MA"), ("zgh", "zgh_MA")])
def test_formats_are_moroccan(lang, expected):
    assert formatting_locale(lang, "MA") == expected


def test_direction_comes_from_cldr():
    assert text_direction("ar") == "rtl"
    assert text_direction("fr") == "ltr"
    assert text_direction("zgh") == "ltr"


@pytest.mark.parametrize(
    ("lang", "number", "expected"),
    [("ar", 1234567.891, "1.234.567,891"), ("fr", 1234567.891, "1\u202f234\u202f567,891")],
)
def test_numbers_use_moroccan_conventions(app, lang, number, expected):
    with app.test_request_context(f"/{lang}/"):
        g.lang = lang
        assert select_locale() == f"{lang}_MA"
        # CLDR wraps Arabic numbers in direction marks; compare the digits and separators.
        assert format_decimal(number).strip("\u200e\u200f\u061c") == expected


@pytest.mark.parametrize(
    ("moment", "local_time"),
    [(datetime(2025, 3, 10, 12, 0, tzinfo=UTC), "12:00"),   # Ramadan: UTC+0
     (datetime(2025, 5, 1, 12, 0, tzinfo=UTC), "13:00")],   # the rest of the year: UTC+1
)
def test_times_are_shown_in_casablanca(app, moment, local_time):
    with app.test_request_context("/fr/"):
        g.lang = "fr"
        assert format_datetime(moment, "HH:mm") == local_time


def test_translation_works_outside_a_request(app):
    with app.app_context(), force_locale("ar_MA"):
        assert _("Audio guide") == "الدليل الصوتي"
    with app.app_context(), force_locale("fr_MA"):
        assert _("Audio guide") == "Guide audio"


@pytest.mark.parametrize(
    "query", ["lang=xx_INVALID", "lang=../../etc", "lang=de", "lang=", "lang=" + "a" * 1500]
)
def test_a_lang_parameter_never_breaks_a_page(client, query):
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    assert 'lang="fr"' in response.text


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("ar-MA,ar;q=0.9,fr;q=0.8", "ar"),
        ("fr-FR,fr;q=0.9", "fr"),
        ("de-DE,de;q=0.9", "fr"),
        ("fr;q=0.4, ar;q=0.9", "ar"),
        ("en;q=1.0, ar;q=0.2", "ar"),
        ("*", "fr"),
        ("de;q=abc", "fr"),
        (";;;,,,q=", "fr"),
        ("ar;q=" + "9" * 4000, "fr"),
        ("x" * 8000, "fr"),
    ],
)
def test_accept_language_is_negotiated_safely(client, header, lang):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert f'<html lang="{lang}" dir="{text_direction(lang)}">' in response.text


@pytest.mark.parametrize("path", ["/xx/", "/de/", "/AR/", "/ar_MA/", "/../ar/"])
def test_unknown_language_prefixes_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404


def test_reading_a_page_remembers_the_language_for_the_next_scan(client):
    assert client.get("/ar/").status_code == 200
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert '<html lang="ar" dir="rtl">' in response.text


def test_a_third_language_is_configuration_only(app, app_factory):
    extra = app_factory(EXTRA_LANGUAGES="zgh")
    response = extra.test_client().get("/zgh/")
    assert response.status_code == 200
    assert '<html lang="zgh" dir="ltr">' in response.text
    assert app.test_client().get("/zgh/").status_code == 404


def test_the_default_language_must_be_enabled(app_factory):
    with pytest.raises(ValueError, match="DEFAULT_LANGUAGE"):
        app_factory(DEFAULT_LANGUAGE="de")


def test_a_background_fetch_does_not_change_the_remembered_language(client):
    client.get("/ar/")
    response = client.get("/fr/", headers={"Sec-Fetch-Mode": "cors"})
    assert "dalil_lang" not in response.headers.get("Set-Cookie", "")
    assert '<html lang="ar"' in client.get("/").text
