"""A compact set of scored results, in output order.

A run keeps each result's text (its one serialised form, :mod:`qaudit.results.serialise`)
in a temporary file and only its sort key in memory, so holding 100,000 results
costs tens of megabytes, not gigabytes.
"""

from __future__ import annotations

import bisect
import os
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any, overload

from ..scoring.scorer import AuditResult
from .serialise import STANDARD_FIELD, SortKey, decoded, loads, pack


class ResultSet(Sequence[AuditResult]):
    """Results in output order (site, date, id), their JSON text kept in a temporary file.

    Memory holds only each result's sort key and where its text is, so a run
    over 100,000 audits stays small; results are decoded on access.
    """

    def __init__(self) -> None:
        # Lives as long as the set; the system deletes it when closed or at exit.
        self._spill: IO[bytes] = tempfile.TemporaryFile(prefix="qaudit-results-", buffering=1 << 20)  # noqa: SIM115
        self._added: list[tuple[SortKey, int, int]] = []
        """Each result's sort key, offset and size, in the order added."""
        self._entries = self._added
        """The same in output order (the very list while results are added in order)."""
        self._end = 0

    def add(self, key: SortKey, data: bytes) -> None:
        """Add a result by its sort key and UTF-8 JSON."""
        # Reads use pread and never move the file position: writes always append.
        self._spill.write(data)
        added = self._added
        if self._entries is not added or (added and key < added[-1][0]):
            self._entries = []  # put in output order when next asked for
        added.append((key, self._end, len(data)))
        self._end += len(data)

    def append(self, result: AuditResult) -> None:
        """Add a result."""
        self.add(*pack(result))

    def _order(self) -> list[tuple[SortKey, int, int]]:
        if len(self._entries) != len(self._added):
            self._entries = sorted(self._added, key=lambda entry: entry[0])
        return self._entries

    def _read(self, offset: int, size: int) -> str:
        self._spill.flush()
        return os.pread(self._spill.fileno(), size, offset).decode("utf-8")

    def __len__(self) -> int:
        return len(self._added)

    @overload
    def __getitem__(self, index: int) -> AuditResult: ...

    @overload
    def __getitem__(self, index: slice) -> list[AuditResult]: ...

    def __getitem__(self, index: int | slice) -> AuditResult | list[AuditResult]:
        entries = self._order()
        if isinstance(index, slice):
            return [loads(self._read(offset, size)) for _, offset, size in entries[index]]
        _, offset, size = entries[index]
        return loads(self._read(offset, size))

    def __iter__(self) -> Iterator[AuditResult]:
        for text in self.texts():
            yield loads(text)

    def dicts(self) -> Iterator[dict[str, Any]]:
        """Every result as its decoded JSON object, in order (no result objects built)."""
        for blob in self.blobs():
            yield decoded(blob)

    def texts(self) -> Iterator[str]:
        """The JSON text of every result, in order, without decoding it."""
        for blob in self.blobs():
            yield blob.decode("utf-8")

    def blobs(self) -> Iterator[bytes]:
        """The UTF-8 JSON of every result, in order, straight from the spill file."""
        for _, blob in self.blobs_between(0, len(self)):
            yield blob

    def standard_ids(self) -> list[str]:
        """The ids of the standards the results were scored against, in order of first use.

        Read from each result's text without decoding it (the serialiser writes
        ``"standard":"<id>"`` once per result, and ids are slugs).
        """
        seen: dict[str, None] = {}
        for blob in self.blobs():
            found = STANDARD_FIELD.search(blob)
            if found is not None:
                seen.setdefault(found.group(1).decode("ascii"), None)
        return list(seen)

    def first_of_site(self, site: str) -> AuditResult:
        """The first result of ``site`` in output order (its earliest audit); KeyError when it has none."""
        entries = self._order()
        at = bisect.bisect_left(entries, ((site,),))
        if at == len(entries) or entries[at][0][0] != site:
            raise KeyError(site)
        _, offset, size = entries[at]
        return loads(self._read(offset, size))

    def site_ranges(self, parts: int) -> list[tuple[int, int]]:
        """Index ranges, in output order, that split the results into about ``parts`` runs of whole sites.

        Prepares the set for :meth:`blobs_between` in forked workers (pending
        writes are flushed first).
        """
        self._spill.flush()
        entries = self._order()
        size = max(1, -(-len(entries) // max(1, parts)))
        ranges: list[tuple[int, int]] = []
        start = 0
        while start < len(entries):
            stop = min(len(entries), start + size)
            while stop < len(entries) and entries[stop][0][0] == entries[stop - 1][0][0]:
                stop += 1  # a site's audits stay together
            ranges.append((start, stop))
            start = stop
        return ranges

    def blob_at(self, index: int) -> bytes:
        """The UTF-8 JSON of result ``index`` (in output order), read at its offset."""
        _, offset, size = self._order()[index]
        self._spill.flush()
        return os.pread(self._spill.fileno(), size, offset)

    def blobs_between(self, start: int, stop: int) -> Iterator[tuple[SortKey, bytes]]:
        """Results ``start`` to ``stop`` (in output order): sort key and UTF-8 JSON, read at explicit offsets.

        The file position never moves, so writing can go on after reading, and
        forked workers can each read their own range of the same set.
        """
        self._spill.flush()  # (a no-op in a worker: the set was flushed before it forked)
        fd = self._spill.fileno()
        for key, offset, size in self._order()[start:stop]:
            yield key, os.pread(fd, size, offset)

    def added_run(self, start: int, stop: int) -> tuple[int, tuple[int, ...]]:
        """Results ``start`` to ``stop`` in the order they were added: where the first one's text begins and
        the size of each, for :meth:`run_blobs`.

        Results added one after another lie one after another: a worker forked
        before they were added reads them all the same (pending writes are
        flushed first).
        """
        self._spill.flush()
        run = self._added[start:stop]
        return (run[0][1] if run else self._end), tuple(size for _, _, size in run)

    def run_blobs(self, offset: int, sizes: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        """Each result of a run of :meth:`added_run` as its offset and UTF-8 JSON (the run read at once)."""
        data = os.pread(self._spill.fileno(), sum(sizes), offset)
        at = 0
        for size in sizes:
            yield offset + at, data[at : at + size]
            at += size

    def offsets(self) -> Iterator[int]:
        """Where each result's text begins, in output order: what names it in :meth:`run_blobs`."""
        for _, offset, _ in self._order():
            yield offset

    def sort(self, key: Any = None) -> None:
        """Results are always given in (site, date, id) order; kept for list compatibility."""
        self._order()
