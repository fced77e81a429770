"""Printable plaques and sticker sheets: each carries the QR code, the name and a call to
action in every language, and the short code and keypad number for typing.

Pillow draws every text with its RAQM layout (HarfBuzz shaping, FriBiDi ordering), one font
per script since Pillow has no font fallback. Without RAQM or a font, drawing stops with a
LabelError that says what to install, rather than printing disconnected, reversed Arabic.
"""

import io
import itertools
from dataclasses import dataclass
from dataclasses import field
from functools import cache
from functools import lru_cache
from pathlib import Path

from babel.core import get_global
from flask import current_app
from flask_babel import force_locale
from flask_babel import format_decimal
from flask_babel import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont
from PIL import features

from guide.config import split_words
from guide.i18n import formatting_locale
from guide.i18n import languages
from guide.i18n import text_direction
from guide.plaques.layouts import LAYOUTS  # noqa: F401  (re-exported)
from guide.plaques.layouts import PAPERS
from guide.plaques.symbols import Symbol
from guide.plaques.symbols import display_address
from guide.plaques.symbols import make_symbol
from guide.plaques.symbols import min_symbol_mm
from guide.plaques.symbols import plaque_url
from guide.plaques.symbols import scan_distance_mm
from guide.plaques.symbols import symbol_image

DPI = 300
MM_PER_INCH = 25.4
SCAN_TARGET_MM = 1000

# Per script, OFL fonts in order of preference: the first one holding every character of a
# text draws it. Amiri comes first for Arabic: Noto Naskh has no parentheses nor Latin
# letters, which names like "حي الأحباس (المدينة الجديدة)" need, and one face looks even.
FONTS = {
    "Arab": {"bold": ("Amiri-Bold.ttf", "NotoNaskhArabic-Bold.ttf"),
             "regular": ("Amiri-Regular.ttf", "NotoNaskhArabic-Regular.ttf")},
    "Latn": {"bold": ("NotoSans-Bold.ttf",), "regular": ("NotoSans-Regular.ttf",)},
    "Tfng": {"bold": ("NotoSansTifinagh-Regular.ttf",), "regular": ("NotoSansTifinagh-Regular.ttf",)},
}
CODE_FONTS = ("NotoSansMono-Bold.ttf",)
DEBIAN_PACKAGES = "fonts-noto-core fonts-noto-mono fonts-hosny-amiri libraqm0 libfribidi0"
# Baseline to baseline, in ems: Arabic needs room for its marks above and below.
LINE_PITCH = {"Arab": 1.5, "Latn": 1.2, "Tfng": 1.3}
# Naskh letters are small for their em: this evens out the sizes the eye sees.
SCRIPT_SCALE = {"Arab": 1.3}

MIN_TEXT_PX = 8
ONE_LINE_SCALE = 0.75
INK = (29, 26, 23)
BRAND = (122, 46, 29)
WHITE = (255, 255, 255)

A4 = (210.0, 297.0)
# The sheet follows the common 8-up label stock (Avery L7165 / J8165): 99.1 x 67.7 mm,
# 2 across and 4 down; on plain paper the cut marks show where to cut.
STICKER = (99.1, 67.7)
STICKER_GRID = (2, 4)
STICKER_ORIGIN = (4.65, 13.1)
STICKER_PITCH = (101.6, 67.7)


class LabelError(Exception):
    """Plaques cannot be drawn correctly on this machine, or from this data."""


@dataclass(frozen=True)
class PlaqueData:
    """What one plaque prints; names are keyed by language."""

    code: str
    number: int
    names: dict[str, str]


@dataclass(frozen=True)
class TextRun:
    """One line drawn on a page, kept so tests and callers can find it again."""

    role: str
    lang: str | None
    text: str
    font_path: str
    size: int
    direction: str
    origin: tuple[int, int]
    anchor: str
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class PlacedSymbol:
    url: str
    # The symbol with its quiet zone, in page pixels.
    box: tuple[int, int, int, int]
    module_px: int


@dataclass
class Page:
    """A drawn page and where its texts and QR symbols are."""

    image: Image.Image
    size_mm: tuple[float, float]
    dpi: int
    texts: list[TextRun] = field(default_factory=list)
    symbols: list[PlacedSymbol] = field(default_factory=list)


# Fonts.

def _font_dirs() -> tuple[str, ...]:
    return split_words(current_app.config["LABEL_FONT_DIRS"])


def find_font(name: str) -> Path | None:
    """Return the path of a font file in LABEL_FONT_DIRS, or None."""
    for directory in _font_dirs():
        path = Path(directory) / name
        if path.is_file():
            return path
    return None


@cache
def _script(lang: str) -> str:
    likely = get_global("likely_subtags").get(lang, "")
    parts = likely.split("_")
    return parts[1] if len(parts) > 2 else "Latn"


@cache
def _cmap(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=256)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def font_for(lang: str | None, text: str, weight: str = "bold") -> tuple[Path, str]:
    """Choose the font file that draws text in lang; return it with the text's script.

    weight is "bold", "regular" or "mono" (the code font); lang None means Latin letters.
    """
    script = "Latn" if lang is None else _script(lang)
    names = CODE_FONTS if weight == "mono" else FONTS.get(script, FONTS["Latn"])[weight]
    needed = {ord(char) for char in text if not char.isspace()}
    paths = [path for path in (find_font(name) for name in names) if path is not None]
    for path in paths:
        if needed <= _cmap(path):
            return path, script
    if not paths:
        raise LabelError(_("None of the fonts %(fonts)s is in %(dirs)s. Install them: apt-get install %(packages)s",
                           fonts=", ".join(names), dirs=", ".join(_font_dirs()), packages=DEBIAN_PACKAGES))
    missing = "".join(sorted({chr(point) for point in needed - _cmap(paths[-1])}))
    raise LabelError(_("No font can print the characters %(chars)s of “%(text)s”.", chars=missing, text=text))


def check_renderer() -> None:
    """Fail with what to install unless RAQM and a font for every language are present."""
    if not features.check("raqm") or not features.version("fribidi"):
        raise LabelError(_("Pillow cannot shape Arabic here: its RAQM layout needs libraqm and "
                           "FriBiDi, so Arabic would print disconnected and reversed. Install them: "
                           "apt-get install libraqm0 libfribidi0"))
    for lang in languages():
        font_for(lang, "")
        font_for(lang, "", "regular")
    font_for(None, "", "mono")


# Drawing.

class Canvas:
    """A white page measured in millimetres and drawn in pixels at dpi."""

    def __init__(self, size_mm: tuple[float, float], dpi: int = DPI) -> None:
        self.dpi = dpi
        self.page = Page(Image.new("RGB", (self.px(size_mm[0]), self.px(size_mm[1])), WHITE), size_mm, dpi)
        self.draw = ImageDraw.Draw(self.page.image)

    def px(self, mm: float) -> int:
        return round(mm * self.dpi / MM_PER_INCH)

    def symbol(self, url: str, box: tuple[int, int, int, int], align: str = "center") -> PlacedSymbol:
        """Draw the QR symbol as large as whole-pixel modules allow inside box."""
        symbol = make_symbol(url)
        x0, y0, x1, y1 = box
        module_px = min(x1 - x0, y1 - y0) // symbol.size
        side = module_px * symbol.size
        left = x0 if align == "start" else x0 + (x1 - x0 - side) // 2
        top = y0 + (y1 - y0 - side) // 2
        self.page.image.paste(symbol_image(symbol, module_px).convert("RGB"), (left, top))
        placed = PlacedSymbol(url, (left, top, left + side, top + side), module_px)
        self.page.symbols.append(placed)
        return placed

    def rectangle(self, box: tuple[int, int, int, int], fill, radius: int = 0) -> None:
        self.draw.rounded_rectangle(box, radius=radius, fill=fill)

    def fit(self, role: str, lang: str | None, text: str, width: int, height: int, size_mm: float,
            weight: str = "bold", max_lines: int = 2, fill=INK, one_line_scale: float = ONE_LINE_SCALE) -> "Block":
        """Lay text out at the biggest size up to size_mm that fits, on as few lines as fit."""
        path, script = font_for(lang, text, weight)
        direction = text_direction(lang) if lang else "ltr"
        words = text.split() or [text]
        largest = self.px(size_mm * SCRIPT_SCALE.get(script, 1))
        # Fewer lines first, down to one_line_scale of the size; then as many as allowed,
        # shrinking rather than overflowing: a text in the quiet zone spoils the scan.
        full = _font(path, largest).getlength(text, direction=direction, language=lang)
        for count in range(1, min(max_lines, len(words)) + 1):
            # No line is shorter than a count-th of the whole, so bigger sizes cannot fit.
            size = min(largest, int(largest * width * count / full)) if full else largest
            floor = largest * one_line_scale if count < max_lines else MIN_TEXT_PX
            while size >= max(floor, MIN_TEXT_PX):
                font = _font(path, size)
                block = _block(role, lang, _balanced_lines(words, count, font, direction, lang), path, size,
                               script, direction, fill)
                if block.width <= width and block.height <= height:
                    return block
                size -= max(1, size // 25)
        raise LabelError(_("“%(text)s” is too long to fit on the plaque.", text=text))

    def place(self, block: "Block", centre_x: int, top: int) -> list[TextRun]:
        """Draw a laid-out block centred on centre_x, its ink starting at top."""
        font = _font(block.path, block.size)
        runs = []
        for line, offset in zip(block.lines, block.offsets, strict=True):
            origin = (centre_x, top - block.ink_top + offset)
            options = {"font": font, "anchor": "ms", "direction": block.direction, "language": block.lang}
            self.draw.text(origin, line, fill=block.fill, **options)
            box = self.draw.textbbox(origin, line, **options)
            runs.append(TextRun(block.role, block.lang, line, str(block.path), block.size, block.direction,
                                origin, "ms", box))
        self.page.texts.extend(runs)
        return runs

    def text_block(self, role: str, lang: str | None, text: str, box: tuple[int, int, int, int],
                   size_mm: float, fill=INK, weight: str = "bold", max_lines: int = 2) -> list[TextRun]:
        """Draw text centred in box, as big as fits up to size_mm."""
        x0, y0, x1, y1 = box
        block = self.fit(role, lang, text, x1 - x0, y1 - y0, size_mm, weight, max_lines, fill)
        return self.place(block, (x0 + x1) // 2, y0 + (y1 - y0 - block.height) // 2)

    def stack(self, blocks: list["Block"], box: tuple[int, int, int, int], gap_mm: float) -> None:
        """Draw blocks one under the other, centred as a group in box."""
        x0, y0, x1, y1 = box
        gap = self.px(gap_mm)
        total = sum(block.height for block in blocks) + gap * (len(blocks) - 1)
        top = y0 + max(0, (y1 - y0 - total) // 2)
        for block in blocks:
            self.place(block, (x0 + x1) // 2, top)
            top += block.height + gap

    def text_runs(self, role: str, parts: list[tuple[str | None, str, float, str]], centre: tuple[int, int],
                  fill=INK) -> list[TextRun]:
        """Draw left-to-right runs side by side on one baseline, centred on centre."""
        prepared = []
        for lang, text, size_mm, weight in parts:
            path, _script_name = font_for(lang, text, weight)
            font = _font(path, self.px(size_mm))
            direction = text_direction(lang) if lang else "ltr"
            width = font.getlength(text, direction=direction, language=lang)
            prepared.append((lang, text, path, font, direction, width))
        x = centre[0] - round(sum(part[-1] for part in prepared)) // 2
        runs = []
        for lang, text, path, font, direction, width in prepared:
            origin = (round(x), centre[1])
            self.draw.text(origin, text, font=font, fill=fill, anchor="ls", direction=direction, language=lang)
            box = self.draw.textbbox(origin, text, font=font, anchor="ls", direction=direction, language=lang)
            runs.append(TextRun(role, lang, text, str(path), font.size, direction, origin, "ls", box))
            x += width
        self.page.texts.extend(runs)
        return runs


def _balanced_lines(words: list[str], count: int, font, direction: str, lang: str | None) -> list[str]:
    """Split words into count lines whose longest line is as short as possible.

    A break inside parentheses costs a third more, so "(ancien hôtel de ville)" stays whole.
    """
    if count == 1:
        return [" ".join(words)]
    depth, inside = 0, set()
    for index, word in enumerate(words):
        depth += word.count("(") - word.count(")")
        if depth > 0:
            inside.add(index + 1)
    best, best_score = None, None
    for cuts in itertools.combinations(range(1, len(words)), count - 1):
        bounds = (0, *cuts, len(words))
        lines = [" ".join(words[start:end]) for start, end in itertools.pairwise(bounds)]
        score = max(font.getlength(line, direction=direction, language=lang) for line in lines)
        score *= 1 + sum(cut in inside for cut in cuts) / 3
        if best_score is None or score < best_score:
            best, best_score = lines, score
    return best


@dataclass(frozen=True)
class Block:
    """Lines of one text at one size, measured but not drawn yet."""

    role: str
    lang: str | None
    lines: list[str]
    path: Path
    size: int
    direction: str
    fill: tuple[int, int, int]
    # Baseline of each line below the first one, and the ink's extent around the first baseline.
    offsets: list[int]
    ink_top: int
    ink_bottom: int
    width: int

    @property
    def height(self) -> int:
        return self.ink_bottom - self.ink_top


def _block(role, lang, lines, path, size, script, direction, fill) -> Block:
    font = _font(path, size)
    pitch = round(size * LINE_PITCH.get(script, 1.2))
    offsets = [index * pitch for index in range(len(lines))]
    tops, bottoms, widths = [], [], []
    for line, offset in zip(lines, offsets, strict=True):
        left, top, right, bottom = font.getbbox(line, anchor="ms", direction=direction, language=lang)
        tops.append(top + offset)
        bottoms.append(bottom + offset)
        widths.append(right - left)
    return Block(role, lang, lines, path, size, direction, fill, offsets, min(tops), max(bottoms), max(widths))


def _in_language(lang: str):
    return force_locale(formatting_locale(lang, current_app.config["LOCALE_TERRITORY"]))


def _calls_to_action() -> dict[str, str]:
    texts = {}
    for lang in languages():
        with _in_language(lang):
            texts[lang] = _("Scan to discover its story")
    return texts


def _stack_texts(canvas: Canvas, role: str, texts: dict[str, str], box: tuple[int, int, int, int],
                 size_mm: float, gap_mm: float, weight: str = "bold", max_lines: int = 2,
                 one_line_scale: float = ONE_LINE_SCALE) -> None:
    # Each language gets a share of the height to fit in; the group is then centred together.
    langs = [lang for lang in languages() if texts.get(lang)]
    shares = [SCRIPT_SCALE.get(_script(lang), 1) for lang in langs]
    x0, y0, x1, y1 = box
    room = y1 - y0 - canvas.px(gap_mm) * (len(langs) - 1)
    blocks = [
        canvas.fit(role, lang, texts[lang], x1 - x0, round(room * share / sum(shares)), size_mm, weight,
                   max_lines, one_line_scale=one_line_scale)
        for lang, share in zip(langs, shares, strict=True)
    ]
    canvas.stack(blocks, box, gap_mm)


def render_plaque(data: PlaqueData, paper: str = "a6", dpi: int = DPI) -> Page:
    """Draw one portrait plaque: names, a QR code as wide as the plaque, call to action, code."""
    width, height = PAPERS[paper]
    canvas = Canvas((width, height), dpi)
    # Designed in A6 millimetres; A5 is the same plaque, √2 bigger.
    scale = width / PAPERS["a6"][0]
    page_width, page_height = canvas.page.image.size
    margin = canvas.px(6 * scale)
    names_bottom = canvas.px(19.5 * scale)
    # The band above the symbol is low: a name keeps to one line down to half its size.
    _stack_texts(canvas, "name", data.names, (margin, canvas.px(2.5 * scale), page_width - margin, names_bottom),
                 6.4 * scale, gap_mm=1.2 * scale, one_line_scale=0.5)
    # The quiet zone is the plaque's own white, so the plaque may hang on any wall.
    placed = canvas.symbol(plaque_url(data.code), (0, names_bottom, page_width, names_bottom + page_width))
    band_top = page_height - canvas.px(12.5 * scale)
    _stack_texts(canvas, "cta", _calls_to_action(),
                 (margin, placed.box[3], page_width - margin, band_top - canvas.px(scale)),
                 4.2 * scale, gap_mm=0.8 * scale, weight="regular", max_lines=1)
    _code_band(canvas, data, (0, band_top, page_width, page_height), scale)
    return canvas.page


def _code_band(canvas: Canvas, data: PlaqueData, box: tuple[int, int, int, int], scale: float) -> None:
    # The keypad number in a badge, then the address to type, ending with the code in bold.
    x0, y0, x1, y1 = box
    canvas.rectangle(box, BRAND)
    pad = canvas.px(2.5 * scale)
    side = y1 - y0 - 2 * pad
    left = x0 + canvas.px(6 * scale)
    badge = (left, y0 + pad, left + round(side * (1.1 + 0.45 * len(str(data.number)))), y1 - pad)
    canvas.rectangle(badge, WHITE, radius=canvas.px(1.5 * scale))
    canvas.text_block("number", None, str(data.number), badge, 6.5 * scale, fill=BRAND, weight="mono",
                      max_lines=1)
    centre = ((badge[2] + x1) // 2, (y0 + y1) // 2 + canvas.px(2.6 * scale))
    canvas.text_runs("code", [(None, display_address() + "/", 3.4 * scale, "regular"),
                              (None, data.code, 7.5 * scale, "mono")], centre, fill=WHITE)


def render_sticker(canvas: Canvas, data: PlaqueData, box: tuple[int, int, int, int]) -> None:
    """Draw one sticker in box: the QR code on the left; names, call to action and code on the right."""
    x0, y0, x1, y1 = box
    pad = canvas.px(2)
    placed = canvas.symbol(plaque_url(data.code), (x0 + pad, y0 + pad, x1, y1 - pad), align="start")
    left, right = placed.box[2], x1 - canvas.px(3)
    band_top = y1 - canvas.px(16)
    _stack_texts(canvas, "name", data.names, (left, y0 + canvas.px(4), right, y0 + canvas.px(31)), 4.2, gap_mm=1)
    _stack_texts(canvas, "cta", _calls_to_action(), (left, y0 + canvas.px(33), right, band_top - canvas.px(5)),
                 2.6, gap_mm=0.6, weight="regular")
    canvas.text_runs("address", [(None, display_address(), 2.4, "regular")],
                     ((left + right) // 2, band_top - canvas.px(1.5)))
    band = (left, band_top, right, y1 - canvas.px(4))
    canvas.rectangle(band, BRAND, radius=canvas.px(1.5))
    bx0, by0, bx1, by1 = band
    split = bx0 + (bx1 - bx0) * 2 // 3
    canvas.text_block("code", None, data.code, (bx0 + canvas.px(1.5), by0, split, by1), 6, fill=WHITE,
                      weight="mono", max_lines=1)
    badge = (split, by0 + canvas.px(2), bx1 - canvas.px(2), by1 - canvas.px(2))
    canvas.rectangle(badge, WHITE, radius=canvas.px(1))
    canvas.text_block("number", None, str(data.number), badge, 5, fill=BRAND, weight="mono", max_lines=1)


@dataclass(frozen=True)
class SizeGuide:
    """How big a QR code must be printed to scan from SCAN_TARGET_MM, and what each layout reaches."""

    symbol_cm: float
    with_margin_cm: float
    reach_m: dict[str, float]


def size_guide(symbol: Symbol, dpi: int = DPI) -> SizeGuide:
    """Compute the size guidance from the symbol's module count and the layouts' module sizes."""
    symbol_mm = min_symbol_mm(symbol, SCAN_TARGET_MM)
    reach = {}
    for paper, (width, _height) in PAPERS.items():
        module_px = round(width * dpi / MM_PER_INCH) // symbol.size
        reach[paper] = scan_distance_mm(module_px * MM_PER_INCH / dpi) / 1000
    sticker_px = round((STICKER[1] - 4) * dpi / MM_PER_INCH) // symbol.size
    reach["sticker"] = scan_distance_mm(sticker_px * MM_PER_INCH / dpi) / 1000
    return SizeGuide(symbol_mm / 10, symbol_mm * symbol.size / symbol.modules / 10, reach)


def guide_text(guide: SizeGuide, lang: str) -> str:
    """Say the size guidance in lang."""
    with _in_language(lang):
        def number(value: float) -> str:
            return format_decimal(value, format="0.#")

        return _("Size guide: to scan from 1 m, the QR code must be at least %(symbol)s cm wide, "
                 "%(margin)s cm with its white margin (an A5 plaque). An A6 plaque scans from up to "
                 "%(a6)s m, these stickers from up to %(sticker)s m.",
                 symbol=number(guide.symbol_cm), margin=number(guide.with_margin_cm),
                 a6=number(guide.reach_m["a6"]), sticker=number(guide.reach_m["sticker"]))


def render_sheets(plaques: list[PlaqueData], dpi: int = DPI) -> list[Page]:
    """Draw A4 pages of 8 stickers each, with cut marks and the size guidance in the margin."""
    columns, rows = STICKER_GRID
    per_page = columns * rows
    guide = size_guide(make_symbol(plaque_url(plaques[0].code)), dpi)
    pages = []
    for start in range(0, len(plaques), per_page):
        canvas = Canvas(A4, dpi)
        for index, data in enumerate(plaques[start : start + per_page]):
            column, row = index % columns, index // columns
            x = STICKER_ORIGIN[0] + column * STICKER_PITCH[0]
            y = STICKER_ORIGIN[1] + row * STICKER_PITCH[1]
            render_sticker(canvas, data, (canvas.px(x), canvas.px(y), canvas.px(x + STICKER[0]),
                                          canvas.px(y + STICKER[1])))
        _cut_marks(canvas)
        _sheet_margins(canvas, guide, len(pages) + 1, -(-len(plaques) // per_page))
        pages.append(canvas.page)
    return pages


def _cut_marks(canvas: Canvas) -> None:
    columns, rows = STICKER_GRID
    length = canvas.px(3)
    xs = sorted({STICKER_ORIGIN[0] + c * STICKER_PITCH[0] + edge for c in range(columns) for edge in (0, STICKER[0])})
    ys = sorted({STICKER_ORIGIN[1] + r * STICKER_PITCH[1] + edge for r in range(rows) for edge in (0, STICKER[1])})
    width, _height = canvas.page.image.size
    top, bottom = canvas.px(ys[0]), canvas.px(ys[-1])
    left, right = canvas.px(xs[0]), canvas.px(xs[-1])
    for x in map(canvas.px, xs):
        canvas.draw.line((x, top - length - canvas.px(1), x, top - canvas.px(1)), fill=INK, width=2)
        canvas.draw.line((x, bottom + canvas.px(1), x, bottom + length + canvas.px(1)), fill=INK, width=2)
    for y in map(canvas.px, ys):
        canvas.draw.line((max(0, left - length - canvas.px(1)), y, left - canvas.px(1), y), fill=INK, width=2)
        canvas.draw.line((right + canvas.px(1), y, min(width, right + length + canvas.px(1)), y), fill=INK, width=2)


def _sheet_margins(canvas: Canvas, guide: SizeGuide, number: int, total: int) -> None:
    width, _height = canvas.page.image.size
    margin = canvas.px(12)
    langs = languages()
    top, bottom = canvas.px(1.5), canvas.px(STICKER_ORIGIN[1] - 4.5)
    line = (bottom - top) // len(langs)
    for index, lang in enumerate(langs):
        canvas.text_block("guidance", lang, guide_text(guide, lang),
                          (margin, top + index * line, width - margin, top + (index + 1) * line), 2.6,
                          weight="regular", max_lines=1)
    page_top = canvas.px(STICKER_ORIGIN[1] + STICKER_GRID[1] * STICKER_PITCH[1] + 5)
    canvas.text_runs("page", [(None, f"{number}/{total}", 2.6, "regular")], (width // 2, page_top + canvas.px(3)))


def render_plaques(plaques: list[PlaqueData], paper: str = "a6", dpi: int = DPI) -> list[Page]:
    """Draw one plaque page per code."""
    return [render_plaque(data, paper, dpi) for data in plaques]


def render_pages(plaques: list[PlaqueData], layout: str = "sheet", paper: str = "a6",
                 dpi: int = DPI) -> list[Page]:
    """Check the renderer, then draw the sticker sheets or the plaques."""
    if not plaques:
        raise LabelError(_("There is no code to print."))
    check_renderer()
    if layout == "sheet":
        return render_sheets(plaques, dpi)
    return render_plaques(plaques, paper, dpi)


def pdf_bytes(pages: list[Page], title: str = "Dalil") -> bytes:
    """Put the pages in one PDF, each image losslessly at its printed size."""
    pdf = FPDF(unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creator("Dalil")
    pdf.set_title(title)
    for page in pages:
        pdf.add_page(format=page.size_mm)
        pdf.image(page.image, x=0, y=0, w=page.size_mm[0], h=page.size_mm[1])
    return bytes(pdf.output())


def png_bytes(page: Page) -> bytes:
    """Encode one page as a PNG that says its resolution, so it prints at its real size."""
    buffer = io.BytesIO()
    page.image.save(buffer, "PNG", dpi=(page.dpi, page.dpi))
    return buffer.getvalue()
