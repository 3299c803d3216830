"""Follow-up commands: ``actions``, ``trends``, ``items``, ``calibration``, ``rescore``."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Any

import typer

from ..cli import (
    AuditPathsArg,
    CacheOpt,
    JobsOpt,
    SitesOpt,
    StandardsOpt,
    WaiversOpt,
    app,
    default_path,
    emit,
    guarded,
    in_workspace,
    parse_date,
    report_problems,
    score_run,
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


def _varies(rows: list[dict[str, Any]], column: str) -> bool:
    """Whether a column is worth showing: some row has a subject or instance, or a site has two standards."""
    if column == "standard":
        return len({(r["site"], r["standard"]) for r in rows}) > len({r["site"] for r in rows})
    return any(r[column] is not None for r in rows)


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
    standards: StandardsOpt = "standards",
    sites: SitesOpt = "sites.yaml",
    waivers: WaiversOpt = "waivers.yaml",
    jobs: JobsOpt = 0,
    cache: CacheOpt = True,
) -> None:
    """Open corrective actions: the findings of each site's latest visit of each standard."""
    from ..followup import actions as find_actions
    from ..followup import load_config
    from ..render.tables import rows_csv, rows_json, rows_table, rows_xlsx

    day = guarded(lambda: _today(today))
    due = guarded(lambda: load_config(config or in_workspace("qaudit.yaml"), required=config is not None))
    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    found = find_actions(run.results, run.library, run.sites, today=day, due=due)
    columns = ["site", "item", "score", "critical", "due", "overdue", "owner", "comment", "audit"]
    rows = found["actions"]
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
    if format is ActionFormat.json:
        emit(rows_json(found))
    elif format is ActionFormat.csv:
        emit(rows_csv(rows, file_columns))
    elif format is ActionFormat.xlsx:
        import datetime as dt

        from ..output import write_atomic

        target = output or os.path.join(default_path("reports"), "actions.xlsx")
        if os.path.isdir(target):
            from ..cli import fail

            fail(f"{target} is a folder; give the workbook's file name, e.g. -o {os.path.join(target, 'actions.xlsx')}")
        # Real dates in the workbook, so that a supervisor can sort and filter by them.
        dated = [{**r, "due": dt.date.fromisoformat(r["due"]), "date": dt.date.fromisoformat(r["date"])} for r in rows]
        guarded(lambda: write_atomic(target, rows_xlsx(dated, file_columns, "Actions")))
        sys.stderr.write(f"wrote {target}\n")
    else:
        # A second standard, a subject or an instance gets its column only when some action has one.
        shown = columns[:2]
        shown += [c for c in ("standard", "subject", "instance") if _varies(rows, c)]
        emit(rows_table(rows, shown + columns[2:], title=f"{len(rows)} open corrective actions ({day.isoformat()})"))
        closed = found["closed"]
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
    from ..followup import trends as find_trends
    from ..render.tables import rows_csv, rows_json, rows_table

    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    found = find_trends(run.results, run.sites, last=last, sections=sections)
    columns = ["site", "region", "audits", "first", "last", "latest_score", "change", "change_last_n", "slope"]
    if format is TableFormat.json:
        emit(rows_json(found))
    elif format is TableFormat.csv:
        # A row per site and standard: the columns scripts read by position keep their places.
        emit(rows_csv(found["sites"], [*columns, "enough_audits", "standard", "visits"]))
    else:
        shown = ["site", "standard", *columns[1:3], "visits", *columns[3:], "enough_audits"]
        emit(rows_table(found["sites"], shown, title="Score trends per standard (slope: points per 30 days)"))
        emit(f"most improved: {', '.join(found['most_improved']) or '-'}\n")
        emit(f"most declined: {', '.join(found['most_declined']) or '-'}\n")
        emit(rows_table(found["regions"], ["region", "sites", "mean_latest_score", "mean_slope"], title="By region"))
        if sections:
            section_rows = [{"site": r["site"], **s} for r in found["sites"] for s in r["sections"]]
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
    from ..followup import failed_items
    from ..render.tables import rows_csv, rows_json, rows_table

    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    found = failed_items(run.results, run.library, run.sites)
    columns = ["standard", "item", "audits", "failed", "partial", "failure_rate", "text"]
    if format is TableFormat.json:
        emit(rows_json(found))
    elif format is TableFormat.csv:
        emit(rows_csv(found["items"], columns))
    else:
        emit(rows_table(found["items"][:top], columns, title="Most failed items"))
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
    from ..followup import calibration as find_calibration
    from ..render.tables import rows_csv, rows_json, rows_table

    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    found = find_calibration(run.results, run.library)
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
    if format is TableFormat.json:
        emit(rows_json(found))
    elif format is TableFormat.csv:
        emit(rows_csv(found["pairs"], pair_columns))
    else:
        emit(rows_table(found["pairs"], pair_columns, title="Visits audited by two inspectors"))
        emit(rows_table(found["items"][:10], ["standard", "item", "pairs", "agreement"], title="Least agreed items"))
        emit(rows_table(found["inspectors"], ["inspector", "audits", "mean_difference"], title="Inspectors"))
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
    from ..cli import fail
    from ..followup import rescore as what_if
    from ..render.tables import rows_csv, rows_json, rows_table

    if standard_version is None or standard_version <= 0:
        fail("give the version to score against with --standard-version N")
    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    versions = {key[1] for key in run.library.standards if standard is None or key[0] == standard}
    if standard_version not in versions:
        which = f"standard '{standard}'" if standard else "loaded standard"
        fail(f"no {which} has version {standard_version} in {standards}; check --standard-version")
    rows = what_if(run.results, run.library, standard, standard_version)
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
    if format is TableFormat.json:
        emit(rows_json({"audits": rows}))
    elif format is TableFormat.csv:
        emit(rows_csv(rows, columns))
    else:
        emit(rows_table(rows, columns, title=f"Rescored against version {standard_version}"))
    _finish(run)
