"""Scoring one audit file: read by its type (YAML or a filled-in form), the waivers in force applied, scored.

The same steps for an audit scored alone and for each of many scored across
processes (:mod:`qaudit.run.engine`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..load.audits import Audit, Response, load_audit
from ..load.registry import Waiver
from ..load.standards import StandardLibrary
from ..problems import InvalidInput, Problem, error
from ..scoring.scorer import AuditResult, NothingToScore, score


def apply_waivers(audit: Audit, waivers: Iterable[Waiver]) -> Audit:
    """The audit with every item waived for its site on its date counted as N/A (in every instance)."""
    reasons: dict[str, str] = {}
    for waiver in waivers:
        if waiver.applies(audit.site, audit.standard, waiver.item, audit.date):
            reasons[waiver.item] = waiver.reason  # the last waiver that applies gives the reason
    if not reasons:
        return audit

    def waive(found: dict[str, Response]) -> dict[str, Response]:
        return {
            k: v._replace(value=None, na=True, waived=reasons[k]) if k in reasons and v.applicable else v
            for k, v in found.items()
        }

    instances = {
        section: tuple(i._replace(responses=waive(i.responses)) for i in group)
        for section, group in audit.instances.items()
    }
    return replace(audit, responses=waive(audit.responses), instances=instances)


def score_file(path: str, library: StandardLibrary, waivers: list[Waiver]) -> tuple[AuditResult | None, list[Problem]]:
    """Load, validate and score one audit file."""
    from ..io.source import read_bytes

    try:
        data = read_bytes(path)
    except InvalidInput as exc:
        return None, exc.problems
    return score_text(path, data, library, waivers)


def score_text(
    path: str, data: bytes, library: StandardLibrary, waivers: list[Waiver]
) -> tuple[AuditResult | None, list[Problem]]:
    """Validate and score one audit from its file's bytes (read once: the cache keys the result by their hash)."""
    from ..io.source import decode

    try:
        if path.lower().endswith(".xlsx"):
            from ..load.forms import read_form

            audit = read_form(path, library, data)
        else:
            audit = load_audit(path, library, text=decode(path, data))
    except InvalidInput as exc:
        return None, exc.problems
    audit = apply_waivers(audit, waivers)
    standard = library.get(audit.standard, audit.standard_version)
    assert standard is not None
    try:
        return score(standard, audit), []
    except NothingToScore:
        return None, [
            error(
                path,
                1,
                1,
                "nothing-scored",
                "every item is N/A (or waived), so the audit has no score; answer at least one item",
            )
        ]
