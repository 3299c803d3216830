"""A site's pages: the view data of its scorecard (score-history charts as coordinates) and of each audit's page.

Templates receive this plain view data (formatted strings, chart coordinates), never the models.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from ..analytics.history import SiteHistory
from ..load.standards import StandardLibrary
from ..model.standard import Standard
from ..scoring.scorer import AuditResult
from .language import Formatter, formatter, labels, standard_title
from .verdicts import passed_words, status_class, trend_class


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


CHART_VALUE_LABELS = 12
"""Up to this many points, each shows its score; beyond it, only the last one and the lowest (titles hold all)."""


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
        return standard_title(library, result.standard, result.standard_version, lang)

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
            "trend": trend_class(history.section_change(s.id)),
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
            "status": status_class(a.score, a.passed),
            "passed": passed_words(words, a.passed),
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
            "status": status_class(latest.score, latest.passed),
            "passed": passed_words(words, latest.passed),
            "date": fmt.date(latest.date),
            "inspector": latest.inspector,
            "subject": latest.subject or "",
            "standard": title_of(latest),
            "version": f"v{latest.standard_version}",
            "coverage": fmt.percent(latest.coverage, exact=True),
            "partial_coverage": latest.coverage < 1,
            "change": fmt.signed(history.change),
            "trend": trend_class(history.change),
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
    title = standard_title(library, result.standard, result.standard_version, lang)
    subject = f" · {result.subject}" if result.subject else ""
    view.update(
        {
            "lang": lang,
            "words": words,
            "title": f"{title} — {site['name']} — {fmt.date(result.date)}{subject}",
            "standard_title": title,
            "site": site,
            "status": status_class(result.score, result.passed),
            "passed": passed_words(words, result.passed),
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
