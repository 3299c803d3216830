"""Writing a report's pages into a folder: every changed page, or none.

Each page is staged (written to a temporary file beside its target) as soon as
the report has it, so writing overlaps rendering; once every page is rendered
and staged, all are renamed into place. A page whose file already holds
exactly its text is not staged at all, so a re-run over unchanged audits
rewrites nothing and keeps the pages' time stamps.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import secrets
import socket
import stat
from collections.abc import Iterable, Sequence
from typing import NamedTuple


class Page(NamedTuple):
    """One rendered page: its path under the output folder and its text."""

    path: str
    text: str


class Staged(NamedTuple):
    """A page handed to a :class:`PageWriter`: its path, and its temporary file (None: unchanged)."""

    path: str
    tmp: str | None


class PageWriter:
    """Stages pages in ``out`` and renames them into place together.

    Temporary files carry a token of this run (``.index.html.<host>-<pid>-<random>.tmp``),
    so :meth:`abandon` finds every file the run staged, however far it got, and
    a later run on the same machine removes what a killed run left (its process
    is gone). No page is fsynced: pages are derived from the audits and rebuilt
    by the next run, and the renames still show a reader each old page or its
    new one.
    """

    def __init__(self, out: str) -> None:
        self.out = out
        self.token = f"{_HOST}-{os.getpid()}-{secrets.token_hex(4)}"
        self._folders: list[str] = []
        self._created: list[str] = []
        """Folders this run made, outermost first."""

    def prepare(self, folders: Iterable[str]) -> None:
        """Make the folders (under ``out``) that pages will be written to, remembering which were missing."""
        for name in folders:
            folder = os.path.abspath(os.path.join(self.out, name))
            missing: list[str] = []  # innermost first
            parent = folder
            while not os.path.isdir(parent) and parent not in missing:
                missing.append(parent)
                parent = os.path.dirname(parent)
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as exc:
                self.abandon()
                raise type(exc)(exc.errno, exc.strerror, exc.filename or folder) from None
            self._created += reversed(missing)
            self._folders.append(folder)
            if not missing:
                _sweep(folder)

    def put(self, page: Page) -> Staged:
        """Stage ``page`` unless its file already holds its text (an OSError names the page)."""
        target = os.path.join(self.out, page.path)
        data = page.text.encode("utf-8")
        if _holds(target, data):
            return Staged(page.path, None)
        tmp = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{self.token}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise type(exc)(exc.errno, exc.strerror, target) from None
        return Staged(page.path, tmp)

    def commit(self, staged: Sequence[Staged]) -> int:
        """Rename every staged page into place; return how many pages changed."""
        written = 0
        try:
            for page in staged:
                if page.tmp is not None:
                    os.replace(page.tmp, os.path.join(self.out, page.path))
                    written += 1
        except BaseException:
            self.abandon()
            raise
        return written

    def abandon(self) -> None:
        """Remove every file this run staged, and the folders it made (the previous report stays as it was)."""
        for folder in self._folders:
            for tmp in glob.glob(os.path.join(glob.escape(folder), f".*.{self.token}.tmp")):
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        for folder in reversed(self._created):  # innermost first: none is left behind
            with contextlib.suppress(OSError):
                os.rmdir(folder)


_HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
"""This machine, in staged files' names: only its own runs' leftovers are ever swept."""
_STAGED = re.compile(rf"\..+\.{_HOST}-([0-9]+)-[0-9a-f]{{8}}\.tmp")


def _sweep(folder: str) -> None:
    """Remove the files staged in ``folder`` by runs of this machine that were killed (their process is gone)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        found = _STAGED.fullmatch(name)
        if found is None or _running(int(found.group(1))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or no such number: leave its files alone
    return True


def _holds(target: str, data: bytes) -> bool:
    """Whether ``target`` is a regular file holding exactly ``data``."""
    try:
        found = os.stat(target)
        if not stat.S_ISREG(found.st_mode) or found.st_size != len(data):
            return False
        with open(target, "rb") as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False
