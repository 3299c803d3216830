"""Scoring many files: in order, optionally across processes, optionally from the cache."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from .problems import Problem
from .registry import Waiver
from .scoring import AuditResult
from .standards import StandardLibrary

Outcome = tuple[AuditResult | None, list[Problem]]


def score_many(
    files: list[str],
    library: StandardLibrary,
    waivers: list[Waiver],
    *,
    jobs: int = 1,
    cache: bool = False,
    progress: bool = False,
) -> Iterator[Outcome]:
    """Score ``files`` in order, yielding each file's result or problems."""
    from .workspace import score_file

    bar = _progress(len(files)) if progress else None
    try:
        for path in files:
            yield score_file(path, library, waivers)
            if bar is not None:
                bar.advance()
    finally:
        if bar is not None:
            bar.close()


class _Bar:
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self.progress = Progress(transient=True, console=Console(stderr=True))
        self.progress.start()
        self.task = self.progress.add_task("scoring", total=total)

    def advance(self) -> None:
        self.progress.advance(self.task)

    def close(self) -> None:
        self.progress.stop()


def _progress(total: int) -> _Bar | None:
    """A progress bar on stderr for long runs in a terminal; none in CI or pipes."""
    import os

    if total < 500 or not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    return _Bar(total)
