"""Draw Dalil's icon once and write every size the manifest and iOS ask for into pwa/icons/.

Run at set-up time (python pwa/tools/make_icons.py); the PNGs are build output, not sources.
"""

import sys
from pathlib import Path

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

ICONS_DIR = Path(__file__).resolve().parent.parent / "icons"
MASTER_SIZE = 1024
TERRACOTTA = (122, 46, 29, 255)
SAND = (246, 239, 227, 255)
FONTS = (
    "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Bold.ttf",
    "/usr/share/fonts/truetype/fonts-hosny-amiri/Amiri-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf",
)
# name: (size, background corner radius as a fraction, motif scale, purpose)
# Maskable icons are cropped to a circle of 80% of their width: the motif stays inside it.
VARIANTS = {
    "icon-192.png": (192, 0.22, 0.80, "any"),
    "icon-512.png": (512, 0.22, 0.80, "any"),
    "maskable-512.png": (512, 0.0, 0.58, "maskable"),
    "apple-touch-icon.png": (180, 0.0, 0.74, "apple"),
    "favicon-32.png": (32, 0.22, 0.92, "any"),
}


def _font(size: int) -> ImageFont.FreeTypeFont | None:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None


def draw_master() -> Image.Image:
    """Draw the motif on a transparent square: a horseshoe arch holding the letter dal (د)."""
    size = MASTER_SIZE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    left, right = size * 0.16, size * 0.84
    width = right - left
    top, bottom = size * 0.04, size * 0.96
    # A Moroccan horseshoe arch: a circle wider than the doorway below it.
    radius = width / 2
    draw.ellipse((left, top, right, top + 2 * radius), fill=SAND)
    inset = width * 0.07
    draw.rectangle((left + inset, top + radius, right - inset, bottom), fill=SAND)
    font = _font(int(size * 0.62))
    if font is not None:
        # The glyph's own box, so the letter sits in the optical middle of the arch.
        box = draw.textbbox((0, 0), "د", font=font, direction="rtl", language="ar")
        x = (size - (box[2] - box[0])) / 2 - box[0]
        y = size * 0.56 - (box[3] - box[1]) / 2 - box[1]
        draw.text((x, y), "د", font=font, fill=TERRACOTTA, direction="rtl", language="ar")
    else:
        draw.rectangle((size * 0.42, size * 0.45, size * 0.58, size * 0.75), fill=TERRACOTTA)
    return image


def compose(master: Image.Image, size: int, corner: float, scale: float) -> Image.Image:
    """Put the motif, scaled, on an opaque terracotta square with optional rounded corners."""
    big = MASTER_SIZE
    canvas = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    background = ImageDraw.Draw(canvas)
    background.rounded_rectangle((0, 0, big - 1, big - 1), radius=int(big * corner), fill=TERRACOTTA)
    motif_size = int(big * scale)
    motif = master.resize((motif_size, motif_size), Image.Resampling.LANCZOS)
    offset = (big - motif_size) // 2
    canvas.alpha_composite(motif, (offset, offset))
    return canvas.resize((size, size), Image.Resampling.LANCZOS)


def make_icons(directory: Path = ICONS_DIR) -> list[Path]:
    """Write every icon variant and return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    master = draw_master()
    written = []
    for name, (size, corner, scale, purpose) in VARIANTS.items():
        icon = compose(master, size, corner, scale)
        if purpose in ("maskable", "apple"):
            # iOS paints transparent pixels black, and maskable icons must be full-bleed.
            icon = icon.convert("RGB")
        path = directory / name
        icon.save(path, optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ICONS_DIR
    for path in make_icons(target):
        print(path)
