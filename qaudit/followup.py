"""Follow-up on scored audits: corrective actions, trends, most-failed items,
inspector calibration and what-if rescoring (contract §6, grouped by visit as in 7.10).

Every function here takes scored results and returns plain rows (dicts in the
JSON shape of the contract), so the CLI, reports and exports share the numbers.

Given a run's :class:`~qaudit.resultset.ResultSet`, they read it in its order,
one site at a time (:func:`~qaudit.history.site_audits`), holding only that
site's dates and standards, and decode an audit in full only where the output
shows it item by item (the latest two visits for actions, the visits audited
twice for calibration, the audits rescored); trends read the results' heads and
items their score texts. The ``*_rows``, ``site_actions`` and ``Calibration``
forms give the rows as they are found, for outputs written as they go.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .history import (
    MIN_AUDITS_FOR_TREND,
    Visit,
    audit_order,
    site_audits,
    theil_sen,
    visit_change,
    visit_points,
)
from .model import UNSCORED_TYPES, Item, Standard
from .problems import InvalidInput, QauditError, error
from .registry import SiteRegistry
from .scoring import AuditResult, ItemResult
from .standards import StandardLibrary

DEFAULT_DUE_DAYS = {"critical": 2, "other": 14}


@dataclass
class DueDays:
    """Days from an audit to the due date of its corrective actions, by standard."""

    critical: int = DEFAULT_DUE_DAYS["critical"]
    other: int = DEFAULT_DUE_DAYS["other"]
    per_standard: dict[str, tuple[int, int]] = field(default_factory=dict)

    def days(self, standard: str, critical: bool) -> int:
        """The number of days allowed for an item of ``standard``."""
        crit, other = self.per_standard.get(standard, (self.critical, self.other))
        return crit if critical else other


def load_config(path: str | None, *, required: bool = False) -> DueDays:
    """Read due-date settings from a ``qaudit/config@1`` file (absent file: the defaults).

    ::

        schema: qaudit/config@1
        actions:
          due_days: {critical: 2, other: 14}
          standards:
            office-cleaning-service: {critical: 1, other: 7}

    Unknown keys and values that are not whole numbers of days are errors; with
    ``required`` a missing file is one too (the user named it).
    """
    if not path or not os.path.exists(path):
        if required and path:
            raise QauditError(f"{path}: no such file; check the --config path")
        return DueDays()
    from .validation import did_you_mean
    from .yamlsrc import load

    doc = load(path)
    problems = list(doc.problems)
    data = doc.data if isinstance(doc.data, dict) else None
    if problems:
        raise InvalidInput(problems)

    def complain(where: tuple[str | int, ...], rule: str, message: str, *, key: bool = False) -> None:
        line, col = doc.at(where, key=key)
        problems.append(error(path, line, col, rule, message))

    def mapping(node: Any, where: tuple[str | int, ...], keys: tuple[str, ...] | None, what: str) -> dict[Any, Any]:
        if node is None:
            return {}
        if not isinstance(node, dict):
            complain(where, "wrong-type", f"{what} must be a mapping")
            return {}
        for name in node if keys is not None else ():
            if keys is not None and name not in keys:
                hint = did_you_mean(str(name), keys)
                complain((*where, name), "unknown-key", f"unknown key '{name}' in {what}{hint}", key=True)
        return node

    def pair(node: Any, where: tuple[str | int, ...], default: tuple[int, int]) -> tuple[int, int]:
        node = mapping(node, where, ("critical", "other"), f"'{where[-1]}'")
        values = []
        for key, fallback in zip(("critical", "other"), default, strict=True):
            raw = node.get(key)
            if raw is None:
                values.append(fallback)
            elif isinstance(raw, str) and raw.isascii() and raw.isdigit():  # the loader keeps scalars as text
                values.append(int(raw))
            else:
                complain((*where, key), "wrong-type", f"'{key}' must be a whole number of days (0 or more)")
                values.append(fallback)
        return values[0], values[1]

    if data is None or data.get("schema") != "qaudit/config@1":
        complain(("schema",), "unknown-schema", "a config file starts with 'schema: qaudit/config@1'")
        raise InvalidInput(problems)
    mapping(data, (), ("schema", "actions"), "the config file")
    actions = mapping(data.get("actions"), ("actions",), ("due_days", "standards"), "'actions'")
    base = pair(actions.get("due_days"), ("actions", "due_days"), (DueDays.critical, DueDays.other))
    per: dict[str, tuple[int, int]] = {}
    standards = mapping(actions.get("standards"), ("actions", "standards"), None, "'standards'")
    for sid, node in standards.items():
        per[str(sid)] = pair(node, ("actions", "standards", sid), base)
    if problems:
        raise InvalidInput(problems)
    return DueDays(base[0], base[1], per)


def latest_by_site(results: Iterable[AuditResult]) -> dict[str, AuditResult]:
    """Each site's latest audit (by date, then subject, then id)."""
    latest: dict[str, AuditResult] = {}
    for result in results:
        current = latest.get(result.site)
        if current is None or audit_order(result) > audit_order(current):
            latest[result.site] = result
    return latest


FindingKey = tuple[str, str | None, str | None]
"""(item id, subject, instance): what one action is about within a site's visit of a standard."""


def visit_findings(visit: Visit) -> dict[FindingKey, list[tuple[AuditResult, ItemResult]]]:
    """The findings of one visit, by (item, subject, instance): each with the audits where it is one, by id."""
    found: dict[FindingKey, list[tuple[AuditResult, ItemResult]]] = {}
    for audit in sorted(visit.audits, key=lambda a: a.id):
        for item in audit.items:
            if item.finding:
                found.setdefault((item.id, audit.subject, item.instance), []).append((audit, item))
    return found


def action_order(row: dict[str, Any]) -> tuple[Any, ...]:
    """Actions by site, standard, item, subject (none first), instance (none first)."""
    subject, instance = row["subject"], row["instance"]
    return (
        row["site"],
        row["standard"],
        row["item"],
        subject is not None,
        subject or "",
        instance is not None,
        instance or "",
    )


Progress = Callable[[int], None]
"""Told how many more audits were read (a progress bar's ``advance``)."""


def actions(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    today: dt.date | None = None,
    due: DueDays | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Open corrective actions: the findings of each site's latest visit of each standard (contract 7.10).

    One action per (site, standard, item, subject, instance) that is a finding in
    at least one audit of the visit; ``audits`` lists them all, ``audit`` is the
    first (by id) and gives the version, criticality and comment; ``score`` is the
    lowest item score among them (None for an unscored item).

    ``closed`` lists the actions of the previous visit of the same standard that
    the latest visit closed, for the same subject and instance: ``fixed`` (answered
    and no longer a finding) or ``dropped`` (the standard version now used for that
    subject no longer has the item). :func:`site_actions` gives the same site by site.
    """
    open_actions: list[dict[str, Any]] = []
    closed: list[dict[str, Any]] = []
    for opened, shut in site_actions(results, library, sites, today=today, due=due):
        open_actions += opened
        closed += shut
    return {"actions": open_actions, "closed": closed}


def site_actions(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    today: dt.date | None = None,
    due: DueDays | None = None,
    each: Progress | None = None,
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """:func:`actions` one site at a time, sites in order: (open, closed), each in :func:`action_order`.

    Only the latest two visits of each standard of the site are decoded in full.
    """
    sites = sites or SiteRegistry()
    today = today or dt.date.today()
    due = due or DueDays()
    for found in site_audits(results, each):
        entry = sites.sites.get(found.site)
        owner = entry.manager.name if entry and entry.manager else None
        name: str | None = None
        open_actions: list[dict[str, Any]] = []
        closed: list[dict[str, Any]] = []
        for standard, positions in found.by_standard().items():
            visits = found.visit_positions(positions)
            latest = Visit(found.site, standard, found.date(visits[-1][0]), tuple(found.full(n) for n in visits[-1]))
            for (item_id, subject, instance), hits in visit_findings(latest).items():
                audit, item = hits[0]
                scores = [i.score for _, i in hits if i.score is not None]
                due_date = audit.date + dt.timedelta(days=due.days(audit.standard, item.critical))
                if name is None:
                    name = found.name_and_region(sites)[0]
                open_actions.append(
                    {
                        "site": found.site,
                        "item": item_id,
                        "standard": audit.standard,
                        "standard_version": audit.standard_version,
                        "subject": subject,
                        "instance": instance,
                        "audit": audit.id,
                        "audits": [a.id for a, _ in hits],
                        "date": audit.date.isoformat(),
                        "score": min(scores) if scores else None,
                        "critical": item.critical,
                        "comment": item.comment,
                        "owner": owner,
                        "site_name": name,
                        "due": due_date.isoformat(),
                        "overdue": today > due_date,
                        "text": library.item_text(audit.standard, item_id, None, audit.standard_version),
                    }
                )
            if len(visits) > 1:
                previous = Visit(
                    found.site, standard, found.date(visits[-2][0]), tuple(found.full(n) for n in visits[-2])
                )
                closed += _closed(found.site, previous, latest, library)
        open_actions.sort(key=action_order)
        closed.sort(key=action_order)
        yield open_actions, closed


def _closed(site: str, previous: Visit, latest: Visit, library: StandardLibrary) -> list[dict[str, Any]]:
    """The previous visit's actions that the latest visit of the same standard closed."""
    now = visit_findings(latest)
    by_subject: dict[str | None, list[AuditResult]] = {}
    for audit in sorted(latest.audits, key=lambda a: a.id):
        by_subject.setdefault(audit.subject, []).append(audit)
    closed = []
    for (item_id, subject, instance), hits in visit_findings(previous).items():
        audits = by_subject.get(subject)
        if not audits or (item_id, subject, instance) in now:
            continue  # not audited again, or still a finding
        standards = [library.get(a.standard, a.standard_version) for a in audits]
        if all(s is not None and item_id not in s.items for s in standards):
            status = "dropped"
            reason = f"the item is not in {audits[0].standard_label}"
            audit = audits[0]
        else:
            answered = [
                (a, i)
                for a in audits
                for i in a.items
                if i.id == item_id and i.instance == instance and i.applicable and not i.na and i.value is not None
            ]
            if not answered:
                continue  # N/A, not applicable or not asked this time: nothing is known
            audit = answered[0][0]
            status = "fixed"
            if all(i.score == 1 for _, i in answered):
                reason = f"scored 1 in {audit.id} on {audit.date.isoformat()}"
            else:
                reason = f"no longer a finding in {audit.id} on {audit.date.isoformat()}"
        closed.append(
            {
                "site": site,
                "item": item_id,
                "standard": latest.standard,
                "subject": subject,
                "instance": instance,
                "audit": audit.id,
                "opened_in": hits[0][0].id,
                "status": status,
                "reason": reason,
            }
        )
    return closed


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
) -> dict[str, Any]:
    """Items failed most often across all sites, and by region and by standard."""
    from .resultset import ResultSet, head_and_score_texts

    tally = ItemTally(sites)
    if isinstance(results, ResultSet):
        # The scores are counted from the results' texts: no item is decoded.
        for blob in results.blobs():
            head, scores = head_and_score_texts(blob, sections=False)
            tally.count(head["site"], head["site_region"], head["standard"], scores)
            if each is not None:
                each(1)
    else:
        for result in results:
            tally.add(result)
    return tally.report(library)


def label(item: Item, result_item: Any) -> Any:
    """An item's answer as a calibration label (contract §6 and 7.10).

    ``na``; ``yes``/``no``; the scale value; the option value; the (0-based) index of
    the band that matched; for ``multi_choice`` the sorted chosen values (a tuple).
    Numbers stay numbers, so a scale value of 2 and band index 2 are the same label
    while the option value ``"2"`` is not.
    """
    if result_item.na:
        return "na"
    value = result_item.value
    if item.type == "yes_no":
        return "yes" if value else "no"
    if item.type == "number":
        return item.band_index(value)
    if item.type == "scale":
        return float(value)
    if item.type == "multi_choice":
        return tuple(sorted(str(v) for v in value))
    return str(value)


def kappa(a: Sequence[Any], b: Sequence[Any]) -> tuple[float | None, float | None]:
    """Agreement and Cohen's kappa of two equally long label sequences (both None when they are empty).

    ``po`` is the share of equal labels, ``pe = Σ_c p_a(c)·p_b(c)``; kappa is
    ``(po − pe) / (1 − pe)``, and 1 when ``pe = 1`` (every label the same).
    Counted in whole numbers, so the result does not depend on summation order.
    """
    n = len(a)
    if n == 0:
        return None, None
    agree = sum(x == y for x, y in zip(a, b, strict=True))
    counts_a = Counter(a)
    counts_b = Counter(b)
    chance = sum(count * counts_b.get(c, 0) for c, count in counts_a.items())  # pe · n²
    if chance == n * n:
        return agree / n, 1.0 if agree == n else 0.0
    return agree / n, (agree * n - chance) / (n * n - chance)


def compared_items(standard: Standard, first: AuditResult, second: AuditResult) -> list[tuple[str, Any, Any]]:
    """(item id, label in ``first``, label in ``second``) of every item two audits of one version compare on.

    Items applicable in both, excluding ``text`` and ``date`` items; items of
    repeated sections instance by instance, for the instances present in both.
    An item N/A in one audit and answered in the other is compared (label ``na``).
    """
    other = {(i.id, i.instance): i for i in second.items}
    compared = []
    for mine in first.items:
        theirs = other.get((mine.id, mine.instance))
        item = standard.items.get(mine.id)
        if theirs is None or item is None or item.type in UNSCORED_TYPES:
            continue
        if not (mine.applicable and theirs.applicable):
            continue
        if (mine.value is None and not mine.na) or (theirs.value is None and not theirs.na):
            continue  # left out: nothing to compare
        compared.append((mine.id, label(item, mine), label(item, theirs)))
    return compared


def calibration(results: Iterable[AuditResult], library: StandardLibrary) -> dict[str, Any]:
    """Agreement between inspectors who audited the same visit and subject, and each inspector's leniency.

    Two audits are compared when they belong to one visit (site, standard id, date),
    have the same standard version and the same subject (none equals none), and
    are by different inspectors (contract 7.10). :class:`Calibration` gives the
    same pair by pair.
    """
    found = Calibration(library)
    pairs = list(found.pairs(results))
    return {"pairs": pairs, **found.result()}


class Calibration:
    """Calibration read one site at a time: the pairs as they are found, then inspectors and items.

    Only the audits of a visit audited more than once are decoded in full.
    """

    KEYS = ("inspectors", "items")
    """The keys of :meth:`result`, in order."""

    def __init__(self, library: StandardLibrary) -> None:
        self.library = library
        self._per_item: dict[tuple[str, str], list[int]] = {}
        """(standard, item) → [pairs compared on it, pairs that agreed]."""
        self._audits: dict[str, int] = {}
        """Audits by inspector."""
        self._differences: dict[str, list[float]] = {}
        """Each inspector's audits' differences from the other inspectors' mean score on that site and standard."""

    def pairs(self, results: Iterable[AuditResult], each: Progress | None = None) -> Iterator[dict[str, Any]]:
        """The pairs of :func:`calibration`, by site, date, standard, version and subject."""
        for found in site_audits(results, each, heads=True):
            heads = [found.head(n) for n in range(len(found))]
            groups: dict[tuple[dt.date, str, int, bool, str], list[int]] = {}
            for n, head in enumerate(heads):
                key = (head.date, head.standard, head.standard_version, head.subject is not None, head.subject or "")
                groups.setdefault(key, []).append(n)
            full: dict[int, AuditResult] = {}
            for (_, sid, version, _, _), group in sorted(groups.items()):
                if len(group) < 2:
                    continue
                standard = self.library.get(sid, version)
                if standard is None:
                    continue
                for a, b in itertools.combinations(sorted(group, key=lambda n: (heads[n].inspector, heads[n].id)), 2):
                    if heads[a].inspector == heads[b].inspector:
                        continue  # one inspector's two audits of a visit say nothing about agreement between inspectors
                    for n in (a, b):
                        if n not in full:
                            full[n] = found.full(n)
                    yield self._pair(standard, full[a], full[b])
            self._leniency(heads)

    def _pair(self, standard: Standard, first: AuditResult, second: AuditResult) -> dict[str, Any]:
        compared = compared_items(standard, first, second)
        agreement, k = kappa([c[1] for c in compared], [c[2] for c in compared])
        for item_id, x, y in compared:
            counts = self._per_item.setdefault((standard.id, item_id), [0, 0])
            counts[0] += 1
            counts[1] += x == y
        return {
            "site": first.site,
            "date": first.date.isoformat(),
            "standard": standard.id,
            "standard_version": standard.version,
            "subject": first.subject,
            "inspectors": [first.inspector, second.inspector],
            "audits": [first.id, second.id],
            "items": len(compared),
            "agreement": agreement,
            "kappa": k,
        }

    def _leniency(self, heads: Sequence[AuditResult]) -> None:
        """Count one site's audits by inspector, and each one's difference from the others on the site and standard."""
        # Each standard's scores by inspector: "the other inspectors' audits of the site and standard".
        by_standard: dict[str, dict[str, list[float]]] = {}
        for head in heads:
            by_standard.setdefault(head.standard, {}).setdefault(head.inspector, []).append(head.score)
            self._audits[head.inspector] = self._audits.get(head.inspector, 0) + 1
        others_mean: dict[tuple[str, str], float | None] = {}
        for sid, scores in by_standard.items():
            for name in scores:
                others = [s for who, found in scores.items() if who != name for s in found]
                others_mean[(sid, name)] = statistics.fmean(others) if others else None
        for head in heads:
            mean = others_mean[(head.standard, head.inspector)]
            if mean is not None:
                self._differences.setdefault(head.inspector, []).append(head.score - mean)

    def result(self) -> dict[str, Any]:
        """The keys of :func:`calibration` after ``pairs``: ``inspectors`` and ``items``."""
        inspectors = [
            {
                "inspector": name,
                "audits": self._audits[name],
                "mean_difference": statistics.fmean(self._differences[name]) if name in self._differences else None,
            }
            for name in sorted(self._audits)
        ]
        disagreements = sorted(
            (
                {"standard": sid, "item": item_id, "pairs": n, "agreement": round(agree / n, 4)}
                for (sid, item_id), (n, agree) in self._per_item.items()
            ),
            key=lambda r: (r["agreement"], r["standard"], r["item"]),
        )
        return {"inspectors": inspectors, "items": disagreements}
