"""The report's index: the portfolio page's view data (sites ranked, grades, section heatmaps, most-failed
items, the headline) and the date a report is made."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any

from ..analytics.history import SiteHistory
from ..load.standards import StandardLibrary
from ..model.standard import localize
from .language import formatter, labels, standard_title
from .verdicts import passed_words, status_class, trend_class


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

    ``failed`` is the most-failed-items table (``failed_items.ItemTally``); computed
    from the histories when not given.
    """
    from ..analytics.failed_items import failed_items

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
                "status": status_class(h.latest.score, h.latest.passed),
                "passed": passed_words(words, h.latest.passed),
                "trend": fmt.signed(slope) if slope is not None else "–",
                "trend_class": trend_class(slope),
                "last": fmt.date(h.latest.date),
                "standard": standard_title(library, h.latest.standard, h.latest.standard_version, lang),
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
            "standard": standard_title(library, r["standard"], None, lang),
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
