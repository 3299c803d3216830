"""Renderers of score runs: ``table``, ``json`` (contract §4) and ``csv``."""

from __future__ import annotations

import csv
import io
import json
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
    """One row per audit; one column per section (``section:<id>``) across every standard."""
    section_ids: list[str] = []
    for result in run.results:
        for section in result.sections:
            if section.id not in section_ids:
                section_ids.append(section.id)
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
        + [f"section:{sid}" for sid in section_ids]
    )
    for r in run.results:
        scores = {s.id: s.score for s in r.sections}
        writer.writerow(
            [safe_cell(v) for v in (r.id, r.file, r.site)]
            + [r.date.isoformat(), safe_cell(r.inspector), r.standard, r.standard_version]
            + [f"{r.score:.2f}", f"{r.raw_score:.2f}", f"{r.coverage:.4f}", r.grade, "true" if r.passed else "false"]
            + [";".join(r.critical_failures)]
            + ["" if scores.get(sid) is None else f"{scores[sid]:.2f}" for sid in section_ids]
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
