"""``qaudit export``: the Excel workbook (or CSV files) for supervisors."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Any, NoReturn

import typer

from .base import app, fail, report_problems, score_run
from .options import AuditPathsArg, CacheOpt, JobsOpt, SitesOpt, StandardsOpt, WaiversOpt, default_path


class ExportFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"


@app.command()
def export(
    paths: AuditPathsArg = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "--output",
            "-o",
            help="Workbook (xlsx) or folder (csv); default <reports>/scorecards.xlsx, reports set in qaudit.toml.",
            metavar="PATH",
        ),
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
    """Write Summary (one row per site), Audits (one per audit), Items (one per audit item), Actions and Trend."""
    from ..render.export_csv import build_csv

    if format is ExportFormat.csv:
        target = out or default_path("reports")
        _check_target(target, folder=True)
    else:
        target = out or os.path.join(default_path("reports"), "scorecards.xlsx")
        if not target.lower().endswith(".xlsx"):
            fail(f"--out {target}: the workbook must be an .xlsx file (or use --format csv)")
        _check_target(target, folder=False)
    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    if not run.results:
        report_problems(run)
        fail("no valid audit to export; nothing was written", 1)
    if format is ExportFormat.csv:
        _write_set(target, build_csv(run.results, run.library, run.sites, lang=lang))
    else:
        _write(target, _workbook(target, run, lang, per_site))
    report_problems(run)
    sys.stderr.write(f"wrote {target} ({len(run.results)} audits)\n")
    raise typer.Exit(1 if run.problems else 0)


def _workbook(target: str, run: Any, lang: str | None, per_site: bool) -> bytes:
    """The workbook's bytes; a failure to build it (temporary files on a full disk) is one line."""
    from xlsxwriter.exceptions import XlsxWriterException

    from ..render.workbook import build_workbook

    try:
        return build_workbook(run.results, run.library, run.sites, lang=lang, per_site=per_site)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        fail(f"cannot write {target}: {exc.strerror or exc}{where}; check the temporary folder has space")
    except XlsxWriterException as exc:
        fail(f"cannot write {target}: {exc}")


def _check_target(target: str, *, folder: bool) -> None:
    """Refuse, before any work, an output that cannot be written where it is asked for."""
    if folder and os.path.exists(target) and not os.path.isdir(target):
        fail(f"--out {target}: this is a file; --format csv writes summary.csv, audits.csv and items.csv into a folder")
    if not folder and os.path.isdir(target):
        example = os.path.join(target, "scorecards.xlsx")
        fail(f"--out {target}: this is a folder; give the workbook's file name, e.g. {example}")
    parent = os.path.dirname(os.path.abspath(target if not folder else os.path.join(target, "x")))
    while parent and not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if parent and not os.path.isdir(parent):
        fail(f"--out {target}: {parent} is a file, not a folder")
    if not folder:
        from ..io.staging import output_target

        try:
            output_target(target)
        except OSError as exc:  # a block device, a socket, a link loop: refused before any scoring
            _cannot_write(target, exc)


def _write(path: str, data: bytes | str) -> None:
    """Write atomically; a failure names the file asked for and leaves any previous one intact."""
    from ..io.staging import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        _cannot_write(path, exc)


def _write_set(folder: str, files: dict[str, str]) -> None:
    """Write the CSV files into ``folder`` as one set: all new files, or (on any failure) all old ones."""
    from ..io.staging import OutputSet

    out = OutputSet(folder, sync=True)
    try:
        out.prepare()
        staged = [(out.stage(name, text.encode("utf-8")), name) for name, text in files.items()]
        out.commit(staged)
    except OSError as exc:
        out.abandon()
        _cannot_write(exc.filename or folder, exc)


def _cannot_write(path: str, exc: OSError) -> NoReturn:
    from ..io.staging import OutputRefused

    if isinstance(exc, OutputRefused):
        fail(f"cannot write {path}: it {exc.strerror}")
    fail(f"cannot write {path}: {exc.strerror or exc}; check the folder exists and is writable")
