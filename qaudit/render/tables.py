"""Generic renderers for rows of follow-up results: terminal table, CSV and a simple workbook."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .results import UNSAFE_START, csv_text


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


Kind = Literal["text", "score", "change", "share", "count", "date", "flag", "slope"]


@dataclass(frozen=True)
class Column:
    """How one field of a row is shown in a terminal table."""

    header: str
    kind: Kind = "text"
    priority: int = 2
    """1: never left out; higher numbers are left out first when the terminal is narrow."""
    width: int = 24
    """The most a text column takes before its text is cut with an ellipsis."""


_RIGHT = frozenset(("score", "change", "share", "count", "slope"))

COLUMNS: dict[str, Column] = {
    "site": Column("Site", priority=1, width=14),
    "site_name": Column("Site name", priority=6, width=28),
    "name": Column("Site name", priority=6, width=28),
    "region": Column("Region", priority=5, width=14),
    "standard": Column("Standard", priority=3, width=26),
    "standard_version": Column("Ver.", "count", priority=6),
    "item": Column("Item", priority=1, width=26),
    "text": Column("Question", priority=7, width=40),
    "section": Column("Section", priority=2, width=22),
    "subject": Column("Subject", priority=2, width=12),
    "instance": Column("Instance", priority=2, width=10),
    "score": Column("Item score", "share", priority=2),
    "critical": Column("Critical", "flag", priority=3),
    "due": Column("Due", "date", priority=1),
    "overdue": Column("Overdue", "flag", priority=2),
    "owner": Column("Owner", priority=5, width=20),
    "comment": Column("Comment", priority=6, width=36),
    "audit": Column("Audit", priority=7, width=26),
    "audits": Column("Audits", "count", priority=3),
    "visits": Column("Visits", "count", priority=4),
    "date": Column("Date", "date", priority=2),
    "first": Column("First", "date", priority=6),
    "last": Column("Last", "date", priority=2),
    "latest_score": Column("Latest", "score", priority=1),
    "change": Column("Change", "change", priority=2),
    "change_last_n": Column("Change (last 3)", "change", priority=5),
    "slope": Column("Per 30 days", "slope", priority=3),
    "enough_audits": Column("Enough data", "flag", priority=7),
    "mean_latest_score": Column("Mean latest", "score", priority=1),
    "mean_slope": Column("Mean per 30 days", "slope", priority=2),
    "failed": Column("Failed", "count", priority=3),
    "partial": Column("Partial", "count", priority=4),
    "failure_rate": Column("Failure rate", "share", priority=1),
    "inspectors": Column("Inspectors", priority=1, width=30),
    "inspector": Column("Inspector", priority=1, width=24),
    "items": Column("Items", "count", priority=4),
    "pairs": Column("Pairs", "count", priority=3),
    "agreement": Column("Agreement", "share", priority=1),
    "kappa": Column("Kappa", "slope", priority=2),
    "mean_difference": Column("Mean difference", "change", priority=1),
    "from_version": Column("From", "count", priority=4),
    "to_version": Column("To", "count", priority=4),
    "old_score": Column("Old score", "score", priority=1),
    "new_score": Column("New score", "score", priority=1),
    "not_carried_over": Column("Not carried over", priority=6, width=30),
    "unanswered": Column("Unanswered", priority=6, width=30),
    "status": Column("Status", priority=2, width=12),
    "reason": Column("Reason", priority=4, width=40),
    "inspector_a": Column("Inspector A", priority=1, width=20),
    "inspector_b": Column("Inspector B", priority=1, width=20),
    "grade": Column("Grade", priority=2, width=5),
    "result": Column("Result", priority=1, width=7),
    "coverage": Column("Coverage", "share", priority=4),
    "critical_failures": Column("Critical failures", priority=5, width=30),
    "id": Column("Audit", priority=4, width=26),
}


def column(key: str) -> Column:
    """The column of a row field: its human header, kind and priority."""
    found = COLUMNS.get(key)
    return found if found is not None else Column(key.replace("_", " ").capitalize())


def shown(value: Any, kind: Kind) -> str:
    """A value as a terminal table shows it (the one number policy of :mod:`qaudit.render.numbers`)."""
    from .numbers import change_text, percent_text, score_text

    if value is None:
        return "—" if kind in _RIGHT else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "score" and isinstance(value, (int, float)):
        return score_text(value)
    if kind == "change" and isinstance(value, (int, float)):
        return change_text(value)
    if kind == "share" and isinstance(value, (int, float)):
        return percent_text(value)
    if kind == "slope" and isinstance(value, (int, float)):
        return change_text(value)
    if isinstance(value, float):
        return score_text(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v, "text") for v in value)
    return str(value)


def terminal_width() -> int:
    """The width to lay tables out for: ``COLUMNS`` when set, else the terminal's, else 160 (piped)."""
    import os
    import sys

    given = os.environ.get("COLUMNS", "")
    if given.isdigit() and int(given) >= 20:
        return int(given)
    if sys.stdout.isatty():
        try:
            return max(20, os.get_terminal_size(sys.stdout.fileno()).columns)
        except OSError:
            pass
    return 160


def colour_enabled() -> bool:
    """Colour only on a terminal, and never under NO_COLOR."""
    import os
    import sys

    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


_STYLES = {"red": "\x1b[1;31m", "green": "\x1b[32m", "yellow": "\x1b[33m", "bold": "\x1b[1m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"

Style = Callable[[dict[str, Any], str], str | None]
"""(row, column key) → the colour of that cell (red, green, yellow, bold, dim), or None."""


def _fit(text: str, width: int) -> str:
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…"


def _pad(text: str, width: int, right: bool) -> str:
    from rich.cells import cell_len

    gap = " " * max(0, width - cell_len(text))
    return gap + text if right else text + gap


def layout(
    rows: Sequence[dict[str, Any]], keys: Sequence[str], width: int, specs: dict[str, Column]
) -> tuple[list[str], list[int], list[str]]:
    """The columns that fit ``width`` (most important first kept), their widths, and the keys left out."""
    from rich.cells import cell_len

    natural: dict[str, int] = {}
    for key in keys:
        spec = specs[key]
        widest = max([cell_len(shown(r.get(key), spec.kind)) for r in rows] or [0])
        limit = spec.width if spec.kind == "text" else 40
        natural[key] = max(min(cell_len(spec.header), limit), min(widest, limit), 1)
    kept = list(keys)
    left_out: list[str] = []

    def total(chosen: list[str]) -> int:
        return sum(natural[k] for k in chosen) + 2 * (len(chosen) - 1)

    while total(kept) > width:
        droppable = [k for k in kept if specs[k].priority > 1]
        if not droppable:
            break
        victim = max(droppable, key=lambda k: (specs[k].priority, kept.index(k)))
        kept.remove(victim)
        left_out.append(victim)
    # A narrow column left out while a wide one was still in may fit now.
    for key in sorted(left_out, key=lambda k: specs[k].priority):
        trial = [k for k in keys if k in kept or k == key]
        if total(trial) <= width:
            kept = trial
            left_out.remove(key)
    widths = [natural[k] for k in kept]
    # Still too wide: text columns give up width, the widest first, down to 6 cells each.
    while sum(widths) + 2 * (len(widths) - 1) > width:
        candidates = [i for i, k in enumerate(kept) if specs[k].kind == "text" and widths[i] > 6]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
    return kept, widths, left_out


def render_rows(
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    *,
    title: str | None = None,
    summary: str | None = None,
    style: Style | None = None,
    width: int | None = None,
    colour: bool | None = None,
    columns: dict[str, Column] | None = None,
) -> Iterator[str]:
    """A terminal table, line by line: fitted to ``width``, numbers right-aligned, text cut rather than wrapped.

    Columns that do not fit are left out, the least important first, and the
    summary line under the table names them.
    """
    width = terminal_width() if width is None else width
    colour = colour_enabled() if colour is None else colour
    given = {k: (columns or {}).get(k) or column(k) for k in keys}
    kept, widths, left_out = layout(rows, keys, width, given)
    specs = [given[k] for k in kept]
    right = [spec.kind in _RIGHT for spec in specs]

    def paint(text: str, name: str | None) -> str:
        return f"{_STYLES[name]}{text}{_RESET}" if colour and name else text

    if title:
        yield paint(_fit(title, width), "bold") + "\n"
    header = "  ".join(_pad(_fit(spec.header, w), w, r) for spec, w, r in zip(specs, widths, right, strict=True))
    yield paint(header.rstrip(), "bold") + "\n"
    yield "  ".join("-" * w for w in widths) + "\n"
    for row in rows:
        cells = []
        for key, spec, w, r in zip(kept, specs, widths, right, strict=True):
            cell = _pad(_fit(shown(row.get(key), spec.kind), w), w, r)
            cells.append(paint(cell, style(row, key) if style else None))
        yield "  ".join(cells).rstrip() + "\n"
    notes = [summary] if summary else []
    if left_out:
        names = ", ".join(given[k].header.lower() for k in left_out)
        notes.append(f"not shown at {width} columns: {names} (widen the terminal, or use --format csv)")
    for note in notes:
        for line in _wrap(note, width):
            yield paint(line, "dim") + "\n"


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def rows_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    title: str | None = None,
    *,
    summary: str | None = None,
    style: Style | None = None,
) -> str:
    """A table for the terminal, fitted to its width (coloured only on a terminal)."""
    if not rows:
        lines = [title + "\n"] if title else []
        return "".join(lines) + "(none)\n" + (summary + "\n" if summary else "")
    return "".join(render_rows(rows, columns, title=title, summary=summary, style=style))


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
