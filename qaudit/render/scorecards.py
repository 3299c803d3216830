"""Scorecards: view data prepared for display, rendered by Jinja templates.

Templates live in ``qaudit/templates`` and receive plain view data (formatted
strings, chart coordinates), never the models. Every HTML template is
autoescaped, whatever its name; templates run in Jinja's sandbox, so a user
folder given with ``--templates`` can restyle any page but cannot reach Python
internals. Numbers and dates are formatted for the page's language with Babel.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..history import SiteHistory, SiteSummary, site_histories
from ..i18n import words as catalogue_words
from ..model import Standard, localize
from ..problems import Problem
from ..registry import SiteRegistry
from ..resultset import ResultSet
from ..scoring import AuditResult
from ..standards import StandardLibrary
from .numbers import half_up
from .pages import Page, PageWriter, Staged

LANGUAGES = ("en", "hy", "ka", "lv", "hu")
_LOCALES = {"en": "en_GB", "hy": "hy_AM", "ka": "ka_GE", "lv": "lv_LV", "hu": "hu_HU"}


def labels(lang: str) -> dict[str, str]:
    """The scorecard's own words in ``lang`` (English for a language qaudit does not ship), from the catalogue."""
    return dict(catalogue_words(lang, "scorecard"))


class Formatter:
    """Numbers and dates for one language, with the symbols and patterns Babel gives for its locale.

    Babel is asked once per language (and once per date); formatting a number
    then costs a string operation, not a Babel call, which matters when a report
    holds thousands of pages.
    """

    def __init__(self, lang: str) -> None:
        from babel import Locale

        self.lang = lang
        self.locale = Locale.parse(_LOCALES.get(lang, lang if "_" in lang else "en_GB"))
        symbols = self.locale.number_symbols.get("latn", self.locale.number_symbols)
        self.decimal = symbols.get("decimal", ".")
        self.group = symbols.get("group", ",")
        self._dates: dict[dt.date, str] = {}
        self._percents: dict[tuple[float, bool], str] = {}

    def number(self, value: float | None, digits: int = 2) -> str:
        """``87.5`` as ``87,50`` in Hungarian (half away from zero, docs/numbers.md); a dash for None."""
        if value is None:
            return "–"
        text = f"{half_up(value, digits):,.{digits}f}"
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.group)

    def signed(self, value: float | None) -> str:
        """A change with its sign: ``+2,50`` / ``−1,00``."""
        if value is None:
            return "–"
        rounded = half_up(value, 2)
        text = self.number(abs(float(rounded)))
        return ("+" if rounded > 0 else "−" if rounded < 0 else "±") + text

    def percent(self, value: float, *, exact: bool = False) -> str:
        """A share as a percentage to at most 1 decimal (half away from zero, docs/numbers.md).

        With ``exact``, a share short of 1 never shows as 100 %.
        """
        key = (value, exact)
        found = self._percents.get(key)
        if found is None:
            from babel.numbers import format_percent

            share = half_up(value * 100, 1)
            if exact and value < 1 and share >= 100:
                share = Decimal("99.9")
            # Already rounded: Babel only places the digits, the separator and the sign for the language.
            found = format_percent(share / 100, format="#,##0.#%", locale=self.locale)
            if len(self._percents) < 10_000:  # item scores repeat a few values on every page
                self._percents[key] = found
        return found

    def date(self, value: dt.date) -> str:
        """A date in the language's medium format."""
        found = self._dates.get(value)
        if found is None:
            from babel.dates import format_date

            found = self._dates[value] = format_date(value, format="medium", locale=self.locale)
        return found


@lru_cache(maxsize=16)
def formatter(lang: str) -> Formatter:
    """The (shared) formatter of a language."""
    return Formatter(lang)


def _answer(value: Any, na: bool, words: dict[str, str], fmt: Formatter) -> str:
    if na:
        return words["na"]
    if value is True:
        return words["yes"]
    if value is False:
        return words["no"]
    if isinstance(value, (int, float)):
        return fmt.number(value, 0 if float(value).is_integer() else 2)
    return str(value)


def _choice_label(standard: Standard | None, item_id: str, value: Any, lang: str) -> str | None:
    if standard is None or item_id not in standard.items or not isinstance(value, str):
        return None
    option = standard.items[item_id].option(value)
    return standard.text(option.label, lang) if option is not None and option.label is not None else None


def _status(score: float, passed: bool | None) -> str:
    """The CSS class of a result: pass, fail, or none when the standard has no pass mark."""
    return "none" if passed is None else ("pass" if passed else "fail")


def _passed(words: dict[str, str], passed: bool | None) -> str:
    """Passed, failed, or a dash when the standard has no pass mark."""
    return "—" if passed is None else (words["passed"] if passed else words["failed"])


CHART_VALUE_LABELS = 12
"""Up to this many points, each shows its score; beyond it, only the last one and the lowest (titles hold all)."""


def _standard_title(library: StandardLibrary, standard_id: str, version: int | None, lang: str) -> str:
    """A standard's title in ``lang`` (its id when the library does not have it)."""
    standard = library.get(standard_id, version) or library.get(standard_id)
    return standard.text(standard.title, lang) if standard is not None else standard_id


def _chart(
    audits: Sequence[AuditResult], fmt: Formatter, pass_score: float | None, *, key: str = "chart"
) -> dict[str, Any]:
    """Coordinates of the score-history chart (a 600 × 212 SVG with margins); ``key`` makes its ids unique."""
    # The top margin holds the labels of standard-version changes, clear of the line.
    width, height, left, right, top, bottom = 600, 212, 40, 12, 24, 28
    first, last = audits[0].date, audits[-1].date
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        if len(audits) == 1:
            return left + (width - left - right) / 2
        return round(left + (day - first).days / span * (width - left - right), 1)

    def y(score: float) -> float:
        return round(top + (100 - score) / 100 * (height - top - bottom), 1)

    lowest = min(range(len(audits)), key=lambda i: (audits[i].score, -i))
    points = []
    for index, a in enumerate(audits):
        px, py = x(a.date), y(a.score)
        shown = len(audits) <= CHART_VALUE_LABELS or index in (lowest, len(audits) - 1)
        # A value sits above its point, or below it when the point is near the top of the plot.
        ty = round(py - 9 if py - 9 > top + 4 else py + 17, 1)
        anchor = "start" if px - left < 16 else "end" if width - right - px < 16 else "middle"
        points.append(
            {
                "x": px,
                "y": py,
                "label": f"{fmt.date(a.date)}: {fmt.number(a.score)} ({a.grade})",
                "value": fmt.number(a.score) if shown else "",
                "tx": px,
                "ty": ty,
                "anchor": anchor,
                "fail": a.passed is False,
            }
        )
    changes = []
    for previous, current in itertools.pairwise(audits):
        if (current.standard, current.standard_version) != (previous.standard, previous.standard_version):
            at = round((x(previous.date) + x(current.date)) / 2, 1)
            # Labels right of the middle end at their line, so none runs off the chart.
            anchor = "end" if at > width / 2 else "start"
            changes.append(
                {
                    "x": at,
                    "text_x": round(at - 4 if anchor == "end" else at + 4, 1),
                    "anchor": anchor,
                    "label": f"v{current.standard_version}",
                }
            )
    if len(audits) == 1:
        axis = [{"x": x(first), "anchor": "middle", "label": fmt.date(first)}]
    else:
        axis = [
            {"x": left, "anchor": "start", "label": fmt.date(first)},
            {"x": width - right, "anchor": "end", "label": fmt.date(last)},
        ]
    return {
        "key": key,
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": height - bottom,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "grid": [{"y": y(v), "label": fmt.number(v, 0)} for v in (0, 25, 50, 75, 100)],
        "pass_y": None if pass_score is None else y(pass_score),
        "changes": changes,
        "axis": axis,
        "first": fmt.date(first),
        "last": fmt.date(last),
    }


def _series_by_standard(audits: Sequence[AuditResult]) -> list[tuple[AuditResult, ...]]:
    """One series per standard id (contract 7.10), the latest audit's standard first, then by id."""
    by_standard: dict[str, list[AuditResult]] = {}
    for audit in audits:
        by_standard.setdefault(audit.standard, []).append(audit)
    latest = audits[-1].standard
    order = [latest, *sorted(s for s in by_standard if s != latest)]
    return [tuple(by_standard[s]) for s in order]


def site_view(
    history: SiteHistory,
    library: StandardLibrary,
    lang: str,
    *,
    generated: str = "",
    audit_links: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything a site scorecard shows, formatted for ``lang``.

    ``audit_links`` maps audit ids to their pages (relative to the scorecard).
    """
    words = labels(lang)
    fmt = formatter(lang)
    links = audit_links or {}
    latest = history.latest
    standard = library.get(latest.standard, latest.standard_version)

    def text(item_id: str) -> str:
        return library.item_text(latest.standard, item_id, lang, latest.standard_version)

    def section_title(section_id: str) -> str:
        if standard is not None:
            for section in standard.sections:
                if section.id == section_id:
                    return standard.text(section.title, lang)
        return section_id

    def instance_label(section_id: str, instance: str | None) -> str:
        if instance is None:
            return ""
        section = next((s for s in standard.sections if s.id == section_id), None) if standard else None
        name = section.repeat.label if section is not None and section.repeat is not None else None
        return f"{standard.text(name, lang) if name and standard else words['instance']} {instance}"

    def title_of(result: AuditResult) -> str:
        return _standard_title(library, result.standard, result.standard_version, lang)

    items: list[dict[str, Any]] = []
    waived = []
    criticals: list[dict[str, Any]] = []
    for item in latest.items:
        if item.waived:
            waived.append({"id": item.id, "text": text(item.id), "reason": item.waived})
            continue
        if not item.finding:  # contract 7.5: a finding, whatever the item's score
            continue
        label = _choice_label(standard, item.id, item.value, lang)
        if isinstance(item.value, (list, tuple)):
            label = ", ".join(_choice_label(standard, item.id, v, lang) or str(v) for v in item.value)
        row = {
            "id": item.id,
            "text": text(item.id),
            "answer": label or _answer(item.value, item.na, words, fmt),
            "score": "—" if item.score is None else fmt.percent(item.score),
            "failed": item.score == 0,
            "critical": item.critical,
            "comment": item.comment or "",
            "evidence": list(item.evidence),
            "section": section_title(item.section),
            "instance": instance_label(item.section, item.instance),
        }
        items.append(row)
        if item.failed_critical and all(c["id"] != item.id for c in criticals):
            criticals.append(row)
    sections = [
        {
            "id": s.id,
            "title": section_title(s.id),
            "score": fmt.number(s.score),
            "value": s.score,
            "change": fmt.signed(history.section_change(s.id)),
            "trend": _trend(history.section_change(s.id)),
            "weight": fmt.number(s.weight, 0 if float(s.weight).is_integer() else 1),
        }
        for s in latest.sections
    ]
    every_series = _series_by_standard(history.audits)
    changed = {
        current.id
        for series in every_series
        for previous, current in itertools.pairwise(series)
        if current.standard_version != previous.standard_version
    }
    audits = [
        {
            "id": a.id,
            "href": links.get(a.id),
            "changed": a.id in changed,
            "date": fmt.date(a.date),
            "iso": a.date.isoformat(),
            "inspector": a.inspector,
            "subject": a.subject or "",
            "standard": title_of(a),
            "version": f"v{a.standard_version}",
            "score": fmt.number(a.score),
            "grade": a.grade,
            "status": _status(a.score, a.passed),
            "passed": _passed(words, a.passed),
        }
        for a in reversed(history.audits)
    ]
    charts = []
    for number, series in enumerate(every_series, start=1):
        chart = _chart(series, fmt, series[-1].pass_score, key=f"chart-{number}")
        chart["title"] = title_of(series[-1])
        chart["alt"] = words["history_alt"].format(count=len(series), first=chart["first"], last=chart["last"])
        charts.append(chart)
    chart = charts[0]
    return {
        "lang": lang,
        "words": words,
        "title": f"{words['scorecard']} — {history.name}",
        "site": {"id": history.site, "name": history.name, "region": history.region or ""},
        "standard_title": standard.text(standard.title, lang) if standard else latest.standard,
        "latest": {
            "id": latest.id,
            "href": links.get(latest.id),
            "score": fmt.number(latest.score),
            "raw": fmt.number(latest.raw_score),
            "raw_differs": latest.raw_score != latest.score,
            "grade": latest.grade,
            "status": _status(latest.score, latest.passed),
            "passed": _passed(words, latest.passed),
            "date": fmt.date(latest.date),
            "inspector": latest.inspector,
            "subject": latest.subject or "",
            "standard": title_of(latest),
            "version": f"v{latest.standard_version}",
            "coverage": fmt.percent(latest.coverage, exact=True),
            "partial_coverage": latest.coverage < 1,
            "change": fmt.signed(history.change),
            "trend": _trend(history.change),
            "pass_score": "—" if latest.pass_score is None else fmt.number(latest.pass_score, 0),
        },
        "criticals": criticals,
        "sections": sections,
        "items": items,
        "waived": waived,
        "recurring": [{"id": i, "text": text(i)} for i in history.recurring_failures()],
        "chart": chart,
        "charts": charts,
        "history_alt": chart["alt"],
        "audits": audits,
        "has_subjects": any(a["subject"] for a in audits),
        "generated": generated,
    }


def audit_page_view(
    result: AuditResult,
    library: StandardLibrary,
    lang: str,
    *,
    site: dict[str, str],
    index_href: str,
    site_href: str | None,
) -> dict[str, Any]:
    """Everything the page of one audit shows (contract section 8), formatted for ``lang``."""
    from .auditpage import AuditPage

    words = labels(lang)
    fmt = formatter(lang)
    standard = library.get(result.standard, result.standard_version)
    view = AuditPage(result, standard, lang, words, fmt).view()
    title = _standard_title(library, result.standard, result.standard_version, lang)
    subject = f" · {result.subject}" if result.subject else ""
    view.update(
        {
            "lang": lang,
            "words": words,
            "title": f"{title} — {site['name']} — {fmt.date(result.date)}{subject}",
            "standard_title": title,
            "site": site,
            "status": _status(result.score, result.passed),
            "passed": _passed(words, result.passed),
            "pass_score": words["pass_score"].replace(
                "{score}", "—" if result.pass_score is None else fmt.number(result.pass_score, 0)
            ),
            "criticals": [
                library.item_text(result.standard, i, lang, result.standard_version) for i in result.critical_failures
            ],
            "index_href": index_href,
            "site_href": site_href,
        }
    )
    return view


def _trend(change: float | None) -> str:
    if change is None or abs(change) < 0.005:
        return "flat"
    return "up" if change > 0 else "down"


def _heat(score: float | None) -> str:
    if score is None:
        return "none"
    if score >= 90:
        return "h5"
    if score >= 80:
        return "h4"
    if score >= 65:
        return "h3"
    if score >= 50:
        return "h2"
    return "h1"


def report_date() -> dt.date:
    """The date a report is made: today, or the date ``SOURCE_DATE_EPOCH`` gives (reproducible reports)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def portfolio_view(
    histories: Sequence[SiteHistory],
    library: StandardLibrary,
    lang: str,
    *,
    total: int,
    site_links: dict[str, str],
    failed: list[dict[str, Any]] | None = None,
    generated_on: dt.date | None = None,
) -> dict[str, Any]:
    """Everything the portfolio page shows, formatted for ``lang``.

    The headline gives the average of the sites' latest scores, how many sites
    with a pass mark pass, and the date the report was made (``generated_on``,
    else :func:`report_date`).

    ``failed`` is the most-failed-items table (``followup.ItemTally``); computed
    from the histories when not given.
    """
    from ..followup import failed_items

    words = labels(lang)
    fmt = formatter(lang)
    ranked = sorted(histories, key=lambda h: (-h.latest.score, h.site))
    rows = []
    for rank, h in enumerate(ranked, start=1):
        slope = h.slope
        rows.append(
            {
                "rank": rank,
                "id": h.site,
                "name": h.name,
                "href": site_links.get(h.site),
                "region": h.region or "",
                "score": fmt.number(h.latest.score),
                "grade": h.latest.grade,
                "status": _status(h.latest.score, h.latest.passed),
                "passed": _passed(words, h.latest.passed),
                "trend": fmt.signed(slope) if slope is not None else "–",
                "trend_class": _trend(slope),
                "last": fmt.date(h.latest.date),
                "standard": _standard_title(library, h.latest.standard, h.latest.standard_version, lang),
                "few": not h.enough_for_trend,
                "audits": h.audit_count,
            }
        )
    grades: dict[str, int] = {}
    order: list[str] = []
    for h in ranked:
        standard = library.get(h.latest.standard, h.latest.standard_version)
        for grade in standard.grades if standard else ():
            if grade.grade not in order:
                order.append(grade.grade)
        grades[h.latest.grade] = grades.get(h.latest.grade, 0) + 1
    for name in grades:
        if name not in order:
            order.append(name)
    most = max(grades.values(), default=1)
    distribution = [
        {"grade": g, "count": grades.get(g, 0), "width": round(grades.get(g, 0) / most * 100, 1)} for g in order
    ]
    groups: dict[str, dict[str, Any]] = {}
    for h in ranked:
        standard = library.get(h.latest.standard, h.latest.standard_version)
        group = groups.setdefault(
            h.latest.standard,
            {
                "standard": h.latest.standard,
                "title": standard.text(standard.title, lang) if standard else h.latest.standard,
                "sections": [],
                "rows": [],
            },
        )
        known = {s["id"] for s in group["sections"]}
        for s in h.latest.sections:
            if s.id not in known:
                known.add(s.id)
                title = next((sec.title for sec in standard.sections if sec.id == s.id), s.id) if standard else s.id
                group["sections"].append(
                    {"id": s.id, "title": localize(title, lang, standard.default_language if standard else None)}
                )
        group["rows"].append(h)
    heatmaps = []
    for group in groups.values():
        heat_rows = []
        for h in group["rows"]:
            scores = {s.id: s.score for s in h.latest.sections}
            heat_rows.append(
                {
                    "id": h.site,
                    "name": h.name,
                    "cells": [
                        {
                            "text": fmt.number(scores.get(s["id"])) if s["id"] in scores else "",
                            "class": _heat(scores.get(s["id"])) if s["id"] in scores else "empty",
                        }
                        for s in group["sections"]
                    ],
                }
            )
        heatmaps.append({"title": group["title"], "sections": group["sections"], "rows": heat_rows})
    if failed is None:
        failed = failed_items([a for h in histories for a in h.audits], library)["items"]
    most_failed = [
        {
            "text": library.item_text(r["standard"], r["item"], lang),
            "id": r["item"],
            "standard": _standard_title(library, r["standard"], None, lang),
            "rate": fmt.percent(r["failure_rate"]),
            "failed": r["failed"],
            "audits": r["audits"],
        }
        for r in failed
        if r["failed"]
    ][:10]
    with_mark = [h for h in histories if h.latest.passed is not None]
    passing = sum(1 for h in with_mark if h.latest.passed)
    average = sum(h.latest.score for h in histories) / len(histories) if histories else None
    headline = {
        "average": fmt.number(average),
        "passing": words["sites_passing_value"].format(passed=passing, total=len(with_mark)),
        "sites": len(histories),
        "audits": total,
        "date": fmt.date(generated_on or report_date()),
        "iso": (generated_on or report_date()).isoformat(),
    }
    return {
        "lang": lang,
        "words": words,
        "title": words["portfolio"],
        "headline": headline,
        "rows": rows,
        "distribution": distribution,
        "heatmaps": heatmaps,
        "most_failed": most_failed,
        "generated": words["generated"].format(count=total),
    }


RENDER_SECONDS = 20
"""How long a user template may take to render one page."""


def environment(templates: str | None = None) -> Any:
    """The Jinja environment: package templates, optionally overridden by a user folder (sandboxed)."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

    from .sandbox import bounded_sandbox

    loaders: list[Any] = []
    if templates:
        loaders.append(FileSystemLoader(templates))
    loaders.append(PackageLoader("qaudit", "templates"))

    # The package's own templates are trusted; a user's folder runs in the sandbox.
    kind = bounded_sandbox() if templates else Environment
    env = kind(
        loader=ChoiceLoader(loaders),
        autoescape=lambda name: name is None or not name.endswith((".md.j2", ".md")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_text
    return env


_MARKDOWN_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "\\|",
        **{c: "\\" + c for c in "\\`*_[]~"},
    }
)


def markdown_text(value: Any) -> str:
    """User text made literal in Markdown: no HTML, no markup, no breaking a table cell."""
    return " ".join(str(value).split()).translate(_MARKDOWN_ESCAPES)


def site_language(history: SiteHistory, library: StandardLibrary, override: str | None) -> str:
    """The scorecard language: ``--lang``, else the audit's, else the registry's, else the standard's first.

    A language qaudit has no labels for is passed over for the next one in that
    order (a page in English words with French dates and ``lang="fr"`` helps
    nobody); English when none fits.
    """
    latest = history.latest
    standard = library.get(latest.standard, latest.standard_version)
    candidates = [override, latest.language, history.language]
    if standard is not None:
        candidates += [*(standard.languages or [])]
    return next((c for c in candidates if c in LANGUAGES), "en")


def audit_language(
    result: AuditResult, registry_language: str | None, library: StandardLibrary, override: str | None
) -> str:
    """An audit page's language: ``--lang``, else the audit's, else the site's in the registry, else the standard's."""
    standard = library.get(result.standard, result.standard_version)
    candidates = [override, result.language, registry_language, *((standard.languages or []) if standard else [])]
    return next((c for c in candidates if c in LANGUAGES), "en")


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
    import json

    from ..resultset import from_dict, head_and_score_texts
    from ..scoring import ItemResult

    pending: list[bytes] = []
    site = None

    def counted(blob: bytes) -> tuple[dict[str, Any], list[tuple[bytes, bytes, bytes]]]:
        if each is not None:
            each(from_dict(json.loads(blob)))
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
        data = json.loads(blob)
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


class TemplateFailure(Exception):
    """A template could not be rendered; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _unsafe_site_problems(history: SiteHistory) -> list[Problem]:
    from ..audit_file import site_location
    from ..problems import error

    message = (
        f"site id '{history.site}' cannot be a file name (reserved name, path separator or '..'); "
        "use a slug like 'yvn-01'. The site's scorecard was not written"
    )
    return [error(a.file, *site_location(a.file), "unsafe-site-id", message) for a in history.audits]


def _template_failure(exc: BaseException, folders: Sequence[str], template: str | None = None) -> TemplateFailure:
    """The failure of a template, located at the template line that failed (from the traceback)."""
    import traceback

    from jinja2 import TemplateNotFound, TemplateSyntaxError
    from jinja2.exceptions import SecurityError

    from ..problems import error

    file, line = template or "<template>", 1
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        file, line = exc.filename, exc.lineno or 1
    else:
        roots = tuple(os.path.join(os.path.abspath(f), "") for f in folders)
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if os.path.abspath(frame.filename).startswith(roots):
                file, line = frame.filename, frame.lineno or 1
                break
    detail = str(exc).rstrip(".")
    if isinstance(exc, TemplateNotFound):
        message = f"'{exc.name}' is neither in the templates folder nor among the built-in templates"
    elif isinstance(exc, SecurityError):
        message = f"unsafe operation refused: {detail}"
    elif isinstance(exc, TemplateSyntaxError):
        message = f"syntax error: {exc.message}"
    else:
        message = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return TemplateFailure(error(file, line, 1, "template", f"{message}; nothing was written"))


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
    from ..engine import worker_count
    from ..followup import ItemTally

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
            parts = _map_parts(ranges, workers) if workers > 1 and len(ranges) > 1 else map(_render_sites, ranges)
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
            with _time_limit(RENDER_SECONDS if len(self.folders) > 1 else None):
                template = self.env.get_template(f"{kind}.{self.suffix}.j2")
                if self.base is not None:
                    folder = os.path.dirname(path)
                    view = {**view, "base_href": self.base + (folder + "/" if folder else "")}
                return Page(path, template.render(**view))
        except Exception as exc:
            # A page cut off for its size fails outside any template line: name the page's template.
            raise _template_failure(exc, self.folders, getattr(template, "filename", None)) from exc


class TemplateTimeout(Exception):
    """A user template ran past :data:`RENDER_SECONDS` on one page."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rendering one page took more than {seconds:g} seconds; simplify the template's loops")


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (where the platform has an interval timer; main thread only)."""
    import signal
    import threading

    if seconds is None or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TemplateTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_JOB: _Job | None = None


@dataclass(frozen=True)
class _Part:
    """The scorecards of a run of whole sites, and what the portfolio needs of them."""

    pages: list[Page]
    histories: list[SiteHistory]
    """Each site's :class:`~qaudit.history.SiteSummary`: only what the portfolio shows."""
    problems: list[Problem]
    tally: Any
    """The sites' :class:`~qaudit.followup.ItemTally`."""
    audit_pages: list[tuple[Staged, str]]
    """The audits' pages, staged as they were rendered, with their digests."""


def _render_sites(span: tuple[int, int] | None) -> _Part | Problem:
    """Render the scorecards of the results in ``span`` (all results when None); a failed template's problem."""
    from ..audit_model import safe_name
    from ..followup import ItemTally

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


def _map_parts(ranges: list[tuple[int, int]], workers: int) -> Iterator[_Part | Problem]:
    """:func:`_render_sites` over ``ranges`` in forked workers, in order."""
    import gc
    import multiprocessing

    from ..engine import worker_pool

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_render_sites, ranges)
        return
    gc.freeze()  # as when scoring: keep the workers' collector off inherited pages
    try:
        with worker_pool(min(workers, len(ranges))) as pool:
            yield from pool.imap(_render_sites, ranges)
    finally:
        gc.unfreeze()
