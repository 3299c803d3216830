"""The workbook's look: its font, fills and cell styles (each made once), column widths sized to
their contents, Excel tables, print setup (A4, one page wide, header row on every page), the
red-to-green colour scale of scores, and the charts of the Summary and Trend sheets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from .export_rows import SUMMARY_KEYS
from .xlsx_stream import StreamSheet

FONT = "Calibri"
"""The font of every cell (Excel's default; LibreOffice shows its metric twin Carlito, or a sans-serif)."""
RED = "#F4C7C3"
"""The fill of failed critical items, failed results and overdue actions."""
HEADER_FILL = "#1F4E79"


class Book:
    """The workbook being written: XlsxWriter's workbook, its styles (each made once) and the words."""

    def __init__(self, wb: Any, words: dict[str, str]) -> None:
        self.wb = wb
        self.words = words
        self._styles: dict[tuple[tuple[str, Any], ...], Any] = {}
        self._props: dict[int, dict[str, Any]] = {}
        header = {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "valign": "top"}
        self.header = self.style(**header)
        self.header_wrap = self.style(**header, text_wrap=True)
        self.bad = wb.add_format({"bg_color": RED})
        """The conditional format of a failed result."""

    def style(self, **props: Any) -> Any:
        """The format with ``props`` (and the export's font), made once."""
        props = {"font_name": FONT, "font_size": 11, **{k: v for k, v in props.items() if v is not None}}
        key = tuple(sorted(props.items()))
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self.wb.add_format(props)
            self._props[id(style)] = props
        return style

    def quoted(self, style: Any) -> Any:
        """``style`` with the quote prefix: text that starts like a formula stays text when edited."""
        return self.style(**(self._props[id(style)] if style is not None else {}), quote_prefix=True)

    def styles(self, formats: Sequence[str | None], **props: Any) -> list[Any]:
        """One style per column: its number format (and ``props``); None where there is nothing to set."""
        return [self.style(num_format=f, **props) if f or props else None for f in formats]

    def sheet(self, title: str) -> StreamSheet:
        ws = self.wb.add_worksheet(title, worksheet_class=StreamSheet)
        ws.quote_style = self.quoted
        return ws

    def table_sheet(self, title: str, names: Sequence[str], *, wrap: bool = False) -> StreamSheet:
        """A sheet whose first row is a table's header, frozen."""
        ws = self.sheet(title)
        ws.freeze_panes(1, 0)
        ws.put(names, [self.header_wrap if wrap else self.header] * len(names))
        return ws


def _shown(value: Any) -> str:
    """Roughly what a cell shows, to size its column."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return "2026-01-01"
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)


def fit_widths(names: Sequence[str], samples: Iterable[Sequence[Any]], *, least: int = 6, most: int = 60) -> list[int]:
    """Column widths that fit the header (and its filter button) and the sampled values."""
    widths = [len(name) + 4 for name in names]
    for row in samples:
        for index, value in enumerate(row[: len(widths)]):
            longest = max((len(line) for line in _shown(value).splitlines()), default=0)
            widths[index] = max(widths[index], longest + 2)
    return [min(most, max(least, w)) for w in widths]


def wrapped_lines(text: str, width: int) -> int:
    """Lines a text takes when wrapped in a column ``width`` characters wide (an estimate)."""
    return sum(max(1, -(-len(line) // max(1, width - 2))) for line in text.splitlines() or [""])


def add_table(ws: StreamSheet, name: str, names: Sequence[str]) -> None:
    """An Excel table (filter buttons, banded rows) over the rows written; none without a data row."""
    if ws.rows >= 2:
        options = {"name": name, "style": "Table Style Medium 2", "columns": [{"header": n} for n in names]}
        ws.add_table(0, 0, ws.rows - 1, len(names) - 1, options)


def _pixels(width: float) -> int:
    """A column width (in characters) in pixels, as Excel converts it."""
    return int(width * 7 + 5) if width >= 1 else int(width * 12 + 0.5)


def print_setup(
    ws: StreamSheet, widths: Sequence[float], *, portrait: bool = False, titles: bool = True, chart: Any = None
) -> None:
    """Print setup: A4, fitted to one page wide, header row on every page, the table (and its chart) as the print area.

    ``chart``: (first row, first column, width px, height px) of a chart that must print with the table.
    """
    ws.set_paper(9)
    if portrait:
        ws.set_portrait()
    else:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&A&R&P / &N")
    if titles:
        ws.repeat_rows(0)
    last_row, last_col = max(ws.rows - 1, 0), max(len(widths) - 1, 0)
    if chart is not None:
        row, col, width, height = chart
        last_row = max(last_row, row + -(-height // 20))  # rows of the default 15 points (20 px)
        covered, end = 0, col
        while covered < width:  # columns past the table have the default width (64 px)
            covered += _pixels(widths[end]) if end < len(widths) else 64
            end += 1
        last_col = max(last_col, end - 1)
    ws.print_area(0, 0, last_row, last_col)


def set_widths(ws: StreamSheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths):
        ws.set_column(index, index, width)


SCORE_SCALE = {
    "type": "3_color_scale",
    "min_type": "num",
    "min_value": 50,
    "min_color": "#F8696B",
    "mid_type": "num",
    "mid_value": 80,
    "mid_color": "#FFEB84",
    "max_type": "num",
    "max_value": 100,
    "max_color": "#63BE7B",
}
"""Scores from red (50 and below) through yellow (80) to green (100)."""


def summary_chart(book: Book, ws: StreamSheet, rows: list[list[Any]], at: int) -> tuple[int, int, int, int]:
    """The latest score of each site as bars, first site on top, below the table (both print on one page)."""
    chart = book.wb.add_chart({"type": "bar"})
    last = len(rows)
    score = SUMMARY_KEYS.index("score")
    chart.add_series(
        {
            "name": book.words["score"],
            "categories": [ws.name, 1, 0, last, 0],
            "values": [ws.name, 1, score, last, score],
            # Constant-memory sheets keep no cells to read back: the charts' cached values are given.
            "categories_data": [r[0] for r in rows],
            "values_data": [r[score] for r in rows],
            "fill": {"color": HEADER_FILL},
            "data_labels": {"value": True, "num_format": "0.00"},
        }
    )
    chart.set_title({"name": book.words["chart_latest"], "name_font": {"name": FONT, "size": 12}})
    chart.set_x_axis({"name": book.words["score"], "min": 0, "max": 100, "num_font": {"name": FONT}})
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": {"name": FONT}})
    chart.set_legend({"none": True})
    width, height = 680, max(284, 23 * last + 90)
    chart.set_size({"width": width, "height": height})
    ws.insert_chart(at, 0, chart)
    return at, 0, width, height


def trend_chart(book: Book, ws: StreamSheet, rows: list[list[Any]], column: int) -> tuple[int, int, int, int]:
    """The mean score by month as a line (no smoothing), beside the Trend table from ``column`` on."""
    from .xlsx_stream import excel_serial

    line = book.wb.add_chart({"type": "line"})
    line.add_series(
        {
            "name": book.words["mean_score"],
            "categories": [ws.name, 1, 0, len(rows), 0],
            "values": [ws.name, 1, 1, len(rows), 1],
            "categories_data": [excel_serial(r[0]) for r in rows],
            "values_data": [r[1] for r in rows],
            "smooth": False,  # a smoothed curve would show scores between months that nobody measured
            "marker": {"type": "circle", "size": 6},
            "line": {"color": HEADER_FILL},
            "data_labels": {"value": True, "num_format": "0.00", "position": "above"},
        }
    )
    line.set_title({"name": book.words["chart_trend"], "name_font": {"name": FONT, "size": 12}})
    line.set_x_axis(
        {
            "date_axis": True,
            "num_format": "yyyy-mm",
            "major_unit": 1,
            "major_unit_type": "months",
            "num_font": {"name": FONT},
        }
    )
    line.set_y_axis({"name": book.words["mean_score"], "min": 0, "max": 100, "num_font": {"name": FONT}})
    line.set_legend({"none": True})
    line.set_size({"width": 680, "height": 320})
    ws.insert_chart(1, column, line)
    return 1, column, 680, 320
