"""``qaudit report``: HTML (or Markdown) scorecards per site and a portfolio page."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated

import typer

from ..cli import CacheOpt, JobsOpt, SitesOpt, StandardsOpt, WaiversOpt, app, fail, guarded, report_problems, score_run


class ReportFormat(str, Enum):
    html = "html"
    md = "md"


@app.command()
def report(
    paths: Annotated[list[str] | None, typer.Argument(help="Audit files or folders.", metavar="[PATH]...")] = None,
    out: Annotated[str, typer.Option("--out", "-o", help="Output folder.", metavar="DIR")] = "reports",
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="html or md.")] = ReportFormat.html,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of every page (default: each site's).")] = None,
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
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    from ..output import write_atomic
    from ..render.scorecards import render_report

    if templates is not None and not os.path.isdir(templates):
        fail(f"--templates {templates}: no such folder")
    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    if not run.results:
        report_problems(run)
        fail("no valid audit to report on; nothing was written", 1)
    try:
        pages = render_report(run.results, run.library, run.sites, lang=lang, fmt=format.value, templates=templates)
    except ValueError as exc:
        report_problems(run)
        fail(f"site id '{exc}' is not a safe file name; rename the site. Nothing was written", 1)
    except SecurityError as exc:
        fail(f"a template tried something unsafe ({exc}); nothing was written", 1)
    except TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}: " if getattr(exc, "filename", None) else ""  # type: ignore[attr-defined]
        fail(f"{where}template error: {exc.message or exc}; nothing was written", 1)
    # Every page rendered: only now is anything written, each file atomically.
    for page in pages:
        guarded(lambda page=page: write_atomic(os.path.join(out, page.path), page.text))  # type: ignore[misc]
    report_problems(run)
    sys.stderr.write(f"wrote {len(pages)} pages to {out}/ ({os.path.join(out, pages[-1].path)})\n")
    raise typer.Exit(1 if run.problems else 0)
