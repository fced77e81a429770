"""Draw the sample illustrations of the Dalil content: elevations, plans and site diagrams.

Every image is an architect's-style drawing (ink lines on cream paper, soft washes), with no
text inside so that it serves every language. Run from anywhere:

    python3 content/_make/draw.py            # draw every image
    python3 content/_make/draw.py mosque     # only the drawings whose name contains "mosque"

The output is deterministic (no randomness without a fixed seed). Images are written as WebP,
1200 x 800, quality 70, next to the monument.toml that references them.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

from PIL import Image
from PIL import ImageDraw

CONTENT = Path(__file__).resolve().parent.parent
CITY = CONTENT / "casablanca"

W, H = 1200, 800
SS = 2  # supersampling factor: draw at twice the size, then reduce for smooth lines

# Palette: ink on cream paper with soft washes.
PAPER = (245, 239, 224)
INK = (46, 52, 66)
INK_SOFT = (128, 124, 112)
SKY = (220, 231, 232)
SEA = (170, 200, 206)
SEA_DEEP = (140, 178, 188)
WHITE = (252, 250, 243)
STONE = (226, 212, 182)
SAND = (236, 223, 192)
OCHRE = (214, 178, 128)
TERRA = (205, 142, 112)
GREEN = (118, 160, 128)
GREEN_DARK = (78, 120, 92)
TEAL = (92, 148, 150)
BLUE = (84, 112, 164)
RED = (186, 84, 74)
GOLD = (218, 182, 96)
GRASS = (196, 210, 168)


class Sheet:
    """A drawing sheet in 1200 x 800 logical units, supersampled."""

    def __init__(self, sky: tuple[int, int, int] | None = SKY, horizon: float = 640):
        self.img = Image.new("RGB", (W * SS, H * SS), PAPER)
        self.d = ImageDraw.Draw(self.img)
        if sky:
            self.rect(40, 40, W - 40, horizon, fill=sky, outline=None)

    # -- primitives ---------------------------------------------------------------------------
    def _p(self, pts):
        return [(x * SS, y * SS) for x, y in pts]

    def rect(self, x0, y0, x1, y1, fill=None, outline=INK, width=2):
        self.d.rectangle(
            [x0 * SS, y0 * SS, x1 * SS, y1 * SS],
            fill=fill,
            outline=outline,
            width=width * SS if outline else 0,
        )

    def poly(self, pts, fill=None, outline=INK, width=2):
        pts = self._p(pts)
        if fill:
            self.d.polygon(pts, fill=fill)
        if outline:
            self.d.line(pts + [pts[0]], fill=outline, width=width * SS, joint="curve")

    def line(self, pts, fill=INK, width=2):
        self.d.line(self._p(pts), fill=fill, width=width * SS, joint="curve")

    def circle(self, cx, cy, r, fill=None, outline=INK, width=2):
        self.d.ellipse(
            [(cx - r) * SS, (cy - r) * SS, (cx + r) * SS, (cy + r) * SS],
            fill=fill,
            outline=outline,
            width=width * SS if outline else 0,
        )

    def arc_pts(self, cx, cy, r, a0, a1, n=24, ry=None):
        ry = r if ry is None else ry
        return [
            (cx + r * math.cos(math.radians(a0 + (a1 - a0) * i / n)),
             cy - ry * math.sin(math.radians(a0 + (a1 - a0) * i / n)))
            for i in range(n + 1)
        ]

    # -- architectural elements -----------------------------------------------------------
    def hatch(self, x0, y0, x1, y1, step=9, color=INK_SOFT, width=1):
        """Diagonal shadow hatching clipped to a rectangle."""
        h = y1 - y0
        k = x0 - h
        while k < x1:
            ax, ay = k, y1
            bx, by = k + h, y0
            if ax < x0:
                ay -= x0 - ax
                ax = x0
            if bx > x1:
                by += bx - x1
                bx = x1
            if ax < bx:
                self.line([(ax, ay), (bx, by)], fill=color, width=width)
            k += step

    def arch_pts(self, x0, x1, ys, yb, kind="round"):
        """Outline of an arched opening from jamb foot to jamb foot."""
        w = x1 - x0
        cx = (x0 + x1) / 2
        if kind == "round":
            return [(x0, yb), (x0, ys)] + self.arc_pts(cx, ys, w / 2, 180, 0) + [(x1, ys), (x1, yb)]
        if kind == "horseshoe":
            r = w / 2 / math.cos(math.radians(28))
            cy = ys - r * math.sin(math.radians(28))
            return [(x0, yb), (x0, ys)] + self.arc_pts(cx, cy, r, 208, -28, n=32) + [(x1, ys), (x1, yb)]
        if kind == "pointed":
            left = [(x1 + w * math.cos(math.radians(a)), ys - w * math.sin(math.radians(a)))
                    for a in [180 - i * 60 / 12 for i in range(13)]]
            right = [(x0 + w * math.cos(math.radians(a)), ys - w * math.sin(math.radians(a)))
                     for a in [60 - i * 60 / 12 for i in range(13)]]
            return [(x0, yb)] + left + right[1:] + [(x1, yb)]
        raise ValueError(kind)

    def arch(self, x0, x1, ys, yb, kind="round", fill=INK_SOFT, outline=INK, width=2):
        self.poly(self.arch_pts(x0, x1, ys, yb, kind), fill=fill, outline=outline, width=width)

    def arcade(self, x0, x1, n, ys, yb, kind="round", fill=(196, 188, 168), pier=0.28, width=2):
        bay = (x1 - x0) / n
        for i in range(n):
            a = x0 + i * bay + bay * pier / 2
            b = x0 + (i + 1) * bay - bay * pier / 2
            self.arch(a, b, ys, yb, kind, fill=fill, width=width)

    def windows(self, x0, x1, y0, y1, n, fill=(198, 206, 208), gap=0.45, mullion=False):
        bay = (x1 - x0) / n
        for i in range(n):
            a = x0 + i * bay + bay * gap / 2
            b = x0 + (i + 1) * bay - bay * gap / 2
            self.rect(a, y0, b, y1, fill=fill)
            if mullion:
                self.line([((a + b) / 2, y0), ((a + b) / 2, y1)], width=1)

    def tiles(self, x0, x1, y0, y1, overhang=10, fill=GREEN):
        """A green glazed-tile roof (auvent) seen in elevation."""
        self.poly([(x0 - overhang, y1), (x0 + 6, y0), (x1 - 6, y0), (x1 + overhang, y1)], fill=fill)
        step = 12
        x = x0
        while x < x1:
            self.line([(x, y0 + 2), (x - 0.3 * (y1 - y0), y1 - 1)], fill=GREEN_DARK, width=1)
            x += step

    def merlons(self, x0, x1, y, size=12, fill=STONE):
        """A row of stepped merlons (crenellation) standing on y."""
        n = max(1, int((x1 - x0) // (size * 1.6)))
        bay = (x1 - x0) / n
        for i in range(n):
            cx = x0 + (i + 0.5) * bay
            s = size / 2
            self.poly([(cx - s, y), (cx - s, y - size * 0.6), (cx - s / 2, y - size * 0.6),
                       (cx - s / 2, y - size), (cx + s / 2, y - size), (cx + s / 2, y - size * 0.6),
                       (cx + s, y - size * 0.6), (cx + s, y)], fill=fill, width=1)

    def lozenges(self, x0, x1, y0, y1, fill=None, color=GREEN_DARK, width=2):
        """A 'darj wa ktaf'-like net of interlaced lobed lozenges, simplified."""
        if fill:
            self.rect(x0, y0, x1, y1, fill=fill, outline=None)
        cols = max(2, int((x1 - x0) // 26))
        w = (x1 - x0) / cols
        h = w * 1.6
        y = y0
        while y + h <= y1 + 0.1:
            for i in range(cols):
                cx = x0 + (i + 0.5) * w
                self.poly([(cx, y), (cx + w / 2, y + h / 2), (cx, y + h), (cx - w / 2, y + h / 2)],
                          outline=color, width=width)
            y += h

    def zellige_band(self, x0, x1, y0, y1, colors=(TEAL, GOLD, WHITE), seed=1):
        rnd = random.Random(seed)
        self.rect(x0, y0, x1, y1, fill=colors[0], width=1)
        s = y1 - y0
        x = x0 + s / 2
        while x < x1 - s / 4:
            c = colors[1 + (int((x - x0) / s) % (len(colors) - 1))] if len(colors) > 1 else colors[0]
            r = s * 0.32
            cy = (y0 + y1) / 2
            star = []
            for k in range(16):
                a = math.radians(k * 22.5)
                rr = r if k % 2 == 0 else r * 0.55
                star.append((x + rr * math.cos(a), cy + rr * math.sin(a)))
            self.poly(star, fill=c, outline=None)
            x += s
        rnd.random()

    def stained_glass(self, x0, y0, x1, y1, cols, rows, seed=3,
                      colors=(BLUE, RED, GOLD, (120, 150, 190), (150, 70, 90), TEAL)):
        rnd = random.Random(seed)
        cw = (x1 - x0) / cols
        ch = (y1 - y0) / rows
        for i in range(cols):
            for j in range(rows):
                c = rnd.choice(colors)
                self.rect(x0 + i * cw, y0 + j * ch, x0 + (i + 1) * cw, y0 + (j + 1) * ch, fill=c, outline=INK, width=1)
        self.rect(x0, y0, x1, y1, outline=INK, width=2)

    def palm(self, x, y, h, lean=0.08, fill=GREEN):
        top = (x + h * lean, y - h)
        pts = [(x + h * lean * (t / 10) ** 1.6, y - h * t / 10) for t in range(11)]
        self.line(pts, fill=(120, 100, 80), width=5)
        for t in range(1, 10):
            px, py = pts[t]
            self.line([(px - 3, py), (px + 3, py - 1)], fill=(90, 76, 60), width=1)
        for k, a in enumerate([200, 165, 130, 95, 60, 25, -10]):
            ln = h * (0.42 if k in (0, 6) else 0.48)
            ang = math.radians(a)
            mid = (top[0] + ln * 0.5 * math.cos(ang), top[1] - ln * 0.5 * math.sin(ang) - ln * 0.12)
            end = (top[0] + ln * math.cos(ang), top[1] - ln * math.sin(ang) + ln * 0.25)
            self.line([top, mid, end], fill=GREEN_DARK, width=4)
            for f in range(1, 6):
                t = f / 6
                bx = top[0] + (end[0] - top[0]) * t
                by = top[1] + (mid[1] - top[1]) * (1 - abs(2 * t - 1)) * 1.3 + (end[1] - top[1]) * t * 0.6
                self.line([(bx, by), (bx + 10 * math.cos(ang - 1.2), by + 12)], fill=fill, width=3)

    def cypress(self, x, y, h, w=None):
        w = w or h * 0.18
        pts = [(x, y - h)] + [(x + w / 2 * math.sin(math.pi * t / 10) ** 0.8, y - h + h * t / 10) for t in range(1, 11)]
        pts += [(x - w / 2 * math.sin(math.pi * t / 10) ** 0.8, y - h + h * t / 10) for t in range(10, 0, -1)]
        self.poly(pts, fill=GREEN_DARK, width=1)

    def waves(self, x0, x1, y0, y1, step_x=46, step_y=22, color=(110, 150, 166)):
        row = 0
        y = y0 + step_y / 2
        while y < y1:
            off = (row % 2) * step_x / 2
            x = x0 + off
            while x + step_x * 0.6 < x1:
                self.line(self.arc_pts(x + step_x * 0.3, y + 6, step_x * 0.3, 160, 20, n=10, ry=8),
                          fill=color, width=2)
                x += step_x
            y += step_y
            row += 1

    def ground(self, y=640, x0=40, x1=W - 40, fill=SAND):
        self.rect(x0, y, x1, H - 40, fill=fill, outline=None)
        self.line([(x0, y), (x1, y)], width=3)

    def figure(self, x, y, h=34, color=INK):
        """A tiny standing person, for scale."""
        self.circle(x, y - h + 4, h * 0.11, fill=color, outline=None)
        self.line([(x, y - h + 9), (x, y - h * 0.42)], fill=color, width=3)
        self.line([(x, y - h * 0.42), (x - h * 0.12, y)], fill=color, width=3)
        self.line([(x, y - h * 0.42), (x + h * 0.12, y)], fill=color, width=3)
        self.line([(x - h * 0.16, y - h * 0.62), (x, y - h * 0.75), (x + h * 0.16, y - h * 0.62)], fill=color, width=2)

    def north_arrow(self, x, y, r=26, bearing=0):
        """A north arrow; bearing is where north points, in degrees clockwise from the sheet's top."""
        self.circle(x, y, r, outline=INK, width=2)
        cos, sin = math.cos(math.radians(bearing)), math.sin(math.radians(bearing))
        shape = [(0, -r + 4), (9, 8), (0, 2), (-9, 8)]
        self.poly([(x + dx * cos - dy * sin, y + dx * sin + dy * cos) for dx, dy in shape], fill=INK, width=1)

    def scale_bar(self, x, y, length=160, parts=4):
        seg = length / parts
        for i in range(parts):
            self.rect(x + i * seg, y, x + (i + 1) * seg, y + 8, fill=INK if i % 2 == 0 else PAPER, width=1)

    def frame(self):
        self.rect(24, 24, W - 24, H - 24, outline=INK, width=2)
        self.rect(40, 40, W - 40, H - 40, outline=INK, width=1)

    def save(self, path: Path):
        self.frame()
        path.parent.mkdir(parents=True, exist_ok=True)
        out = self.img.resize((W, H), Image.LANCZOS)
        out.save(path, "WEBP", quality=70, method=6)
        print(f"{path.relative_to(CONTENT)}  {path.stat().st_size // 1024} KB")


def plan_sheet():
    """A sheet for plans and maps: paper only, with a light grid."""
    s = Sheet(sky=None)
    for x in range(40, W - 40, 40):
        s.line([(x, 40), (x, H - 40)], fill=(232, 225, 206), width=1)
    for y in range(40, H - 40, 40):
        s.line([(40, y), (W - 40, y)], fill=(232, 225, 206), width=1)
    return s


# ================================================================================================
# 1. Hassan II Mosque
# ================================================================================================

def minaret(s: Sheet, x0, x1, top, base):
    """Square minaret: shaft with tiers of decoration, merlons, lantern, dome and finial.

    Everything above the shaft (lantern, dome, finial) takes about 1.9 x the shaft width.
    """
    w = x1 - x0
    s.rect(x0, top, x1, base, fill=STONE)
    s.zellige_band(x0, x1, top + 8, top + 24, colors=(GREEN, WHITE, GOLD), seed=6)
    # Tiers of decoration, denser towards the top, as on Moroccan minarets.
    net_h = w * 1.9
    s.lozenges(x0 + 8, x1 - 8, top + 30, top + 30 + net_h, fill=(214, 226, 214), color=GREEN_DARK)
    s.rect(x0 + 8, top + 30, x1 - 8, top + 30 + net_h, outline=INK, width=1)
    y = top + 30 + net_h + 14
    s.zellige_band(x0 + 4, x1 - 4, y, y + 14, seed=5)
    y += 30
    tier = 84 + w * 0.9
    while y + tier + 40 < base:
        s.arch(x0 + w * 0.3, x1 - w * 0.3, y + 24, y + 70, "horseshoe", fill=(198, 194, 176), width=1)
        s.lozenges(x0 + 10, x1 - 10, y + 84, y + 84 + w * 0.9, color=OCHRE, width=1)
        y += tier + 18
    s.merlons(x0, x1, top, size=12)
    # Lantern, dome and finial with its three golden balls.
    lw = w * 0.5
    lh = w * 0.75
    lx0 = (x0 + x1) / 2 - lw / 2
    cx = (x0 + x1) / 2
    s.rect(lx0, top - 12 - lh, lx0 + lw, top - 12, fill=STONE)
    s.arch(lx0 + lw * 0.3, lx0 + lw * 0.7, top - 12 - lh * 0.65, top - 20, "horseshoe", fill=(198, 194, 176), width=1)
    ltop = top - 12 - lh
    s.zellige_band(lx0, lx0 + lw, ltop - 10, ltop, colors=(GREEN, GOLD), seed=7)
    s.merlons(lx0, lx0 + lw, ltop - 10, size=8)
    dome = ltop - 18
    s.poly(s.arc_pts(cx, dome, lw * 0.28, 0, 180), fill=GREEN, width=1)
    s.line([(cx, dome - lw * 0.28), (cx, dome - lw * 0.28 - w * 0.55)], width=2)
    for k, r in enumerate((6, 5, 4)):
        s.circle(cx, dome - lw * 0.28 - 10 - k * w * 0.14, r, fill=GOLD, width=1)


def draw_mosque_cover():
    s = Sheet()
    s.rect(40, 560, W - 40, H - 40, fill=SEA, outline=None)
    s.waves(40, W - 40, 650, H - 40)
    # Esplanade and the platform gained over the sea.
    s.poly([(40, 640), (1020, 640), (1080, 700), (40, 700)], fill=SAND)
    for x in range(80, 1020, 60):
        s.line([(x, 640), (x - 20, 700)], fill=INK_SOFT, width=1)
    # Prayer hall.
    s.rect(110, 470, 820, 640, fill=WHITE)
    s.tiles(110, 820, 440, 470, fill=GREEN)
    s.rect(330, 400, 600, 440, fill=STONE)
    s.tiles(330, 600, 372, 400, fill=GREEN)
    s.zellige_band(110, 820, 478, 494, seed=2)
    s.arcade(120, 810, 13, 545, 640, "horseshoe", fill=(200, 196, 180))
    s.hatch(120, 600, 810, 640, step=10)
    s.arch(420, 510, 535, 640, "horseshoe", fill=(176, 170, 152), width=3)
    minaret(s, 880, 952, 200, 640)
    s.rect(870, 560, 962, 640, fill=STONE)
    s.arch(896, 936, 580, 640, "horseshoe", fill=(176, 170, 152))
    for x in (200, 300, 650, 760, 960):
        s.figure(x, 680, 28)
    s.save(CITY / "hassan-ii-mosque/images/cover.webp")


# Where north lies on the Hassan II site plan, in degrees clockwise from the top of the sheet.
MOSQUE_PLAN_NORTH = 90


def draw_mosque_plan():
    s = plan_sheet()
    # The ocean around the promontory.
    s.poly([(40, 40), (W - 40, 40), (W - 40, H - 40), (900, H - 40), (900, 360), (640, 120), (40, 120)], fill=SEA, outline=None)
    # Waves only on the water: the top band and the band east of x = 900 on the sheet.
    s.waves(60, W - 60, 50, 110, step_x=60, step_y=30)
    s.waves(920, W - 60, 140, H - 60, step_x=60, step_y=30)
    s.line([(40, 120), (640, 120), (900, 360), (900, H - 40)], width=3)
    # Prayer hall with its courtyard and the central nave under the sliding roof.
    s.rect(300, 170, 820, 420, fill=WHITE, width=3)
    s.rect(470, 200, 650, 390, fill=(206, 224, 228), width=2)
    s.line([(470, 200), (650, 390)], fill=INK_SOFT, width=1)
    s.line([(650, 200), (470, 390)], fill=INK_SOFT, width=1)
    for x in range(320, 820, 30):
        for y in range(190, 420, 30):
            if not (460 < x < 660 and 190 < y < 400):
                s.circle(x, y, 3, fill=INK, outline=None)
    # Courtyard and esplanade.
    s.rect(300, 420, 820, 560, fill=SAND, width=2)
    # Minaret at the corner of the courtyard, drawn after it so that it shows.
    s.rect(760, 440, 810, 490, fill=GREEN, width=3)
    s.rect(120, 560, 880, H - 60, fill=SAND, width=2)
    for x in range(140, 880, 40):
        s.line([(x, 580), (x, H - 80)], fill=(214, 196, 160), width=1)
    # Annexes: madrasa, library and museum.
    s.rect(140, 200, 260, 520, fill=STONE, width=2)
    s.rect(140, 300, 260, 320, fill=None, width=1)
    # The mosque stands on a promontory with the Atlantic to its north and west: the sheet's top
    # edge is west and its right edge north, so the arrow points to the right.
    s.north_arrow(1090, 690, bearing=MOSQUE_PLAN_NORTH)
    s.scale_bar(80, 720)
    s.save(CITY / "hassan-ii-mosque/images/site-plan.webp")


def draw_mosque_minaret():
    s = Sheet(horizon=700)
    s.rect(40, 620, W - 40, H - 40, fill=SEA, outline=None)
    s.waves(40, W - 40, 630, H - 40)
    s.line([(40, 700), (W - 40, 700)], width=2)
    # The laser beam towards Mecca, as a dashed line in the night-blue sky band.
    s.rect(40, 40, W - 40, 170, fill=(196, 210, 226), outline=None)
    for k in range(12):
        x = 640 + k * 45
        s.line([(x, 118 - k * 5), (x + 28, 118 - k * 5 - 3)], fill=GREEN, width=3)
    minaret(s, 560, 640, 230, 700)
    s.rect(400, 560, 540, 700, fill=WHITE)
    s.tiles(400, 540, 540, 560)
    s.arcade(408, 532, 3, 620, 700, "horseshoe")
    s.rect(640, 560, 900, 700, fill=WHITE)
    s.tiles(640, 900, 540, 560)
    s.arcade(648, 892, 5, 620, 700, "horseshoe")
    s.figure(960, 700, 30)
    s.save(CITY / "hassan-ii-mosque/images/minaret.webp")


# ================================================================================================
# 2. Sacré-Cœur
# ================================================================================================

def sacre_coeur_tower(s: Sheet, x0, x1, top, base):
    w = x1 - x0
    s.rect(x0, top, x1, base, fill=WHITE)
    # Openwork upper stages, stepped like a square minaret.
    s.rect(x0 + 10, top - 40, x1 - 10, top, fill=WHITE)
    s.rect(x0 + 24, top - 64, x1 - 24, top - 40, fill=WHITE)
    s.rect(x0 + 36, top - 82, x1 - 36, top - 64, fill=WHITE)
    for i in range(4):
        a = x0 + 14 + i * (w - 28) / 4
        s.rect(a + 4, top + 16, a + (w - 28) / 4 - 4, top + 120, fill=(190, 200, 210), width=1)
    for y in range(top + 140, base - 60, 40):
        s.rect(x0 + w * 0.4, y, x1 - w * 0.4, y + 22, fill=(190, 200, 210), width=1)
    s.hatch(x1 - 14, top, x1, base, step=8)


def draw_sacre_coeur_cover():
    s = Sheet()
    s.ground(640)
    # Nave behind the facade, with its stepped buttresses.
    s.rect(250, 300, 950, 640, fill=(236, 236, 230))
    for x in range(270, 950, 70):
        s.poly([(x, 640), (x, 420), (x + 16, 420), (x + 40, 470), (x + 40, 640)], fill=WHITE, width=1)
    # Central gable with the great window.
    s.poly([(440, 640), (440, 240), (600, 150), (760, 240), (760, 640)], fill=WHITE, width=3)
    s.stained_glass(500, 250, 700, 480, 8, 9, seed=11)
    s.poly([(500, 250), (600, 196), (700, 250)], fill=(190, 200, 210), width=2)
    s.rect(470, 520, 730, 640, fill=WHITE)
    s.arcade(480, 720, 3, 560, 640, "pointed", fill=(150, 146, 136))
    sacre_coeur_tower(s, 340, 440, 140, 640)
    sacre_coeur_tower(s, 760, 860, 140, 640)
    s.palm(150, 640, 260)
    s.palm(1050, 640, 240, lean=-0.08)
    s.palm(980, 640, 190, lean=0.05)
    s.figure(600, 672, 30)
    s.figure(640, 678, 30)
    s.save(CITY / "sacre-coeur-cathedral/images/cover.webp")


def draw_sacre_coeur_plan():
    s = plan_sheet()
    # Long nave with aisles, porch between two towers, choir at the east.
    s.rect(260, 250, 980, 550, fill=WHITE, width=3)
    s.rect(170, 250, 260, 340, fill=STONE, width=3)
    s.rect(170, 460, 260, 550, fill=STONE, width=3)
    s.rect(200, 340, 260, 460, fill=SAND, width=2)
    s.rect(980, 300, 1060, 500, fill=(232, 228, 214), width=3)  # choir
    for x in range(320, 980, 66):
        for y in (330, 470):
            s.rect(x - 8, y - 8, x + 8, y + 8, fill=INK, outline=None)
        s.line([(x, 250), (x, 230)], width=3)  # buttresses
        s.line([(x, 550), (x, 570)], width=3)
        s.line([(x, 330), (x, 470)], fill=INK_SOFT, width=1)
    s.line([(260, 400), (1060, 400)], fill=INK_SOFT, width=1)
    s.palm(110, 700, 90)
    s.palm(1100, 700, 80)
    s.north_arrow(1090, 130)
    s.scale_bar(80, 720)
    s.save(CITY / "sacre-coeur-cathedral/images/plan.webp")


def draw_sacre_coeur_nave():
    s = Sheet(sky=(232, 230, 222), horizon=720)
    # Section across the nave: tall pointed vault, aisles and buttresses.
    s.rect(40, 700, W - 40, H - 40, fill=SAND, outline=None)
    s.line([(40, 700), (W - 40, 700)], width=3)
    s.poly(s.arch_pts(420, 780, 330, 700, "pointed"), fill=WHITE, width=3)
    for x0, x1 in [(260, 420), (780, 940)]:
        s.poly(s.arch_pts(x0, x1, 520, 700, "pointed"), fill=(240, 238, 230), width=2)
    s.stained_glass(560, 200, 640, 420, 3, 8, seed=13)
    s.stained_glass(310, 560, 370, 660, 2, 4, seed=14)
    s.stained_glass(830, 560, 890, 660, 2, 4, seed=15)
    for x in (420, 780):
        s.rect(x - 10, 520, x + 10, 700, fill=STONE)
    for pts in ([(260, 700), (200, 700), (200, 540), (260, 500)], [(940, 700), (1000, 700), (1000, 540), (940, 500)]):
        s.poly(pts, fill=WHITE, width=2)
    s.line([(260, 500), (420, 360)], width=2)
    s.line([(940, 500), (780, 360)], width=2)
    s.figure(560, 700, 30)
    s.figure(640, 700, 30)
    s.save(CITY / "sacre-coeur-cathedral/images/nave-section.webp")


# ================================================================================================
# 3. Mahkama du Pacha
# ================================================================================================

def draw_mahkama_cover():
    s = Sheet()
    s.ground(640)
    s.cypress(180, 470, 200)
    s.cypress(1010, 460, 210)
    s.palm(1090, 600, 250, lean=-0.05)
    # Green-tiled roofs behind the walls.
    s.rect(330, 330, 870, 380, fill=STONE)
    s.tiles(330, 870, 300, 330)
    s.rect(520, 260, 680, 300, fill=STONE)
    s.tiles(520, 680, 232, 260)
    # The long stone wall with its coursing and corner towers.
    s.rect(120, 380, 1080, 640, fill=STONE, width=3)
    for y in range(400, 640, 24):
        s.line([(120, y), (1080, y)], fill=(196, 180, 150), width=1)
    s.rect(120, 340, 230, 640, fill=STONE, width=3)
    s.rect(970, 340, 1080, 640, fill=STONE, width=3)
    s.merlons(120, 230, 340, 16)
    s.merlons(970, 1080, 340, 16)
    s.merlons(230, 970, 380, 14)
    for x in (175, 1025):
        s.rect(x - 8, 420, x + 8, 470, fill=(120, 112, 100), width=1)
    # Monumental gate with its tiled canopy and carved frame.
    s.rect(500, 420, 700, 640, fill=(232, 220, 192), width=3)
    s.tiles(500, 700, 396, 420, overhang=16)
    s.zellige_band(520, 680, 430, 446, seed=9)
    s.arch(545, 655, 520, 640, "horseshoe", fill=(120, 96, 76), width=3)
    s.lozenges(520, 540, 460, 600, color=OCHRE, width=1)
    s.lozenges(660, 680, 460, 600, color=OCHRE, width=1)
    for x in range(300, 480, 60):
        s.rect(x, 470, x + 18, 500, fill=(120, 112, 100), width=1)
    for x in range(720, 900, 60):
        s.rect(x, 470, x + 18, 500, fill=(120, 112, 100), width=1)
    s.figure(760, 672, 30)
    s.save(CITY / "mahkama-du-pacha/images/cover.webp")


def draw_mahkama_plan():
    s = plan_sheet()
    # Entrance patio, grand patio, and the great courtyard with its fountain.
    s.rect(120, 120, 1080, 680, fill=STONE, width=4)
    s.rect(170, 200, 400, 420, fill=SAND, width=2)       # first patio
    s.rect(450, 170, 700, 450, fill=SAND, width=2)       # grand patio
    s.rect(760, 150, 1040, 640, fill=(232, 222, 196), width=3)  # great courtyard
    for (x0, y0, x1, y1) in [(800, 190, 880, 370), (920, 190, 1000, 370), (800, 420, 880, 600), (920, 420, 1000, 600)]:
        s.rect(x0, y0, x1, y1, fill=GRASS, width=1)
        s.circle((x0 + x1) / 2, (y0 + y1) / 2, 14, fill=GREEN_DARK, width=1)
    s.circle(900, 395, 22, fill=SEA, width=2)
    for x in range(780, 1030, 30):
        s.circle(x, 165, 4, fill=INK, outline=None)
        s.circle(x, 625, 4, fill=INK, outline=None)
    for (cx, cy) in [(775, 160), (1025, 160), (775, 630)]:
        s.circle(cx, cy, 14, outline=INK, width=2)  # spiral stairs in the corners
    for x in range(470, 700, 30):
        s.circle(x, 185, 3, fill=INK, outline=None)
        s.circle(x, 435, 3, fill=INK, outline=None)
    s.circle(575, 310, 14, fill=SEA, width=1)
    # Audience halls and the pacha's office around the patios.
    s.rect(450, 480, 700, 640, fill=WHITE, width=2)
    s.line([(575, 480), (575, 640)], width=2)
    s.rect(170, 460, 400, 640, fill=WHITE, width=2)
    # Two staggered (chicane) entrances.
    s.poly([(120, 300), (80, 300), (80, 340), (150, 340), (150, 320), (120, 320)], fill=PAPER, width=2)
    s.poly([(600, 680), (600, 720), (640, 720), (640, 700), (660, 700), (660, 680)], fill=PAPER, width=2)
    s.north_arrow(1120, 90, r=20)
    s.scale_bar(80, 740, 120)
    s.save(CITY / "mahkama-du-pacha/images/plan.webp")


# ================================================================================================
# 4. Habous quarter
# ================================================================================================

def draw_habous_cover():
    s = Sheet()
    s.ground(640)
    # Minaret of the neighbourhood mosque behind the roofs.
    s.rect(760, 180, 830, 420, fill=STONE)
    s.lozenges(770, 820, 210, 310, color=GREEN_DARK, width=1)
    s.zellige_band(760, 830, 190, 202, colors=(GREEN, WHITE), seed=4)
    s.merlons(760, 830, 180, 10)
    s.rect(780, 130, 810, 172, fill=STONE)
    s.poly(s.arc_pts(795, 130, 12, 0, 180), fill=GREEN, width=1)
    s.line([(795, 118), (795, 92)], width=2)
    s.circle(795, 104, 4, fill=GOLD, width=1)
    # Whitewashed houses with small windows above the arcaded shops.
    houses = [(80, 300), (250, 330), (430, 290), (600, 320), (880, 300), (1010, 340)]
    for x, top in houses:
        x1 = min(x + 180, W - 50)
        s.rect(x, top, x1, 640, fill=WHITE)
        s.tiles(x, x1, top - 18, top, overhang=6)
        for k in range(2):
            wx = x + 40 + k * 70
            if wx + 24 < x1:
                s.rect(wx, top + 40, wx + 24, top + 80, fill=(160, 150, 130), width=1)
                s.rect(wx - 4, top + 80, wx + 28, top + 86, fill=(120, 104, 86), width=1)
    # Continuous arcade of the souk street.
    s.rect(60, 470, W - 60, 640, fill=WHITE, width=2)
    s.arcade(70, W - 70, 11, 530, 640, "round", fill=(206, 190, 160))
    for i in range(11):
        bay = (W - 140) / 11
        x = 70 + i * bay
        s.rect(x + bay * 0.25, 600, x + bay * 0.75, 640, fill=[OCHRE, TERRA, GREEN, GOLD][i % 4], width=1)
    s.zellige_band(60, W - 60, 478, 490, colors=(TEAL, WHITE), seed=8)
    s.hatch(70, 620, W - 70, 640, step=10)
    for x in (200, 520, 880):
        s.figure(x, 690, 30)
    s.save(CITY / "habous-quarter/images/cover.webp")


def draw_habous_plan():
    s = plan_sheet()
    rnd = random.Random(21)
    # Irregular blocks around small squares, as in a medina, but with regular services.
    blocks = []
    for gx in range(6):
        for gy in range(4):
            x0 = 110 + gx * 160
            y0 = 110 + gy * 150
            if (gx, gy) in [(2, 1), (3, 2)]:
                continue
            dx = rnd.randint(-10, 10)
            dy = rnd.randint(-10, 10)
            blocks.append((x0 + dx, y0 + dy, x0 + 120 + dx, y0 + 110 + dy))
    for b in blocks:
        s.rect(*b, fill=WHITE, width=2)
        for k in range(3):
            x = b[0] + 10 + k * 36
            if x + 24 < b[2]:
                s.rect(x, b[1] + 10, x + 24, b[1] + 34, fill=SAND, width=1)  # courtyards of the houses
    # Two squares: one planted, one with a fountain.
    s.rect(430, 270, 560, 370, fill=GRASS, width=2)
    s.circle(495, 320, 16, fill=GREEN_DARK, width=1)
    s.rect(590, 420, 720, 520, fill=SAND, width=2)
    s.circle(655, 470, 14, fill=SEA, width=1)
    # The mosque (with its minaret) and the Mahkama to the south.
    s.rect(750, 260, 880, 380, fill=STONE, width=3)
    s.rect(850, 260, 880, 290, fill=GREEN, width=2)
    s.rect(120, 640, 600, 740, fill=STONE, width=3)
    s.rect(440, 660, 580, 720, fill=GRASS, width=1)
    # Arcaded streets shown as dotted lines.
    for y in (245, 395):
        for x in range(110, 1060, 18):
            s.circle(x, y, 2, fill=INK, outline=None)
    s.north_arrow(1110, 110, r=20)
    s.scale_bar(880, 740, 140)
    s.save(CITY / "habous-quarter/images/plan.webp")


# ================================================================================================
# 5. Villa des Arts
# ================================================================================================

def draw_villa_des_arts_cover():
    s = Sheet()
    s.ground(640, fill=GRASS)
    s.palm(120, 640, 300)
    s.palm(1080, 640, 280, lean=-0.07)
    # Cubic volumes of the Art Deco villa.
    s.rect(230, 330, 560, 600, fill=WHITE, width=3)
    s.rect(640, 300, 970, 600, fill=WHITE, width=3)
    s.rect(520, 250, 680, 600, fill=WHITE, width=3)
    for x0, x1, y in [(230, 560, 330), (640, 970, 300), (520, 680, 250)]:
        s.rect(x0 - 6, y - 14, x1 + 6, y, fill=WHITE, width=2)
        s.line([(x0, y + 14), (x1, y + 14)], width=1)
    # Tall stair window with its glazing, centred on the entrance.
    s.rect(560, 280, 640, 500, fill=(196, 210, 214), width=2)
    for y in range(300, 500, 26):
        s.line([(560, y), (640, y)], width=1)
    s.line([(600, 280), (600, 500)], width=1)
    s.line([(560, 280), (600, 260), (640, 280)], width=2)
    # Windows with their iron railings.
    for x0, x1, y0 in [(250, 540, 380), (660, 950, 350)]:
        s.windows(x0, x1, y0, y0 + 80, 3, fill=(196, 210, 214), mullion=True)
        s.windows(x0, x1, y0 + 130, y0 + 200, 3, fill=(196, 210, 214), mullion=True)
        for k in range(3):
            bay = (x1 - x0) / 3
            a = x0 + k * bay + bay * 0.2
            b = x0 + (k + 1) * bay - bay * 0.2
            s.rect(a, y0 + 112, b, y0 + 128, outline=INK, width=1)
            for xx in range(int(a) + 6, int(b), 10):
                s.line([(xx, y0 + 112), (xx, y0 + 128)], width=1)
    s.hatch(950, 300, 970, 600, step=8)
    s.hatch(540, 330, 560, 600, step=8)
    # Entrance perron with a double flight of steps.
    s.rect(560, 530, 640, 600, fill=(120, 112, 100), width=2)
    s.poly([(480, 640), (560, 600), (640, 600), (720, 640)], fill=(240, 236, 226), width=2)
    for k in range(1, 4):
        s.line([(560 - 20 * k, 600 + 10 * k), (640 + 20 * k, 600 + 10 * k)], width=1)
    # Garden fountain jets.
    s.rect(760, 660, 980, 690, fill=SEA, width=2)
    for x in range(790, 980, 40):
        s.line(s.arc_pts(x + 10, 660, 10, 180, 0, n=8, ry=30), fill=(120, 160, 180), width=2)
    s.figure(420, 690, 30)
    s.save(CITY / "villa-des-arts/images/cover.webp")


# ================================================================================================
# 6. Old medina and Sqala
# ================================================================================================

def clock_tower(s: Sheet, x0, x1, top, base):
    w = x1 - x0
    cx = (x0 + x1) / 2
    s.rect(x0, top, x1, base, fill=WHITE, width=3)
    s.arch(x0 + w * 0.25, x1 - w * 0.25, base - 50, base, "horseshoe", fill=(150, 140, 120))
    s.zellige_band(x0, x1, top + 4, top + 16, colors=(GREEN, WHITE), seed=12)
    s.circle(cx, top + 60, w * 0.3, fill=WHITE, width=3)
    s.line([(cx, top + 60), (cx, top + 60 - w * 0.2)], width=3)
    s.line([(cx, top + 60), (cx + w * 0.14, top + 66)], width=3)
    for k in range(12):
        a = math.radians(k * 30)
        s.line([(cx + w * 0.24 * math.cos(a), top + 60 + w * 0.24 * math.sin(a)),
                (cx + w * 0.28 * math.cos(a), top + 60 + w * 0.28 * math.sin(a))], width=1)
    s.lozenges(x0 + 8, x1 - 8, top + 110, base - 70, color=OCHRE, width=1)
    s.merlons(x0, x1, top, size=10)
    # Small kiosk with a dome, topped by a finial.
    s.rect(cx - w * 0.28, top - 46, cx + w * 0.28, top - 10, fill=WHITE, width=2)
    s.arch(cx - w * 0.12, cx + w * 0.12, top - 34, top - 10, "horseshoe", fill=(150, 140, 120), width=1)
    s.poly(s.arc_pts(cx, top - 46, w * 0.22, 0, 180), fill=GREEN, width=2)
    s.line([(cx, top - 46 - w * 0.22), (cx, top - 46 - w * 0.22 - 26)], width=2)
    s.circle(cx, top - 46 - w * 0.22 - 12, 4, fill=GOLD, width=1)


def cannon(s: Sheet, x, y, length=70, angle=8):
    a = math.radians(angle)
    dx, dy = length * math.cos(a), -length * math.sin(a)
    nx, ny = -math.sin(a) * 7, -math.cos(a) * 7
    s.poly([(x + nx * 1.3, y + ny * 1.3), (x + dx + nx, y + dy + ny), (x + dx - nx, y + dy - ny), (x - nx * 1.3, y - ny * 1.3)],
           fill=(70, 74, 80), width=1)
    s.circle(x + 6, y + 10, 11, fill=(140, 110, 80), width=2)


def draw_medina_cover():
    s = Sheet(horizon=560)
    s.rect(40, 560, W - 40, H - 40, fill=SEA, outline=None)
    s.waves(40, W - 40, 660, H - 40)
    # Whitewashed medina houses climbing behind the rampart.
    rnd = random.Random(31)
    x = 60
    while x < 1120:
        wdt = min(rnd.randint(60, 110), W - 44 - x)
        top = rnd.randint(330, 420)
        s.rect(x, top, x + wdt, 560, fill=WHITE, width=2)
        for k in range(rnd.randint(1, 2)):
            wx = x + 14 + k * 36
            if wx + 14 < x + wdt:
                s.rect(wx, top + 24, wx + 14, top + 44, fill=(150, 146, 130), width=1)
        x += wdt - 6
    s.rect(600, 250, 650, 420, fill=STONE, width=2)
    s.lozenges(608, 642, 270, 340, color=GREEN_DARK, width=1)
    s.merlons(600, 650, 250, 9)
    clock_tower(s, 180, 240, 220, 560)
    # Rampart and the fan-shaped bastion of the Sqala.
    s.rect(40, 520, W - 40, 660, fill=STONE, width=3)
    for y in range(540, 660, 22):
        s.line([(40, y), (W - 40, y)], fill=(196, 180, 150), width=1)
    s.poly([(640, 660), (680, 500), (1000, 500), (1060, 660)], fill=STONE, width=3)
    for y in range(520, 660, 22):
        s.line([(640 + (660 - y) * 0.25, y), (1060 - (660 - y) * 0.375, y)], fill=(196, 180, 150), width=1)
    s.merlons(40, 640, 520, 14)
    s.rect(680, 480, 1000, 500, fill=STONE, width=2)
    for xx in (730, 820, 910):
        cannon(s, xx, 470, 60, 6)
    for xx in (680, 1000):
        s.rect(xx - 16, 440, xx + 16, 500, fill=STONE, width=2)
        s.poly(s.arc_pts(xx, 440, 16, 0, 180), fill=STONE, width=2)
    s.save(CITY / "old-medina-sqala/images/cover.webp")


def draw_medina_map():
    s = plan_sheet()
    s.poly([(40, 40), (W - 40, 40), (W - 40, 170), (820, 170), (700, 220), (300, 200), (40, 230)], fill=SEA, outline=None)
    s.waves(60, W - 60, 50, 160, step_x=60, step_y=30)
    # The walled medina, an irregular shape along the shore.
    wall = [(120, 250), (300, 220), (700, 240), (820, 200), (900, 330), (880, 560), (620, 640), (330, 660), (150, 560)]
    s.poly(wall, fill=WHITE, width=5)
    rnd = random.Random(41)
    for _dot in range(70):
        x = rnd.randint(190, 830)
        y = rnd.randint(270, 600)
        w, h = rnd.randint(20, 46), rnd.randint(16, 36)
        s.rect(x, y, x + w, y + h, fill=SAND, width=1)
    # Winding streets.
    s.line([(150, 560), (300, 480), (430, 470), (520, 400), (700, 330), (820, 210)], fill=INK_SOFT, width=5)
    s.line([(330, 660), (380, 520), (520, 400), (560, 260)], fill=INK_SOFT, width=5)
    s.line([(620, 640), (640, 500), (700, 330)], fill=INK_SOFT, width=5)
    # The Sqala bastion on the sea front.
    s.poly([(560, 236), (600, 170), (700, 170), (720, 240)], fill=STONE, width=3)
    for x in (610, 650, 690):
        s.line([(x, 176), (x, 150)], width=4)
    # Gates and the clock tower at the south-east corner.
    for (x, y) in [(150, 560), (330, 660), (880, 560)]:
        s.circle(x, y, 12, fill=TERRA, width=2)
    s.rect(900, 600, 940, 640, fill=GREEN, width=3)
    s.rect(880, 660, 1100, 740, fill=SAND, width=2)  # today's square beyond the walls
    # The port to the east.
    s.poly([(900, 170), (W - 40, 170), (W - 40, 450), (960, 450), (960, 330)], fill=(206, 214, 210), width=2)
    s.line([(980, 200), (1120, 200)], width=3)
    s.line([(980, 260), (1120, 260)], width=3)
    s.north_arrow(1090, 560, r=22)
    s.scale_bar(80, 730, 140)
    s.save(CITY / "old-medina-sqala/images/map.webp")


def draw_sqala_stop():
    s = Sheet(horizon=480)
    s.rect(40, 400, W - 40, H - 40, fill=SEA, outline=None)
    s.waves(40, W - 40, 420, H - 40)
    # Close view of the platform: parapet, cannons and a pepper-pot watch turret.
    s.poly([(140, H - 40), (220, 480), (980, 480), (1080, H - 40)], fill=STONE, width=3)
    for y in range(500, H - 40, 26):
        k = (y - 480) / (H - 40 - 480)
        s.line([(220 - 80 * k, y), (980 + 100 * k, y)], fill=(196, 180, 150), width=1)
    s.rect(220, 440, 980, 480, fill=STONE, width=3)
    for x in range(250, 960, 140):
        s.rect(x, 440, x + 70, 456, fill=(150, 140, 120), width=1)  # embrasures
    for x in (330, 610, 890):
        cannon(s, x - 60, 420, 110, 4)
    s.rect(960, 300, 1040, 480, fill=STONE, width=3)
    s.poly(s.arc_pts(1000, 300, 40, 0, 180), fill=STONE, width=3)
    s.line([(1000, 260), (1000, 236)], width=3)
    s.rect(990, 340, 1010, 380, fill=(90, 84, 76), width=1)
    s.figure(560, 560, 40)
    s.save(CITY / "old-medina-sqala/images/sqala.webp")


def draw_clock_tower_stop():
    s = Sheet()
    s.ground(640, fill=SAND)
    clock_tower(s, 540, 660, 200, 640)
    s.palm(300, 640, 220)
    s.palm(900, 640, 240, lean=-0.06)
    for x in (420, 760, 800):
        s.figure(x, 690, 30)
    s.save(CITY / "old-medina-sqala/images/clock-tower.webp")


# ================================================================================================
# 7. Central post office
# ================================================================================================

def draw_poste_cover():
    s = Sheet()
    s.ground(640)
    s.rect(120, 300, 1080, 640, fill=WHITE, width=3)
    s.tiles(120, 1080, 270, 300, overhang=18)
    s.zellige_band(120, 1080, 306, 322, seed=17)
    # Upper loggia of round arches on slender columns.
    s.rect(220, 340, 980, 470, fill=(244, 240, 228), width=2)
    s.arcade(230, 970, 9, 380, 470, "round", fill=(196, 190, 172), pier=0.18)
    s.rect(220, 470, 980, 486, fill=STONE, width=2)
    # Ground floor: entrance bays with carved frames.
    s.arcade(240, 960, 7, 540, 640, "round", fill=(150, 144, 130), pier=0.4)
    for x0 in (130, 990):
        s.rect(x0, 340, x0 + 80, 640, fill=WHITE, width=2)
        s.lozenges(x0 + 14, x0 + 66, 360, 520, color=OCHRE, width=1)
    s.hatch(1060, 300, 1080, 640, step=8)
    # Steps and lamp posts.
    s.rect(420, 640, 780, 652, fill=STONE, width=2)
    s.rect(400, 652, 800, 664, fill=STONE, width=2)
    for x in (360, 840):
        s.line([(x, 700), (x, 600)], width=3)
        s.circle(x, 594, 8, fill=GOLD, width=2)
    s.figure(560, 700, 30)
    s.figure(700, 704, 30)
    s.save(CITY / "central-post-office/images/cover.webp")


def draw_poste_detail():
    s = Sheet(sky=(238, 234, 222), horizon=760)
    # Detail of one bay of the loggia: column, capital, arch and tiled cornice.
    s.tiles(200, 1000, 90, 140, overhang=30)
    s.zellige_band(200, 1000, 150, 190, seed=19)
    s.rect(200, 190, 1000, 700, fill=WHITE, width=3)
    s.arch(320, 880, 420, 700, "round", fill=(206, 202, 186), width=3)
    s.arch(350, 850, 420, 700, "round", fill=(176, 170, 154), width=2)
    for x in (320, 880):
        s.rect(x - 24, 420, x + 24, 700, fill=STONE, width=2)
        s.rect(x - 34, 396, x + 34, 420, fill=OCHRE, width=2)
    s.lozenges(220, 290, 220, 390, color=OCHRE, width=1)
    s.lozenges(910, 980, 220, 390, color=OCHRE, width=1)
    s.line([(200, 700), (1000, 700)], width=3)
    s.save(CITY / "central-post-office/images/loggia-detail.webp")


# ================================================================================================
# 8. Rialto cinema
# ================================================================================================

def draw_rialto_cover():
    s = Sheet()
    s.ground(640)
    # Neighbouring buildings.
    s.rect(60, 330, 300, 640, fill=(236, 232, 220), width=2)
    s.windows(80, 280, 360, 420, 3)
    s.windows(80, 280, 460, 520, 3)
    s.rect(900, 300, 1140, 640, fill=(236, 232, 220), width=2)
    s.windows(920, 1120, 330, 390, 3)
    s.windows(920, 1120, 430, 490, 3)
    # The cinema: red and white facade with a stepped central pylon.
    s.rect(300, 300, 900, 640, fill=WHITE, width=3)
    s.poly([(520, 300), (520, 200), (560, 200), (560, 170), (640, 170), (640, 200), (680, 200), (680, 300)], fill=RED, width=3)
    for x in range(540, 680, 20):
        s.line([(x, 210), (x, 470)], fill=WHITE, width=3)
    s.rect(520, 300, 680, 470, fill=RED, width=3)
    for x in range(540, 680, 20):
        s.line([(x, 300), (x, 470)], fill=WHITE, width=3)
    for x0 in (300, 680):
        s.rect(x0, 300, x0 + 220, 330, fill=RED, width=2)
        s.rect(x0 + 30, 360, x0 + 190, 440, fill=(236, 226, 200), width=2)  # poster frames
        s.rect(x0 + 40, 370, x0 + 180, 430, outline=INK_SOFT, width=1)
    # Canopy (marquee) above the entrance doors.
    s.rect(360, 480, 840, 500, fill=(60, 62, 70), width=2)
    for x in range(370, 840, 30):
        s.circle(x, 490, 4, fill=GOLD, outline=None)
    s.windows(400, 800, 530, 640, 5, fill=(150, 140, 126), gap=0.2, mullion=True)
    s.line([(300, 470), (900, 470)], width=2)
    for x in (380, 450, 760):
        s.figure(x, 690, 30)
    s.save(CITY / "rialto-cinema/images/cover.webp")


# ================================================================================================
# 9. Hotel Lincoln
# ================================================================================================

def draw_lincoln_cover():
    s = Sheet()
    s.ground(640)
    s.line([(40, 690), (W - 40, 690)], fill=INK_SOFT, width=2)  # tram rails on the boulevard
    s.line([(40, 706), (W - 40, 706)], fill=INK_SOFT, width=2)
    s.rect(80, 250, 1120, 640, fill=STONE, width=3)
    s.rect(70, 236, 1130, 250, fill=STONE, width=2)
    for x in range(80, 1120, 130):
        s.poly([(x + 30, 236), (x + 65, 200), (x + 100, 236)], fill=STONE, width=2)  # carved parapets
    # Three storeys of arched windows above the ground-floor arcade.
    for y0, kind in [(280, "round"), (380, "round"), (470, "round")]:
        for k in range(8):
            bay = 1040 / 8
            a = 80 + k * bay + bay * 0.3
            b = 80 + (k + 1) * bay - bay * 0.3
            s.arch(a, b, y0 + 22, y0 + 70, kind, fill=(120, 114, 104), width=2)
        s.line([(80, y0 + 82), (1120, y0 + 82)], width=1)
    s.arcade(90, 1110, 8, 580, 640, "round", fill=(110, 104, 96))
    # Timber shoring propping the old facade.
    for x in range(150, 1100, 160):
        s.line([(x, 640), (x + 80, 360)], fill=(150, 110, 70), width=6)
        s.line([(x + 40, 640), (x + 80, 500)], fill=(150, 110, 70), width=4)
    s.figure(1000, 680, 30)
    s.save(CITY / "hotel-lincoln/images/cover.webp")


# ================================================================================================
# 10. Abderrahmane Slaoui museum
# ================================================================================================

def draw_slaoui_cover():
    s = Sheet()
    s.ground(640, fill=SAND)
    s.palm(1060, 640, 260, lean=-0.05)
    s.rect(260, 240, 880, 640, fill=WHITE, width=3)
    for y in (370, 500):
        s.rect(250, y - 8, 890, y + 6, fill=WHITE, width=2)
    s.windows(290, 850, 270, 350, 5, fill=(196, 206, 208), mullion=True)
    s.windows(290, 850, 400, 480, 5, fill=(196, 206, 208), mullion=True)
    s.windows(290, 620, 530, 620, 3, fill=(196, 206, 208), mullion=True)
    # Entrance door with a carved wooden panel and a lantern.
    s.rect(690, 520, 780, 640, fill=(138, 96, 64), width=2)
    s.lozenges(700, 770, 530, 630, color=(220, 190, 140), width=1)
    s.circle(800, 540, 8, fill=GOLD, width=2)
    # Roof terrace with a pergola.
    s.rect(420, 190, 720, 240, fill=(240, 236, 226), width=2)
    for x in range(430, 720, 30):
        s.line([(x, 190), (x, 240)], width=1)
    s.rect(410, 180, 730, 192, fill=(150, 110, 70), width=2)
    s.hatch(860, 240, 880, 640, step=8)
    s.figure(640, 690, 30)
    s.save(CITY / "abderrahmane-slaoui-museum/images/cover.webp")


# ================================================================================================
# 11. Wilaya (former town hall)
# ================================================================================================

def draw_wilaya_cover():
    s = Sheet()
    s.ground(640)
    s.palm(110, 640, 230)
    s.palm(1090, 640, 230, lean=-0.06)
    # Long body of the building.
    s.rect(160, 360, 1040, 640, fill=WHITE, width=3)
    s.tiles(160, 1040, 334, 360, overhang=14)
    s.windows(180, 460, 400, 460, 4, fill=(196, 206, 208))
    s.windows(740, 1020, 400, 460, 4, fill=(196, 206, 208))
    s.windows(180, 460, 520, 590, 4, fill=(196, 206, 208))
    s.windows(740, 1020, 520, 590, 4, fill=(196, 206, 208))
    # Central part: colonnade at the entrance, arcaded balcony and three tall openings.
    s.rect(460, 330, 740, 640, fill=WHITE, width=3)
    s.tiles(460, 740, 304, 330, overhang=12)
    s.arcade(470, 730, 3, 390, 470, "round", fill=(176, 172, 160), pier=0.3)
    s.rect(470, 480, 730, 494, fill=STONE, width=2)
    for x in range(480, 731, 36):
        s.rect(x - 5, 520, x + 5, 640, fill=STONE, width=1)
    s.hatch(480, 520, 730, 640, step=12)
    # Clock campanile.
    s.rect(570, 110, 630, 330, fill=WHITE, width=3)
    s.circle(600, 160, 18, fill=WHITE, width=2)
    s.line([(600, 160), (600, 147)], width=2)
    s.line([(600, 160), (609, 164)], width=2)
    s.rect(576, 200, 624, 300, outline=INK, width=1)
    s.lozenges(580, 620, 205, 295, color=OCHRE, width=1)
    s.tiles(570, 630, 92, 110, overhang=8)
    s.line([(600, 92), (600, 64)], width=2)
    s.circle(600, 74, 4, fill=GOLD, width=1)
    s.figure(380, 690, 30)
    s.figure(820, 690, 30)
    s.save(CITY / "wilaya-former-town-hall/images/cover.webp")


def draw_wilaya_plan():
    s = plan_sheet()
    s.rect(140, 140, 1060, 660, fill=WHITE, width=4)
    # Three planted patios ringed by a gallery.
    for x0 in (200, 500, 800):
        s.rect(x0 - 20, 220, x0 + 220, 560, fill=(236, 232, 220), width=1)
        s.rect(x0, 240, x0 + 200, 540, fill=GRASS, width=2)
        s.line([(x0 + 100, 240), (x0 + 100, 540)], fill=GREEN_DARK, width=1)
        s.line([(x0, 390), (x0 + 200, 390)], fill=GREEN_DARK, width=1)
        s.circle(x0 + 100, 390, 16, fill=SEA, width=1)
    # Entrance colonnade and the base of the campanile on the square.
    for x in range(480, 730, 30):
        s.circle(x, 680, 5, fill=INK, outline=None)
    s.rect(575, 620, 625, 660, fill=GREEN, width=3)
    s.rect(140, 680, 1060, 740, fill=SAND, width=1)
    s.north_arrow(1110, 110, r=20)
    s.scale_bar(80, 100, 120)
    s.save(CITY / "wilaya-former-town-hall/images/plan.webp")


# ================================================================================================
# 12. Notre-Dame-de-Lourdes
# ================================================================================================

def draw_lourdes_cover():
    s = Sheet()
    s.ground(640)
    # Massive raw-concrete body with walls leaning towards the sky.
    s.poly([(250, 640), (300, 200), (900, 200), (950, 640)], fill=(210, 208, 200), width=3)
    for x in range(300, 900, 24):
        s.line([(x - (640 - 200) * 0.0, 210), (x, 230)], fill=INK_SOFT, width=1)
    for y in range(230, 640, 28):
        k = (y - 200) / 440
        s.line([(300 - 50 * k, y), (900 + 50 * k, y)], fill=(190, 188, 180), width=1)  # formwork marks
    # Great stained-glass wall coming down to the ground.
    s.poly([(380, 640), (410, 260), (790, 260), (820, 640)], fill=BLUE, width=3)
    s.stained_glass(420, 270, 780, 600, 12, 11, seed=23,
                    colors=(BLUE, (60, 84, 140), RED, GOLD, (110, 140, 190), (140, 60, 80), BLUE))
    s.rect(540, 600, 660, 640, fill=(90, 84, 76), width=2)
    # The grotto beside the church.
    s.poly([(980, 640), (990, 560), (1030, 520), (1080, 530), (1110, 580), (1120, 640)], fill=(170, 164, 150), width=2)
    s.poly(s.arch_pts(1030, 1070, 590, 640, "round"), fill=(90, 84, 76), width=1)
    s.circle(1050, 575, 6, fill=WHITE, width=1)
    s.palm(150, 640, 220)
    s.figure(480, 690, 30)
    s.figure(720, 690, 30)
    s.save(CITY / "notre-dame-de-lourdes/images/cover.webp")


def draw_lourdes_glass():
    s = Sheet(sky=(40, 44, 60), horizon=H - 40)
    # Inside: light falling through the stained glass on the bare concrete.
    for i, x0 in enumerate(range(80, 1120, 130)):
        s.stained_glass(x0, 80, x0 + 110, 700, 4, 16, seed=40 + i,
                        colors=(BLUE, (60, 84, 140), RED, GOLD, (110, 140, 190), (140, 60, 80)))
    s.rect(40, 700, W - 40, H - 40, fill=(120, 118, 112), outline=None)
    for x in range(60, W - 40, 60):
        s.line([(x, 700), (x + 30, H - 40)], fill=(150, 148, 140), width=1)
    s.save(CITY / "notre-dame-de-lourdes/images/stained-glass.webp")


DRAWINGS = {
    "mosque-cover": draw_mosque_cover,
    "mosque-site-plan": draw_mosque_plan,
    "mosque-minaret": draw_mosque_minaret,
    "sacre-coeur-cover": draw_sacre_coeur_cover,
    "sacre-coeur-plan": draw_sacre_coeur_plan,
    "sacre-coeur-nave": draw_sacre_coeur_nave,
    "mahkama-cover": draw_mahkama_cover,
    "mahkama-plan": draw_mahkama_plan,
    "habous-cover": draw_habous_cover,
    "habous-plan": draw_habous_plan,
    "villa-des-arts-cover": draw_villa_des_arts_cover,
    "medina-cover": draw_medina_cover,
    "medina-map": draw_medina_map,
    "medina-sqala": draw_sqala_stop,
    "medina-clock-tower": draw_clock_tower_stop,
    "poste-cover": draw_poste_cover,
    "poste-detail": draw_poste_detail,
    "rialto-cover": draw_rialto_cover,
    "lincoln-cover": draw_lincoln_cover,
    "slaoui-cover": draw_slaoui_cover,
    "wilaya-cover": draw_wilaya_cover,
    "wilaya-plan": draw_wilaya_plan,
    "lourdes-cover": draw_lourdes_cover,
    "lourdes-glass": draw_lourdes_glass,
}


def main(argv: list[str]) -> None:
    wanted = argv[1:]
    for name, fn in DRAWINGS.items():
        if not wanted or any(w in name for w in wanted):
            fn()


if __name__ == "__main__":
    main(sys.argv)
