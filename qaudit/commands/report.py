"""``qaudit report``: HTML (or Markdown) scorecards per site and a portfolio page."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from ..cli import CacheOpt, JobsOpt, SitesOpt, StandardsOpt, WaiversOpt, app, fail, guarded, report_problems, score_run

if TYPE_CHECKING:
    from ..render.scorecards import Page


class ReportFormat(str, Enum):
    html = "html"
    md = "md"


def write_pages(out: str, pages: Sequence[Page]) -> None:
    """Write every page, or none: all are staged beside their targets first, then renamed into place.

    A failure while staging (a full disk, a folder that cannot be written)
    removes the staged files and leaves the previous report untouched.
    """
    staged: list[tuple[str, str]] = []
    created: list[str] = []
    target = out
    try:
        for page in pages:
            target = os.path.join(out, page.path)
            folder = os.path.dirname(os.path.abspath(target))
            missing: list[str] = []  # the folders this page needs that do not exist yet, innermost first
            parent = folder
            while not os.path.isdir(parent) and parent not in missing:
                missing.append(parent)
                parent = os.path.dirname(parent)
            os.makedirs(folder, exist_ok=True)
            created += reversed(missing)
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
            staged.append((tmp, target))
            # No fsync per page: pages are derived from the audits and rebuilt by the next run, and the
            # renames below still show a reader each old page or its new one, never a mix.
            with os.fdopen(fd, "wb") as handle:
                handle.write(page.text.encode("utf-8"))
            os.chmod(tmp, 0o644)
    except BaseException as exc:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        for folder in reversed(created):  # folders this run made, innermost first: none is left behind
            try:
                os.rmdir(folder)
            except OSError:
                pass
        if isinstance(exc, OSError) and not exc.filename:
            raise type(exc)(exc.errno, exc.strerror, target) from None  # name the page that could not be written
        raise
    for tmp, target in staged:
        os.replace(tmp, target)


@app.command()
def report(
    paths: Annotated[list[str] | None, typer.Argument(help="Audit files or folders.", metavar="[PATH]...")] = None,
    out: Annotated[str, typer.Option("--out", "-o", help="Output folder.", metavar="DIR")] = "reports",
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
    from ..render.scorecards import LANGUAGES, TemplateFailure, render_report

    if lang is not None and lang not in LANGUAGES:
        fail(f"--lang {lang}: scorecards are written in {', '.join(LANGUAGES)}; choose one of those")
    if templates is not None and not os.path.isdir(templates):
        fail(f"--templates {templates}: no such folder")
    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    if not run.results:
        report_problems(run)
        fail("no valid audit to report on; nothing was written", 1)
    try:
        built = render_report(
            run.results, run.library, run.sites, lang=lang, fmt=format.value, templates=templates, jobs=jobs
        )
    except TemplateFailure as exc:
        sys.stderr.write(problems_text([exc.problem]))
        raise typer.Exit(1) from None
    problems = sorted(run.problems + built.problems)
    if len(built.pages) == 1:  # only the index: every site was left out
        sys.stderr.write(problems_text(run.warnings + problems))
        fail("no site to report on; nothing was written", 1)
    # Every page rendered: only now is anything written, all pages or none.
    guarded(lambda: write_pages(out, built.pages))
    sys.stderr.write(problems_text(run.warnings + problems))
    sys.stderr.write(f"wrote {len(built.pages)} pages to {out}/ ({os.path.join(out, built.pages[-1].path)})\n")
    raise typer.Exit(1 if problems else 0)
