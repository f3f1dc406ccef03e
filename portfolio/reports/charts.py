"""Geometry of the report's SVG charts; the templates in templates/reports/charts/ draw them.

Coordinates are in SVG user units of a viewBox; the SVG scales to its container's
width. Colours come from fixed palettes here, never from data.
"""

from dataclasses import dataclass

from portfolio.reports import labels
from portfolio.reports.model import Count, Heatmap, RuleCount

CHART_WIDTH = 720
ROW_HEIGHT = 24
BAR_HEIGHT = 16
# Characters of a label shown before it is cut with an ellipsis; the full text is in a <title>.
MAX_LABEL_CHARS = 56
# Width of one character of a 12-unit label, on average, to size the label column.
CHAR_WIDTH = 6.6
VALUE_ROOM = 48
ACCENT = "#0b57a4"
LEVEL_FILLS = {"error": "#c92a2a", "warning": "#c98a00", "info": "#3d7fc1"}


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    value: int
    y: float
    width: float
    fill: str

    # Set by `bar_chart`: where the value is written, just right of the bar.
    value_x: float = 0

    @property
    def text_y(self) -> float:
        # A 12-unit label's baseline that centres it on the bar.
        return self.y + BAR_HEIGHT / 2 + 4


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    label_width: float
    width: int = CHART_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * ROW_HEIGHT + 8

    @property
    def bar_x(self) -> float:
        return self.label_width + 8

    @property
    def label_x(self) -> float:
        return self.label_width


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(items: list[tuple[str, int, str]]) -> BarChart:
    """Lay out horizontal bars for (label, value, fill) items, in the given order."""
    label_width = min(max((len(_short(label)) for label, _, _ in items), default=10) * CHAR_WIDTH + 8, 360)
    plot_width = CHART_WIDTH - label_width - 8 - VALUE_ROOM
    largest = max((value for _, value, _ in items), default=0) or 1
    bars = [
        _bar(label, value, fill, index, label_width, round(plot_width * value / largest, 1))
        for index, (label, value, fill) in enumerate(items)
    ]
    return BarChart(bars=bars, label_width=round(label_width, 1))


def _bar(label: str, value: int, fill: str, index: int, label_width: float, width: float) -> Bar:
    return Bar(label=_short(label), full_label=label, value=value, y=4 + index * ROW_HEIGHT, width=width,
               fill=fill, value_x=round(label_width + 8 + width + 6, 1))


def pattern_distribution(counts: list[Count]) -> BarChart:
    return bar_chart([(count.label, count.count, ACCENT) for count in counts])


def findings_by_rule(rules: list[RuleCount]) -> BarChart:
    return bar_chart([(f"{rule.code} {rule.title}", rule.count, LEVEL_FILLS.get(rule.level, ACCENT))
                      for rule in rules])


@dataclass(frozen=True)
class HeatCell:
    x: float
    y: float
    value: int
    opacity: float
    dark_text: bool
    text_x: float


@dataclass(frozen=True)
class HeatRow:
    label: str
    y: float
    text_y: float
    cells: list[HeatCell]


@dataclass(frozen=True)
class HeatColumn:
    label: str
    x: float


@dataclass(frozen=True)
class HeatmapChart:
    columns: list[HeatColumn]
    rows: list[HeatRow]
    cell_width: int
    cell_height: int
    label_width: int
    header_height: int
    fill: str = ACCENT

    @property
    def width(self) -> int:
        return self.label_width + self.cell_width * len(self.columns)

    @property
    def height(self) -> int:
        return self.header_height + self.cell_height * len(self.rows)


def heatmap_chart(heatmap: Heatmap) -> HeatmapChart:
    """Lay out the ownership heatmap; a cell's shade grows with its share of the largest count."""
    cell_width, cell_height, label_width, header_height = 118, 30, 130, 34
    largest = max((value for row in heatmap.values for value in row), default=0) or 1
    columns = [HeatColumn(labels.party_kind(kind), label_width + index * cell_width + cell_width / 2)
               for index, kind in enumerate(heatmap.party_kinds)]
    rows = []
    for row_index, (activity, values) in enumerate(zip(heatmap.activities, heatmap.values, strict=True)):
        y = header_height + row_index * cell_height
        cells = []
        for column_index, value in enumerate(values):
            opacity = round(0.12 + 0.88 * value / largest, 2) if value else 0
            x = label_width + column_index * cell_width
            cells.append(HeatCell(x=x, y=y, value=value, opacity=opacity, dark_text=opacity < 0.55,
                                  text_x=x + cell_width / 2))
        rows.append(HeatRow(label=activity.label, y=y, text_y=y + cell_height / 2 + 4, cells=cells))
    return HeatmapChart(columns=columns, rows=rows, cell_width=cell_width, cell_height=cell_height,
                        label_width=label_width, header_height=header_height)
