"""Worksheet rows streamed by the export itself: the one way the export writes a cell.

XlsxWriter lays out the workbook: styles, tables, charts, conditional formats,
print setup, defined names. In its constant-memory mode it also writes every
row to a temporary file as soon as the next row starts, but spends some 5 µs of
generic code per cell (type dispatch, a cell tuple, attribute lists, two
regular expressions), which made a 400,000-row export no faster than openpyxl.
The export's rows are of a few known kinds, so :class:`StreamSheet` serialises
each whole row here, exactly as XlsxWriter would (inline strings, the same
escapes, the same date serials), into that same temporary file.

What this relies on in XlsxWriter 3 (pinned in ``constraints.txt``; the tests
compare this writer's cells with XlsxWriter's own on generated values): in
constant-memory mode ``fh`` is the row file until the workbook is assembled,
``previous_row`` is the row XlsxWriter would flush next, the ``dim_*`` fields
give the sheet's dimension, and ``Format._get_xf_index()`` numbers a format.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name, xl_range
from xlsxwriter.worksheet import Worksheet

from .cells import UNSAFE_START

_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_EPOCH = dt.date(1899, 12, 31)
_MIDNIGHT = dt.time()
MAX_TEXT = 32767
"""Excel's limit on a cell's text, in UTF-16 units."""


def text_xml(text: str) -> str:
    """The ``<is>`` element of an inline string, escaped as XlsxWriter escapes it (``_xHHHH_`` for controls)."""
    if len(text) > MAX_TEXT // 2 and len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
        text = _truncate(text)
    if _NEEDS_ESCAPE.search(text):
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _EDGE_SPACE.search(text):
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def _truncate(text: str) -> str:
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > MAX_TEXT:
            return text[:index]
    return text


def excel_serial(value: dt.date | dt.datetime) -> float | int:
    """The day number Excel stores for a date (1900 system, with its 1900 leap-year day)."""
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime.combine(_EPOCH, _MIDNIGHT, tzinfo=value.tzinfo)
        serial: float | int = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    else:
        serial = (value - _EPOCH).days
    return serial + 1 if serial > 59 else serial


class RowStyle:
    """The styles of one kind of row, one per column, with what their cells share worked out once.

    Make one per kind of row and give it to every :meth:`StreamSheet.put` of
    that kind: each column's style attribute is written once, and short texts
    (ids, names, item texts, yes and no) are escaped once per column.
    """

    MEMO = 20_000
    """Texts remembered per column (the repeated ones come first; comments rarely repeat)."""

    def __init__(self, styles: Sequence[Format | None] = ()) -> None:
        self.styles = list(styles)
        self.opens: list[str] = []
        """Per column: what a number cell holds between its reference and its value."""
        self.texts: list[dict[str, str]] = []
        """Per column: text → the rest of its cell after the reference."""

    def widen(self, columns: int) -> None:
        """Work out the columns up to ``columns``."""
        for col in range(len(self.opens), columns):
            style = self.styles[col] if col < len(self.styles) else None
            self.opens.append(f'"{_style_attr(style)}><v>')
            self.texts.append({})

    def text(self, col: int, text: str, quote: Callable[[Format | None], Format]) -> str:
        """The rest of a text cell after its reference; text starting like a formula gets the quote-prefixed style."""
        style = self.styles[col] if col < len(self.styles) else None
        if text.startswith(UNSAFE_START):
            return f'"{_style_attr(quote(style))} t="inlineStr">{text_xml(text)}</c>'
        tail = f'"{_style_attr(style)} t="inlineStr">{text_xml(text)}</c>'
        memo = self.texts[col]
        if len(text) < 200 and len(memo) < self.MEMO:
            memo[text] = tail
        return tail


def _style_attr(style: Format | None) -> str:
    return "" if style is None else f' s="{style._get_xf_index()}"'


class StreamSheet(Worksheet):
    """A worksheet written row by row, in order, by :meth:`put` (the workbook in constant-memory mode).

    Text that a spreadsheet would run as a formula is stored as text and given a
    quote-prefixed style (``'=…``), so that editing the cell keeps it text.
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows = 0
        """Rows written so far (empty rows included)."""
        self.quote_style: Callable[[Format | None], Format] = _no_quote_style
        """A style's twin with the quote prefix (set by whoever owns the workbook's styles)."""
        self._quoted: dict[Format | None, Format] = {}
        self._opens: list[str] = []
        self._buffer: list[str] = []
        self._started = False
        self._plain = RowStyle()

    def _quote(self, style: Format | None) -> Format:
        twin = self._quoted.get(style)
        if twin is None:
            twin = self._quoted[style] = self.quote_style(style)
        return twin

    def put(
        self, values: Sequence[Any], style: RowStyle | Sequence[Format | None] | None = None, *, height: float = 0
    ) -> int:
        """Write ``values`` as the next row from column A (None: an empty cell); return its row number (1-based).

        ``style`` gives each column's format (a :class:`RowStyle` for rows written
        often); a date needs a date format to show as one. ``height``: the row's
        height in points (0: the default).
        """
        if style is None:
            style = self._plain
        elif not isinstance(style, RowStyle):
            style = RowStyle(style)
        row = self.rows
        self.rows = number = row + 1
        ref = str(number)
        columns = len(values)
        if len(style.opens) < columns:
            style.widen(columns)
        opens = self._opens
        if len(opens) < columns:
            opens += [f'<c r="{xl_col_to_name(c)}' for c in range(len(opens), columns)]
        numbers, texts = style.opens, style.texts
        parts = self._buffer
        parts.append(f'<row r="{ref}" ht="{height}" customHeight="1">' if height else f'<row r="{ref}">')
        last = -1
        for col, value in enumerate(values):
            if value is None:
                continue
            last = col
            cls = value.__class__
            if cls is str:
                tail = texts[col].get(value)
                if tail is None:
                    tail = style.text(col, value, self._quote)
                parts.append(opens[col] + ref + tail)
            elif cls is float or cls is int:
                parts.append(f"{opens[col]}{ref}{numbers[col]}{value!r}</v></c>")
            elif isinstance(value, dt.date):
                parts.append(f"{opens[col]}{ref}{numbers[col]}{excel_serial(value)!r}</v></c>")
            elif cls is bool:
                parts.append(f'{opens[col]}{ref}{numbers[col][:-4]} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, str):
                parts.append(opens[col] + ref + style.text(col, str(value), self._quote))
            elif isinstance(value, (int, float)) and math.isfinite(value):
                parts.append(f"{opens[col]}{ref}{numbers[col]}{float(value)!r}</v></c>")
            else:
                raise TypeError(f"cannot write {value!r} to a cell")
        if last < 0 and not height:
            parts.pop()  # an empty row: nothing to write
            return number
        parts.append("</row>")
        if len(parts) > 4096:
            self._flush()
        if not self._started:
            self._started = True
            self.dim_rowmin, self.dim_colmin, self.dim_colmax = row, 0, 0
        self.dim_rowmax = row
        if last > self.dim_colmax:
            self.dim_colmax = last
        self.previous_row = number  # XlsxWriter holds no row of its own to write
        return number

    def _flush(self) -> None:
        self.fh.write("".join(self._buffer))
        self._buffer.clear()

    def _write_single_row(self, current_row_num: int = 0) -> None:
        # XlsxWriter calls this to write its pending row, last of all before it assembles the sheet.
        if self._buffer:
            self._flush()
        super()._write_single_row(current_row_num)

    def add_table(
        self, first_row: int, first_col: int, last_row: int, last_col: int, options: dict[str, Any] | None = None
    ) -> int:
        """An Excel table over rows already written, whose first row holds the column names.

        XlsxWriter refuses tables in constant-memory mode only because it would
        write the header cells itself (they are written already), and it records
        every cell of the range (millions, for a long sheet): it is given the
        header and one row, then the table is widened to the rows written.
        """
        self._write_string = _nothing
        self.constant_memory = False
        try:
            done: int = super().add_table(first_row, first_col, first_row + 1, last_col, options)
        finally:
            self.constant_memory = True
            del self._write_string
            self.table_cells.clear()
        if done == 0:
            table = self.tables[-1]
            table["range"] = table["a_range"] = xl_range(first_row, first_col, last_row, last_col)
            if table.get("autofilter"):
                table["autofilter"] = table["range"]
        return done


def _nothing(*args: Any, **kwargs: Any) -> int:
    return 0


def _no_quote_style(style: Format | None) -> Format:
    raise RuntimeError("StreamSheet.quote_style is not set")
