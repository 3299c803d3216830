"""The export's row writer against XlsxWriter's own cell writing, on generated values."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from qaudit.render.cells import UNSAFE_START
from qaudit.render.xlsx_stream import RowStyle, StreamSheet, excel_serial, text_xml

TEXT = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
    | st.sampled_from(["_x0041_", "\r", "\t", "\n", " ", "=", "@", "<&>", "\x01", "\ufffe"]),
    max_size=5,
).map("".join)
VALUE = (
    st.none()
    | TEXT
    | st.integers(0, 10**6)  # in a date column too, a valid day number
    | st.floats(-1, 1e6, allow_nan=False).map(lambda x: abs(round(x, 4)))
    | st.dates(dt.date(1900, 3, 1), dt.date(2100, 12, 31))
)
FORMATS = [None, "0.00", "0.0%", "yyyy-mm-dd", "yyyy-mm"]


def write(rows: list[list[Any]], formats: list[str | None], *, ours: bool) -> bytes:
    """The rows in a workbook: by :class:`StreamSheet`, or by XlsxWriter's own ``write_*`` methods."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    styles = [wb.add_format({"num_format": f}) if f else None for f in formats]
    quoted = [wb.add_format({"num_format": f or "General", "quote_prefix": True}) for f in formats]
    if ours:
        ws = wb.add_worksheet("Sheet", worksheet_class=StreamSheet)
        ws.quote_style = lambda style: quoted[styles.index(style)]
        kind = RowStyle(styles)
        for row in rows:
            ws.put(row, kind)
    else:
        ws = wb.add_worksheet("Sheet")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value, quoted[c] if value.startswith(UNSAFE_START) else styles[c])
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, styles[c])
                else:
                    ws.write_number(r, c, value, styles[c])
    wb.close()
    return out.getvalue()


def cells(data: bytes) -> list[list[tuple[Any, ...]]]:
    ws = load_workbook(io.BytesIO(data))["Sheet"]
    return [
        [(c.value, c.data_type, c.number_format, bool(c.quotePrefix), c.font.name) for c in row]
        for row in ws.iter_rows()
    ]


@settings(max_examples=40, deadline=None)
@given(
    formats=st.lists(st.sampled_from(FORMATS), min_size=4, max_size=4),
    rows=st.lists(st.lists(VALUE, min_size=1, max_size=4), min_size=1, max_size=6),
)
def test_rows_read_back_as_xlsxwriter_writes_them(formats: list[str | None], rows: list[list[Any]]) -> None:
    # Text cells need no format; a date needs a date format to be read back as a date.
    formats = ["yyyy-mm-dd" if any(isinstance(r[c], dt.date) for r in rows if c < len(r)) else f
               for c, f in enumerate(formats)]  # fmt: skip
    assert cells(write(rows, formats, ours=True)) == cells(write(rows, formats, ours=False))


def test_escapes_follow_excel() -> None:
    assert text_xml("a < b & c") == "<is><t>a &lt; b &amp; c</t></is>"
    assert text_xml("\x01\r_x0041_") == "<is><t>_x0001__x000D__x005F_x0041_</t></is>"
    assert text_xml(" padded ") == '<is><t xml:space="preserve"> padded </t></is>'
    assert len(text_xml("x" * 40000)) == len("<is><t></t></is>") + 32767  # Excel's limit on a cell's text
    assert excel_serial(dt.date(2026, 1, 1)) == 46023 and excel_serial(dt.date(1900, 1, 1)) == 1


def test_a_table_over_streamed_rows_spans_them_all() -> None:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet("Sheet", worksheet_class=StreamSheet)
    ws.put(["id", "score"])
    for n in range(1000):
        ws.put([f"a{n}", n / 10])
    assert ws.add_table(0, 0, ws.rows - 1, 1, {"name": "T", "columns": [{"header": "id"}, {"header": "score"}]}) == 0
    assert not ws.table_cells  # no record of every cell of the range
    wb.close()
    sheet = load_workbook(io.BytesIO(out.getvalue()))["Sheet"]
    assert sheet.tables["T"].ref == "A1:B1001" and sheet.tables["T"].autoFilter.ref == "A1:B1001"
    assert sheet["A1001"].value == "a999" and sheet["B1001"].value == 99.9
