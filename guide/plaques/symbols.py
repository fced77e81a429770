"""QR symbols for plaque codes: the URL they carry, their modules, PNG and SVG files."""

import io
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import qrcode
from flask import current_app
from PIL import Image
from qrcode.constants import ERROR_CORRECT_H
from qrcode.constants import ERROR_CORRECT_Q

# ISO/IEC 18004 asks for four white modules around the symbol; scanners need them.
QUIET_ZONE = 4
# The brief's rule of thumb: a version-3 symbol (29 modules) scans from 10 times its width,
# so each module must measure at least 1/290 of the scanning distance.
DISTANCE_PER_MODULE = 290


@dataclass(frozen=True)
class Symbol:
    """The modules of one QR symbol, quiet zone included (True is dark)."""

    url: str
    version: int
    error_correction: str
    rows: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        """Modules across, quiet zone included."""
        return len(self.rows)

    @property
    def modules(self) -> int:
        """Modules across the symbol itself, without its quiet zone."""
        return self.size - 2 * QUIET_ZONE


def plaque_url(code: str, base_url: str | None = None) -> str:
    """Return the URL a plaque's QR code carries, in upper case for the alphanumeric mode.

    Scheme and host ignore case and /Q/<CODE> is an alias of /q/<CODE>, so the whole URL
    fits QR's alphanumeric mode (5.5 bits a character instead of 8): a smaller, sturdier symbol.
    A path inside PUBLIC_BASE_URL keeps its case, since a server may not ignore it.
    """
    base = (base_url if base_url is not None else current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin.isascii():
        origin = origin.upper()
    return f"{origin}{parts.path}/Q/{code.upper()}"


def display_address(base_url: str | None = None) -> str:
    """Return the typing address printed under the code: host and path of /q, no scheme."""
    base = (base_url if base_url is not None else current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    parts = urlsplit(base)
    return f"{parts.netloc}{parts.path}/q"


@lru_cache(maxsize=4096)
def make_symbol(url: str) -> Symbol:
    """Encode url at level H (30 % may be lost) unless H needs a bigger symbol than Q (25 %)."""
    encoded = {}
    for name, level in (("H", ERROR_CORRECT_H), ("Q", ERROR_CORRECT_Q)):
        qr = qrcode.QRCode(error_correction=level, box_size=1, border=QUIET_ZONE)
        qr.add_data(url)
        qr.make(fit=True)
        encoded[name] = qr
    name = "H" if encoded["H"].version <= encoded["Q"].version else "Q"
    rows = tuple(tuple(bool(cell) for cell in row) for row in encoded[name].get_matrix())
    return Symbol(url=url, version=encoded[name].version, error_correction=name, rows=rows)


def symbol_image(symbol: Symbol, module_px: int) -> Image.Image:
    """Draw the symbol, quiet zone included, with square modules of module_px pixels."""
    small = Image.new("1", (symbol.size, symbol.size), 1)
    small.putdata([0 if dark else 1 for row in symbol.rows for dark in row])
    side = symbol.size * module_px
    return small.resize((side, side), Image.Resampling.NEAREST)


@lru_cache(maxsize=1024)
def symbol_png(url: str, module_px: int = 10) -> bytes:
    """Return a bilevel PNG of the symbol for url."""
    buffer = io.BytesIO()
    symbol_image(make_symbol(url), module_px).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@lru_cache(maxsize=1024)
def symbol_svg(url: str) -> bytes:
    """Return an SVG of the symbol for url: one path of dark runs on a white square."""
    symbol = make_symbol(url)
    runs = []
    for y, row in enumerate(symbol.rows):
        x = 0
        while x < symbol.size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < symbol.size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    size = symbol.size
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size * 10}" height="{size * 10}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )
    return svg.encode()


def min_symbol_mm(symbol: Symbol, distance_mm: float) -> float:
    """Return the smallest symbol width, quiet zone excluded, that scans from distance_mm."""
    return symbol.modules * distance_mm / DISTANCE_PER_MODULE


def scan_distance_mm(module_mm: float) -> float:
    """Return how far away a symbol with modules of module_mm still scans, by the same rule."""
    return module_mm * DISTANCE_PER_MODULE
