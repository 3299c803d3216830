"""Inspector calibration (contract §6 and 7.10): how well inspectors who audited the
same visit and subject agree (agreement and Cohen's kappa, pair by pair and item
by item), and how lenient each inspector scores compared with the others.

Read one site at a time (:func:`~qaudit.analytics.history.site_audits`); only the audits
of a visit audited more than once are decoded in full. :class:`Calibration`
gives the pairs as they are found, for outputs written as they go.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..load.standards import StandardLibrary
from ..model.standard import UNSCORED_TYPES, Item, Standard
from ..scoring.scorer import AuditResult
from .history import site_audits

Progress = Callable[[int], None]
"""Told how many more audits were read (a progress bar's ``advance``)."""


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
