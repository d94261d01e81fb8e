"""Bar charts drawn on the server as SVG: pure geometry, no database, no template.

`bar_chart(...)` turns labelled values into rectangles and text positions;
`components/bar_chart.html` draws them (role="img", <title>, <desc>, one <rect> with its own
<title> per bar) and the page shows the same numbers in a data table next to it (RGAA: a
chart never carries information on its own). Fills come from CSS classes
(`core/clauses.css`, classes `clauses-chart…`), never from inline styles (the CSP forbids them).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, log10

VERTICAL = "vertical"
HORIZONTAL = "horizontal"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    # Where the value is written (just past the end of the bar) and the label.
    value_x: float
    value_y: float
    label_x: float
    label_y: float
    highlighted: bool = False
    axis_label: str = ""  # the short text drawn on the chart; `label` stays in the title

    @property
    def value_text(self) -> str:
        return format_number(self.value)

    @property
    def shown_label(self) -> str:
        return self.axis_label or self.label


@dataclass(frozen=True)
class Tick:
    value: float
    position: float  # y for a vertical chart, x for a horizontal one
    label_x: float
    label_y: float

    @property
    def text(self) -> str:
        return format_number(self.value)


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    orientation: str
    width: float
    height: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    # The axis the bars grow from: a segment from (x1, y1) to (x2, y2).
    axis_x1: float
    axis_y1: float
    axis_x2: float
    axis_y2: float
    unit: str = ""

    @property
    def view_box(self) -> str:
        return f"0 0 {format_coordinate(self.width)} {format_coordinate(self.height)}"

    @property
    def is_vertical(self) -> bool:
        return self.orientation == VERTICAL

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def format_number(value: float) -> str:
    """French style: a narrow no-break space between thousands, a decimal comma."""
    if float(value).is_integer():
        text = f"{int(value):,}".replace(",", "\u202f")
    else:
        text = f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return text


def format_coordinate(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_maximum(value: float) -> float:
    """The smallest 1, 2, 2.5, 5 × 10^n at or above `value` (1 for an empty chart), so that
    the scale reads at a glance."""
    if value <= 0:
        return 1
    magnitude = 10 ** int(log10(value)) if value >= 1 else 10 ** (ceil(log10(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * magnitude
        if candidate >= value:
            return candidate
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _ticks(maximum: float, count: int = 4) -> list[float]:
    return [maximum * i / count for i in range(count + 1)]


def label_width(text: str, font_size: float = 12) -> float:
    """A generous estimate of a label's drawn width (average glyph ≈ 0.6 em)."""
    return len(text) * font_size * 0.6


def describe(items: Sequence[tuple[str, float]], unit: str = "") -> str:
    """A sentence that says what the chart shows: total, highest bar."""
    if not any(value > 0 for _, value in items):
        return "Aucune donnée sur la période."
    suffix = f" {unit}" if unit else ""
    total = sum(value for _, value in items)
    top_label, top_value = max(items, key=lambda item: item[1])
    return (
        f"{len(items)} barre{'s' if len(items) > 1 else ''}, total {format_number(total)}{suffix}. "
        f"Valeur la plus haute : {top_label}, {format_number(top_value)}{suffix}."
    )


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    description: str = "",
    orientation: str = VERTICAL,
    unit: str = "",
    highlight: Sequence[str] = (),
    width: float = 640,
    bar_thickness: float = 28,
    gap: float = 12,
    axis_labels: Sequence[str] | None = None,
) -> BarChart:
    """The geometry of a bar chart of `items` ((label, value) pairs, in display order).

    Vertical: labels under the bars (short labels: weeks, département codes). Horizontal:
    one bar per line with its label above it (long labels: kinds of request). Negative values
    are drawn as zero. `highlight` lists labels drawn in the accent class. `axis_labels`
    (one per item) are short texts drawn instead of the labels when those would overlap
    (« S23 » for « S23 (01/06) », « 93 » for « 93 — Seine-Saint-Denis »); each bar's
    title and the page's data table keep the full label (#12.11).
    """
    shown = list(axis_labels) if axis_labels is not None else ["" for _ in items]
    if len(shown) != len(items):
        raise ValueError("Un libellé court par barre.")
    if orientation not in (VERTICAL, HORIZONTAL):
        raise ValueError(f"Orientation inconnue : {orientation!r}")
    values = [max(float(value), 0.0) for _, value in items]
    maximum = nice_maximum(max(values, default=0))
    highlighted = set(highlight)
    description = description or describe(list(items), unit)
    bars: list[Bar] = []

    if orientation == VERTICAL:
        left, right, top, bottom = 44.0, 8.0, 20.0, 36.0
        plot_height = 200.0
        count = max(len(items), 1)
        slot = (width - left - right) / count
        thickness = min(bar_thickness * 2, slot * 0.7)
        for index, ((label, _), value) in enumerate(zip(items, values, strict=True)):
            height = plot_height * value / maximum
            x = left + index * slot + (slot - thickness) / 2
            y = top + plot_height - height
            bars.append(
                Bar(
                    label=label,
                    value=value,
                    x=round(x, 1),
                    y=round(y, 1),
                    width=round(thickness, 1),
                    height=round(height, 1),
                    value_x=round(x + thickness / 2, 1),
                    value_y=round(y - 4, 1),
                    label_x=round(x + thickness / 2, 1),
                    label_y=round(top + plot_height + 18, 1),
                    highlighted=label in highlighted,
                    axis_label=shown[index],
                )
            )
        ticks = []
        for t in _ticks(maximum):
            position = round(top + plot_height - plot_height * t / maximum, 1)
            ticks.append(Tick(value=t, position=position, label_x=left - 6, label_y=position + 4))
        total_height = top + plot_height + bottom
        axis = (left, top + plot_height, width - right, top + plot_height)
    else:
        # Each line: the label on top (long labels fit: SVG text does not wrap), the bar below.
        left, right, top, bottom, label_room = 8.0, 56.0, 4.0, 24.0, 20.0
        plot_width = width - left - right
        row = label_room + bar_thickness + gap
        for index, ((label, _), value) in enumerate(zip(items, values, strict=True)):
            length = plot_width * value / maximum
            y = top + index * row + label_room
            bars.append(
                Bar(
                    label=label,
                    value=value,
                    x=left,
                    y=round(y, 1),
                    width=round(length, 1),
                    height=bar_thickness,
                    value_x=round(left + length + 6, 1),
                    value_y=round(y + bar_thickness / 2 + 5, 1),
                    label_x=left,
                    label_y=round(y - 6, 1),
                    highlighted=label in highlighted,
                    axis_label=shown[index],
                )
            )
        rows_height = max(len(items), 1) * row - gap
        total_height = top + rows_height + bottom
        ticks = []
        for t in _ticks(maximum):
            position = round(left + plot_width * t / maximum, 1)
            ticks.append(
                Tick(value=t, position=position, label_x=position, label_y=total_height - 6)
            )
        axis = (left, top, left, top + rows_height)

    return BarChart(
        title=title,
        description=description,
        orientation=orientation,
        width=width,
        height=round(total_height, 1),
        bars=tuple(bars),
        ticks=tuple(ticks),
        axis_x1=axis[0],
        axis_y1=axis[1],
        axis_x2=axis[2],
        axis_y2=axis[3],
        unit=unit,
    )
