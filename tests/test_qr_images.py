"""/qr/<CODE>.png and .svg: symbols that carry the plaque URL in QR's alphanumeric mode."""

import io
import re

import pytest
import zxingcpp
from PIL import Image
from qrcode.util import MODE_ALPHA_NUM
from qrcode.util import QRData
from sqlalchemy import select

from guide.codes.models import Code
from guide.extensions import db
from guide.plaques.symbols import QUIET_ZONE
from guide.plaques.symbols import make_symbol
from guide.plaques.symbols import plaque_url

URL = "HTTPS://DALIL.EXAMPLE/Q/H3J4Y"


def decode(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize(("base", "expected"), [
    ("https://dalil.example", "HTTPS://DALIL.EXAMPLE/Q/H3J4Y"),
    ("https://dalil.example/", "HTTPS://DALIL.EXAMPLE/Q/H3J4Y"),
    ("http://127.0.0.1:8000", "HTTP://127.0.0.1:8000/Q/H3J4Y"),
    # A path under the host may be case-sensitive on the server: it keeps its case.
    ("https://example.org/dalil", "HTTPS://EXAMPLE.ORG/dalil/Q/H3J4Y"),
])
def test_plaque_url_is_upper_case_where_case_does_not_matter(app, base, expected):
    with app.app_context():
        assert plaque_url("h3j4y", base) == expected


def test_the_symbol_uses_alphanumeric_mode_level_q_or_h_and_a_quiet_zone(app):
    with app.app_context():
        url = plaque_url("H3J4Y")
    assert QRData(url).mode == MODE_ALPHA_NUM
    symbol = make_symbol(url)
    assert symbol.error_correction in ("Q", "H")
    # 29 alphanumeric characters fit version 2 at level Q; in byte mode they would need version 3.
    assert symbol.version == 2
    assert symbol.modules == 25
    for row in (*symbol.rows[:QUIET_ZONE], *symbol.rows[-QUIET_ZONE:]):
        assert not any(row)
    assert not any(row[column] for row in symbol.rows for column in (*range(QUIET_ZONE), *range(-QUIET_ZONE, 0)))


@pytest.mark.parametrize("path", ["/qr/H3J4Y.png", "/qr/h3j4y.png"])
def test_png_decodes_to_exactly_the_plaque_url(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert decode(Image.open(io.BytesIO(response.data))) == [URL]


def test_every_code_of_the_sample_content_has_a_decodable_png(app, client):
    with app.app_context():
        codes = list(db.session.scalars(select(Code.code)))
    assert len(codes) > 10
    for code in codes:
        image = Image.open(io.BytesIO(client.get(f"/qr/{code}.png").data))
        assert decode(image) == [f"HTTPS://DALIL.EXAMPLE/Q/{code}"]


def test_svg_draws_the_same_modules_as_the_png(app, client):
    response = client.get("/qr/H3J4Y.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<script" not in svg
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    drawn = [[False] * size for _row in range(size)]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for column in range(int(x), int(x) + int(width)):
            drawn[int(y)][column] = True
    with app.app_context():
        symbol = make_symbol(plaque_url("H3J4Y"))
    assert tuple(tuple(row) for row in drawn) == symbol.rows


def test_images_are_cached_long_and_revalidate(client):
    response = client.get("/qr/H3J4Y.png")
    assert response.cache_control.public
    assert response.cache_control.max_age >= 7 * 24 * 3600
    assert response.headers["ETag"]
    again = client.get("/qr/H3J4Y.png", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", [
    "/qr/AAAAA.png",
    "/qr/H3J4X.svg",
    "/qr/" + "H" * 200 + ".png",
    "/qr/../x.png",
    "/qr/%2e%2e%2fx.png",
    "/qr/H3J4Y.gif",
    "/qr/.png",
])
def test_unknown_or_malformed_codes_are_a_translated_404(client, path):
    response = client.get(path, headers={"Accept-Language": "ar"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert 'lang="ar"' in response.get_data(as_text=True)


def test_the_upper_case_url_in_the_symbol_opens_the_same_page(client):
    lower = client.get("/q/H3J4Y", headers={"Accept-Language": "fr"})
    upper = client.get("/Q/H3J4Y", headers={"Accept-Language": "fr"})
    assert upper.status_code == lower.status_code == 200
    assert upper.data == lower.data
    assert upper.headers["ETag"] == lower.headers["ETag"]
