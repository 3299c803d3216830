"""Each site's audit history: latest and previous audit, change, trend, recurring failures.

Shared by scorecards, the Excel export and the follow-up commands, so that a
"change since the previous audit" or a "trend" means the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from .registry import SiteRegistry
from .scoring import AuditResult

MIN_AUDITS_FOR_TREND = 3
"""Fewer audits than this are too few to call a trend (or rank a site fairly)."""


def audit_order(result: AuditResult) -> tuple[dt.date, str]:
    """Chronological order of one site's audits: by date, then id."""
    return (result.date, result.id)


@dataclass(frozen=True)
class SiteHistory:
    """One site's audits in chronological order, with what is derived from them."""

    site: str
    name: str
    region: str | None
    language: str | None
    """The registry's language for the site's scorecard, if any."""
    audits: tuple[AuditResult, ...]

    @property
    def latest(self) -> AuditResult:
        """The latest audit (by date, then id)."""
        return self.audits[-1]

    @property
    def audit_count(self) -> int:
        """How many audits the site has."""
        return len(self.audits)

    @property
    def previous(self) -> AuditResult | None:
        """The audit before the latest, if any."""
        return self.audits[-2] if len(self.audits) > 1 else None

    @property
    def change(self) -> float | None:
        """Latest score minus the previous score (None with one audit)."""
        previous = self.previous
        return None if previous is None else round(self.latest.score - previous.score, 2)

    @property
    def slope(self) -> float | None:
        """Theil–Sen slope of score over days since the first audit, in points per 30 days."""
        return trend_slope(self.audits)

    @property
    def enough_for_trend(self) -> bool:
        """Whether the site has enough audits to call a trend or rank it fairly."""
        return len(self.audits) >= MIN_AUDITS_FOR_TREND

    def section_change(self, section_id: str) -> float | None:
        """Change of one section's score since the previous audit (None if either has none)."""
        previous = self.previous
        if previous is None:
            return None
        now = _section_score(self.latest, section_id)
        before = _section_score(previous, section_id)
        return None if now is None or before is None else round(now - before, 2)

    def recurring_failures(self, window: int = 3, at_least: int = 2) -> list[str]:
        """Items failed (scored 0) in at least ``at_least`` of the last ``window`` audits.

        Listed in the latest audit's standard order, then any others by id.
        """
        counts: dict[str, int] = {}
        for result in self.audits[-window:]:
            for item in result.items:
                if item.score == 0:
                    counts[item.id] = counts.get(item.id, 0) + 1
        order = [item.id for item in self.latest.items]
        found = [i for i in order if counts.get(i, 0) >= at_least]
        found += sorted(i for i, n in counts.items() if n >= at_least and i not in order)
        return found


@dataclass(frozen=True)
class SiteSummary(SiteHistory):
    """A site's history reduced to what a portfolio shows: the latest audit (without its items),
    the number of audits and the trend, which are computed once from the whole history."""

    count: int = 0
    trend: float | None = None

    @classmethod
    def of(cls, history: SiteHistory) -> SiteSummary:
        """The summary of ``history``."""
        return cls(
            site=history.site,
            name=history.name,
            region=history.region,
            language=history.language,
            audits=(replace(history.latest, items=()),),
            count=len(history.audits),
            trend=history.slope,
        )

    @property
    def audit_count(self) -> int:
        return self.count

    @property
    def slope(self) -> float | None:
        return self.trend

    @property
    def enough_for_trend(self) -> bool:
        return self.count >= MIN_AUDITS_FOR_TREND


def _section_score(result: AuditResult, section_id: str) -> float | None:
    for section in result.sections:
        if section.id == section_id:
            return section.score
    return None


def theil_sen(points: Sequence[tuple[float, float]]) -> float | None:
    """The Theil–Sen estimator: the median of the slopes between every pair of points.

    Pairs with the same x are skipped; None when no pair has distinct x.
    """
    slopes = [(y2 - y1) / (x2 - x1) for i, (x1, y1) in enumerate(points) for (x2, y2) in points[i + 1 :] if x2 != x1]
    return statistics.median(slopes) if slopes else None


def trend_slope(audits: Sequence[AuditResult]) -> float | None:
    """Points per 30 days (Theil–Sen over days since the first audit); None under 3 audits."""
    if len(audits) < MIN_AUDITS_FOR_TREND:
        return None
    first = audits[0].date
    slope = theil_sen([((a.date - first).days, a.score) for a in audits])
    return None if slope is None else round(slope * 30, 2)


def light(result: AuditResult) -> AuditResult:
    """A result without its items and sections: enough for history charts and tables."""
    if not result.items and not result.sections:
        return result  # light already (as a report reads older audits)
    return replace(result, items=(), sections=())


def site_histories(
    results: Iterable[AuditResult],
    registry: SiteRegistry | None = None,
    *,
    full: int | None = None,
    each: Callable[[AuditResult], None] | None = None,
) -> list[SiteHistory]:
    """Group results by site, each site's audits in chronological order; sites sorted by id.

    With ``full``, only each site's last ``full`` audits keep their items and
    sections (the older ones keep dates, scores and grades), so the histories of
    100,000 audits fit in little memory; ``each`` sees every full result first.
    """
    registry = registry or SiteRegistry()
    by_site: dict[str, list[AuditResult]] = {}
    heavy: dict[str, int] = {}
    for result in results:
        if each is not None:
            each(result)
        audits = by_site.setdefault(result.site, [])
        audits.append(result)
        if full is not None:
            heavy[result.site] = heavy.get(result.site, 0) + 1
            if heavy[result.site] > 2 * full + 8:
                audits.sort(key=audit_order)
                audits[: len(audits) - full] = [light(a) for a in audits[: len(audits) - full]]
                heavy[result.site] = full
    histories = []
    for site in sorted(by_site):
        audits = sorted(by_site[site], key=audit_order)
        if full is not None:
            audits[: max(0, len(audits) - full)] = [light(a) for a in audits[: max(0, len(audits) - full)]]
        entry = registry.sites.get(site)
        latest = audits[-1]
        name = (entry.name if entry and entry.name else None) or latest.site_name or site
        region = (entry.region if entry else None) or latest.site_region
        histories.append(
            SiteHistory(
                site=site,
                name=name,
                region=region,
                language=entry.language if entry else None,
                audits=tuple(audits),
            )
        )
    return histories
