"""Follow-up commands: ``actions``, ``trends``, ``items``, ``calibration``, ``rescore``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, Any

import typer

from ..run.progress import Step, step
from .base import app, emit, emit_chunks, fail, guarded, report_problems, score_run
from .options import (
    AuditPathsArg,
    CacheOpt,
    JobsOpt,
    SitesOpt,
    StandardsOpt,
    WaiversOpt,
    default_path,
    in_workspace,
    parse_date,
)

PathsArg = AuditPathsArg


class TableFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ActionFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def _today(value: str | None) -> Any:
    """``--today`` as a date (the current date when not given)."""
    return parse_date(value, "--today")


def _action_style(row: dict[str, Any], key: str) -> str | None:
    """Overdue and critical actions stand out in red (on a terminal)."""
    if key in ("overdue", "due") and row["overdue"]:
        return "red"
    if key == "critical" and row["critical"]:
        return "red"
    return None


def _varies(rows: list[dict[str, Any]], column: str) -> bool:
    """Whether a column is worth showing: some row has a subject or instance, or a site has two standards."""
    if column == "standard":
        return len({(r["site"], r["standard"]) for r in rows}) > len({r["site"] for r in rows})
    return any(r[column] is not None for r in rows)


@contextmanager
def _analysing(run: Any, streamed: bool, label: str = "analysing") -> Iterator[Step]:
    """The status line of a command's work on the scored audits; ``streamed`` when its output is written meanwhile."""
    with step(label, len(run.results), unit="audits", output=streamed) as bar:
        yield bar


def _later(result: Callable[[], dict[str, Any]], keys: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The fields of ``result()`` for :func:`~qaudit.render.row_files.json_chunks`, worked out when the first
    is written.

    They follow a streamed list whose rows they are computed from.
    """
    found: dict[str, Any] = {}

    def field(key: str) -> Callable[[], Any]:
        def value() -> Any:
            if not found:
                found.update(result())
            return found[key]

        return value

    return [(key, field(key)) for key in keys]


def _finish(run: Any) -> None:
    report_problems(run)
    raise typer.Exit(1 if run.problems else 0)


@app.command()
def actions(
    paths: PathsArg = None,
    format: Annotated[ActionFormat, typer.Option("--format", "-f", help="Output format.")] = ActionFormat.table,
    today: Annotated[
        str | None, typer.Option("--today", help="Date for overdue marking (default: today).", metavar="DATE")
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--out", "--output", "-o", help="File for --format xlsx (default: <reports>/actions.xlsx).", metavar="FILE"
        ),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            help="Due-date settings (qaudit/config@1; default: qaudit.yaml beside qaudit.toml, or here, if any).",
            metavar="FILE",
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="Actions to list in the table, the most urgent first.", min=1, metavar="N")
    ] = 50,
    show_all: Annotated[bool, typer.Option("--all", help="List every action in the table.")] = False,
    standards: StandardsOpt = "standards",
    sites: SitesOpt = "sites.yaml",
    waivers: WaiversOpt = "waivers.yaml",
    jobs: JobsOpt = 0,
    cache: CacheOpt = True,
) -> None:
    """Open corrective actions: the findings of each site's latest visit of each standard."""
    from ..analytics.actions import load_config, site_actions
    from ..render.row_files import csv_lines, json_chunks, rows_xlsx
    from ..render.tables import rows_table

    day = guarded(lambda: _today(today))
    due = guarded(lambda: load_config(config or in_workspace("qaudit.yaml"), required=config is not None))
    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    streamed = format in (ActionFormat.json, ActionFormat.csv)
    closed: list[dict[str, Any]] = []

    def open_actions(bar: Step) -> Iterator[dict[str, Any]]:
        # Site by site: the closed actions come after every open one, so they alone are held.
        for opened, shut in site_actions(run.results, run.library, run.sites, today=day, due=due, each=bar.advance):
            closed.extend(shut)
            yield from opened

    columns = ["site", "item", "score", "critical", "due", "overdue", "owner", "comment", "audit"]
    # Subject, instance and every audit of the visit come last: the columns before them keep their places.
    file_columns = [
        "site",
        "site_name",
        *columns[1:],
        "standard",
        "standard_version",
        "date",
        "text",
        "subject",
        "instance",
        "audits",
    ]
    with _analysing(run, streamed) as bar:
        if format is ActionFormat.json:
            emit_chunks(json_chunks([("actions", open_actions(bar)), ("closed", lambda: closed)]))
        elif format is ActionFormat.csv:
            emit_chunks(csv_lines(open_actions(bar), file_columns))
        else:
            rows = list(open_actions(bar))
    if format is ActionFormat.xlsx:
        import datetime as dt

        from ..io.staging import write_atomic

        target = output or os.path.join(default_path("reports"), "actions.xlsx")
        if os.path.isdir(target):
            fail(f"{target} is a folder; give the workbook's file name, e.g. -o {os.path.join(target, 'actions.xlsx')}")
        # Real dates in the workbook, so that a supervisor can sort and filter by them.
        dated = [{**r, "due": dt.date.fromisoformat(r["due"]), "date": dt.date.fromisoformat(r["date"])} for r in rows]
        guarded(lambda: write_atomic(target, rows_xlsx(dated, file_columns, "Actions")))
        sys.stderr.write(f"wrote {target}\n")
    elif format is ActionFormat.table:
        # A second standard, a subject or an instance gets its column only when some action has one.
        shown = columns[:2]
        shown += [c for c in ("standard", "subject", "instance") if _varies(rows, c)]
        # The most urgent first: overdue critical actions, then overdue ones, then by due date.
        urgent = sorted(rows, key=lambda r: (not (r["overdue"] and r["critical"]), not r["overdue"], r["due"]))
        overdue = sum(1 for r in rows if r["overdue"])
        critical = sum(1 for r in rows if r["critical"])
        listed = urgent if show_all else urgent[:limit]
        summary = (
            f"{len(rows)} open: {critical} critical, {overdue} overdue on {day.isoformat()}"
            + (f"; {len(closed)} closed since the previous visit" if closed else "")
            + (f"; the {len(listed)} most urgent shown (--all for every one)" if len(listed) < len(rows) else "")
        )
        emit(
            rows_table(
                listed,
                shown + columns[2:],
                title=f"{len(rows)} open corrective actions ({day.isoformat()}), the most urgent first",
                summary=summary,
                style=_action_style,
            )
        )
        if closed:  # the reasons are in the JSON; the table says which audit closed what
            extra = [c for c in ("standard", "subject", "instance") if _varies(closed, c)]
            closed_columns = ["site", "item", *extra, "status", "opened_in", "audit"]
            emit(rows_table(closed, closed_columns, title=f"{len(closed)} closed since the previous visit"))
    _finish(run)


@app.command()
def trends(
    paths: PathsArg = None,
    format: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
    last: Annotated[int, typer.Option("--last", help="Visits for the 'change over the last N' column.", min=2)] = 3,
    sections: Annotated[bool, typer.Option("--sections", help="Include section-level trends.")] = False,
    standards: StandardsOpt = "standards",
    sites: SitesOpt = "sites.yaml",
    waivers: WaiversOpt = "waivers.yaml",
    jobs: JobsOpt = 0,
    cache: CacheOpt = True,
) -> None:
    """Score trends per site and standard, visit by visit: change, change over the last N visits, slope per 30 days."""
    from ..analytics.trends import TrendSummary, trend_rows
    from ..render.row_files import csv_lines, json_chunks
    from ..render.tables import rows_table

    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    summary = TrendSummary()

    def rows(bar: Step) -> Iterator[dict[str, Any]]:
        for row in trend_rows(run.results, run.sites, last=last, sections=sections, each=bar.advance):
            yield summary.add(row)

    columns = ["site", "region", "audits", "first", "last", "latest_score", "change", "change_last_n", "slope"]
    with _analysing(run, format is not TableFormat.table) as bar:
        if format is TableFormat.json:
            emit_chunks(json_chunks([("sites", rows(bar)), *_later(summary.result, TrendSummary.KEYS)]))
        elif format is TableFormat.csv:
            # A row per site and standard: the columns scripts read by position keep their places.
            emit_chunks(csv_lines(rows(bar), [*columns, "enough_audits", "standard", "visits"]))
        else:
            # The table shows no visit series: each row is kept without it.
            held = [{k: v for k, v in row.items() if k != "series"} for row in rows(bar)]
    if format is TableFormat.table:
        found = summary.result()
        shown = ["site", "standard", *columns[1:3], "visits", *columns[3:], "enough_audits"]
        rising = sum(1 for r in held if (r.get("slope") or 0) > 0)
        falling = sum(1 for r in held if (r.get("slope") or 0) < 0)
        emit(
            rows_table(
                held,
                shown,
                title="Score trends per standard (slope: points per 30 days)",
                summary=f"{len(held)} series of a site and a standard: {rising} rising, {falling} falling, "
                f"{len(held) - rising - falling} flat or with fewer than 3 visits",
            )
        )
        emit(f"most improved: {', '.join(found['most_improved']) or '-'}\n")
        emit(f"most declined: {', '.join(found['most_declined']) or '-'}\n")
        emit(rows_table(found["regions"], ["region", "sites", "mean_latest_score", "mean_slope"], title="By region"))
        if sections:
            section_rows = [{"site": r["site"], **s} for r in held for s in r["sections"]]
            section_columns = ["site", "standard", "section", "audits", "latest_score", "change", "slope"]
            emit(rows_table(section_rows, section_columns, title="Section trends (slope: points per 30 days)"))
    _finish(run)


@app.command()
def items(
    paths: PathsArg = None,
    format: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
    top: Annotated[int, typer.Option("--top", help="Rows to show in the table.", min=1)] = 20,
    standards: StandardsOpt = "standards",
    sites: SitesOpt = "sites.yaml",
    waivers: WaiversOpt = "waivers.yaml",
    jobs: JobsOpt = 0,
    cache: CacheOpt = True,
) -> None:
    """The items failed most often, across all sites, by region and by standard."""
    from ..analytics.failed_items import failed_items
    from ..render.row_files import rows_csv, rows_json
    from ..render.tables import rows_table

    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    with _analysing(run, False) as bar:
        found = failed_items(run.results, run.library, run.sites, each=bar.advance, jobs=jobs)
    columns = ["standard", "item", "audits", "failed", "partial", "failure_rate", "text"]
    if format is TableFormat.json:
        emit(rows_json(found))
    elif format is TableFormat.csv:
        emit(rows_csv(found["items"], columns))
    else:
        listed = len(found["items"])
        emit(
            rows_table(
                found["items"][:top],
                columns,
                title="Most failed items",
                summary=f"{min(top, listed)} of {listed} items shown" + (" (--top N for more)" if listed > top else ""),
            )
        )
        shown: dict[str | None, int] = {}
        by_region = []
        for row in found["by_region"]:  # the first --top rows of each region
            shown[row["region"]] = shown.get(row["region"], 0) + 1
            if shown[row["region"]] <= top:
                by_region.append(row)
        emit(rows_table(by_region, ["region", *columns], title="Most failed items by region"))
        emit(
            rows_table(
                found["by_standard"], ["standard", "audits", "answers", "failed", "failure_rate"], title="By standard"
            )
        )
    _finish(run)


@app.command()
def calibration(
    paths: PathsArg = None,
    format: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
    standards: StandardsOpt = "standards",
    sites: SitesOpt = "sites.yaml",
    waivers: WaiversOpt = "waivers.yaml",
    jobs: JobsOpt = 0,
    cache: CacheOpt = True,
) -> None:
    """Inspector agreement on a visit's subject audited twice (Cohen's kappa) and each inspector's leniency."""
    from ..analytics.calibration import Calibration
    from ..render.row_files import csv_lines, json_chunks
    from ..render.tables import rows_table

    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    found = Calibration(run.library)
    pair_columns = [
        "site",
        "date",
        "standard",
        "standard_version",
        "subject",
        "inspectors",
        "items",
        "agreement",
        "kappa",
    ]
    with _analysing(run, format is not TableFormat.table) as bar:
        if format is TableFormat.json:
            pairs = found.pairs(run.results, bar.advance)
            emit_chunks(json_chunks([("pairs", pairs), *_later(found.result, Calibration.KEYS)]))
        elif format is TableFormat.csv:
            emit_chunks(csv_lines(found.pairs(run.results, bar.advance), pair_columns))
        else:
            held = list(found.pairs(run.results, bar.advance))
    if format is TableFormat.table:
        rest = found.result()
        compared = [p["agreement"] for p in held if p["agreement"] is not None]
        mean = f"; mean agreement {sum(compared) / len(compared):.0%}" if compared else ""
        emit(
            rows_table(held, pair_columns, title="Visits audited by two inspectors", summary=f"{len(held)} pairs{mean}")
        )
        # Items every pair agreed on are not worth a calibration talk: only those below full agreement.
        disagreed = [r for r in rest["items"] if r["agreement"] is not None and r["agreement"] < 1]
        emit(
            rows_table(
                disagreed[:10],
                ["standard", "item", "pairs", "agreement"],
                title="Least agreed items",
                summary=f"{len(disagreed)} items below full agreement"
                + (", the 10 lowest shown" if len(disagreed) > 10 else ""),
            )
        )
        emit(rows_table(rest["inspectors"], ["inspector", "audits", "mean_difference"], title="Inspectors"))
    _finish(run)


@app.command()
def rescore(
    paths: PathsArg = None,
    standard_version: Annotated[
        int | None, typer.Option("--standard-version", help="The version to score against (required).", metavar="N")
    ] = None,
    standard: Annotated[str | None, typer.Option("--standard", help="Only audits of this standard.")] = None,
    format: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
    standards: StandardsOpt = "standards",
    sites: SitesOpt = "sites.yaml",
    waivers: WaiversOpt = "waivers.yaml",
    jobs: JobsOpt = 0,
    cache: CacheOpt = True,
) -> None:
    """What-if: score audits against another version of their standard."""
    from ..analytics.rescore import Rescoring
    from ..render.row_files import CsvRow, WrittenRows, csv_lines, json_chunks, row_text
    from ..render.tables import rows_table

    if standard_version is None or standard_version <= 0:
        fail("give the version to score against with --standard-version N")
    columns = [
        "site",
        "date",
        "audit",
        "standard",
        "from_version",
        "to_version",
        "old_score",
        "new_score",
        "change",
        "not_carried_over",
        "unanswered",
    ]
    # JSON and CSV rows are written by the processes that rescore them.
    shape: Callable[[dict[str, Any]], str] | None = None
    if format is not TableFormat.table:
        shape = row_text if format is TableFormat.json else CsvRow(columns)
    # Rescoring begins while the audits are read, and its workers end with the block.
    with Rescoring(standard, standard_version, jobs=jobs, shape=shape) as rescoring:
        run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache, alongside=rescoring)
        versions = {key[1] for key in run.library.standards if standard is None or key[0] == standard}
        if standard_version not in versions:
            which = f"standard '{standard}'" if standard else "loaded standard"
            fail(f"no {which} has version {standard_version} in {standards}; check --standard-version")
        with _analysing(run, format is not TableFormat.table, "rescoring") as bar:
            rows = rescoring.rows(each=bar.advance)
            if format is TableFormat.json:
                emit_chunks(json_chunks([("audits", WrittenRows(rows))]))
            elif format is TableFormat.csv:
                emit_chunks(csv_lines(WrittenRows(rows), columns))
            else:
                held = list(rows)
    if format is TableFormat.table:
        emit(rows_table(held, columns, title=f"Rescored against version {standard_version}"))
    _finish(run)
