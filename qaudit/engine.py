"""Scoring many files: from the cache when unchanged, across processes when many, always in order.

The output is the same byte for byte whatever ``jobs`` is: results come back in
the order of the files, and workers send back results, never parsed documents.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from .problems import InvalidInput, Problem
from .registry import Waiver
from .resultset import SortKey, pack
from .standards import StandardLibrary

Packed = tuple[SortKey, str]
Outcome = tuple[Packed | None, list[Problem]]
_Scored = tuple[Packed | None, list[Problem], str | None, str | None]
"""(packed result, problems, content hash, standard id@version)"""

PARALLEL_THRESHOLD = 300
"""Below this many files to score, one process is faster than starting workers."""
CHUNK = 64

# Set in the parent before forking, so workers inherit them without pickling.
_LIBRARY: StandardLibrary | None = None
_WAIVERS: list[Waiver] = []
_HASH = False


def _score_one(path: str) -> _Scored:
    from .cache import content_hash
    from .source import read_bytes
    from .workspace import score_text

    assert _LIBRARY is not None
    try:
        data = read_bytes(path)
    except InvalidInput as exc:
        return None, exc.problems, None, None
    result, problems = score_text(path, data, _LIBRARY, _WAIVERS)
    if result is None:
        return None, problems, None, None
    label = f"{result.standard}@{result.standard_version}"
    return pack(result), problems, content_hash(data) if _HASH else None, label


def _score_chunk(paths: Sequence[str]) -> list[_Scored]:
    return [_score_one(path) for path in paths]


def worker_count(jobs: int) -> int:
    """``--jobs``: 0 means one worker per core."""
    return jobs if jobs > 0 else (os.cpu_count() or 1)


def score_many(
    files: list[str],
    library: StandardLibrary,
    waivers: list[Waiver],
    *,
    jobs: int = 1,
    cache: bool = False,
    progress: bool = False,
    waivers_text: bytes | None = None,
    cache_path: str | None = None,
) -> Iterator[Outcome]:
    """Score ``files``, yielding each file's packed result (or problems) in the order of ``files``."""
    global _LIBRARY, _WAIVERS, _HASH
    _LIBRARY, _WAIVERS, _HASH = library, waivers, cache
    outcomes: list[Outcome | None] = [None] * len(files)
    store = None
    prints: dict[str, str] = {}
    todo = list(range(len(files)))
    if cache:
        from .cache import CACHE_PATH, ResultCache, content_hash, fingerprints, salt_for
        from .source import read_bytes

        store = ResultCache(cache_path or CACHE_PATH, salt_for(waivers_text))
        prints = fingerprints(library)
        digests: dict[str, str] = {}
        for path in files:
            try:
                digests[path] = content_hash(read_bytes(path))
            except InvalidInput:
                pass  # scored (and reported) below
        hits = store.lookup(digests.items(), prints)
        todo = []
        for index, path in enumerate(files):
            hit = hits.get(path)
            if hit is not None:
                outcomes[index] = (hit, [])
            else:
                todo.append(index)
    bar = _progress(len(todo)) if progress else None
    try:
        scored = _run([files[i] for i in todo], worker_count(jobs), bar)
        for index, (packed, problems, digest, label) in zip(todo, scored, strict=True):
            outcomes[index] = (packed, problems)
            if store is not None and packed is not None and digest is not None and label is not None:
                store.store(files[index], digest, label, prints[label], *packed)
    finally:
        if bar is not None:
            bar.close()
        if store is not None:
            store.close()
    for outcome in outcomes:
        assert outcome is not None
        yield outcome


def _run(paths: list[str], workers: int, bar: _Bar | None) -> list[_Scored]:
    if workers <= 1 or len(paths) < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        out = []
        for path in paths:
            out.append(_score_one(path))
            if bar is not None:
                bar.advance(1)
        return out
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    context = multiprocessing.get_context("fork")
    out = []
    with context.Pool(min(workers, len(chunks))) as pool:
        for part in pool.imap(_score_chunk, chunks):
            out.extend(part)
            if bar is not None:
                bar.advance(len(part))
    return out


class _Bar:
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self.progress: Any = Progress(transient=True, console=Console(stderr=True))
        self.progress.start()
        self.task = self.progress.add_task("scoring", total=total)

    def advance(self, count: int) -> None:
        self.progress.advance(self.task, count)

    def close(self) -> None:
        self.progress.stop()


def _progress(total: int) -> _Bar | None:
    """A progress bar on stderr for long runs in a terminal; none in CI or pipes."""
    if total < 500 or not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    return _Bar(total)
