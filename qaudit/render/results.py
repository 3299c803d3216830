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


def _passed_text(passed: bool | None) -> str:
    return "" if passed is None else "true" if passed else "false"


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
            + [f"{r.score:.2f}", f"{r.raw_score:.2f}", f"{r.coverage:.4f}", r.grade, _passed_text(r.passed)]
            + [";".join(r.critical_failures)]
            + ["" if scores.get(key) is None else f"{scores[key]:.2f}" for key in keys]
        )
    return out.getvalue()


SCORE_COLUMNS = ["site", "date", "subject", "standard", "id", "inspector", "score", "grade", "result", "coverage",
                 "critical_failures"]


def _score_row(r: AuditResult) -> dict[str, Any]:
    return {
        "site": r.site,
        "date": r.date.isoformat(),
        "subject": r.subject,
        "standard": r.standard_label,
        "id": r.id,
        "inspector": r.inspector,
        "score": r.score,
        "grade": r.grade,
        "result": "—" if r.passed is None else "pass" if r.passed else "FAIL",
        "coverage": r.coverage,
        "critical_failures": ", ".join(r.critical_failures),
    }


def _score_style(row: dict[str, Any], key: str) -> str | None:
    if key == "result":
        return {"pass": "green", "FAIL": "red"}.get(row["result"])
    if key == "critical_failures":
        return "red"
    if key == "coverage" and row["coverage"] < 1:
        return "yellow"
    return None


def render_table(run: ScoreRun) -> str:
    """A table for the terminal, fitted to its width (coloured only on a terminal), with a summary line."""
    from .tables import Column, render_rows

    rows = [_score_row(r) for r in run.results]
    passed = sum(1 for r in rows if r["result"] == "pass")
    failed = sum(1 for r in rows if r["result"] == "FAIL")
    invalid = len({p.file for p in run.problems})
    summary = (
        f"{len(rows)} audit{'s' if len(rows) != 1 else ''} scored: {passed} passed, {failed} failed"
        + (f", {len(rows) - passed - failed} with no pass mark" if len(rows) - passed - failed else "")
        + f"; {invalid} invalid"
        + (" (see the errors below)" if invalid else "")
    )
    keys = [k for k in SCORE_COLUMNS if k != "subject" or any(r["subject"] for r in rows)]
    if not rows:
        return summary + "\n"
    columns = {"score": Column("Score", "score", priority=1), "standard": Column("Standard", priority=4, width=30)}
    return "".join(render_rows(rows, keys, summary=summary, style=_score_style, columns=columns))


RESULT_RENDERERS: dict[str, Callable[[ScoreRun], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
}
