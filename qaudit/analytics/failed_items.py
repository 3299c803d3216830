"""The most-failed items of scored audits (contract §6 and 7.10): how often each item
was answered, failed and partly failed, across all sites, by region and by standard.

Given a run's :class:`~qaudit.results.resultset.ResultSet`, the items are counted from
the results' score texts, without decoding any result; :class:`ItemTally` keeps
the counts audit by audit and can merge the tallies of several workers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from ..load.registry import SiteRegistry
from ..load.standards import StandardLibrary
from ..scoring.scorer import AuditResult

Progress = Callable[[int], None]
"""Told how many more audits were read (a progress bar's ``advance``)."""


class ItemTally:
    """Counts of scored answers, failures and partials per item, overall and by region.

    A failure is a finding (contract 7.5) that scored 0; a partial is a finding
    that scored above 0. With the default ``flag_below: 1`` that is "scored 0"
    and "scored between 0 and 1", as in contract v1; an answer that is not a
    finding (say "fair" under ``flag: false``) counts only as answered.
    """

    def __init__(self, sites: SiteRegistry | None = None, *, regions: bool = True) -> None:
        self.sites = sites or SiteRegistry()
        self.regions = regions
        self.overall: dict[tuple[str, str], list[int]] = {}
        self.by_region: dict[tuple[str, str, str], list[int]] = {}
        self.audits: dict[str, int] = {}
        """Audits counted, by standard."""
        self._pairs: dict[tuple[str, str], Counter[tuple[Any, ...]]] = {}
        """(region, standard) → how often each (item id, score, finding) was counted, not yet settled."""

    def merge(self, other: ItemTally) -> None:
        """Add the counts of ``other`` (e.g. a worker's tally of its share of the audits)."""
        self.settle()
        other.settle()
        for mine, theirs in ((self.overall, other.overall), (self.by_region, other.by_region)):
            for key, counts in theirs.items():
                total = mine.setdefault(key, [0, 0, 0])  # type: ignore[arg-type]
                for n, count in enumerate(counts):
                    total[n] += count
        for standard, count in other.audits.items():
            self.audits[standard] = self.audits.get(standard, 0) + count

    def add(self, result: AuditResult) -> None:
        """Count one scored audit."""
        self.count(result.site, result.site_region, result.standard, [(i.id, i.score, i.finding) for i in result.items])

    def add_dict(self, result: dict[str, Any]) -> None:
        """Count one scored audit given as its JSON object."""
        scores = [(i["id"], i["score"], i["finding"]) for i in result["items"]]
        self.count(result["site"], result["site_region"], result["standard"], scores)

    def count(self, site: str, site_region: str | None, standard: str, scores: Iterable[tuple[Any, ...]]) -> None:
        """Count one audit's items: (item id, score or None, finding) triples.

        The triples may also be the texts of a serialised result (``b"id"``,
        ``b"0.5"`` or ``b"null"``, ``b"true"`` or ``b"false"``), as a report finds
        them without decoding the result. An (item id, score) pair counts a score
        below 1 as a finding (the default rule). Equal triples are only counted
        here; what they mean is worked out once per distinct triple when the
        tally is settled.
        """
        region = self._region(site, site_region)
        self.audits[standard] = self.audits.get(standard, 0) + 1
        counter = self._pairs.get((region, standard))
        if counter is None:
            counter = self._pairs[(region, standard)] = Counter()
        counter.update(scores)

    def settle(self) -> None:
        """Fold the pairs counted so far into :attr:`overall` and :attr:`by_region`."""
        pairs, self._pairs = self._pairs, {}
        for (region, standard), counter in pairs.items():
            for (item_id, value, *flag), times in counter.items():
                if isinstance(value, bytes):
                    value = None if value == b"null" else float(value)
                if isinstance(item_id, bytes):
                    item_id = item_id.decode("utf-8")
                if value is None:
                    continue  # N/A, not applicable or unscored
                finding = value < 1 if not flag else flag[0] in (True, b"true")
                self._add(region, standard, item_id, value, finding, times)

    def _region(self, site: str, site_region: str | None) -> str:
        entry = self.sites.sites.get(site)
        return (entry.region if entry else None) or site_region or ""

    def _add(self, region: str, standard: str, item_id: str, value: float, finding: bool, times: int) -> None:
        # [answered, failed (a finding scored 0), partial (a finding scored above 0)]; most answers are neither.
        failed = partial = 0
        if finding:
            failed, partial = (times, 0) if value == 0 else (0, times)
        key = (standard, item_id)
        counts = self.overall.get(key)
        if counts is None:
            counts = self.overall[key] = [0, 0, 0]
        counts[0] += times
        counts[1] += failed
        counts[2] += partial
        if self.regions:
            counts = self.by_region.setdefault((region, standard, item_id), [0, 0, 0])
            counts[0] += times
            counts[1] += failed
            counts[2] += partial

    def report(self, library: StandardLibrary) -> dict[str, Any]:
        """The tallies as rows, most failed first."""
        self.settle()

        def row(key: tuple[str, ...], counts: list[int]) -> dict[str, Any]:
            audits, failed, partial = counts
            return {
                "standard": key[-2],
                "item": key[-1],
                "text": library.item_text(key[-2], key[-1]),
                "audits": audits,
                "failed": failed,
                "partial": partial,
                "failure_rate": round(failed / audits, 4),
            }

        items = sorted(
            (row(k, v) for k, v in self.overall.items()),
            key=lambda r: (-r["failure_rate"], -r["failed"], r["standard"], r["item"]),
        )
        regions = sorted(
            ({"region": k[0] or None, **row(k, v)} for k, v in self.by_region.items()),
            key=lambda r: (r["region"] or "", -r["failure_rate"], r["standard"], r["item"]),
        )
        standards: dict[str, dict[str, Any]] = {}
        for r in items:
            totals = standards.setdefault(
                r["standard"],
                {"standard": r["standard"], "audits": self.audits.get(r["standard"], 0), "answers": 0, "failed": 0},
            )
            totals["answers"] += r["audits"]
            totals["failed"] += r["failed"]
        for totals in standards.values():
            totals["failure_rate"] = round(totals["failed"] / totals["answers"], 4) if totals["answers"] else 0.0
        return {
            "items": items,
            "by_region": regions,
            "by_standard": sorted(standards.values(), key=lambda e: (-e["failure_rate"], e["standard"])),
        }


def failed_items(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    each: Progress | None = None,
    jobs: int = 1,
) -> dict[str, Any]:
    """Items failed most often across all sites, and by region and by standard.

    Given a result set, runs of whole sites are counted by up to ``jobs``
    worker processes (0: one per core), their tallies merged.
    """
    from ..results.resultset import ResultSet
    from ..run.engine import PARALLEL_THRESHOLD, map_in_workers, worker_count

    global _COUNTING
    tally = ItemTally(sites)
    if not isinstance(results, ResultSet):
        for result in results:
            tally.add(result)
        return tally.report(library)
    workers = worker_count(jobs) if len(results) >= PARALLEL_THRESHOLD else 1
    _COUNTING = (results, sites)
    try:
        for part, count in map_in_workers(_count_range, results.site_ranges(8 * workers), workers):
            tally.merge(part)
            if each is not None:
                each(count)
    finally:
        _COUNTING = None
    return tally.report(library)


_COUNTING: tuple[Any, SiteRegistry | None] | None = None
"""What :func:`_count_range` works on: set before the workers fork, so they inherit it."""


def _count_range(span: tuple[int, int]) -> tuple[ItemTally, int]:
    """The tally of the results in ``span`` (in output order), settled, and how many results were read.

    The scores are counted from the results' texts: no item is decoded.
    """
    from ..results.serialise import head_and_score_texts

    assert _COUNTING is not None
    results, sites = _COUNTING
    tally = ItemTally(sites)
    for _, blob in results.blobs_between(*span):
        head, scores = head_and_score_texts(blob, sections=False)
        tally.count(head["site"], head["site_region"], head["standard"], scores)
    tally.settle()
    tally.sites = SiteRegistry()  # sent back without the registry: only the counts are merged
    return tally, span[1] - span[0]
