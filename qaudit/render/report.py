"""Writing a report folder: one scorecard per site, one page per audit and the index, rendered from the
results (by worker processes when there are many sites) and staged, or all removed again on failure."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..analytics.history import SiteHistory, SiteSummary, site_histories
from ..load.registry import SiteRegistry
from ..load.standards import StandardLibrary
from ..problems import Problem
from ..results.resultset import ResultSet
from ..scoring.scorer import AuditResult
from .language import audit_language, site_language
from .pages import Page, PageWriter, Staged
from .portfolio import portfolio_view
from .siteview import audit_page_view, site_view
from .templating import RENDER_SECONDS, TemplateFailure, environment, template_failure, time_limit


def _read_for_scorecards(
    results: Iterable[tuple[Any, bytes]],
    tally: Any,
    keep: int = 3,
    each: Callable[[AuditResult], None] | None = None,
) -> Iterator[AuditResult]:
    """Results (sort key and JSON, in order), each decoded only as far as a scorecard needs it.

    Each site's latest result is decoded in full. The ``keep - 1`` before it keep
    their sections (section changes) and, of their items, only the failed ones
    (recurring failures), with their ids and scores. Older results keep neither.
    Every result is counted in ``tally`` from the score texts of its items;
    ``each`` (the per-audit pages) sees every result decoded in full.
    """
    import dataclasses

    from ..results.serialise import decoded, from_dict, head_and_score_texts
    from ..scoring.scorer import ItemResult

    pending: list[bytes] = []
    site = None

    def counted(blob: bytes) -> tuple[dict[str, Any], list[tuple[bytes, bytes, bytes]]]:
        if each is not None:
            each(from_dict(decoded(blob)))
        head, scores = head_and_score_texts(blob)
        tally.count(head["site"], head["site_region"], head["standard"], scores)
        return head, scores

    def recent(blob: bytes) -> AuditResult:
        head, scores = counted(blob)
        failed = tuple(
            ItemResult(item_id.decode(), "", None, False, 0.0, 0, False, False)
            for item_id, score, _ in scores
            if score != b"null" and float(score) == 0
        )
        return dataclasses.replace(from_dict(head), items=failed)  # the head's items are [], its sections whole

    def latest(blob: bytes) -> AuditResult:
        data = decoded(blob)
        tally.add_dict(data)
        result = from_dict(data)
        if each is not None:
            each(result)
        return result

    for key, blob in results:
        if pending and key[0] != site:
            yield from map(recent, pending[:-1])
            yield latest(pending[-1])
            pending = []
        site = key[0]
        pending.append(blob)
        if len(pending) > keep:
            yield from_dict(counted(pending.pop(0))[0], items=False)
    if pending:
        yield from map(recent, pending[:-1])
        yield latest(pending[-1])


@dataclass(frozen=True)
class Report:
    """A rendered report: its staged pages, and the audits it had to leave out."""

    pages: list[Staged]
    """``index`` last, after one scorecard per site."""
    problems: list[Problem]
    """One error per audit left out (a site id that cannot become a file name)."""


def _unsafe_site_problems(history: SiteHistory) -> list[Problem]:
    from ..load.audit_file import site_location
    from ..problems import error

    message = (
        f"site id '{history.site}' cannot be a file name (reserved name, path separator or '..'); "
        "use a slug like 'yvn-01'. The site's scorecard was not written"
    )
    return [error(a.file, *site_location(a.file), "unsafe-site-id", message) for a in history.audits]


def render_report(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    writer: PageWriter,
    lang: str | None = None,
    fmt: str = "html",
    templates: str | None = None,
    jobs: int = 1,
    link_suffix: str | None = None,
    base: str | None = None,
) -> Report:
    """Render every page of the report and stage it with ``writer``: one scorecard per site, then ``index``.

    Nothing is in place until ``writer.commit(report.pages)``; on any failure
    here every staged page is removed again. A site whose id cannot be a file
    name is left out, with an error for each of its audits. Raises
    :class:`TemplateFailure` when a template fails (a syntax error, an unsafe
    operation in a user template, any error while rendering), and OSError when a
    page cannot be staged. With ``jobs`` above 1 (0: one per core) and many
    sites, the scorecards are rendered by that many worker processes, each
    reading its own sites' results; the pages are the same whatever ``jobs`` is.

    An HTML report also holds one page per audit (``audits/<audit-id>.html``),
    staged by whichever process renders it. Links between pages end in
    ``link_suffix`` (default: the pages' own), so that pages printed to PDF
    link to each other's PDFs; with ``base`` (the URL of the folder the pages
    will finally be in), every page resolves its links from there.
    """
    from ..analytics.failed_items import ItemTally
    from ..run.engine import map_in_workers, worker_count

    global _JOB
    suffix = "md" if fmt == "md" else "html"
    folders = [templates] if templates else []
    folders.append(os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates"))
    links = link_suffix or suffix
    _JOB = _Job(results, library, sites, lang, suffix, environment(templates), folders, writer, links, base)
    workers = worker_count(jobs)
    parts: Iterator[_Part | Problem] | None = None
    try:
        writer.prepare(["", "sites", "audits"] if suffix == "html" else ["", "sites"])
        if isinstance(results, ResultSet):
            ranges = results.site_ranges(4 * workers if workers > 1 else 1)
            parts = map_in_workers(_render_sites, ranges, workers)
        else:
            parts = iter([_render_sites(None)])
        pages: list[Staged] = []
        histories: list[SiteHistory] = []
        problems: list[Problem] = []
        tally = ItemTally(sites, regions=False)
        for part in parts:
            if isinstance(part, Problem):
                raise TemplateFailure(part)
            pages += [writer.adopt(staged, digest) for staged, digest in part.audit_pages]
            pages += [writer.put(page) for page in part.pages]  # while the workers render the next parts
            histories += part.histories
            problems += part.problems
            tally.merge(part.tally)
        view = portfolio_view(
            histories,
            library,
            lang or "en",
            total=sum(h.audit_count for h in histories),
            site_links={h.site: f"sites/{h.site}.{links}" for h in histories},
            failed=tally.report(library)["items"],
        )
        pages.append(writer.put(_JOB.render(f"index.{suffix}", "index", view)))
        return Report(pages, sorted(problems))
    except BaseException:
        # The workers are ended first (closing their generator ends the pool): a worker still
        # rendering could otherwise stage a page after the staged pages were removed.
        close = getattr(parts, "close", None)
        if close is not None:
            close()
        writer.abandon()  # whichever process staged them, and whatever failed
        raise
    finally:
        _JOB = None


@dataclass(frozen=True)
class _Job:
    """What every part of a report shares (set before workers fork, so they inherit it)."""

    results: Iterable[AuditResult]
    library: StandardLibrary
    sites: SiteRegistry | None
    lang: str | None
    suffix: str
    env: Any
    folders: list[str]
    writer: PageWriter
    links: str
    """The suffix of the pages links point to."""
    base: str | None = None
    """The URL of the folder the pages will be read from, when it is not where they are written."""

    @property
    def audit_pages(self) -> bool:
        """Whether the report has a page per audit (HTML, and the PDFs printed from it)."""
        return self.suffix == "html"

    def render(self, path: str, kind: str, view: dict[str, Any]) -> Page:
        # A user's template can fail in any way: say where, never a traceback.
        template = None
        try:
            with time_limit(RENDER_SECONDS if len(self.folders) > 1 else None):
                template = self.env.get_template(f"{kind}.{self.suffix}.j2")
                if self.base is not None:
                    folder = os.path.dirname(path)
                    view = {**view, "base_href": self.base + (folder + "/" if folder else "")}
                return Page(path, template.render(**view))
        except Exception as exc:
            # A page cut off for its size fails outside any template line: name the page's template.
            raise template_failure(exc, self.folders, getattr(template, "filename", None)) from exc


_JOB: _Job | None = None


@dataclass(frozen=True)
class _Part:
    """The scorecards of a run of whole sites, and what the portfolio needs of them."""

    pages: list[Page]
    histories: list[SiteHistory]
    """Each site's :class:`~qaudit.analytics.history.SiteSummary`: only what the portfolio shows."""
    problems: list[Problem]
    tally: Any
    """The sites' :class:`~qaudit.analytics.failed_items.ItemTally`."""
    audit_pages: list[tuple[Staged, str]]
    """The audits' pages, staged as they were rendered, with their digests."""


def _render_sites(span: tuple[int, int] | None) -> _Part | Problem:
    """Render the scorecards of the results in ``span`` (all results when None); a failed template's problem."""
    from ..analytics.failed_items import ItemTally
    from ..model.audit import safe_name

    job = _JOB
    assert job is not None
    tally = ItemTally(job.sites, regions=False)
    audit_pages: list[tuple[Staged, str]] = []
    failure: list[Problem] = []
    registry = job.sites.sites if job.sites is not None else {}

    def audit_page(result: AuditResult) -> None:
        # Staged here, in whichever process renders it: a report of many audits never holds their pages.
        if failure or not safe_name(result.id):
            return
        entry = registry.get(result.site)
        site = {
            "id": result.site,
            "name": (entry.name if entry and entry.name else None) or result.site_name or result.site,
            "region": (entry.region if entry else None) or result.site_region or "",
        }
        view = audit_page_view(
            result,
            job.library,
            audit_language(result, entry.language if entry else None, job.library, job.lang),
            site=site,
            index_href=f"../index.{job.links}",
            site_href=f"../sites/{result.site}.{job.links}" if safe_name(result.site) else None,
        )
        try:
            page = job.render(f"audits/{result.id}.{job.suffix}", "audit", view)
        except TemplateFailure as exc:
            failure.append(exc.problem)
            return
        staged = job.writer.put(page)
        audit_pages.append((staged, job.writer.digest(page.path)))

    each = audit_page if job.audit_pages else None
    # Only the last 3 audits of a site (recurring failures, changes) keep their items.
    if span is not None:
        assert isinstance(job.results, ResultSet)
        read = _read_for_scorecards(job.results.blobs_between(*span), tally, each=each)
        every = site_histories(read, job.sites, full=3)
    else:

        def both(result: AuditResult) -> None:
            tally.add(result)
            if each is not None:
                each(result)

        every = site_histories(job.results, job.sites, full=3, each=both)
    if failure:
        return failure[0]
    histories = [h for h in every if safe_name(h.site)]
    problems = [p for h in every if not safe_name(h.site) for p in _unsafe_site_problems(h)]
    pages = []
    try:
        for history in histories:
            links = (
                {a.id: f"../audits/{a.id}.{job.links}" for a in history.audits if safe_name(a.id)}
                if job.audit_pages
                else {}
            )
            language = site_language(history, job.library, job.lang)
            view = site_view(history, job.library, language, audit_links=links)
            view["index_href"] = f"../index.{job.links}"
            pages.append(job.render(f"sites/{history.site}.{job.suffix}", "site", view))
    except TemplateFailure as failed:
        return failed.problem
    tally.settle()  # sent settled: the counts of distinct pairs, not the pairs
    return _Part(pages, [SiteSummary.of(h) for h in histories], problems, tally, audit_pages)
