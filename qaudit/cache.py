"""The results cache: scores of unchanged audits, reused across runs.

Stored in one SQLite file in the workspace (``.qaudit/cache.sqlite``). An entry
is keyed by the audit's path and the hash of its content, and is used only when
the fingerprint of the standard version it was scored against, the waivers in
force and the qaudit version all still match, so a changed audit, a changed
standard, a changed waiver or an upgrade can never serve a stale score. Only
valid audits are stored. A corrupt or foreign cache file is discarded with a
warning, never trusted; results are stored as JSON, never pickled, so a planted
cache file cannot run code.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from typing import Any

from .problems import InvalidInput
from .resultset import SortKey
from .source import read_bytes

CACHE_PATH = os.path.join(".qaudit", "cache.sqlite")
FORMAT = 5
"""Bumped whenever the stored layout of a result changes."""
RACY_NS = 2_000_000_000
"""An entry cached less than this after its file's last change is re-checked by content."""


def content_hash(data: bytes) -> str:
    """The hash that identifies an audit file's content."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _warn(message: str) -> None:
    sys.stderr.write(f"qaudit: warning: {message}\n")


class ResultCache:
    """Read and write cached results. Every failure degrades to "no cache", with a warning."""

    def __init__(self, path: str, salt: str) -> None:
        """Open (or create) the cache at ``path``; ``salt`` covers qaudit's version and the waivers."""
        self.path = path
        self.salt = salt
        self.db: sqlite3.Connection | None = None
        self.pending: list[tuple[str, str, str, str, str, str, str, bytes, int, int]] = []
        try:
            self.db = self._open()
        except (sqlite3.Error, OSError) as exc:
            self._discard(f"the cache {path} could not be used ({exc}); it was discarded and will be rebuilt")
            try:
                self.db = self._open()
            except (sqlite3.Error, OSError) as again:
                _warn(f"running without a cache: {again}")
                self.db = None

    def _open(self) -> sqlite3.Connection:
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 30000")
        # Results are a few kilobytes each: large pages hold them without overflow chains,
        # which halves the cost of filling the cache (it applies only to a new file).
        db.execute("PRAGMA page_size = 65536")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is None:
            db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (str(FORMAT),))
            db.execute("INSERT OR IGNORE INTO meta VALUES ('application', 'qaudit')")
        elif row[0] != str(FORMAT):
            # An older layout: start afresh rather than read entries of another shape.
            db.execute("DROP TABLE IF EXISTS results")
            db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (str(FORMAT),))
        db.execute(
            "CREATE TABLE IF NOT EXISTS results (path TEXT NOT NULL, hash TEXT NOT NULL, standard TEXT NOT NULL,"
            " fingerprint TEXT NOT NULL, salt TEXT NOT NULL, site TEXT NOT NULL, date TEXT NOT NULL, id TEXT NOT NULL,"
            " result BLOB NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL, cached INTEGER NOT NULL,"
            " PRIMARY KEY (path))"
        )

        app = db.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()
        if app is None or app[0] != "qaudit":
            db.close()
            raise sqlite3.DatabaseError("not a qaudit cache")
        db.execute("PRAGMA schema_version").fetchone()  # reads the header: a foreign file fails here
        return db

    def _discard(self, message: str) -> None:
        _warn(message)
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(self.path + suffix)
            except OSError:
                pass

    def lookup(
        self, stats: dict[str, tuple[int, int]], fingerprints: dict[str, str]
    ) -> Iterator[tuple[str, tuple[SortKey, bytes]]]:
        """Stream cached results ``(path, (sort key, JSON text))`` for files whose content is unchanged.

        ``stats`` maps each path to its (size, mtime in ns). As in git's index, an
        entry whose size and modification time match, and which was cached
        well after that modification (so a same-second rewrite cannot hide), is
        trusted without reading the file; any other entry is trusted only when
        the hash of the file's current content matches.
        """
        if self.db is None:
            return
        try:
            cursor = self.db.execute(
                "SELECT path, hash, standard, fingerprint, salt, site, date, id, result, size, mtime, cached"
                " FROM results"
            )
            for path, digest, standard, fingerprint, salt, site, date, audit_id, text, size, mtime, cached in cursor:
                stat = stats.get(path)
                if stat is None or salt != self.salt or fingerprints.get(standard) != fingerprint:
                    continue
                if not all(isinstance(v, str) for v in (site, date, audit_id)) or not isinstance(text, bytes):
                    _warn(f"a damaged entry for {path} in {self.path} was ignored")
                    continue
                if stat != (size, mtime) or not isinstance(cached, int) or cached - mtime < RACY_NS:
                    try:
                        # As scoring reads it: a path now a named pipe or a device is refused, never read.
                        if content_hash(read_bytes(path)) != digest:
                            continue
                    except InvalidInput:
                        continue
                yield path, ((site, date, audit_id), text)
        except sqlite3.Error as exc:
            self._discard(f"the cache {self.path} is unreadable ({exc}); it was discarded")
            self.db = None

    def store(
        self, path: str, digest: str, standard: str, fingerprint: str, key: SortKey, blob: bytes, stat: tuple[int, int]
    ) -> None:
        """Queue a valid, packed result for writing (see :meth:`flush`)."""
        if self.db is not None:
            self.pending.append((path, digest, standard, fingerprint, *key, blob, *stat))
            if len(self.pending) >= 2000:
                self.flush()

    def flush(self) -> None:
        """Write queued results in one transaction."""
        if self.db is None or not self.pending:
            return
        now = time.time_ns()
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR REPLACE INTO results"
                " (path, hash, standard, fingerprint, salt, site, date, id, result, size, mtime, cached)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (p, h, s, f, self.salt, site, d, i, b, size, mtime, now)
                    for p, h, s, f, site, d, i, b, size, mtime in self.pending
                ],
            )
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            _warn(f"could not update the cache {self.path}: {exc}")
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        self.pending.clear()

    def close(self) -> None:
        """Flush and close."""
        self.flush()
        if self.db is not None:
            self.db.close()
            self.db = None


def clear(path: str = CACHE_PATH) -> bool:
    """Delete the cache file; True when there was one."""
    existed = False
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(path + suffix)
            existed = True
        except FileNotFoundError:
            pass
    return existed


def salt_for(waivers_text: bytes | None) -> str:
    """What besides the audit and its standard decides a score: qaudit's code and the waivers."""
    from . import __version__

    waivers = content_hash(waivers_text) if waivers_text else "-"
    return f"{__version__}:{FORMAT}:{code_fingerprint()}:{waivers}"


def code_fingerprint() -> str:
    """A hash of qaudit's own source: any change to how audits are read or scored (an upgrade,
    an edited checkout) invalidates every cached result, even when the version number stays."""
    digest = hashlib.blake2b(digest_size=8)
    package = os.path.dirname(os.path.abspath(__file__))
    for folder, dirs, files in os.walk(package):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as handle:
                    digest.update(name.encode() + b"\0" + handle.read())
    return digest.hexdigest()


def fingerprints(library: Any) -> dict[str, str]:
    """``id@version`` → fingerprint of every loaded standard."""
    return {f"{s.id}@{s.version}": s.fingerprint for s in library}
