"""The scoring model (contract §3) as a pure function: ``score(standard, audit) -> AuditResult``.

No I/O and no printing: the easiest part of qaudit to test exhaustively.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from .audits import Audit
from .model import Item, Standard


class ItemResult(NamedTuple):
    """One item of a scored audit (a named tuple: cheap to build, pickle and cache)."""

    id: str
    section: str
    value: bool | int | float | str | None
    """The response value; None when N/A."""
    na: bool
    score: float | None
    """Item score in [0, 1]; None when N/A."""
    weight: float
    critical: bool
    failed_critical: bool
    """A critical item scored exactly 0."""
    comment: str | None = None
    evidence: tuple[str, ...] = ()
    waived: str | None = None
    """The waiver's reason when the item counted as N/A because of a waiver."""


class SectionResult(NamedTuple):
    """One section of a scored audit."""

    id: str
    score: float | None
    """0..100 rounded to 2 decimals; None when every item was N/A."""
    weight: float
    coverage: float
    """Share of the section's item weight answered rather than N/A (0..1)."""


@dataclass(frozen=True, slots=True)
class AuditResult:
    """A scored audit: everything reports, exports and follow-up need."""

    id: str
    file: str
    site: str
    date: dt.date
    inspector: str
    standard: str
    standard_version: int
    score: float
    """The score (0..100, 2 decimals) after the critical-failure policy."""
    raw_score: float
    """The weighted score before the critical-failure policy (2 decimals)."""
    grade: str
    passed: bool
    critical_failures: tuple[str, ...]
    """Ids of failed critical items, in standard order."""
    sections: tuple[SectionResult, ...]
    items: tuple[ItemResult, ...]
    coverage: float
    """Share of the total item weight answered rather than N/A (0..1, 4 decimals)."""
    pass_score: float
    language: str | None = None
    site_name: str | None = None
    site_region: str | None = None

    @property
    def standard_label(self) -> str:
        """``id@version``."""
        return f"{self.standard}@{self.standard_version}"

    @property
    def sort_key(self) -> tuple[str, dt.date, str]:
        """The order of audits in every output: site, date, id."""
        return (self.site, self.date, self.id)


_Plan = tuple[tuple[str, float, tuple[tuple[str, float, bool, Callable[[Any], float]], ...], float], ...]
_PLANS: dict[int, tuple[Standard, _Plan]] = {}


def _scorer(item: Item) -> Callable[[Any], float]:
    """The item's score function, specialised once per item."""
    if item.type == "yes_no":
        return lambda value: 1.0 if value else 0.0
    if item.type == "scale":
        low = float(item.min or 0)
        span = float((item.max or 0) - low)
        return lambda value: (value - low) / span
    if item.type == "choice":
        scores = {o.value: o.score for o in item.options or ()}
        return scores.__getitem__
    bands = tuple((b.max, b.score) for b in item.bands or ())
    last = bands[-1][1]

    def band_score(value: Any) -> float:
        for top, band in bands:
            if top is not None and value <= top:
                return band
        return last

    return band_score


def _plan(standard: Standard) -> _Plan:
    """The standard laid out for scoring: sections with their items' weights and score functions."""
    cached = _PLANS.get(id(standard))
    if cached is not None and cached[0] is standard:
        return cached[1]
    plan = tuple(
        (
            section.id,
            section.weight,
            tuple((item.id, item.weight, item.critical, _scorer(item)) for item in section.items),
            sum(item.weight for item in section.items),
        )
        for section in standard.sections
    )
    _PLANS[id(standard)] = (standard, plan)
    return plan


class NothingToScore(ValueError):
    """Every item of the audit was N/A: the audit has no score."""


def score(standard: Standard, audit: Audit) -> AuditResult:
    """Grade ``audit`` against ``standard`` exactly as the scoring model says.

    * item score ``s`` in [0, 1] for every answered (not N/A) item;
    * section score = 100 × Σ(wᵢ·sᵢ) / Σwᵢ over answered items (None if all N/A);
    * raw score = Σ(Wₛ·Sₛ) / ΣWₛ over sections with a score;
    * a critical item fails when its score is exactly 0; under ``zero_score``
      any failure makes the score 0, under ``fail_audit`` it only fails the audit;
    * scores are rounded to 2 decimals before the pass and grade decisions.

    Raises :class:`NothingToScore` when no section has a score.
    """
    items: list[ItemResult] = []
    sections: list[SectionResult] = []
    failures: list[str] = []
    total_weighted = 0.0
    total_weight = 0.0
    coverage_sum = 0.0
    all_section_weight = 0.0
    responses = audit.responses
    make_item = ItemResult
    for section_id, section_weight_w, section_items, item_weight_sum in _plan(standard):
        weighted = 0.0
        answered_weight = 0.0
        for item_id, weight, critical, scorer in section_items:
            response = responses.get(item_id)
            if response is None or response.na:
                items.append(
                    make_item(
                        item_id,
                        section_id,
                        None,
                        True,
                        None,
                        weight,
                        critical,
                        False,
                        response.comment if response else None,
                        response.evidence if response else (),
                        response.waived if response else None,
                    )
                )
                continue
            s = scorer(response.value)
            weighted += weight * s
            answered_weight += weight
            failed = critical and s == 0
            if failed:
                failures.append(item_id)
            items.append(
                make_item(
                    item_id,
                    section_id,
                    response.value,
                    False,
                    s,
                    weight,
                    critical,
                    failed,
                    response.comment,
                    response.evidence,
                    None,
                )
            )
        coverage = answered_weight / item_weight_sum
        coverage_sum += section_weight_w * coverage
        all_section_weight += section_weight_w
        if answered_weight > 0:
            section_score = 100.0 * weighted / answered_weight
            total_weighted += section_weight_w * section_score
            total_weight += section_weight_w
            sections.append(SectionResult(section_id, round(section_score, 2), section_weight_w, round(coverage, 4)))
        else:
            sections.append(SectionResult(section_id, None, section_weight_w, 0.0))
    if total_weight == 0:
        raise NothingToScore(f"{audit.file}: every item is N/A, so the audit has no score")
    raw = total_weighted / total_weight
    critical = bool(failures)
    final = 0.0 if critical and standard.critical_failure == "zero_score" else raw
    raw_rounded = round(raw, 2)
    final_rounded = round(final, 2)
    return AuditResult(
        id=audit.id,
        file=audit.file,
        site=audit.site,
        date=audit.date,
        inspector=audit.inspector,
        standard=standard.id,
        standard_version=standard.version,
        score=final_rounded,
        raw_score=raw_rounded,
        grade=standard.grade_for(final_rounded, critical),
        passed=not critical and final_rounded >= standard.pass_score,
        critical_failures=tuple(failures),
        sections=tuple(sections),
        items=tuple(items),
        coverage=round(coverage_sum / all_section_weight, 4),
        pass_score=standard.pass_score,
        language=audit.language,
        site_name=audit.site_name,
        site_region=audit.site_region,
    )
