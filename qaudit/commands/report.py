"""``qaudit report``: HTML (or Markdown) scorecards per site and a portfolio page."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Any, NoReturn

import typer

from .base import app, fail, report_problems, score_run
from .options import AuditPathsArg, CacheOpt, JobsOpt, OutFolderOpt, SitesOpt, StandardsOpt, WaiversOpt


class ReportFormat(str, Enum):
    html = "html"
    md = "md"
    pdf = "pdf"


@app.command()
def report(
    paths: AuditPathsArg = None,
    out: OutFolderOpt = "reports",
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="html, md, or pdf (printed by Chromium).")
    ] = ReportFormat.html,
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
    """Write DIR/index.html (all sites), DIR/sites/<site>.html (one scorecard per site) and DIR/audits/<audit>.html.

    With --format pdf the same pages are printed to DIR/index.pdf, DIR/sites/<site>.pdf
    and DIR/audits/<audit>.pdf (A4) by a Chromium-family browser found on the machine.
    """
    import shutil
    import tempfile

    from ..render.language import LANGUAGES
    from ..render.pages import PageWriter
    from ..render.pdf import MISSING, find_browser
    from ..render.problem_formats import problems_text
    from ..render.report import render_report
    from ..render.templating import TemplateFailure

    if lang is not None and lang not in LANGUAGES:
        fail(f"--lang {lang}: scorecards are written in {', '.join(LANGUAGES)}; choose one of those")
    if templates is not None and not os.path.isdir(templates):
        fail(f"--templates {templates}: no such folder")
    browser = None
    if format is ReportFormat.pdf:
        browser = find_browser()
        if browser is None:
            fail(MISSING)
    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    if not run.results:
        report_problems(run)
        fail("no valid audit to report on; nothing was written", 1)
    # PDFs are printed from HTML pages written to a folder of their own, then staged like any page.
    html = tempfile.mkdtemp(prefix="qaudit-report-") if browser else None
    writer = PageWriter(html or out)
    try:
        try:
            # Pages are staged as they are rendered; none is in place before every one is.
            built = render_report(
                run.results,
                run.library,
                run.sites,
                writer=writer,
                lang=lang,
                fmt="html" if browser else format.value,
                templates=templates,
                jobs=jobs,
                link_suffix="pdf" if browser else None,
                base=_folder_url(out) if browser else None,
            )
        except TemplateFailure as exc:
            sys.stderr.write(problems_text([exc.problem]))
            raise typer.Exit(1) from None
        except OSError as exc:
            _cannot_write(html or out, exc)
        problems = sorted(run.problems + built.problems)
        if not any(p.path.startswith("sites/") for p in built.pages):  # every site was left out
            writer.abandon()
            sys.stderr.write(problems_text(run.warnings + problems))
            fail("no site to report on; nothing was written", 1)
        pages = built.pages
        if browser is not None and html is not None:
            writer.commit(pages)
            writer, pages = _print(browser, html, out, [p.path for p in pages])
        try:
            written = writer.commit(pages)
        except OSError as exc:
            _cannot_write(out, exc)
    finally:
        if html is not None:
            shutil.rmtree(html, ignore_errors=True)
    sys.stderr.write(problems_text(run.warnings + problems))
    total, index = len(pages), os.path.join(out, pages[-1].path)
    if written == total:
        sys.stderr.write(f"wrote {total} pages to {out}/ ({index})\n")
    else:
        sys.stderr.write(f"wrote {written} of {total} pages to {out}/ ({index}); the others were unchanged\n")
    if writer.removed:
        count = len(writer.removed)
        sys.stderr.write(f"removed {count} page{'s' if count != 1 else ''} of sites or audits no longer in the input\n")
    raise typer.Exit(1 if problems else 0)


def _folder_url(folder: str) -> str:
    """The file URL of ``folder``, ending in a slash (what links in printed pages resolve against)."""
    from pathlib import Path

    return Path(os.path.abspath(folder)).as_uri().rstrip("/") + "/"


def _print(browser: str, html: str, out: str, paths: list[str]) -> tuple[Any, list[Any]]:
    """Print the HTML pages under ``html`` to PDFs staged in ``out``; the writer and its staged pages."""
    from ..render.pages import Page, PageWriter
    from ..render.pdf import PrintFailure, print_pdfs

    writer = PageWriter(out)
    staged = []
    try:
        writer.prepare(sorted({os.path.dirname(p) for p in paths}))
        printed = print_pdfs(browser, [(p, os.path.join(html, p)) for p in paths])
        for path, data in printed:
            staged.append(writer.put(Page(os.path.splitext(path)[0] + ".pdf", data)))
    except PrintFailure as exc:
        writer.abandon()
        fail(f"{exc}; nothing was written", 1)
    except OSError as exc:
        writer.abandon()
        _cannot_write(out, exc)
    return writer, staged


def _cannot_write(out: str, exc: OSError) -> NoReturn:
    """One line naming the page that could not be written; every page of the previous report is kept."""
    from ..io.staging import OutputRefused

    where = exc.filename or out
    if isinstance(exc, OutputRefused):
        fail(f"cannot write {where}: it {exc.strerror}; the previous report was kept")
    fail(f"cannot write {where}: {exc.strerror or exc}; the previous report was kept (check the folder is writable)")
