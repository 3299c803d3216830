"""``qaudit export``: the Excel workbook (or CSV files) for supervisors."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated

import typer

from ..cli import CacheOpt, JobsOpt, SitesOpt, StandardsOpt, WaiversOpt, app, fail, guarded, report_problems, score_run


class ExportFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"


@app.command()
def export(
    paths: Annotated[list[str] | None, typer.Argument(help="Audit files or folders.", metavar="[PATH]...")] = None,
    out: Annotated[
        str | None,
        typer.Option("--out", "-o", help="Workbook (xlsx) or folder (csv); default reports/scorecards.xlsx."),
    ] = None,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="xlsx or csv.")] = ExportFormat.xlsx,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of headers and item texts.")] = None,
    per_site: Annotated[bool, typer.Option("--per-site", help="Add one scorecard sheet per site.")] = False,
    standards: StandardsOpt = "standards",
    sites: SitesOpt = "sites.yaml",
    waivers: WaiversOpt = "waivers.yaml",
    jobs: JobsOpt = 0,
    cache: CacheOpt = True,
) -> None:
    """Write Summary (one row per site), Audits (one per audit) and Items (one per audit item)."""
    from ..output import write_atomic
    from ..render.workbook import build_csv, build_workbook

    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    if not run.results:
        report_problems(run)
        fail("no valid audit to export; nothing was written", 1)
    if format is ExportFormat.csv:
        folder = out or "reports"
        files = build_csv(run.results, run.library, run.sites, lang=lang)
        for name, text in files.items():
            guarded(lambda name=name, text=text: write_atomic(os.path.join(folder, name), text))  # type: ignore[misc]
        target = folder
    else:
        target = out or os.path.join("reports", "scorecards.xlsx")
        if not target.lower().endswith(".xlsx"):
            fail(f"--out {target}: the workbook must be an .xlsx file (or use --format csv)")
        data = build_workbook(run.results, run.library, run.sites, lang=lang, per_site=per_site)
        guarded(lambda: write_atomic(target, data))
    report_problems(run)
    sys.stderr.write(f"wrote {target} ({len(run.results)} audits)\n")
    raise typer.Exit(1 if run.problems else 0)
