"""Scoring a run of audits: load the standards, sites and waivers, walk files and folders, score each audit.

One invalid audit never stops the others: its problems are collected and the
run goes on.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Protocol

from ..io.walk import find_audit_files
from ..load.registry import SiteRegistry, load_sites, read_waivers
from ..load.standards import StandardLibrary, load_standards
from ..problems import Problem, QauditError, warning
from ..results.resultset import ResultSet


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


class Alongside(Protocol):
    """Work on a run's results that starts while the rest are still being read (see :func:`score_paths`)."""

    def begin(self, library: StandardLibrary, results: ResultSet) -> None:
        """The standards are loaded and ``results`` is the set the run fills; no audit is read yet."""

    def added(self) -> None:
        """One more result is in the set."""


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
    alongside: Alongside | None = None,
) -> ScoreRun:
    """Score every audit under ``paths`` against the standards in ``standards``.

    With ``alongside``, its work begins once the standards are loaded and
    hears of each result as it is added (in the order results are found: from
    the cache first, then as they are scored).

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
    if alongside is not None:
        alongside.begin(library, run.results)
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
            if alongside is not None:
                alongside.added()
        run.problems.extend(problems)
    run.problems.sort()
    if registry.sites:
        from ..load.audits import site_location

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
