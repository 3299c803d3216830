"""Score trends of scored audits (contract §6 and 7.10): per site and standard, the
visit scores, their change and a robust slope, with the most improved and most
declined sites and each region's averages.

Trends read only the results' heads, one site at a time
(:func:`~qaudit.analytics.history.site_audits`); no audit's items are decoded.
:func:`trend_rows` and :class:`TrendSummary` give the rows as they are found,
for outputs written as they go.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..load.registry import SiteRegistry
from ..scoring.scorer import AuditResult
from .history import MIN_AUDITS_FOR_TREND, Visit, site_audits, theil_sen, visit_change, visit_points

Progress = Callable[[int], None]
"""Told how many more audits were read (a progress bar's ``advance``)."""


def trends(
    results: Iterable[AuditResult], sites: SiteRegistry | None = None, *, last: int = 3, sections: bool = False
) -> dict[str, Any]:
    """Per site and standard: the visit scores, change, change over the last ``last`` visits and a robust slope.

    A visit's score is the mean of its audits' scores, rounded to 2 decimals
    (contract 7.10); ``audits`` counts audits and ``visits`` visits.
    :func:`trend_rows` and :class:`TrendSummary` give the same row by row.
    """
    summary = TrendSummary()
    rows = [summary.add(row) for row in trend_rows(results, sites, last=last, sections=sections)]
    return {"sites": rows, **summary.result()}


def trend_rows(
    results: Iterable[AuditResult],
    sites: SiteRegistry | None = None,
    *,
    last: int = 3,
    sections: bool = False,
    each: Progress | None = None,
) -> Iterator[dict[str, Any]]:
    """The rows of :func:`trends` (``sites``), by site then standard; no audit's items are decoded."""
    sites = sites or SiteRegistry()
    for found in site_audits(results, each, heads=True, sections=sections):
        name, region = found.name_and_region(sites)
        for standard, positions in found.by_standard().items():
            visits = [
                Visit(found.site, standard, found.date(at[0]), tuple(found.head(n, sections=sections) for n in at))
                for at in found.visit_positions(positions)
            ]
            tail = visits[-last:]
            row: dict[str, Any] = {
                "site": found.site,
                "standard": standard,
                "name": name,
                "region": region,
                "audits": len(positions),
                "visits": len(visits),
                "first": visits[0].date.isoformat(),
                "last": visits[-1].date.isoformat(),
                "latest_score": visits[-1].score,
                "change": visit_change(visits),
                "change_last_n": round(tail[-1].score - tail[0].score, 2) if len(tail) > 1 else None,
                "slope": _slope(visit_points(visits)),
                "enough_audits": len(visits) >= MIN_AUDITS_FOR_TREND,
                "series": [
                    {
                        "date": v.date.isoformat(),
                        "score": v.score,
                        "audit": v.audits[0].id,
                        "audits": [a.id for a in v.audits],
                    }
                    for v in visits
                ],
            }
            if sections:
                row["sections"] = _section_trends(visits)
            yield row


class TrendSummary:
    """What :func:`trends` says over all rows (most improved and declined, regions), kept row by row."""

    KEYS = ("most_improved", "most_declined", "regions", "min_audits_for_trend")
    """The keys of :meth:`result`, in order."""

    def __init__(self) -> None:
        self._rows: list[tuple[str, str, str, float, float | None]] = []
        """(site, standard, region or "", latest score, slope) of each row."""

    def add(self, row: dict[str, Any]) -> dict[str, Any]:
        """Take one row of :func:`trend_rows` into account; returns it."""
        self._rows.append((row["site"], row["standard"], row["region"] or "", row["latest_score"], row["slope"]))
        return row

    def result(self) -> dict[str, Any]:
        """The keys of :func:`trends` after ``sites``."""
        ranked = [r for r in self._rows if r[4] is not None]
        improved = sorted(ranked, key=lambda r: (-r[4], r[0], r[1]))  # type: ignore[operator]
        declined = sorted(ranked, key=lambda r: (r[4], r[0], r[1]))
        regions: dict[str, list[tuple[str, str, str, float, float | None]]] = {}
        for found in self._rows:
            regions.setdefault(found[2], []).append(found)
        return {
            "most_improved": list(dict.fromkeys(r[0] for r in improved if r[4] > 0))[:5],  # type: ignore[operator]
            "most_declined": list(dict.fromkeys(r[0] for r in declined if r[4] < 0))[:5],  # type: ignore[operator]
            "regions": [
                {
                    "region": region or None,
                    "sites": len({m[0] for m in members}),
                    "mean_latest_score": round(statistics.fmean(m[3] for m in members), 2),
                    "mean_slope": _mean([m[4] for m in members if m[4] is not None]),
                }
                for region, members in sorted(regions.items())
            ],
            "min_audits_for_trend": MIN_AUDITS_FOR_TREND,
        }


def _slope(points: list[tuple[float, float]]) -> float | None:
    """Theil–Sen slope in points per 30 days, unrounded; None under the minimum number of visits."""
    if len(points) < MIN_AUDITS_FOR_TREND:
        return None
    slope = theil_sen(points)
    return None if slope is None else slope * 30


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _section_trends(visits: Sequence[Visit]) -> list[dict[str, Any]]:
    """Each section's trend over one series: a visit's section score is the mean over its audits (2 decimals)."""
    first = visits[0].date
    by_section: dict[str, list[tuple[float, float]]] = {}
    audits: dict[str, int] = {}
    for visit in visits:
        scores: dict[str, list[float]] = {}
        for audit in visit.audits:
            for section in audit.sections:
                if section.score is not None:
                    scores.setdefault(section.id, []).append(section.score)
        for section_id, found in scores.items():
            mean = round(sum(found) / len(found), 2)
            by_section.setdefault(section_id, []).append(((visit.date - first).days, mean))
            audits[section_id] = audits.get(section_id, 0) + len(found)
    out = []
    for section_id, points in by_section.items():
        out.append(
            {
                "standard": visits[0].standard,
                "section": section_id,
                "audits": audits[section_id],
                "latest_score": points[-1][1],
                "change": round(points[-1][1] - points[-2][1], 2) if len(points) > 1 else None,
                "slope": _slope(points),
            }
        )
    return out
