"""``qaudit report``: HTML (or Markdown) scorecards per site and a portfolio page."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, NoReturn

import typer

from ..cli import (
    AuditPathsArg,
    CacheOpt,
    JobsOpt,
    OutFolderOpt,
    SitesOpt,
    StandardsOpt,
    WaiversOpt,
    app,
    fail,
    report_problems,
    score_run,
)


class ReportFormat(str, Enum):
    html = "html"
    md = "md"


@app.command()
def report(
    paths: AuditPathsArg = None,
    out: OutFolderOpt = "reports",
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="html or md.")] = ReportFormat.html,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of every page: en, hy, ka, lv or hu (default: each site's).")
    ] = None,
    templates: Annotated[
        str | None, typer.Option("--templates", help="Folder of templates that override the built-in ones.")
    ] = None,
    standards: StandardsOpt = "standards",
    sites: SitesOpt = "sites.yaml",
    waivers: WaiversOpt = "waivers.yaml",
    jobs: JobsOpt = 0,
    cache: CacheOpt = True,
) -> None:
    """Write DIR/index.html (all sites) and DIR/sites/<site>.html (one scorecard per site)."""
    from ..output import problems_text
    from ..render.pages import PageWriter
    from ..render.scorecards import LANGUAGES, TemplateFailure, render_report

    if lang is not None and lang not in LANGUAGES:
        fail(f"--lang {lang}: scorecards are written in {', '.join(LANGUAGES)}; choose one of those")
    if templates is not None and not os.path.isdir(templates):
        fail(f"--templates {templates}: no such folder")
    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    if not run.results:
        report_problems(run)
        fail("no valid audit to report on; nothing was written", 1)
    writer = PageWriter(out)
    try:
        # Pages are staged as they are rendered; none is in place before every one is.
        built = render_report(
            run.results,
            run.library,
            run.sites,
            writer=writer,
            lang=lang,
            fmt=format.value,
            templates=templates,
            jobs=jobs,
        )
    except TemplateFailure as exc:
        sys.stderr.write(problems_text([exc.problem]))
        raise typer.Exit(1) from None
    except OSError as exc:
        _cannot_write(out, exc)
    problems = sorted(run.problems + built.problems)
    if len(built.pages) == 1:  # only the index: every site was left out
        writer.abandon()
        sys.stderr.write(problems_text(run.warnings + problems))
        fail("no site to report on; nothing was written", 1)
    try:
        written = writer.commit(built.pages)
    except OSError as exc:
        _cannot_write(out, exc)
    sys.stderr.write(problems_text(run.warnings + problems))
    total, index = len(built.pages), os.path.join(out, built.pages[-1].path)
    if written == total:
        sys.stderr.write(f"wrote {total} pages to {out}/ ({index})\n")
    else:
        sys.stderr.write(f"wrote {written} of {total} pages to {out}/ ({index}); the others were unchanged\n")
    if writer.removed:
        count = len(writer.removed)
        sys.stderr.write(
            f"removed {count} page{'s' if count != 1 else ''} of {'sites' if count != 1 else 'a site'} "
            "no longer in the input\n"
        )
    raise typer.Exit(1 if problems else 0)


def _cannot_write(out: str, exc: OSError) -> NoReturn:
    """One line naming the page that could not be written; every page of the previous report is kept."""
    from ..staging import OutputRefused

    where = exc.filename or out
    if isinstance(exc, OutputRefused):
        fail(f"cannot write {where}: it {exc.strerror}; the previous report was kept")
    fail(f"cannot write {where}: {exc.strerror or exc}; the previous report was kept (check the folder is writable)")
