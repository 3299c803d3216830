"""Follow-up on scored audits: corrective actions, trends, most-failed items,
inspector calibration and what-if rescoring (contract §6).

Every function here takes scored results and returns plain rows (dicts in the
JSON shape of the contract), so the CLI, reports and exports share the numbers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .audits import Audit, Response, read_value
from .history import MIN_AUDITS_FOR_TREND, SiteHistory, audit_order, site_histories, theil_sen
from .model import Item, Standard
from .problems import InvalidInput, QauditError, error
from .registry import SiteRegistry
from .scoring import AuditResult, NothingToScore, score
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
    """Each site's latest audit (by date, then id)."""
    latest: dict[str, AuditResult] = {}
    for result in results:
        current = latest.get(result.site)
        if current is None or audit_order(result) > audit_order(current):
            latest[result.site] = result
    return latest


def actions(
    results: Sequence[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    today: dt.date | None = None,
    due: DueDays | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Open corrective actions (every item scored below 1 in each site's latest audit, contract §6).

    ``closed`` lists the actions of the site's previous audit that the latest one
    closed: ``fixed`` (the item now scores 1) or ``dropped`` (the latest audit's
    standard version no longer has the item).
    """
    sites = sites or SiteRegistry()
    today = today or dt.date.today()
    due = due or DueDays()
    open_actions: list[dict[str, Any]] = []
    closed: list[dict[str, Any]] = []
    histories = {h.site: h for h in site_histories(results, sites)}
    for site, latest in sorted(latest_by_site(results).items()):
        entry = sites.sites.get(site)
        owner = entry.manager.name if entry and entry.manager else None
        standard = library.get(latest.standard, latest.standard_version)
        for item in latest.items:
            if item.score is None or item.score >= 1:
                continue
            due_date = latest.date + dt.timedelta(days=due.days(latest.standard, item.critical))
            open_actions.append(
                {
                    "site": site,
                    "item": item.id,
                    "standard": latest.standard,
                    "standard_version": latest.standard_version,
                    "audit": latest.id,
                    "date": latest.date.isoformat(),
                    "score": item.score,
                    "critical": item.critical,
                    "comment": item.comment,
                    "owner": owner,
                    "site_name": histories[site].name,
                    "due": due_date.isoformat(),
                    "overdue": today > due_date,
                    "text": standard.text(standard.items[item.id].text) if standard else item.id,
                }
            )
        history = histories[site]
        previous = history.previous
        if previous is not None and previous.standard == latest.standard and standard is not None:
            now = {item.id: item for item in latest.items}
            for item in previous.items:
                if item.score is None or item.score >= 1:
                    continue
                if item.id not in standard.items:
                    status = "dropped"
                    reason = f"the item is not in {latest.standard}@{latest.standard_version}"
                elif item.id in now and now[item.id].score == 1:
                    status = "fixed"
                    reason = f"scored 1 in {latest.id} on {latest.date.isoformat()}"
                else:
                    continue
                closed.append(
                    {
                        "site": site,
                        "item": item.id,
                        "standard": latest.standard,
                        "audit": latest.id,
                        "opened_in": previous.id,
                        "status": status,
                        "reason": reason,
                    }
                )
    open_actions.sort(key=lambda a: (a["site"], a["item"]))
    closed.sort(key=lambda a: (a["site"], a["item"]))
    return {"actions": open_actions, "closed": closed}


def trends(
    results: Sequence[AuditResult], sites: SiteRegistry | None = None, *, last: int = 3, sections: bool = False
) -> dict[str, Any]:
    """Per site: the score series, change, change over the last ``last`` audits and a robust slope."""
    rows: list[dict[str, Any]] = []
    for history in site_histories(results, sites):
        audits = history.audits
        tail = audits[-last:]
        row: dict[str, Any] = {
            "site": history.site,
            "name": history.name,
            "region": history.region,
            "audits": len(audits),
            "first": audits[0].date.isoformat(),
            "last": audits[-1].date.isoformat(),
            "latest_score": history.latest.score,
            "change": history.change,
            "change_last_n": round(tail[-1].score - tail[0].score, 2) if len(tail) > 1 else None,
            "slope": _slope([((a.date - audits[0].date).days, a.score) for a in audits]),
            "enough_audits": history.enough_for_trend,
            "series": [{"date": a.date.isoformat(), "score": a.score, "audit": a.id} for a in audits],
        }
        if sections:
            row["sections"] = _section_trends(history)
        rows.append(row)
    ranked = [r for r in rows if r["slope"] is not None]
    improved = sorted(ranked, key=lambda r: (-r["slope"], r["site"]))
    declined = sorted(ranked, key=lambda r: (r["slope"], r["site"]))
    regions: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        regions.setdefault(row["region"] or "", []).append(row)
    return {
        "sites": rows,
        "most_improved": [r["site"] for r in improved if r["slope"] > 0][:5],
        "most_declined": [r["site"] for r in declined if r["slope"] < 0][:5],
        "regions": [
            {
                "region": region or None,
                "sites": len(members),
                "mean_latest_score": round(statistics.fmean(m["latest_score"] for m in members), 2),
                "mean_slope": _mean([m["slope"] for m in members if m["slope"] is not None]),
            }
            for region, members in sorted(regions.items())
        ],
        "min_audits_for_trend": MIN_AUDITS_FOR_TREND,
    }


def _slope(points: list[tuple[float, float]]) -> float | None:
    """Theil–Sen slope in points per 30 days, unrounded; None under the minimum number of audits."""
    if len(points) < MIN_AUDITS_FOR_TREND:
        return None
    slope = theil_sen(points)
    return None if slope is None else slope * 30


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _section_trends(history: SiteHistory) -> list[dict[str, Any]]:
    first = history.audits[0].date
    # Keyed by standard too: two standards may both have a section called "main".
    by_section: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for audit in history.audits:
        for section in audit.sections:
            if section.score is not None:
                key = (audit.standard, section.id)
                by_section.setdefault(key, []).append(((audit.date - first).days, section.score))
    out = []
    for (standard_id, section_id), points in by_section.items():
        out.append(
            {
                "standard": standard_id,
                "section": section_id,
                "audits": len(points),
                "latest_score": points[-1][1],
                "change": round(points[-1][1] - points[-2][1], 2) if len(points) > 1 else None,
                "slope": _slope(points),
            }
        )
    return out


class ItemTally:
    """Counts of answers, failures (score 0) and partials per item, overall and by region."""

    def __init__(self, sites: SiteRegistry | None = None, *, regions: bool = True) -> None:
        self.sites = sites or SiteRegistry()
        self.regions = regions
        self.overall: dict[tuple[str, str], list[int]] = {}
        self.by_region: dict[tuple[str, str, str], list[int]] = {}
        self.audits: dict[str, int] = {}
        """Audits counted, by standard."""
        self._pairs: dict[tuple[str, str], Counter[tuple[Any, Any]]] = {}
        """(region, standard) → how often each (item id, score) pair was counted, not yet settled."""

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
        self.count(result.site, result.site_region, result.standard, [(i.id, i.score) for i in result.items])

    def add_dict(self, result: dict[str, Any]) -> None:
        """Count one scored audit given as its JSON object."""
        scores = [(i["id"], i["score"]) for i in result["items"]]
        self.count(result["site"], result["site_region"], result["standard"], scores)

    def count(self, site: str, site_region: str | None, standard: str, scores: Iterable[tuple[str, Any]]) -> None:
        """Count one audit's item scores: (item id, score or None) pairs.

        The pairs may also be the texts of a serialised result (``b"id"``,
        ``b"0.5"`` or ``b"null"``), as a report finds them without decoding the
        result. Equal pairs are only counted here; what they mean is worked out
        once per distinct pair when the tally is settled.
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
            for (item_id, value), times in counter.items():
                if isinstance(value, bytes):
                    value = None if value == b"null" else float(value)
                if isinstance(item_id, bytes):
                    item_id = item_id.decode("utf-8")
                if value is not None:
                    self._add(region, standard, item_id, value, times)

    def _region(self, site: str, site_region: str | None) -> str:
        entry = self.sites.sites.get(site)
        return (entry.region if entry else None) or site_region or ""

    def _add(self, region: str, standard: str, item_id: str, value: float, times: int) -> None:
        # [answered, failed (score 0), partial (0 < score < 1)]; most answers score 1.
        failed = partial = 0
        if value < 1:
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
    results: Iterable[AuditResult], library: StandardLibrary, sites: SiteRegistry | None = None
) -> dict[str, Any]:
    """Items failed most often across all sites, and by region and by standard."""
    tally = ItemTally(sites)
    for result in results:
        tally.add(result)
    return tally.report(library)


def label(item: Item, result_item: Any) -> str | float:
    """An item's answer as a calibration label (contract §6).

    ``na``; ``yes``/``no``; the scale value; the option value; the (0-based) index of
    the band that matched. Numbers stay numbers, so a scale value of 2 and band
    index 2 are the same label while the option value ``"2"`` is not.
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
    return str(value)


def kappa(a: Sequence[str | float], b: Sequence[str | float]) -> tuple[float, float]:
    """Agreement and Cohen's kappa of two equally long label sequences.

    ``po`` is the share of equal labels, ``pe = Σ_c p_a(c)·p_b(c)``; kappa is
    ``(po − pe) / (1 − pe)``, and 1 when ``pe = 1`` (every label the same).
    Counted in whole numbers, so the result does not depend on summation order.
    """
    n = len(a)
    agree = sum(x == y for x, y in zip(a, b, strict=True))
    counts_a = Counter(a)
    counts_b = Counter(b)
    chance = sum(count * counts_b.get(c, 0) for c, count in counts_a.items())  # pe · n²
    if chance == n * n:
        return agree / n, 1.0 if agree == n else 0.0
    return agree / n, (agree * n - chance) / (n * n - chance)


def calibration(results: Sequence[AuditResult], library: StandardLibrary) -> dict[str, Any]:
    """Agreement between inspectors who audited the same visit, and each inspector's leniency."""
    visits: dict[tuple[str, dt.date, str, int], list[AuditResult]] = {}
    for result in results:
        visits.setdefault((result.site, result.date, result.standard, result.standard_version), []).append(result)
    pairs: list[dict[str, Any]] = []
    per_item: dict[tuple[str, str], list[int]] = {}
    for (site, day, sid, version), group in sorted(visits.items()):
        if len(group) < 2:
            continue
        standard = library.get(sid, version)
        if standard is None:
            continue
        for first, second in itertools.combinations(sorted(group, key=lambda r: (r.inspector, r.id)), 2):
            if first.inspector == second.inspector:
                continue  # one inspector's two audits of a visit say nothing about agreement between inspectors
            items_a = {i.id: i for i in first.items}
            items_b = {i.id: i for i in second.items}
            ids = [i for i in standard.items if i in items_a and i in items_b]
            if not ids:
                continue
            labels_a = [label(standard.items[i], items_a[i]) for i in ids]
            labels_b = [label(standard.items[i], items_b[i]) for i in ids]
            agreement, k = kappa(labels_a, labels_b)
            for item_id, x, y in zip(ids, labels_a, labels_b, strict=True):
                counts = per_item.setdefault((sid, item_id), [0, 0])
                counts[0] += 1
                counts[1] += x == y
            pairs.append(
                {
                    "site": site,
                    "date": day.isoformat(),
                    "standard": sid,
                    "standard_version": version,
                    "inspectors": [first.inspector, second.inspector],
                    "audits": [first.id, second.id],
                    "items": len(ids),
                    "agreement": agreement,
                    "kappa": k,
                }
            )
    inspectors: list[dict[str, Any]] = []
    by_inspector: dict[str, list[AuditResult]] = {}
    for result in results:
        by_inspector.setdefault(result.inspector, []).append(result)
    # Each site's scores by inspector, so "the other inspectors' audits of the site" is one lookup.
    by_site: dict[str, dict[str, list[float]]] = {}
    for result in results:
        by_site.setdefault(result.site, {}).setdefault(result.inspector, []).append(result.score)
    for name in sorted(by_inspector):
        differences = []
        for result in by_inspector[name]:
            others = [s for who, scores in by_site[result.site].items() if who != name for s in scores]
            if others:
                differences.append(result.score - statistics.fmean(others))
        inspectors.append(
            {
                "inspector": name,
                "audits": len(by_inspector[name]),
                "mean_difference": statistics.fmean(differences) if differences else None,
            }
        )
    disagreements = sorted(
        (
            {"standard": sid, "item": item_id, "pairs": n, "agreement": round(agree / n, 4)}
            for (sid, item_id), (n, agree) in per_item.items()
        ),
        key=lambda r: (r["agreement"], r["standard"], r["item"]),
    )
    return {"pairs": pairs, "inspectors": inspectors, "items": disagreements}


def carry_over(audit_like: AuditResult, target: Standard) -> tuple[Audit, list[str], list[str]]:
    """The responses of a scored audit moved onto another version of its standard.

    Returns the new audit, the answered item ids that could not be carried over
    (gone from ``target``, or the value no longer fits) and the items of ``target``
    the old audit did not answer (counted as N/A).
    """
    responses: dict[str, Response] = {}
    dropped: list[str] = []
    for item in audit_like.items:
        new_item = target.items.get(item.id)
        if new_item is None:
            dropped.append(item.id)
            continue
        if item.waived is not None:
            # The waiver excuses the site from the item whatever the version says about N/A.
            responses[item.id] = Response(None, True, item.comment, item.evidence, item.waived)
            continue
        if item.na:
            if new_item.na_allowed:
                responses[item.id] = Response(None, True, item.comment, item.evidence)
            else:
                dropped.append(item.id)
            continue
        raw = _raw_value(item.value)
        value, na, message = read_value(new_item, raw)
        if message is not None:
            dropped.append(item.id)
            continue
        responses[item.id] = Response(value, na, item.comment, item.evidence)
    missing = [i for i in target.items if i not in responses]
    for item_id in missing:
        responses[item_id] = Response(None, True)
    audit = Audit(
        id=audit_like.id,
        file=audit_like.file,
        standard=target.id,
        standard_version=target.version,
        site=audit_like.site,
        inspector=audit_like.inspector,
        date=audit_like.date,
        responses={i: responses[i] for i in target.items},
        language=audit_like.language,
    )
    return audit, dropped, [i for i in missing if i not in dropped]


def _raw_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def rescore(
    results: Sequence[AuditResult], library: StandardLibrary, standard_id: str | None, version: int
) -> list[dict[str, Any]]:
    """What each audit would score on another version of its standard."""
    rows = []
    for result in results:
        if (standard_id is not None and result.standard != standard_id) or result.standard_version == version:
            continue
        target = library.get(result.standard, version)
        if target is None:
            continue
        audit, dropped, unanswered = carry_over(result, target)
        try:
            new = score(target, audit)
            new_score: float | None = new.score
            new_grade: str | None = new.grade
            passed: bool | None = new.passed
        except NothingToScore:
            new_score = new_grade = passed = None
        rows.append(
            {
                "audit": result.id,
                "site": result.site,
                "date": result.date.isoformat(),
                "standard": result.standard,
                "from_version": result.standard_version,
                "to_version": version,
                "old_score": result.score,
                "new_score": new_score,
                "change": None if new_score is None else round(new_score - result.score, 2),
                "old_grade": result.grade,
                "new_grade": new_grade,
                "passed": passed,
                "not_carried_over": dropped,
                "unanswered": unanswered,
            }
        )
    return sorted(rows, key=lambda r: (r["site"], r["date"], r["audit"]))
