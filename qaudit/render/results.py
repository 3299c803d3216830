"""Renderers of score runs: ``table``, ``json`` (contract §4) and ``csv``."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

from ..scoring import AuditResult
from ..workspace import ScoreRun

UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (a leading ' makes it text)."""
    if isinstance(value, str) and value.startswith(UNSAFE_START):
        return "'" + value
    return value


def csv_text(value: Any) -> Any:
    """A CSV field: neutralised like :func:`safe_cell`, with its line breaks as LF.

    The csv module quotes a field holding LF but not one holding a bare CR (lines
    end with LF), and a bare CR splits the row for readers.
    """
    value = safe_cell(value)
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def result_dict(result: AuditResult) -> dict[str, Any]:
    """One audit in the JSON shape of contract §4 (with qaudit's extra fields)."""
    from ..resultset import to_dict

    return to_dict(result)


def json_chunks(run: ScoreRun) -> Iterator[bytes]:
    """``{"audits": [...], "errors": [...]}`` as UTF-8 pieces, each audit copied from its serialised form."""
    yield b'{"audits":['
    first = True
    for blob in run.results.blobs():
        yield blob if first else b"," + blob
        first = False
    errors = [
        {"file": p.file, "line": p.line, "column": p.column, "rule": p.rule, "message": p.message} for p in run.problems
    ]
    yield b'],"errors":' + json.dumps(errors, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"}\n"


def render_json(run: ScoreRun) -> str:
    """A single JSON object: ``{"audits": [...], "errors": [...]}`` (contract §4)."""
    return b"".join(json_chunks(run)).decode("utf-8")


def render_csv(run: ScoreRun) -> str:
    """One row per audit; one column per section across every standard.

    A column is ``section:<id>``; the versions of one standard share their
    columns. When two different standards have a section with the same id, each
    gets its own column, ``section:<standard>/<id>``, so that a column never
    mixes the scores of unrelated checklists.
    """
    keys: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    owners: dict[str, set[str]] = {}
    for result in run.results:
        for section in result.sections:
            key = (result.standard, section.id)
            if key not in seen:
                seen.add(key)
                keys.append(key)
                owners.setdefault(section.id, set()).add(result.standard)
    columns = [f"section:{sid}" if len(owners[sid]) == 1 else f"section:{standard}/{sid}" for standard, sid in keys]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "id",
            "file",
            "site",
            "date",
            "inspector",
            "standard",
            "standard_version",
            "score",
            "raw_score",
            "coverage",
            "grade",
            "passed",
            "critical_failures",
        ]
        + columns
    )
    for r in run.results:
        scores = {(r.standard, s.id): s.score for s in r.sections}
        writer.writerow(
            [csv_text(v) for v in (r.id, r.file, r.site)]
            + [r.date.isoformat(), csv_text(r.inspector), r.standard, r.standard_version]
            + [f"{r.score:.2f}", f"{r.raw_score:.2f}", f"{r.coverage:.4f}", r.grade, "true" if r.passed else "false"]
            + [";".join(r.critical_failures)]
            + ["" if scores.get(key) is None else f"{scores[key]:.2f}" for key in keys]
        )
    return out.getvalue()


def render_table(run: ScoreRun) -> str:
    """A readable, coloured table for the terminal (plain when piped)."""
    import os
    import sys

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=None, show_edge=False, header_style="bold")
    for name, justify in (
        ("site", "left"),
        ("date", "left"),
        ("standard", "left"),
        ("score", "right"),
        ("coverage", "right"),
        ("grade", "center"),
        ("result", "left"),
        ("critical failures", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in run.results:
        passed = Text("pass", style="green") if r.passed else Text("FAIL", style="bold red")
        shown = f"{r.score:.2f}"
        if r.score != r.raw_score:
            shown += f" (raw {r.raw_score:.2f})"
        table.add_row(
            Text(r.site),
            r.date.isoformat(),
            Text(r.standard_label),
            shown,
            # The share of the item weight answered: dimmed when the score rests on part of the checklist.
            Text(f"{math.floor(r.coverage * 100 + 1e-9)}%", style="" if r.coverage >= 1 else "yellow"),
            r.grade,
            passed,
            Text(", ".join(r.critical_failures), style="red"),
        )
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=sys.stdout.isatty() and not os.environ.get("NO_COLOR"),
        width=Console().width if sys.stdout.isatty() else 160,
        highlight=False,
    )
    if run.results:
        console.print(table)
    invalid = len({p.file for p in run.problems})
    console.print(
        f"{len(run.results)} audit{'s' if len(run.results) != 1 else ''} scored"
        + (f", {invalid} invalid (see the errors below)" if invalid else "")
    )
    return buffer.getvalue()


RESULT_RENDERERS: dict[str, Callable[[ScoreRun], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
}
