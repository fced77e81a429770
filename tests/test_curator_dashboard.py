"""The scan dashboard: who may see it, what it counts, its charts and its CSV export."""

import csv
import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from sqlalchemy import select

from guide.codes.models import Code
from guide.codes.models import ScanCount
from guide.codes.stats import count_scan
from guide.codes.stats import flush_scans
from guide.extensions import db
from guide.monuments.models import Monument
from guide.sites.models import Site
from tests.curator import login
from tests.curator import make_user

MOSQUE_CODE = "H3J4Y"
RANGE = "from=2025-03-01&to=2025-03-31"


def _codes(app) -> dict[str, str]:
    """A stop code of the mosque, another monument's code, and a code moved to a Fès monument."""
    with app.app_context():
        mosque = db.session.scalar(select(Monument).where(Monument.slug == "hassan-ii-mosque"))
        villa = db.session.scalar(select(Monument).where(Monument.slug == "villa-des-arts"))
        fes = db.session.scalar(select(Site).where(Site.slug == "fes"))
        bou_inania = Monument(site=fes, slug="bou-inania")
        db.session.add(bou_inania)
        db.session.flush()
        db.session.add(Code(code="FES22", site=fes, number=1, monument=bou_inania))
        db.session.commit()
        return {"mosque": MOSQUE_CODE, "minaret": mosque.stops[0].primary_code.code,
                "villa": villa.primary_code.code, "fes": "FES22"}


# (code key, day, lang, channel, count)
ROWS = [
    ("mosque", date(2025, 3, 1), "ar", "camera", 10),
    ("mosque", date(2025, 3, 1), "fr", "camera", 4),
    ("mosque", date(2025, 3, 2), "fr", "typed", 3),
    ("minaret", date(2025, 3, 2), "ar", "scan", 5),
    ("villa", date(2025, 3, 31), "fr", "camera", 7),
    ("fes", date(2025, 3, 15), "ar", "camera", 100),
    # Outside the range asked for.
    ("mosque", date(2025, 2, 28), "ar", "camera", 1000),
    ("villa", date(2025, 4, 1), "fr", "camera", 1000),
]


@pytest.fixture
def scans(app):
    codes = _codes(app)
    with app.app_context():
        for key, day, lang, channel, count in ROWS:
            db.session.add(ScanCount(code=codes[key], day=day, lang=lang, channel=channel, count=count))
        db.session.commit()
    return codes


def _section(html: str, key: str) -> dict[str, int]:
    """Read one table of the dashboard: its row keys and their raw values."""
    start = html.index(f'aria-labelledby="{key}-heading"')
    part = html[start:html.index("</section>", start)]
    return {found: int(value) for found, value in
            re.findall(r'<tr data-key="([^"]*)">.*?data-value="(\d+)"', part, re.S)}


def _signed_in(app, client, role="editor", sites=("casablanca",), **kwargs):
    login(client, make_user(app, role, sites=sites, **kwargs))


def _translated(app, message: str, lang: str) -> str:
    with app.test_request_context(), force_locale(lang):
        text = gettext(message)
    assert text != message
    return text.split("%(")[0]


def test_dashboard_numbers_equal_the_stored_counts(app, client, scans):
    _signed_in(app, client)
    client.set_cookie("dalil_lang", "fr")
    page = client.get(f"/curator/dashboard?{RANGE}&site=casablanca")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert _section(html, "monuments") == {"hassan-ii-mosque": 22, "villa-des-arts": 7}
    assert _section(html, "langs") == {"ar": 15, "fr": 14}
    assert _section(html, "channels") == {"camera": 21, "scan": 5, "typed": 3}
    days = _section(html, "days")
    assert len(days) == 31
    assert {day: count for day, count in days.items() if count} == {
        "2025-03-01": 14, "2025-03-02": 8, "2025-03-31": 7}
    assert "29 scans" in html
    assert "Mosquée Hassan II" in html


def test_all_my_sites_adds_up_every_site_of_an_admin(app, client, scans):
    _signed_in(app, client, "admin", sites=())
    html = client.get(f"/curator/dashboard?{RANGE}").get_data(as_text=True)
    assert _section(html, "monuments") == {"bou-inania": 100, "hassan-ii-mosque": 22, "villa-des-arts": 7}
    assert _section(html, "langs") == {"ar": 115, "fr": 14}


def test_editor_sees_only_their_sites(app, client, scans):
    _signed_in(app, client, "editor", sites=("fes",))
    page = client.get(f"/curator/dashboard?{RANGE}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _section(html, "monuments") == {"bou-inania": 100}
    assert 'value="casablanca"' not in html
    assert client.get(f"/curator/dashboard?{RANGE}&site=casablanca").status_code == 403
    assert client.get(f"/curator/dashboard.csv?{RANGE}&site=casablanca").status_code == 403
    rows = list(csv.DictReader(io.StringIO(client.get(f"/curator/dashboard.csv?{RANGE}").data.decode("utf-8-sig"))))
    assert {row["site"] for row in rows} == {"fes"}


def test_translators_and_strangers_see_no_dashboard(app, client):
    assert client.get("/curator/dashboard").status_code == 302
    _signed_in(app, client, "translator", languages=("ar",))
    assert client.get("/curator/dashboard").status_code == 403
    assert client.get("/curator/dashboard.csv").status_code == 403
    assert "/curator/dashboard" not in client.get("/curator/").get_data(as_text=True)


def test_menu_links_the_dashboard_for_editors(app, client):
    _signed_in(app, client)
    assert 'href="/curator/dashboard"' in client.get("/curator/").get_data(as_text=True)


def test_default_range_is_the_last_30_local_days(app, client, scans):
    _signed_in(app, client)
    with app.app_context():
        from guide.codes.stats import local_day

        today = local_day()
        db.session.add(ScanCount(code=MOSQUE_CODE, day=today, lang="ar", channel="scan", count=9))
        db.session.commit()
    html = client.get("/curator/dashboard").get_data(as_text=True)
    days = _section(html, "days")
    assert len(days) == 30
    assert days[today.isoformat()] == 9
    assert _section(html, "monuments") == {"hassan-ii-mosque": 9}


def test_days_are_local_across_the_ramadan_offset_change(app, client):
    # Morocco is UTC+0 during Ramadan 2025 and UTC+1 after: 23:30 UTC is the same day in March,
    # the next day in May.
    with app.test_request_context():
        count_scan(MOSQUE_CODE, "ar", "camera", datetime(2025, 3, 10, 23, 30, tzinfo=UTC))
        count_scan(MOSQUE_CODE, "fr", "typed", datetime(2025, 5, 1, 23, 30, tzinfo=UTC))
        count_scan(MOSQUE_CODE, "fr", "typed", datetime(2025, 5, 1, 22, 59, tzinfo=UTC))
        flush_scans()
    _signed_in(app, client)
    html = client.get("/curator/dashboard?from=2025-03-01&to=2025-05-31").get_data(as_text=True)
    days = {day: count for day, count in _section(html, "days").items() if count}
    assert days == {"2025-03-10": 1, "2025-05-01": 1, "2025-05-02": 1}


def test_csv_has_the_bom_the_columns_and_the_same_numbers(app, client, scans):
    _signed_in(app, client, "admin", sites=())
    response = client.get(f"/curator/dashboard.csv?{RANGE}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert "filename*=UTF-8''dalil-scans-2025-03-01-2025-03-31.csv" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(response.data[3:].decode("utf-8")))
    header, *rows = list(reader)
    assert header == ["day", "site", "monument", "code", "lang", "channel", "scans"]
    expected = sorted(
        (day.isoformat(), "fes" if key == "fes" else "casablanca",
         {"mosque": "hassan-ii-mosque", "minaret": "hassan-ii-mosque", "villa": "villa-des-arts",
          "fes": "bou-inania"}[key], scans[key], lang, channel, str(count))
        for key, day, lang, channel, count in ROWS if date(2025, 3, 1) <= day <= date(2025, 3, 31)
    )
    assert sorted(tuple(row) for row in rows) == expected
    one_site = client.get(f"/curator/dashboard.csv?{RANGE}&site=casablanca")
    assert "dalil-scans-casablanca-2025-03-01" in one_site.headers["Content-Disposition"]
    assert sum(int(row["scans"]) for row in csv.DictReader(io.StringIO(one_site.data.decode("utf-8-sig")))) == 29


@pytest.mark.parametrize("query", [
    "from=2025-02-30",
    "from=yesterday",
    "to=2025-13-01",
    "from=2025-1-1",
    "from=%D9%A2%D9%A0%D9%A2%D9%A5-01-01",
    "from=2025-03-31&to=2025-03-01",
    "from=2020-01-01&to=2025-01-01",
    "from=" + "9" * 3000,
    "site=atlantis",
    "from=0000-01-01",
])
@pytest.mark.parametrize("path", ["/curator/dashboard", "/curator/dashboard.csv"])
def test_bad_filters_are_translated_400s(app, client, query, path):
    _signed_in(app, client)
    client.set_cookie("dalil_lang", "ar")
    response = client.get(f"{path}?{query}")
    assert response.status_code in (400, 414)
    assert 'dir="rtl"' in response.get_data(as_text=True)


def test_bad_dates_say_why_and_keep_the_form(app, client):
    _signed_in(app, client)
    client.set_cookie("dalil_lang", "fr")
    reversed_range = client.get("/curator/dashboard?from=2025-03-31&to=2025-03-01")
    assert reversed_range.status_code == 400
    html = reversed_range.get_data(as_text=True)
    assert _translated(app, "The first day comes after the last day.", "fr") in html
    assert 'value="2025-03-31"' in html
    assert 'aria-invalid="true"' in html
    too_long = client.get("/curator/dashboard?from=2020-01-01&to=2025-01-01")
    assert _translated(app, "Choose at most %(days)d days.", "fr") in too_long.get_data(as_text=True)
    client.set_cookie("dalil_lang", "ar")
    missing = client.get("/curator/dashboard?from=2025-02-30")
    assert _translated(app, "This date does not exist.", "ar") in missing.get_data(as_text=True)
    # Three years exactly is allowed.
    assert client.get("/curator/dashboard?from=2022-01-01&to=2024-12-31").status_code == 200


def test_charts_are_accessible_svg_mirrored_in_arabic(app, client, scans):
    _signed_in(app, client)
    client.set_cookie("dalil_lang", "fr")
    french = client.get(f"/curator/dashboard?{RANGE}&site=casablanca").get_data(as_text=True)
    client.set_cookie("dalil_lang", "ar")
    arabic = client.get(f"/curator/dashboard?{RANGE}&site=casablanca").get_data(as_text=True)
    for html in (french, arabic):
        # Content-Security-Policy blocks style attributes: presentation comes from classes.
        assert "style=" not in html
        assert html.count('role="img"') == 4
        for chart in ("days", "monuments", "langs", "channels"):
            assert f'<title id="chart-{chart}-title">' in html
            assert f'<desc id="chart-{chart}-desc">' in html

    def first_bar(html):
        start = html.index('id="chart-monuments-title"')
        x, width = re.search(r'<rect class="chart-bar" x="([\d.]+)%" y="[\d.]+" width="([\d.]+)%"', html[start:]).groups()
        return float(x), float(width)

    x, width = first_bar(french)
    assert x == 0
    x, width = first_bar(arabic)
    assert x + width == pytest.approx(100)
    # The oldest day is drawn at the start side: left in French, right in Arabic.
    def first_column(html):
        start = html.index('id="chart-days-title"')
        found = re.search(r'<rect class="chart-bar" x="([\d.]+)%" y="[\d.]+" width="([\d.]+)%"', html[start:])
        return float(found.group(1)), float(found.group(2))

    assert first_column(french)[0] < 5
    assert sum(first_column(arabic)) > 95


def test_no_scans_says_so(app, client):
    _signed_in(app, client)
    html = client.get("/curator/dashboard?from=2001-01-01&to=2001-01-31").get_data(as_text=True)
    assert _translated(app, "No scans in this period.", "fr") in html
    assert 'role="img"' not in html


def test_editor_without_sites_sees_an_empty_dashboard(app, client, scans):
    _signed_in(app, client, "editor", sites=())
    response = client.get(f"/curator/dashboard?{RANGE}")
    assert response.status_code == 200
    assert 'role="img"' not in response.get_data(as_text=True)
