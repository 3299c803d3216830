"""Generic renderers for rows of follow-up results: terminal table, CSV and a simple workbook."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from .results import UNSAFE_START, csv_text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"  # one column, one format: 0.50 beside 0.75 and 12.00
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def rows_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str | None = None) -> str:
    """A readable table (coloured only on a terminal)."""
    import os
    import sys

    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_edge=False, header_style="bold", title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=sys.stdout.isatty() and not os.environ.get("NO_COLOR"), width=140, highlight=False
    )
    console.print(table)
    return buffer.getvalue()


def rows_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """CSV with a header row; text that a spreadsheet would run as a formula is neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


def _csv_cell(value: Any) -> str:
    # Numbers stay numbers (a negative change is not a formula); text is neutralised.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return str(csv_text(_cell(value)))


def rows_json(payload: dict[str, Any]) -> str:
    """The payload as one JSON object."""
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


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
