"""Scoring many files: from the cache when unchanged, across processes when many.

The output is the same byte for byte whatever ``jobs`` is (results are ordered
by their sort key downstream), and workers send back results as JSON text,
never parsed documents.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from ..load.registry import Waiver
from ..load.standards import StandardLibrary
from ..problems import InvalidInput, Problem
from ..results.serialise import SortKey, pack
from .progress import Step
from .score_one import score_text

T = TypeVar("T")
R = TypeVar("R")
Packed = tuple[SortKey, bytes]
Outcome = tuple[Packed | None, list[Problem]]
_Scored = tuple[Packed | None, list[Problem], str | None, str | None]
"""(packed result, problems, content hash, standard id@version)"""

PARALLEL_THRESHOLD = 300
"""Below this many files to score, one process is faster than starting workers."""
CHUNK = 256

# Set in the parent before forking, so workers inherit them without pickling.
_LIBRARY: StandardLibrary | None = None
_WAIVERS: list[Waiver] = []
_HASH = False


def _score_one(path: str) -> _Scored:
    from ..io.source import read_bytes
    from ..results.cache_keys import content_hash

    assert _LIBRARY is not None
    try:
        data = read_bytes(path)
    except InvalidInput as exc:
        return None, exc.problems, None, None
    digest = content_hash(data) if _HASH else None
    result, problems = score_text(path, data, _LIBRARY, _WAIVERS)
    if result is None:
        return None, problems, None, None
    label = f"{result.standard}@{result.standard_version}"
    return pack(result), problems, digest, label


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
    """Score ``files``, yielding each file's packed result (or its problems) as soon as it is known.

    Results come from the cache first, then from scoring; callers order them by
    their sort key, so the output does not depend on ``jobs`` or on the cache.
    Nothing is held here: memory stays flat however many files there are.
    """
    global _LIBRARY, _WAIVERS, _HASH
    _LIBRARY, _WAIVERS, _HASH = library, waivers, cache
    store = None
    prints: dict[str, str] = {}
    stats: dict[str, tuple[int, int, int, int, int] | None] = {}
    todo = files
    bar = _progress(len(files)) if progress else None  # cached results count as scored
    try:
        if cache:
            from ..results.cache import CACHE_PATH, ResultCache
            from ..results.cache_keys import fingerprints, salt_for

            # Opened first: its stamp must be older than the stat of every file.
            store = ResultCache(cache_path or CACHE_PATH, salt_for(waivers_text))
            prints = fingerprints(library)
            for path in files:
                try:
                    info = os.stat(path)
                except OSError:
                    continue  # scored (and reported) below
                stats[path] = store.key(info)  # taken before the file is read
            hit: set[str] = set()
            for path, cached in store.lookup(stats, prints):
                hit.add(path)
                if bar is not None:
                    bar.advance(1)
                yield cached, []
            todo = [path for path in files if path not in hit]
        for path, (packed, problems, digest, label) in _run(todo, worker_count(jobs), bar):
            if store is not None and packed is not None and digest is not None and label is not None:
                store.store(path, digest, label, prints[label], *packed, stats.get(path))
            yield packed, problems
    finally:
        if bar is not None:
            bar.close()
        if store is not None:
            store.close()


def _run(paths: list[str], workers: int, bar: Step | None) -> Iterator[tuple[str, _Scored]]:
    if workers <= 1 or len(paths) < PARALLEL_THRESHOLD or not can_fork():
        for path in paths:
            yield path, _score_one(path)
            if bar is not None:
                bar.advance(1)
        return
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    for chunk, part in zip(chunks, map_in_workers(_score_chunk, chunks, workers), strict=True):
        yield from zip(chunk, part, strict=True)
        if bar is not None:
            bar.advance(len(part))


def map_in_workers(work: Callable[[T], R], parts: Sequence[T], workers: int) -> Iterator[R]:
    """``map(work, parts)``, in order, across up to ``workers`` forked processes (in this one when
    there is one worker or one part, or no fork).

    ``work`` is a module-level function; what it reads beyond its part is set
    before the call, so that the workers inherit it instead of receiving it
    pickled. Only the parts and what ``work`` returns cross between processes.
    """
    if workers <= 1 or len(parts) < 2 or not can_fork():
        yield from map(work, parts)
        return
    with fed_workers(work, min(workers, len(parts))) as feed:
        for part in parts:
            feed.put(part)
        yield from feed.results()


def can_fork() -> bool:
    """Whether workers can be forked here (they inherit what they read instead of receiving it pickled)."""
    return "fork" in multiprocessing.get_all_start_methods()


class Feed(Generic[T, R]):
    """Parts handed to workers one by one as they become known, while this process goes on with other
    work: ``work(part)`` of each is given back in the order handed over (see :func:`fed_workers`)."""

    def __init__(self, work: Callable[[T], R], pool: Any | None) -> None:
        self._work = work
        self._parts: queue.SimpleQueue[Any] = queue.SimpleQueue()
        # The pool's task thread takes the parts as they come, until the end is put.
        self._mapped: Iterator[R] | None = None if pool is None else pool.imap(work, iter(self._parts.get, _END))
        self._done: list[R] = []
        self._open = True

    def put(self, part: T) -> None:
        """Hand ``part`` over (worked out at once when there are no workers)."""
        assert self._open, "no part is taken once the results are asked for"
        if self._mapped is None:
            self._done.append(self._work(part))
        else:
            self._parts.put(part)

    def close(self) -> None:
        """No more parts come."""
        if self._open:
            self._open = False
            self._parts.put(_END)

    def results(self) -> Iterator[R]:
        """``work(part)`` of every part handed over, in order (no part is taken after this call)."""
        self.close()
        if self._mapped is not None:
            return self._mapped
        done, self._done = self._done, []
        return iter(done)


_END = object()
"""The end of a :class:`Feed`'s parts."""


@contextlib.contextmanager
def fed_workers(work: Callable[[T], R], workers: int) -> Iterator[Feed[T, R]]:
    """Up to ``workers`` forked processes that work out parts handed over while this one goes on (say, the
    first results of a run while the rest are read); in this one when there is one worker, or no fork.

    As with :func:`map_in_workers`, what ``work`` reads beyond its part is set
    before the block; only parts and results cross. The workers end with the block.
    """
    if workers <= 1 or not can_fork():
        yield Feed(work, None)
        return
    # Objects that exist before the fork are never collected by the workers: freezing them
    # keeps the collector from touching (and so copying) every inherited page in each worker.
    gc.freeze()
    try:
        with worker_pool(workers) as pool:
            feed: Feed[T, R] = Feed(work, pool)
            try:
                yield feed
            finally:
                feed.close()  # before the pool ends: its task thread waits for the end of the parts
    finally:
        gc.unfreeze()


def quiet_collector() -> None:
    """In a worker: collect cycles rarely (scoring and rendering make few; the young generation fills fast)."""
    gc.set_threshold(100_000, 50, 100)


def _start_worker() -> None:
    # Ctrl-C reaches every process of the command: a worker that took it would print its own
    # traceback, and one that died holding the task queue's lock would leave the pool waiting forever.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet_collector()


@contextlib.contextmanager
def worker_pool(processes: int) -> Iterator[Any]:
    """A pool of forked workers that ignore Ctrl-C; the parent alone is interrupted, and it ends them.

    Leaving the block, however it is left (an interrupt included), terminates the
    workers and waits for each of them, so that no process outlives the command.
    """
    context = multiprocessing.get_context("fork")
    held: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    # Until a worker has set its own handler it has the parent's: a Ctrl-C in that moment is held
    # (in the parent, and in the worker, where it is dropped) rather than raised in a half-made worker.
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum)) if main else None
    try:
        pool = context.Pool(processes, initializer=_start_worker)
    finally:
        if main and previous is not None:
            signal.signal(signal.SIGINT, previous)
    try:
        if held and previous is not signal.SIG_IGN:
            # The Ctrl-C meets the handler it would have met (the command's own says so, once).
            if callable(previous):
                previous(signal.SIGINT, None)
            raise KeyboardInterrupt
        yield pool
    finally:
        pool.terminate()
        pool.join()


def _progress(total: int) -> Step | None:
    """The scoring step's progress bar on stderr (see :mod:`qaudit.run.progress`); none for a few files."""
    return Step("scoring", total, unit="audits") if total >= 500 else None
