"""Chart geometry for server-drawn SVG: horizontal bars and day columns, mirrored for RTL.

Horizontal positions are percentages of the chart's width and vertical ones pixels, so a chart
fills any screen while its text keeps the page's font size. Every text gets its own direction;
which text-anchor puts it on the wanted side depends on that direction.
"""

from dataclasses import dataclass
from dataclasses import field
from math import floor
from math import log10

# Horizontal bars: a label line, then the bar with its value after it.
ROW_PX = 46
LABEL_BASELINE = 15
BAR_TOP = 21
BAR_PX = 16
VALUE_BASELINE = 34
# The longest bar leaves room for its value.
BAR_SPAN = 78.0
VALUE_GAP_PX = 6

# Day columns.
PLOT_TOP = 22
PLOT_PX = 170
AXIS_PX = 26
AXIS_GAP_PX = 6


def anchor(side: str, direction: str) -> str:
    """Return the text-anchor that makes a text start on side ("left" or "right") of its x."""
    return "start" if (side == "left") == (direction == "ltr") else "end"


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str
    direction: str
    lang: str | None = None
    dx: int = 0


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    tip: str = ""


@dataclass
class Chart:
    height: int
    texts: list[Text] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    # Horizontal grid lines: y in pixels.
    lines: list[float] = field(default_factory=list)


def bar_chart(rows: list[tuple], direction: str) -> Chart:
    """Lay out horizontal bars; rows are (label, label's language or None, value, value as text, …)."""
    chart = Chart(height=max(1, len(rows)) * ROW_PX)
    biggest = max((row[2] for row in rows), default=0) or 1
    start_side = "left" if direction == "ltr" else "right"
    edge = 0.0 if direction == "ltr" else 100.0
    for index, (label, lang, value, value_text, *_rest) in enumerate(rows):
        top = index * ROW_PX
        width = BAR_SPAN * value / biggest
        if value and width < 0.5:
            width = 0.5
        label_dir = direction if lang is None else _direction_of(lang, direction)
        chart.texts.append(Text(edge, top + LABEL_BASELINE, label, anchor(start_side, label_dir), label_dir, lang))
        x = 0.0 if direction == "ltr" else 100.0 - width
        chart.rects.append(Rect(round(x, 3), top + BAR_TOP, round(width, 3), BAR_PX, f"{label}: {value_text}"))
        end = width if direction == "ltr" else 100.0 - width
        gap = VALUE_GAP_PX if direction == "ltr" else -VALUE_GAP_PX
        chart.texts.append(Text(round(end, 3), top + VALUE_BASELINE, value_text, anchor(start_side, "ltr"), "ltr",
                                dx=gap))
    return chart


def _direction_of(lang: str, fallback: str) -> str:
    from guide.i18n import text_direction

    try:
        return text_direction(lang)
    except (ValueError, LookupError):
        return fallback


def nice_ceiling(value: int) -> tuple[int, int]:
    """Round value up to a readable axis maximum; return (maximum, step between grid lines)."""
    if value <= 0:
        return 1, 1
    rough = value / 4
    magnitude = 10 ** floor(log10(rough)) if rough >= 1 else 1
    for factor in (1, 2, 5, 10):
        step = max(1, int(factor * magnitude))
        if step * 4 >= value:
            break
    return step * -(-value // step), step


def column_chart(columns: list[tuple], axis_labels: tuple[str, str, str], direction: str, format_number) -> Chart:
    """Lay out one column per day, oldest at the start side; columns are (day label, value, value text, …)."""
    chart = Chart(height=PLOT_TOP + PLOT_PX + AXIS_PX)
    count = max(1, len(columns))
    top_value, step = nice_ceiling(max((column[1] for column in columns), default=0))
    start_side = "left" if direction == "ltr" else "right"
    edge = 0.0 if direction == "ltr" else 100.0
    base = PLOT_TOP + PLOT_PX
    for tick in range(0, top_value + 1, step):
        y = base - PLOT_PX * tick / top_value
        chart.lines.append(round(y, 2))
        # Outside the plot, in the margin the stylesheet leaves at the start side.
        outward = "right" if start_side == "left" else "left"
        chart.texts.append(Text(edge, round(y + 4, 2), format_number(tick), anchor(outward, "ltr"), "ltr",
                                dx=-AXIS_GAP_PX if direction == "ltr" else AXIS_GAP_PX))
    slot = 100.0 / count
    gap = slot * 0.2 if count <= 62 else 0.0
    for index, (day, value, value_text, *_rest) in enumerate(columns):
        height = PLOT_PX * value / top_value
        x = index * slot + gap / 2
        if direction == "rtl":
            x = 100.0 - x - (slot - gap)
        chart.rects.append(Rect(round(x, 4), round(base - height, 2), round(slot - gap, 4), round(height, 2),
                                f"{day}: {value_text}"))
    first, middle, last = axis_labels
    end_side = "right" if start_side == "left" else "left"
    label_y = base + AXIS_PX - 6
    chart.texts.append(Text(edge, label_y, first, anchor(start_side, direction), direction))
    if len(columns) >= 3:
        chart.texts.append(Text(50.0, label_y, middle, "middle", direction))
    if len(columns) >= 2:
        chart.texts.append(Text(100.0 - edge, label_y, last, anchor(end_side, direction), direction))
    return chart
