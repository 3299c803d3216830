"""Rows of follow-up results for other programs: CSV and JSON (written as their rows come) and a simple
workbook; text a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .cells import UNSAFE_START, Lines, csv_text


def _cell(value: Any) -> str:
    """A value as CSV and workbook cells show it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"  # one column, one format: 0.50 beside 0.75 and 12.00
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def rows_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """CSV with a header row; text that a spreadsheet would run as a formula is neutralised."""
    return "".join(csv_lines(rows, columns))


def csv_lines(
    rows: Iterable[dict[str, Any]] | WrittenRows, columns: Sequence[str], *, batch: int = 500
) -> Iterator[str]:
    """:func:`rows_csv` in pieces of up to ``batch`` lines, each given as soon as its rows are read (rows
    already written by a :class:`CsvRow` as they are)."""
    lines: list[str] = []
    csv.writer(Lines(lines), lineterminator="\n").writerow(columns)
    for line in rows.texts if isinstance(rows, WrittenRows) else map(CsvRow(columns), rows):
        lines.append(line)
        if len(lines) >= batch:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


class CsvRow:
    """Writes a row as its line of :func:`csv_lines` (called with the row)."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = columns
        self._lines: list[str] = []
        self._writer = csv.writer(Lines(self._lines), lineterminator="\n")

    def __call__(self, row: dict[str, Any]) -> str:
        self._writer.writerow([_csv_cell(row.get(c)) for c in self.columns])
        return self._lines.pop()


def _csv_cell(value: Any) -> str:
    # Numbers stay numbers (a negative change is not a formula); text is neutralised.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return str(csv_text(_cell(value)))


def rows_json(payload: dict[str, Any]) -> str:
    """The payload as one JSON object: ``json.dumps(payload, ensure_ascii=False, indent=1)`` and a line break."""
    return _nested(payload, 0) + "\n"


def json_chunks(fields: Sequence[tuple[str, Any]]) -> Iterator[str]:
    """:func:`rows_json` of ``dict(fields)`` in pieces, written as the values come.

    A value that is an iterator is written element by element as it yields
    them, and a callable value is called when its turn comes, so a list of rows
    can be written while later fields are still being worked out from it. The
    text is exactly :func:`rows_json`'s.
    """
    if not fields:
        yield "{}\n"
        return
    for n, (key, value) in enumerate(fields):
        yield ("{" if n == 0 else ",") + "\n " + json.dumps(key, ensure_ascii=False) + ": "
        if callable(value):
            value = value()
        if isinstance(value, (Iterator, WrittenRows)):
            texts = value.texts if isinstance(value, WrittenRows) else map(row_text, value)
            first = True
            for text in texts:
                yield ("[" if first else ",") + "\n  " + text
                first = False
            yield "[]" if first else "\n ]"
        else:
            yield _nested(value, 1)
    yield "\n}\n"


def row_text(row: Any) -> str:
    """One element of a list field as :func:`json_chunks` writes it."""
    return _nested(row, 2)


class WrittenRows:
    """Rows already written, given as they come (say by the worker processes that worked them out):
    :func:`json_chunks` writes a list field's elements written by :func:`row_text` as they are, and
    :func:`csv_lines` lines written by a :class:`CsvRow`."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = texts


def _nested(value: Any, depth: int) -> str:
    """``value`` as :func:`rows_json` writes it ``depth`` levels down."""
    out: list[str] = []
    try:
        _indented(value, "\n" + " " * depth, out)
    except _Unusual:
        # JSON text holds no raw line break: every one is the indentation's.
        return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * depth)
    return "".join(out)


class _Unusual(Exception):
    """A value :func:`_indented` leaves to the json module (a key that is not text, an unknown type)."""


_encode_text = json.encoder.encode_basestring
_FLOAT_SPECIAL = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _indented(value: Any, newline: str, out: list[str]) -> None:
    """Append the text of ``json.dumps(value, ensure_ascii=False, indent=1)``, each line break followed
    by ``newline``'s indentation: the json module's indenting encoder is written in Python and
    yields token by token, which made the follow-up outputs' JSON slower than working them out."""
    kind = type(value)
    if kind is str:
        out.append(_encode_text(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float:
        text = float.__repr__(value)
        out.append(_FLOAT_SPECIAL.get(text, text))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + " "
        lead = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            named = lead + _encode_text(key) + ": "
            # The everyday values written in place (a call each made rows of short fields slow).
            kind = type(item)
            if kind is str:
                out.append(named + _encode_text(item))
            elif item is None:
                out.append(named + "null")
            elif kind is bool:
                out.append(named + ("true" if item else "false"))
            elif kind is int:
                out.append(named + int.__repr__(item))
            elif kind is float:
                text = float.__repr__(item)
                out.append(named + _FLOAT_SPECIAL.get(text, text))
            else:
                out.append(named)
                _indented(item, inner, out)
            lead = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + " "
        lead = "[" + inner
        for item in value:
            out.append(lead)
            _indented(item, inner, out)
            lead = "," + inner
        out.append(newline + "]")
    else:
        raise _Unusual


def rows_xlsx(rows: Sequence[dict[str, Any]], columns: Sequence[str], sheet: str) -> bytes:
    """A one-sheet workbook with an Excel table, frozen header and fitted widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.table import Table, TableStyleInfo

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, (list, tuple)):
                value = ", ".join(map(str, value))
            values.append(value)
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(UNSAFE_START):
                cell.data_type = "s"
                cell.quotePrefix = True
    if rows:
        from openpyxl.utils import get_column_letter

        ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
        table = Table(displayName=sheet.replace(" ", "_"), ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    for index, column in enumerate(columns, start=1):
        from openpyxl.utils import get_column_letter

        width = max([len(column)] + [len(_cell(r.get(column))) for r in rows[:500]])
        ws.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
