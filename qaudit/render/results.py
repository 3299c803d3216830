"""Renderers of score runs: ``table``, ``json`` (contract §4) and ``csv``."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from typing import Any

from ..run.workspace import ScoreRun
from ..scoring.scorer import AuditResult
from .cells import Lines, csv_text


def result_dict(result: AuditResult) -> dict[str, Any]:
    """One audit in the JSON shape of contract §4 (with qaudit's extra fields)."""
    from ..results.serialise import to_dict

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
    return "".join(csv_chunks(run))


def _section_keys(run: ScoreRun, each: Callable[[int], None] | None = None) -> list[tuple[str, str]]:
    """(standard, section id) of every section column, in order of first use."""
    from ..results.serialise import head_of, standard_and_version

    keys: dict[tuple[str, str], None] = {}
    labels: set[tuple[str, int]] = set()
    for blob in run.results.blobs():
        if each is not None:
            each(1)
        label = standard_and_version(blob)
        if label not in labels:
            # Every result of a standard version lists all its sections, in the standard's order.
            labels.add(label)
            for section in head_of(blob)["sections"]:
                keys.setdefault((label[0], section["id"]), None)
    return list(keys)


def csv_chunks(run: ScoreRun, *, batch: int = 500, each: Callable[[int], None] | None = None) -> Iterator[str]:
    """:func:`render_csv` in pieces of up to ``batch`` rows, each audit's row read from its result's head alone.

    ``each`` is told of every result read (twice each: for the columns, then for the rows).
    """
    from ..results.serialise import head_of

    keys = _section_keys(run, each)
    owners: dict[str, set[str]] = {}
    for standard, sid in keys:
        owners.setdefault(sid, set()).add(standard)
    columns = [f"section:{sid}" if len(owners[sid]) == 1 else f"section:{standard}/{sid}" for standard, sid in keys]
    lines: list[str] = []
    writer = csv.writer(Lines(lines), lineterminator="\n")
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
    for blob in run.results.blobs():
        r = head_of(blob)
        scores = {(r["standard"], s["id"]): s["score"] for s in r["sections"]}
        writer.writerow(
            [csv_text(v) for v in (r["id"], r["file"], r["site"])]
            + [r["date"], csv_text(r["inspector"]), r["standard"], r["standard_version"]]
            + [f"{r['score']:.2f}", f"{r['raw_score']:.2f}", f"{r['coverage']:.4f}", r["grade"]]
            + [_passed_text(r["passed"]), ";".join(r["critical_failures"])]
            + ["" if scores.get(key) is None else f"{scores[key]:.2f}" for key in keys]
        )
        if each is not None:
            each(1)
        if len(lines) >= batch:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


SCORE_COLUMNS = ["site", "date", "subject", "standard", "id", "inspector", "score", "grade", "result", "coverage",
                 "critical_failures"]


def _score_row(r: dict[str, Any]) -> dict[str, Any]:
    """A row of the score table from a result's head (its JSON object without items)."""
    passed = r["passed"]
    return {
        "site": r["site"],
        "date": r["date"],
        "subject": r["subject"],
        "standard": f"{r['standard']}@{r['standard_version']}",
        "id": r["id"],
        "inspector": r["inspector"],
        "score": r["score"],
        "grade": r["grade"],
        "result": "—" if passed is None else "pass" if passed else "FAIL",
        "coverage": r["coverage"],
        "critical_failures": ", ".join(r["critical_failures"]),
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
    return "".join(table_lines(run))


def table_lines(run: ScoreRun, each: Callable[[int], None] | None = None) -> Iterator[str]:
    """:func:`render_table` line by line, as each line is formatted.

    The results are read twice, from their heads alone: once for the columns'
    widths and the summary, once to write the rows; no row is held. ``each`` is
    told of every row written (a progress bar).
    """
    from ..results.serialise import head_of
    from .tables import Column, Measure, column, render_rows

    def rows() -> Iterator[dict[str, Any]]:
        for blob in run.results.blobs():
            yield _score_row(head_of(blob, sections=False))
            if each is not None:
                each(1)

    columns = {"score": Column("Score", "score", priority=1), "standard": Column("Standard", priority=4, width=30)}
    specs = {k: columns.get(k) or column(k) for k in SCORE_COLUMNS}
    measured = Measure(SCORE_COLUMNS, specs)
    count = passed = failed = 0
    subjects = False
    for blob in run.results.blobs():
        row = _score_row(head_of(blob, sections=False))
        if each is not None:
            each(1)
        measured.add(row)
        count += 1
        passed += row["result"] == "pass"
        failed += row["result"] == "FAIL"
        subjects = subjects or bool(row["subject"])
    invalid = len({p.file for p in run.problems})
    summary = (
        f"{count} audit{'s' if count != 1 else ''} scored: {passed} passed, {failed} failed"
        + (f", {count - passed - failed} with no pass mark" if count - passed - failed else "")
        + f"; {invalid} invalid"
        + (" (see the errors below)" if invalid else "")
    )
    if not count:
        yield summary + "\n"
        return
    keys = [k for k in SCORE_COLUMNS if k != "subject" or subjects]
    natural = {k: w for k, w in measured.natural().items() if k in keys}
    yield from render_rows(rows, keys, summary=summary, style=_score_style, columns=columns, natural=natural)


RESULT_CHUNKS: dict[str, Callable[[ScoreRun, Callable[[int], None] | None], Iterator[str]]] = {
    "table": table_lines,
    "csv": lambda run, each: csv_chunks(run, each=each),
}
"""The streamed renderers of ``score``: each given the run and a progress callback (one call per row pass)."""

RESULT_RENDERERS: dict[str, Callable[[ScoreRun], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
}
