"""Each site's audit history: visits, latest and previous visit, change, trend, recurring failures.

Shared by scorecards, the Excel export and the follow-up commands, so that a
"change since the previous visit" or a "trend" means the same everywhere.

A **visit** is the audits of one site against one standard id on one date (any
version, any subject; contract 7.10). A series of visits is always of one
standard: two standards of a site never enter one series.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from ..load.registry import SiteRegistry
from ..scoring.scorer import AuditResult, subject_key

MIN_AUDITS_FOR_TREND = 3
"""Fewer visits than this are too few to call a trend (or rank a site fairly)."""


def audit_order(result: AuditResult) -> tuple[dt.date, str]:
    """Chronological order of one site's audits: by date, then subject (none first), then id.

    The order of every output (contract 7.9); for audits without a subject, by date then id.
    """
    return (result.date, subject_key(result.subject, result.id))


@dataclass(frozen=True)
class Visit:
    """The audits of one site against one standard id on one date (any version, any subject)."""

    site: str
    standard: str
    date: dt.date
    audits: tuple[AuditResult, ...]
    """In :func:`audit_order`."""

    @property
    def score(self) -> float:
        """The mean of the audits' scores, rounded to 2 decimals."""
        return round(sum(a.score for a in self.audits) / len(self.audits), 2)

    @property
    def latest(self) -> AuditResult:
        """The visit's last audit in output order."""
        return self.audits[-1]


def visits_of(audits: Sequence[AuditResult]) -> list[Visit]:
    """Visits of chronologically ordered audits, grouped by standard id and date, oldest first.

    Give it the audits of one site and one standard (a series); the audits of
    other standards would make visits of their own, interleaved by date.
    """
    grouped: dict[tuple[dt.date, str], list[AuditResult]] = {}
    for audit in audits:
        grouped.setdefault((audit.date, audit.standard), []).append(audit)
    return [Visit(a[0].site, standard, day, tuple(a)) for (day, standard), a in grouped.items()]


def visit_change(visits: Sequence[Visit]) -> float | None:
    """The last visit's score minus the one before (2 decimals); None with fewer than two visits."""
    return round(visits[-1].score - visits[-2].score, 2) if len(visits) > 1 else None


def visit_points(visits: Sequence[Visit]) -> list[tuple[float, float]]:
    """(days since the first visit, visit score) of each visit: what a trend is fitted to."""
    first = visits[0].date if visits else None
    return [((v.date - first).days, v.score) for v in visits] if first is not None else []


@dataclass(frozen=True)
class SiteHistory:
    """One site's audits in chronological order, with what is derived from them.

    Changes, trends and recurring failures are those of the **series** of the
    latest audit's standard, visit by visit (contract 7.10): a site audited
    against two standards has two series, and only the latest one's is shown
    here. :func:`standard_histories` gives one history per site and standard.
    """

    site: str
    name: str
    region: str | None
    language: str | None
    """The registry's language for the site's scorecard, if any."""
    audits: tuple[AuditResult, ...]

    @property
    def latest(self) -> AuditResult:
        """The latest audit (by date, then subject, then id)."""
        return self.audits[-1]

    @property
    def standard(self) -> str:
        """The standard id of the latest audit: the series the history's numbers are about."""
        return self.latest.standard

    @property
    def audit_count(self) -> int:
        """How many audits the site has."""
        return len(self.audits)

    @property
    def series(self) -> tuple[AuditResult, ...]:
        """The audits of the latest audit's standard, in order."""
        standard = self.standard
        if all(a.standard == standard for a in self.audits):
            return self.audits
        return tuple(a for a in self.audits if a.standard == standard)

    @property
    def visits(self) -> list[Visit]:
        """The visits of :attr:`series`, oldest first."""
        return visits_of(self.series)

    @property
    def previous_visit(self) -> Visit | None:
        """The visit before the latest one of the series, if any."""
        visits = self.visits
        return visits[-2] if len(visits) > 1 else None

    @property
    def previous(self) -> AuditResult | None:
        """The last audit of the previous visit of the series, if any."""
        visit = self.previous_visit
        return None if visit is None else visit.latest

    @property
    def change(self) -> float | None:
        """Latest visit score minus the previous visit score (None with one visit)."""
        return visit_change(self.visits)

    @property
    def slope(self) -> float | None:
        """Theil–Sen slope of visit scores over days since the first visit, in points per 30 days."""
        return trend_slope(self.visits)

    @property
    def enough_for_trend(self) -> bool:
        """Whether the series has enough visits to call a trend or rank the site fairly."""
        return len(self.visits) >= MIN_AUDITS_FOR_TREND

    def section_change(self, section_id: str) -> float | None:
        """Change of one section's mean score since the previous visit (None if either visit has none)."""
        visits = self.visits
        if len(visits) < 2:
            return None
        now = _section_score(visits[-1], section_id)
        before = _section_score(visits[-2], section_id)
        return None if now is None or before is None else round(now - before, 2)

    def recurring_failures(self, window: int = 3, at_least: int = 2) -> list[str]:
        """Items failed (scored 0) in at least ``at_least`` of the series' last ``window`` visits.

        An item failed in several audits or instances of one visit counts once for
        it. Listed in the latest audit's standard order, then any others by id.
        """
        counts: dict[str, int] = {}
        for visit in self.visits[-window:]:
            for item_id in {item.id for result in visit.audits for item in result.items if item.score == 0}:
                counts[item_id] = counts.get(item_id, 0) + 1
        order = list(dict.fromkeys(item.id for item in self.latest.items))
        found = [i for i in order if counts.get(i, 0) >= at_least]
        found += sorted(i for i, n in counts.items() if n >= at_least and i not in order)
        return found


@dataclass(frozen=True)
class SiteSummary(SiteHistory):
    """A site's history reduced to what a portfolio shows: the latest audit (without its items),
    the number of audits and visits and the trend, which are computed once from the whole history."""

    count: int = 0
    trend: float | None = None
    visit_count: int = 0
    """Visits of the latest audit's standard."""

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
            visit_count=len(history.visits),
        )

    @property
    def audit_count(self) -> int:
        return self.count

    @property
    def slope(self) -> float | None:
        return self.trend

    @property
    def enough_for_trend(self) -> bool:
        return self.visit_count >= MIN_AUDITS_FOR_TREND


def _section_score(visit: Visit, section_id: str) -> float | None:
    """The mean score of one section over the visit's audits that scored it (2 decimals)."""
    scores = [s.score for a in visit.audits for s in a.sections if s.id == section_id and s.score is not None]
    return round(sum(scores) / len(scores), 2) if scores else None


def theil_sen(points: Sequence[tuple[float, float]]) -> float | None:
    """The Theil–Sen estimator: the median of the slopes between every pair of points.

    Pairs with the same x are skipped; None when no pair has distinct x.
    """
    slopes = [(y2 - y1) / (x2 - x1) for i, (x1, y1) in enumerate(points) for (x2, y2) in points[i + 1 :] if x2 != x1]
    return statistics.median(slopes) if slopes else None


def trend_slope(visits: Sequence[Visit]) -> float | None:
    """Points per 30 days (Theil–Sen over days since the first visit), 2 decimals; None under 3 visits."""
    if len(visits) < MIN_AUDITS_FOR_TREND:
        return None
    slope = theil_sen(visit_points(visits))
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


def standard_histories(results: Iterable[AuditResult], registry: SiteRegistry | None = None) -> list[SiteHistory]:
    """One history per site and standard id, each a single series (contract 7.10); sorted by site, then standard.

    The site's name and region are those of :func:`site_histories`.
    """
    found: list[SiteHistory] = []
    for history in site_histories(results, registry):
        by_standard: dict[str, list[AuditResult]] = {}
        for audit in history.audits:
            by_standard.setdefault(audit.standard, []).append(audit)
        found += [replace(history, audits=tuple(by_standard[standard])) for standard in sorted(by_standard)]
    return found


class SiteAudits:
    """One site's audits in output order, read one site at a time (see :func:`site_audits`).

    Holds each audit's date and standard id; heads (a result without its items)
    and full results are decoded on demand from the run's result set, so a
    command holds no more than the site it is working on, and decodes in full
    only the audits its output shows item by item.
    """

    def __init__(
        self,
        site: str,
        dates: list[str],
        standards: list[str],
        read: Callable[[int], bytes] | None = None,
        results: Sequence[AuditResult] | None = None,
        heads: Sequence[AuditResult] | None = None,
    ) -> None:
        self.site = site
        self.dates = dates
        """ISO dates, in output order."""
        self.standards = standards
        """Standard ids, in output order."""
        self._read = read
        self._results = results
        self._heads = heads

    def __len__(self) -> int:
        return len(self.dates)

    def date(self, n: int) -> dt.date:
        """The date of the ``n``-th audit."""
        return dt.date.fromisoformat(self.dates[n])

    def head(self, n: int, *, sections: bool = False) -> AuditResult:
        """The ``n``-th audit without its items (and without its sections unless ``sections``)."""
        if self._results is not None:
            return self._results[n]
        if self._heads is not None:
            return self._heads[n]
        from ..results.serialise import from_dict, head_of

        assert self._read is not None
        return from_dict(head_of(self._read(n), sections=sections), items=sections)

    def full(self, n: int) -> AuditResult:
        """The ``n``-th audit with its items and sections."""
        if self._results is not None:
            return self._results[n]
        from ..results.serialise import loads

        assert self._read is not None
        return loads(self._read(n).decode("utf-8"))

    def by_standard(self) -> dict[str, list[int]]:
        """The positions of the audits of each standard, standards sorted by id (each a series)."""
        found: dict[str, list[int]] = {}
        for n, standard in enumerate(self.standards):
            found.setdefault(standard, []).append(n)
        return {standard: found[standard] for standard in sorted(found)}

    def visit_positions(self, positions: Sequence[int]) -> list[list[int]]:
        """``positions`` of one standard grouped into visits (by date), oldest first."""
        visits: list[list[int]] = []
        for n in positions:
            if visits and self.dates[visits[-1][-1]] == self.dates[n]:
                visits[-1].append(n)
            else:
                visits.append([n])
        return visits

    def name_and_region(self, registry: SiteRegistry) -> tuple[str, str | None]:
        """The site's name and region as :func:`site_histories` gives them (the registry's, else the latest audit's)."""
        entry = registry.sites.get(self.site)
        if entry and entry.name and entry.region:
            return entry.name, entry.region
        latest = self.head(len(self) - 1)
        name = (entry.name if entry and entry.name else None) or latest.site_name or self.site
        return name, (entry.region if entry else None) or latest.site_region


def site_audits(
    results: Iterable[AuditResult],
    each: Callable[[int], None] | None = None,
    *,
    heads: bool = False,
    sections: bool = False,
) -> Iterator[SiteAudits]:
    """The audits of each site in turn, sites sorted by id, each site's audits in chronological order.

    From a :class:`~qaudit.results.resultset.ResultSet` the results are read in their
    order, one site at a time, and decoded only on demand; with ``heads`` every
    audit's head (with its sections when ``sections``) is decoded as it is read,
    for a command that needs them all. Any other collection of results is
    sorted first. ``each`` is told how many audits each site had (a progress bar).
    """
    from ..results.resultset import ResultSet
    from ..results.serialise import from_dict, head_of, standard_of

    if not isinstance(results, ResultSet):
        ordered = sorted(results, key=lambda r: (r.site, *audit_order(r)))
        for name, group in itertools.groupby(ordered, key=lambda r: r.site):
            found = list(group)
            if each is not None:
                each(len(found))
            yield SiteAudits(name, [r.date.isoformat() for r in found], [r.standard for r in found], results=found)
        return
    start = 0
    site: str | None = None
    dates: list[str] = []
    standards: list[str] = []
    decoded: list[AuditResult] = []

    def reader(first: int) -> Callable[[int], bytes]:
        return lambda n: results.blob_at(first + n)

    def done() -> SiteAudits:
        assert site is not None
        if each is not None:
            each(len(dates))
        return SiteAudits(site, dates, standards, reader(start), heads=decoded if heads else None)

    for index, (key, blob) in enumerate(results.blobs_between(0, len(results))):
        if key[0] != site:
            if site is not None:
                yield done()
            site, start, dates, standards, decoded = key[0], index, [], [], []
        dates.append(key[1])
        standards.append(standard_of(blob))
        if heads:
            decoded.append(from_dict(head_of(blob, sections=sections), items=sections))
    if site is not None:
        yield done()
