"""Printable plaques: every QR decodes to its URL, even degraded, and the Arabic is shaped."""

import math
import os
import shutil
import subprocess

import numpy
import pytest
import zxingcpp
from flask_babel import force_locale
from flask_babel import gettext
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFilter
from PIL import ImageFont
from PIL import ImageOps
from sqlalchemy import select

from guide.codes.models import Code
from guide.extensions import db
from guide.plaques import labels
from guide.plaques.labels import LabelError
from guide.plaques.labels import PlaqueData
from guide.plaques.labels import guide_text
from guide.plaques.labels import render_plaque
from guide.plaques.labels import render_sheets
from guide.plaques.labels import size_guide
from guide.plaques.services import plaques_for
from guide.plaques.symbols import make_symbol
from guide.plaques.symbols import plaque_url
from guide.sites.models import Site


def decode(image: Image.Image) -> list[str]:
    return sorted(barcode.text for barcode in zxingcpp.read_barcodes(image))


def casablanca_urls(app) -> set[str]:
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
        codes = db.session.scalars(select(Code.code).where(Code.site_id == site.id, Code.retired_dt.is_(None)))
        return {f"HTTPS://DALIL.EXAMPLE/Q/{code}" for code in codes}


@pytest.fixture
def casablanca_pages(app):
    with app.app_context():
        yield render_sheets(plaques_for(site="casablanca"))


def page_mm(page: Image.Image, dpi: int) -> tuple[int, int]:
    return round(page.width * 25.4 / dpi), round(page.height * 25.4 / dpi)


def rasterise(pdf, directory, dpi: int) -> list[Image.Image]:
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing (apt-get install poppler-utils)")
        pytest.skip("pdftoppm is missing (apt-get install poppler-utils)")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(directory / "page")], check=True)
    return [Image.open(path) for path in sorted(directory.glob("page-*.png"))]


def test_one_command_prints_the_sheet_for_every_casablanca_code(app, runner, tmp_path):
    output = tmp_path / "casablanca.pdf"
    result = runner.invoke(args=["labels", "--site", "casablanca", "--output", str(output)])
    assert result.exit_code == 0, result.output
    expected = casablanca_urls(app)
    assert f"{len(expected)} plaque(s) written to {output}" in result.output
    pages = rasterise(output, tmp_path, 150)
    assert len(pages) == math.ceil(len(expected) / 8)
    decoded = [decode(page) for page in pages]
    assert all(len(texts) == 8 for texts in decoded[:-1])
    assert sorted(text for texts in decoded for text in texts) == sorted(expected)
    # A4 pages, at their real size (pdftoppm rounds up to whole pixels).
    assert all(page_mm(page, 150) == (210, 297) for page in pages)


def test_the_png_pages_are_300_dpi_and_decode(app, runner, tmp_path):
    output = tmp_path / "mosque.png"
    result = runner.invoke(args=["labels", "--monument", "hassan-ii-mosque", "--layout", "plaque",
                                 "--format", "png", "--output", str(output)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("mosque-*.png"))
    with app.app_context():
        expected = [plaque_url(data.code) for data in plaques_for(monument="hassan-ii-mosque")]
    assert len(files) == len(expected) > 1
    for path, url in zip(files, expected, strict=True):
        image = Image.open(path)
        assert image.size == (1240, 1748)  # A6 at 300 dpi
        assert round(image.info["dpi"][0]) == 300
        assert decode(image) == [url]


def test_a_single_code_gives_a_single_file(app, runner, tmp_path):
    output = tmp_path / "one.pdf"
    result = runner.invoke(args=["labels", "--code", "h3j4y", "--layout", "plaque", "--paper", "a5",
                                 "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == [output]
    (page,) = rasterise(output, tmp_path, 100)
    assert page_mm(page, 100) == (148, 210)
    assert decode(page) == ["HTTPS://DALIL.EXAMPLE/Q/H3J4Y"]


# Degradations a phone meets on site, applied to each symbol with some plaque around it.
# Each takes the image, the symbol's box in it (quiet zone included) and the module size.

def _blur(image, box, module_px):
    return image.filter(ImageFilter.GaussianBlur(module_px * 0.3))


def _low_contrast(image, box, module_px):
    # Dark grey on light grey: faded ink, a dim hall, a tinted glass.
    return image.point(lambda value: 115 + value * 70 // 255)


def _glare(image, box, module_px):
    # A white reflection over the data, 6 % of the symbol: level Q restores up to 25 %.
    out = image.copy()
    x0, y0, x1, _y1 = (box[0] + 4 * module_px, box[1] + 4 * module_px, box[2] - 4 * module_px,
                      box[3] - 4 * module_px)
    side = x1 - x0
    centre_x, centre_y = x0 + 0.55 * side, y0 + 0.5 * side
    ImageDraw.Draw(out).ellipse((centre_x - side * 0.15, centre_y - side * 0.125,
                                 centre_x + side * 0.15, centre_y + side * 0.125), fill=255)
    return out


def _coefficients(target, source):
    rows, values = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    return numpy.linalg.solve(numpy.array(rows, float), numpy.array(values, float)).tolist()


def _perspective(image, box, module_px):
    # Seen from below and to the side, on a darker wall.
    width, height = image.size
    pad = width // 5
    framed = ImageOps.expand(image, pad, fill=90)
    source = [(pad, pad), (pad + width, pad), (pad + width, pad + height), (pad, pad + height)]
    target = [(pad + 0.22 * width, pad + 0.04 * height), (pad + 0.95 * width, pad + 0.12 * height),
              (pad + width, pad + height), (pad + 0.05 * width, pad + 0.9 * height)]
    return framed.transform(framed.size, Image.Transform.PERSPECTIVE, _coefficients(target, source),
                            resample=Image.Resampling.BILINEAR, fill=90)


def _everything(image, box, module_px):
    for degrade in (_blur, _low_contrast, _glare, _perspective):
        image = degrade(image, box, module_px)
    return image


DEGRADATIONS = [_blur, _low_contrast, _glare, _perspective, _everything]
BORDER = 40


def _crops(page):
    grey = page.image.convert("L")
    for symbol in page.symbols:
        x0, y0, x1, y1 = symbol.box
        crop = grey.crop((x0 - BORDER, y0 - BORDER, x1 + BORDER, y1 + BORDER))
        yield symbol, crop, (BORDER, BORDER, x1 - x0 + BORDER, y1 - y0 + BORDER)


@pytest.mark.parametrize("degrade", DEGRADATIONS, ids=lambda function: function.__name__.strip("_"))
def test_every_sticker_still_decodes_when_degraded(app, casablanca_pages, degrade):
    expected = casablanca_urls(app)
    seen = set()
    for page in casablanca_pages:
        for symbol, crop, box in _crops(page):
            assert decode(degrade(crop, box, symbol.module_px)) == [symbol.url], symbol.url
            seen.add(symbol.url)
    assert seen == expected


@pytest.mark.parametrize("degrade", DEGRADATIONS, ids=lambda function: function.__name__.strip("_"))
def test_a6_plaques_still_decode_when_degraded(app, degrade):
    with app.app_context():
        plaques = plaques_for(monument="hassan-ii-mosque")
        pages = [render_plaque(data) for data in plaques]
    for page, data in zip(pages, plaques, strict=True):
        symbol = page.symbols[0]
        degraded = degrade(page.image.convert("L"), symbol.box, symbol.module_px)
        assert decode(degraded) == [plaque_url(data.code, "https://dalil.example")]


def _through_a_phone(image: Image.Image, dpi: int, distance_mm: float) -> Image.Image:
    # A 1280-pixel-wide preview over a 70° field of view, slightly out of focus.
    field_mm = 2 * distance_mm * math.tan(math.radians(35))
    scale = 1280 / field_mm * 25.4 / dpi
    small = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BOX)
    return small.filter(ImageFilter.GaussianBlur(0.6))


def test_each_layout_scans_from_the_distance_its_guidance_promises(app, casablanca_pages):
    with app.app_context():
        data = plaques_for(codes=("H3J4Y",))[0]
        guide = size_guide(make_symbol(plaque_url("H3J4Y")))
        for paper in ("a6", "a5"):
            page = render_plaque(data, paper)
            assert decode(_through_a_phone(page.image.convert("L"), 300, guide.reach_m[paper] * 1000)) == [
                plaque_url("H3J4Y")]
    # 1 m needs the A5 plaque; the stickers are for reading at arm's length.
    assert guide.reach_m["a5"] >= 1 > guide.reach_m["a6"] > guide.reach_m["sticker"] >= 0.5
    symbol, crop, _box = next(_crops(casablanca_pages[0]))
    assert decode(_through_a_phone(crop, 300, guide.reach_m["sticker"] * 1000)) == [symbol.url]


def test_the_size_guidance_is_on_the_sheet_margin_in_every_language(app, casablanca_pages):
    with app.app_context():
        guide = size_guide(make_symbol(plaque_url("H3J4Y")))
        texts = {run.lang: run.text for run in casablanca_pages[0].texts if run.role == "guidance"}
        assert set(texts) == {"ar", "fr"}
        assert texts["fr"] == guide_text(guide, "fr")
        assert "8,6 cm" in texts["fr"]
        assert "A5" in texts["ar"]
        assert "8,6" in texts["ar"]
    # From the module count: 25 modules at 1/290 of the distance each.
    assert round(guide.symbol_cm, 1) == 8.6
    assert round(guide.with_margin_cm, 1) == 11.4
    top = max(run.box[3] for run in casablanca_pages[0].texts if run.role == "guidance")
    assert top < min(symbol.box[1] for symbol in casablanca_pages[0].symbols)


def test_the_call_to_action_is_on_the_plaque_in_both_languages(app):
    with app.app_context():
        page = render_plaque(plaques_for(codes=("H3J4Y",))[0])
        calls = {run.lang: run.text for run in page.texts if run.role == "cta"}
        expected = {}
        for lang in ("ar", "fr"):
            with force_locale(lang):
                expected[lang] = gettext("Scan to discover its story")
    assert calls == expected
    assert expected["ar"] != expected["fr"] != "Scan to discover its story"
    names = {run.lang for run in page.texts if run.role == "name"}
    assert names == {"ar", "fr"}
    assert [run.text for run in page.texts if run.role == "code"][-1] == "H3J4Y"
    assert any(run.role == "number" for run in page.texts)


def test_the_arabic_name_is_shaped_right_to_left(app):
    with app.app_context():
        page = render_plaque(plaques_for(codes=("H3J4Y",))[0])
    (run,) = [run for run in page.texts if run.role == "name" and run.lang == "ar"]
    assert run.direction == "rtl"
    left, top, right, bottom = run.box
    printed = page.image.convert("L").crop(run.box)

    def drawn(engine: ImageFont.Layout, **options) -> Image.Image:
        font = ImageFont.truetype(run.font_path, run.size, layout_engine=engine)
        canvas = Image.new("L", page.image.size, 255)
        ImageDraw.Draw(canvas).text(run.origin, run.text, font=font, fill=0, anchor=run.anchor, **options)
        return canvas.crop(run.box)

    def differing(first: Image.Image, second: Image.Image) -> float:
        return float(numpy.mean((numpy.asarray(first) < 128) != (numpy.asarray(second) < 128)))

    shaped = drawn(ImageFont.Layout.RAQM, direction="rtl", language="ar")
    unshaped = drawn(ImageFont.Layout.BASIC)
    assert differing(printed, shaped) < 0.01
    assert differing(printed, unshaped) > 0.05

    # Joined forms are narrower than the same letters standing alone.
    font = ImageFont.truetype(run.font_path, run.size, layout_engine=ImageFont.Layout.RAQM)
    word = run.text.split()[0]
    joined = font.getlength(word, direction="rtl", language="ar")
    isolated = sum(font.getlength(letter, direction="rtl", language="ar") for letter in word)
    assert joined < isolated * 0.9


def test_names_with_parentheses_and_long_names_fit(app):
    with app.app_context():
        data = PlaqueData("H3J4Y", 7, {"ar": "حي الأحباس (المدينة الجديدة) وساحة محمد الخامس الكبرى",
                                       "fr": "Quartier des Habous (Nouvelle Médina) et la grande place Mohammed V"})
        page = render_plaque(data)
        symbol_top = page.symbols[0].box[1]
        for run in page.texts:
            if run.role == "name":
                assert run.box[3] <= symbol_top
                assert run.box[0] >= 0
                assert run.box[2] <= page.image.width
        assert decode(page.image) == [plaque_url("H3J4Y")]
        with pytest.raises(LabelError):
            render_plaque(PlaqueData("H3J4Y", 7, {"ar": "دار", "fr": "très " * 400}))


def test_without_raqm_the_command_fails_clearly(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(labels.features, "check", lambda feature: False)
    result = runner.invoke(args=["labels", "--site", "casablanca", "--output", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert "libraqm0" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("app", [{"LABEL_FONT_DIRS": ("/nonexistent",)}], indirect=True)
def test_without_the_fonts_the_command_fails_clearly(runner, tmp_path):
    result = runner.invoke(args=["labels", "--code", "H3J4Y", "--output", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert f"apt-get install {labels.DEBIAN_PACKAGES}" in result.output


@pytest.mark.parametrize(("args", "code", "message"), [
    ([], 2, "Give --site, --monument or --code"),
    # Messages from the services are in the default language, French.
    (["--site", "atlantis"], 1, "Aucun site n’a l’identifiant atlantis."),
    (["--monument", "nowhere"], 1, "Aucun monument n’a l’identifiant nowhere."),
    (["--code", "AAAAA"], 1, "Aucune plaque ne porte le code AAAAA."),
    (["--code", "Q" * 500], 1, "Aucune plaque ne porte le code"),
    (["--site", "empty"], 1, "Il n’y a aucun code à imprimer."),
    (["--code", "H3J4Y", "--layout", "poster"], 2, "Invalid value for '--layout'"),
])
def test_cli_errors(app, runner, tmp_path, args, code, message):
    with app.app_context():
        db.session.add(Site(slug="empty"))
        db.session.commit()
    result = runner.invoke(args=["labels", *args, "--output", str(tmp_path / "x.pdf")])
    assert result.exit_code == code, result.output
    assert message in result.output


def test_a_retired_code_is_left_out_of_a_site_and_refused_by_name(app, runner, tmp_path):
    assert runner.invoke(args=["codes", "retire", "H3J4Y"]).exit_code == 0
    with app.app_context():
        assert "H3J4Y" not in {data.code for data in plaques_for(site="casablanca")}
    result = runner.invoke(args=["labels", "--code", "H3J4Y", "--output", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert "retiré" in result.output
