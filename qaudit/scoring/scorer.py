"""The scoring model (contract §3 and §7) as a pure function: ``score(standard, audit) -> AuditResult``.

No I/O and no printing: the easiest part of qaudit to test exhaustively.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..model.audit import Audit
from ..model.memo import Memo
from ..model.responses import Response, is_finding
from ..model.standard import Item, Section, Standard


class ItemResult(NamedTuple):
    """One item of a scored audit (a named tuple: cheap to build, pickle and cache)."""

    id: str
    section: str
    value: Any
    """The response value; None when N/A, not applicable or left out (a tuple for multi_choice)."""
    na: bool
    score: float | None
    """Item score in [0, 1]; None when N/A, not applicable, unscored or left out."""
    weight: float
    critical: bool
    failed_critical: bool
    """A critical item scored exactly 0."""
    comment: str | None = None
    evidence: tuple[str, ...] = ()
    waived: str | None = None
    """The waiver's reason when the item counted as N/A because of a waiver."""
    instance: str | None = None
    """The instance of a repeated section this result belongs to."""
    applicable: bool = True
    """False when a ``when`` condition of the item or its section is false."""
    scored: bool = True
    """The item's own property: whether its answers count in scores."""
    finding: bool = False
    """A defect to act on (contract 7.5)."""


class SectionResult(NamedTuple):
    """One section of a scored audit."""

    id: str
    score: float | None
    """0..100 rounded to 2 decimals; None when no item of the section was scored."""
    weight: float
    coverage: float
    """Share of the section's applicable, scored item weight answered rather than N/A (0..1)."""


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
    passed: bool | None
    """None when the standard has no pass mark."""
    critical_failures: tuple[str, ...]
    """Ids of failed critical items, in standard order (each once)."""
    sections: tuple[SectionResult, ...]
    items: tuple[ItemResult, ...]
    coverage: float
    """Share of the total item weight answered rather than N/A (0..1, 4 decimals)."""
    pass_score: float | None
    language: str | None = None
    site_name: str | None = None
    site_region: str | None = None
    subject: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    comment: str | None = None
    points: float = 0.0
    """Σ wᵢ·sᵢ over the applicable, answered, scored items (2 decimals)."""
    points_possible: float = 0.0
    """Σ wᵢ over the same items (2 decimals)."""

    @property
    def standard_label(self) -> str:
        """``id@version``."""
        return f"{self.standard}@{self.standard_version}"

    @property
    def sort_key(self) -> tuple[str, dt.date, str]:
        """The order of audits in every output: site, date, subject (none first), id."""
        return (self.site, self.date, subject_key(self.subject, self.id))


def subject_key(subject: str | None, audit_id: str) -> str:
    """One text that orders audits of a site and date by subject (none first), then id."""
    return ("\x00" if subject is None else "\x01" + subject + "\x00") + audit_id


class NothingToScore(ValueError):
    """No scored item of the audit was answered: the audit has no score."""


_LEFT_OUT = Response(None, True)


def item_result(
    standard: Standard, item: Item, section: Section, response: Response, instance: str | None
) -> ItemResult:
    """One response scored: the item result of ``item`` (contract §3, 7.5, 7.8)."""
    scored = item.is_scored
    score, finding = is_finding(standard, item, response)
    return ItemResult(
        item.id,
        section.id,
        response.value,
        response.na and response.applicable,
        score,
        item.weight,
        item.critical,
        item.critical and scored and score == 0,
        response.comment,
        response.evidence,
        response.waived,
        instance,
        response.applicable,
        scored,
        finding,
    )


class _Scoring:
    """One audit being scored: item results in output order and the tallies they feed."""

    def __init__(self, standard: Standard, keep_items: bool) -> None:
        self.standard = standard
        self.memo = standard.memo.scored
        self.by_response = standard.memo.scored_responses
        self.keep_items = keep_items
        self.items: list[ItemResult] = []
        self.failures: list[str] = []
        # The audit's Σwᵢ·sᵢ and Σwᵢ over the answered items, and Σwᵢ over the applicable scored ones.
        self.weighted = self.answered = self.possible = 0.0

    def items_of(
        self, section: Section, responses: dict[str, Response], instance: str | None
    ) -> tuple[float, float, float]:
        """Score the responses to ``section``'s items (one instance's, for a repeated section) into the audit's
        totals, and give the section's own sums: Σwᵢ·sᵢ and Σwᵢ over the answered items, and Σwᵢ over the
        applicable scored items (answered or N/A); an item left out counts as N/A.

        An answer already scored for an item (the same answers recur from
        audit to audit) gives the same item result, with the response's own
        comment, evidence and waiver (see :meth:`known`); the very response
        object of a bare answer met again (outside repeated sections) is found
        by its identity alone.
        """
        by_response = self.by_response if instance is None else {}
        keep = self.keep_items
        append = self.items.append
        failures = self.failures
        # Running sums in locals, the audit's written back after the loop: the same additions in the same order.
        weighted = answered = possible = 0.0
        all_weighted, all_answered, all_possible = self.weighted, self.answered, self.possible
        for item in section.items:
            item_id = item.id
            response = responses.get(item_id, _LEFT_OUT)
            entry = by_response.get(id(response))
            if entry is not None and entry[0] is item_id:
                known = entry[1]
            else:
                known = self.known(item, section, response, instance)
            result, failed, counted, weight, weighted_score = known
            if keep:
                _, _, comment, evidence, waived, _ = response
                if comment is not None or evidence or waived is not None:
                    result = result._replace(comment=comment, evidence=evidence, waived=waived)
                append(result)
            if failed and item_id not in failures:
                failures.append(item_id)
            if counted:
                possible += weight
                all_possible += weight
                if weighted_score is not None:
                    weighted += weighted_score
                    answered += weight
                    all_weighted += weighted_score
                    all_answered += weight
        self.weighted, self.answered, self.possible = all_weighted, all_answered, all_possible
        return weighted, answered, possible

    def known(
        self, item: Item, section: Section, response: Response, instance: str | None
    ) -> tuple[ItemResult, bool, bool, float, float | None]:
        """What scoring makes of ``response`` to ``item``: its item result without comment, evidence and waiver,
        whether it fails a critical item, whether it counts in the scores, its weight and weighted score.

        Taken from the standard's memo, keyed by what scoring reads of the
        response and by the value's type too (``1``, ``1.0`` and ``True`` are
        equal in Python but not in the JSON); a bare answer's response object
        is also remembered by its identity (see :class:`~qaudit.model.memo.Memo`).
        """
        value, na, comment, evidence, waived, applicable = response
        kind = type(value)
        key: tuple[Any, ...] | None = (item.id, instance, kind, repr(value) if kind is float else value, na, applicable)
        memo = self.memo
        try:
            known = memo.get(key)
        except TypeError:  # an unhashable value: scored afresh
            key, known = None, None
        if known is None:
            result = item_result(self.standard, item, section, Response(value, na, applicable=applicable), instance)
            known = (
                result,
                result.failed_critical,
                result.scored and result.applicable,
                result.weight,
                None if result.score is None else result.weight * result.score,
            )
            if key is not None and len(memo) < Memo.LIMIT:
                memo[key] = known
        by_response = self.by_response
        if (
            key is not None
            and instance is None
            and comment is None
            and not evidence
            and waived is None
            and len(by_response) < Memo.LIMIT
        ):
            # Kept with the response itself: while the entry lives, no other object has its identity.
            by_response.setdefault(id(response), (item.id, known, response))
        return known


def score(standard: Standard, audit: Audit, *, items: bool = True, sections: bool = True) -> AuditResult:
    """Grade ``audit`` against ``standard`` exactly as the scoring model says (contract §3, 7.6, 7.8).

    * item score ``s`` in [0, 1] for every applicable, answered (not N/A), scored item;
    * section score = 100 × Σ(wᵢ·sᵢ) / Σwᵢ over those items (None if there are none);
      a repeated section's is the mean of its instances' scores (pooled under ``points``);
    * raw score = Σ(Wₛ·Sₛ) / ΣWₛ over sections with a score, or 100 × points / possible
      under ``scoring: points``;
    * a critical item fails when its score is exactly 0; under ``zero_score``
      any failure makes the score 0, under ``fail_audit`` it only fails the audit;
    * scores are rounded to 2 decimals before the pass and grade decisions.

    Without ``items`` the result's ``items`` are left empty, without
    ``sections`` its ``sections`` (for work that needs only the scores and
    grade, say rescoring): every other field is the same.

    Raises :class:`NothingToScore` when no scored item is answered.
    """
    run = _Scoring(standard, items)
    section_results: list[SectionResult] = []
    keep_sections = sections
    weighted_sections = 0.0  # Σ(Wₛ·Sₛ) over the sections with a score
    scored_weight = 0.0  # ΣWₛ over the same
    coverage_sum = 0.0
    coverage_weight = 0.0
    points = standard.scoring == "points"
    for section in standard.sections:
        if section.repeat is None:
            weighted, answered, possible = run.items_of(section, audit.responses, None)
            section_score = 100.0 * weighted / answered if answered > 0 else None
        else:
            means: list[float] = []
            weighted = answered = possible = 0.0  # pooled over the instances
            for instance in audit.instances.get(section.id, ()):
                own_weighted, own_answered, own_possible = run.items_of(section, instance.responses, instance.label)
                if own_answered > 0:
                    means.append(100.0 * own_weighted / own_answered)
                weighted += own_weighted
                answered += own_answered
                possible += own_possible
            if points:
                section_score = 100.0 * weighted / answered if answered > 0 else None
            else:
                section_score = sum(means) / len(means) if means else None
        if possible > 0:
            coverage = answered / possible
            coverage_sum += section.weight * coverage
            coverage_weight += section.weight
        else:
            coverage = 0.0
        if section_score is not None:
            weighted_sections += section.weight * section_score
            scored_weight += section.weight
            if keep_sections:
                section_results.append(
                    SectionResult(section.id, round(section_score, 2), section.weight, round(coverage, 4))
                )
        elif keep_sections:
            section_results.append(SectionResult(section.id, None, section.weight, 0.0))
    if run.answered == 0 or scored_weight == 0:
        raise NothingToScore(f"{audit.file}: no scored item is answered, so the audit has no score")
    raw = 100.0 * run.weighted / run.answered if points else weighted_sections / scored_weight
    critical = bool(run.failures)
    final = 0.0 if critical and standard.critical_failure == "zero_score" else raw
    raw_rounded = round(raw, 2)
    final_rounded = round(final, 2)
    passed = None if standard.pass_score is None else not critical and final_rounded >= standard.pass_score
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
        passed=passed,
        critical_failures=tuple(run.failures),  # in standard order: items are scored in that order
        sections=tuple(section_results),
        items=tuple(run.items),
        coverage=round(coverage_sum / coverage_weight, 4) if coverage_weight else 0.0,
        pass_score=standard.pass_score,
        language=audit.language,
        site_name=audit.site_name,
        site_region=audit.site_region,
        subject=audit.subject,
        fields=dict(audit.fields),
        comment=audit.comment,
        points=round(run.weighted, 2),
        points_possible=round(run.answered, 2),
    )
