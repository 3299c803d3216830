"""Rows of follow-up results as a terminal table: columns fitted to the width, numbers right-aligned, text cut."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich.cells import cell_len, set_cell_size

from .numbers import change_text, percent_text, score_text

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
    "critical": Column("Critical", "flag", priority=1),
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
    "kappa": Column("Kappa", "score", priority=2),
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


def _shower(kind: Kind) -> Callable[[Any], str]:
    """:func:`shown` for one column, remembering the texts of the numbers it has shown (they repeat)."""
    memo: dict[tuple[type, Any], str] = {}

    def show(value: Any) -> str:
        if type(value) is str:
            return value
        try:
            return memo[(type(value), value)]
        except KeyError:
            text = shown(value, kind)
            if len(memo) > 50_000:
                memo.clear()  # ids and the like: no point in remembering them all
            memo[(type(value), value)] = text
            return text
        except TypeError:  # a list
            return shown(value, kind)

    return show


def _width(text: str) -> int:
    """Terminal cells of ``text`` (most texts are plain ASCII: one cell a character)."""
    return len(text) if text.isascii() and text.isprintable() else cell_len(text)


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
    if _width(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…"


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _fitted(text: str, width: int, right: bool) -> str:
    """``_pad(_fit(text, width), width, right)``, measuring the text once."""
    cells = _width(text)
    if cells > width:
        text = set_cell_size(text, width - 1) + "…"
        cells = _width(text)
    gap = " " * max(0, width - cells)
    return gap + text if right else text + gap


Rows = Sequence[dict[str, Any]] | Callable[[], Iterable[dict[str, Any]]]
"""Rows of a table: a sequence, or a function that gives them afresh each time it is called
(a table too long to hold is read twice: once for its widths, once to be written)."""


def _each(rows: Rows) -> Iterable[dict[str, Any]]:
    return rows() if callable(rows) else rows


def layout(
    rows: Rows, keys: Sequence[str], width: int, specs: dict[str, Column]
) -> tuple[list[str], list[int], list[str]]:
    """The columns that fit ``width`` (most important first kept), their widths, and the keys left out."""
    return fit(measure(_each(rows), keys, specs), keys, width, specs)


class Measure:
    """The widest cell of each column, taken row by row (:meth:`add`)."""

    def __init__(self, keys: Sequence[str], specs: dict[str, Column]) -> None:
        self.specs = specs
        self.widest = dict.fromkeys(keys, 0)
        self._show = [(key, _shower(specs[key].kind)) for key in keys]

    def add(self, row: dict[str, Any]) -> None:
        """Take one row's cells into account."""
        widest = self.widest
        for key, show in self._show:
            cells = _width(show(row.get(key)))
            if cells > widest[key]:
                widest[key] = cells

    def natural(self) -> dict[str, int]:
        """Each column's width before fitting: its widest cell or header, within the column's limit."""
        found = {}
        for key, widest in self.widest.items():
            spec = self.specs[key]
            limit = spec.width if spec.kind == "text" else 40
            found[key] = max(min(cell_len(spec.header), limit), min(widest, limit), 1)
        return found


def measure(rows: Iterable[dict[str, Any]], keys: Sequence[str], specs: dict[str, Column]) -> dict[str, int]:
    """:meth:`Measure.natural` of ``rows``."""
    found = Measure(keys, specs)
    for row in rows:
        found.add(row)
    return found.natural()


def fit(
    natural: dict[str, int], keys: Sequence[str], width: int, specs: dict[str, Column]
) -> tuple[list[str], list[int], list[str]]:
    """:func:`layout` from the columns' :func:`measure`."""
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
        widest_at = max(candidates, key=lambda i: widths[i])
        widths[widest_at] -= 1
    return kept, widths, left_out


def render_rows(
    rows: Rows,
    keys: Sequence[str],
    *,
    title: str | None = None,
    summary: str | Callable[[], str] | None = None,
    style: Style | None = None,
    width: int | None = None,
    colour: bool | None = None,
    columns: dict[str, Column] | None = None,
    natural: dict[str, int] | None = None,
) -> Iterator[str]:
    """A terminal table, line by line: fitted to ``width``, numbers right-aligned, text cut rather than wrapped.

    Columns that do not fit are left out, the least important first, and the
    summary line under the table names them. The widths are worked out from
    every row first, then each line is given as soon as it is formatted; with
    ``rows`` a function, no row is held (a ``summary`` function is called after
    the last row). ``natural``: the columns' :func:`measure`, when already taken.
    """
    width = terminal_width() if width is None else width
    colour = colour_enabled() if colour is None else colour
    given = {k: (columns or {}).get(k) or column(k) for k in keys}
    kept, widths, left_out = fit(natural or measure(_each(rows), keys, given), keys, width, given)
    specs = [given[k] for k in kept]
    right = [spec.kind in _RIGHT for spec in specs]
    show = [_shower(spec.kind) for spec in specs]

    def paint(text: str, name: str | None) -> str:
        return f"{_STYLES[name]}{text}{_RESET}" if colour and name else text

    if title:
        yield paint(_fit(title, width), "bold") + "\n"
    header = "  ".join(_pad(_fit(spec.header, w), w, r) for spec, w, r in zip(specs, widths, right, strict=True))
    yield paint(header.rstrip(), "bold") + "\n"
    yield "  ".join("-" * w for w in widths) + "\n"
    cells_of = list(zip(kept, show, widths, right, strict=True))
    for row in _each(rows):
        cells = []
        for key, text_of, w, r in cells_of:
            cell = _fitted(text_of(row.get(key)), w, r)
            cells.append(paint(cell, style(row, key)) if style and colour else cell)
        yield "  ".join(cells).rstrip() + "\n"
    if callable(summary):
        summary = summary()
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
