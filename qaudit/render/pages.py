"""Writing a report's pages into a folder: every changed page, or none.

Each page is staged (written to a temporary file beside its target) as soon as
the report has it, so writing overlaps rendering; once every page is rendered
and staged, all are renamed into place. A page whose file already holds
exactly its text is not staged at all, so a re-run over unchanged audits
rewrites nothing and keeps the pages' time stamps.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from ..io.staging import HOST, OutputSet, holds


class Page(NamedTuple):
    """One rendered page: its path under the output folder and its text (bytes for a PDF)."""

    path: str
    text: str | bytes


class Staged(NamedTuple):
    """A page handed to a :class:`PageWriter`: its path, and its temporary file (None: unchanged)."""

    path: str
    tmp: str | None


PAGE_RECORD = ".qaudit-pages.json"
"""The pages qaudit wrote into a report folder (path and digest), so that a later run can remove its own stale ones."""


class PageWriter:
    """Stages pages in ``out`` and renames them into place together (see :mod:`qaudit.io.staging`).

    Temporary files carry a token of this run (``.index.html.<host>-<pid>-<random>.tmp``),
    so :meth:`abandon` finds every file the run staged, however far it got, and
    a later run on the same machine removes what a killed run left (its process
    is gone) and completes a commit it left half done. No page is fsynced: pages
    are derived from the audits and rebuilt by the next run, and the renames
    still show a reader each old page or its new one.

    The commit also records every page in ``.qaudit-pages.json``; a page that an
    earlier run wrote (its digest unchanged since) and that this run does not
    write (its site or audit is no longer in the input) is removed with the same commit.
    A page qaudit did not write, or one edited since, is never removed.
    """

    def __init__(self, out: str) -> None:
        self.out = out
        self.files = OutputSet(out)
        self.token = self.files.token
        self._digests: dict[str, str] = {}
        self.removed: list[str] = []
        """Pages of an earlier run removed by :meth:`commit` (their sites or audits are no longer in the input)."""

    def put(self, page: Page) -> Staged:
        """Stage ``page`` unless its file already holds its text (an OSError names the page)."""
        data = page.text.encode("utf-8") if isinstance(page.text, str) else page.text
        self._digests[page.path] = _digest(data)
        if holds(self.files.target(page.path), data):
            return Staged(page.path, None)
        return Staged(page.path, self.files.stage(page.path, data))

    def digest(self, path: str) -> str:
        """The digest of the page staged (or found unchanged) at ``path``."""
        return self._digests[path]

    def adopt(self, staged: Staged, digest: str) -> Staged:
        """A page another process staged with a copy of this writer (same run), with its digest: commit it too."""
        self._digests[staged.path] = digest
        return staged

    def prepare(self, folders: Iterable[str]) -> None:
        """Make the folders (under ``out``) that pages will be written to, remembering which were missing."""
        self.files.prepare(folders)

    def abandon(self) -> None:
        """Remove every file this run staged, and the folders it made (the previous report stays as it was)."""
        self.files.abandon()

    def commit(self, staged: Sequence[Staged]) -> int:
        """Rename every staged page into place, remove stale pages of earlier runs; return how many pages changed."""
        try:
            earlier = self._earlier()
            suffixes = {os.path.splitext(p.path)[1] for p in staged}
            stale = [
                path
                for path, digest in earlier.items()
                if path not in self._digests
                and os.path.splitext(path)[1] in suffixes
                and _digest_of(self.files.target(path)) == digest
            ]
            # Pages of other formats written into the same folder stay recorded while they are unchanged.
            kept = {
                path: digest
                for path, digest in earlier.items()
                if os.path.splitext(path)[1] not in suffixes and _digest_of(self.files.target(path)) == digest
            }
            record = json.dumps({"pages": {**kept, **self._digests}}, sort_keys=True, indent=1).encode("utf-8")
            changes = [(p.tmp, p.path) for p in staged if p.tmp is not None]
            if changes or stale or not holds(self.files.target(PAGE_RECORD), record):
                changes.append((self.files.stage(PAGE_RECORD, record), PAGE_RECORD))
        except BaseException:
            self.abandon()
            raise
        self.files.commit(changes, stale)
        self.removed = stale
        return sum(p.tmp is not None for p in staged)

    def _earlier(self) -> dict[str, str]:
        """The pages the last run recorded (none when there is no readable record)."""
        try:
            with open(self.files.target(PAGE_RECORD), "rb") as handle:
                pages = json.loads(handle.read(64 << 20)).get("pages", {})
        except (OSError, ValueError, AttributeError):
            return {}
        if not isinstance(pages, dict):
            return {}
        return {str(path): str(digest) for path, digest in pages.items() if isinstance(path, str) and _page_path(path)}


def _page_path(path: str) -> bool:
    """A recorded page: a file of the report (``index.*``, ``sites/<id>.*``, ``audits/<id>.*``), never outside it."""
    parts = path.split("/")
    return len(parts) <= 2 and all(part and part not in (".", "..") for part in parts) and "\\" not in path


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _digest_of(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return _digest(handle.read())
    except OSError:
        return None


_HOST = HOST
