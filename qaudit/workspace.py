"""Scoring many audits: walk files and folders, load, validate and score each one.

One invalid audit never stops the others: its problems are collected and the
run goes on.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace

from .audits import Audit, Response, load_audit
from .problems import InvalidInput, Problem, QauditError, error, warning
from .registry import SiteRegistry, Waiver, load_sites, read_waivers
from .resultset import ResultSet
from .scoring import AuditResult, NothingToScore, score
from .standards import StandardLibrary, load_standards
from .walk import find_audit_files


@dataclass
class ScoreRun:
    """The outcome of scoring a set of audit files."""

    results: ResultSet = field(default_factory=ResultSet)
    """Valid audits' results, sorted by (site, date, id) (kept packed, decoded on access)."""
    problems: list[Problem] = field(default_factory=list)
    """Every problem of every invalid audit, sorted by file and location."""
    library: StandardLibrary = field(default_factory=StandardLibrary)
    sites: SiteRegistry = field(default_factory=SiteRegistry)
    """The site registry (empty when there is none)."""
    warnings: list[Problem] = field(default_factory=list)
    """Problems that do not make the run fail (e.g. sites missing from the registry)."""
    files: int = 0


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
    from .source import read_bytes

    try:
        data = read_bytes(path)
    except InvalidInput as exc:
        return None, exc.problems
    return score_text(path, data, library, waivers)


def score_text(
    path: str, data: bytes, library: StandardLibrary, waivers: list[Waiver]
) -> tuple[AuditResult | None, list[Problem]]:
    """Validate and score one audit from its file's bytes (read once: the cache keys the result by their hash)."""
    from .source import decode

    try:
        if path.lower().endswith(".xlsx"):
            from .forms import read_form

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


def load_library(standards: str) -> StandardLibrary:
    """Load the standards a run scores against; refuse to run without any."""
    library = load_standards(standards)
    if not library.standards:
        detail = f" ({len(library.problems)} problems; run 'qaudit lint {standards}')" if library.problems else ""
        raise QauditError(f"{standards}: no valid standard found{detail}")
    return library


def score_paths(
    paths: list[str],
    standards: str = "standards",
    *,
    sites: str | None = "sites.yaml",
    waivers: str | None = "waivers.yaml",
    jobs: int = 1,
    cache: bool = False,
    progress: bool = False,
    today: dt.date | None = None,
) -> ScoreRun:
    """Score every audit under ``paths`` against the standards in ``standards``.

    Raises :class:`QauditError` when a path does not exist, no audit file is
    found, or no standard can be loaded.
    """
    for path in paths:
        if not os.path.exists(path):
            raise QauditError(f"{path}: no such file or folder; check the path")
    from .progress import step

    with step("loading standards and sites") if progress else nullcontext():
        library = load_library(standards)
        registry = load_sites(sites)
        # Read once: the cache is salted with the very bytes the waivers in force were parsed from.
        waiver_list, waivers_text = read_waivers(waivers) if waivers else ([], None)
    with step("finding audit files") if progress else nullcontext():
        found = find_audit_files(paths)
    files = found.files
    if not files and not found.problems:
        raise QauditError(f"{', '.join(paths)}: no audit files (.yaml, .xlsx) found")
    run = ScoreRun(library=library, sites=registry, files=len(files))
    # An unreadable folder or an unprintable file name is that path's error; the other audits are scored.
    run.problems.extend(found.problems)
    run.warnings.extend(found.warnings)
    from .engine import score_many

    outcomes = score_many(
        files, library, waiver_list, jobs=jobs, cache=cache, progress=progress, waivers_text=waivers_text
    )
    sites_seen: set[str] = set()
    for packed, problems in outcomes:
        if packed is not None:
            run.results.add(*packed)
            sites_seen.add(packed[0][0])
        run.problems.extend(problems)
    run.problems.sort()
    if registry.sites:
        from .audits import site_location

        for site in sorted(sites_seen - set(registry.sites)):
            # Located at the site's first audit (in output order), where the id is written.
            file = run.results.first_of_site(site).file
            run.warnings.append(
                warning(
                    file,
                    *site_location(file),
                    "unknown-site",
                    f"site '{site}' is not in {registry.file}; check the id, or add the site to give it a name "
                    "and a manager",
                )
            )
    if library.problems:
        # Broken standards are the lint's business; say so once without failing valid audits.
        sys.stderr.write(
            f"qaudit: warning: {len(library.problems)} problem(s) in {standards}; "
            f"those standards were skipped (run 'qaudit lint {standards}')\n"
        )
    return run
