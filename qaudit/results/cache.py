"""The results cache: scores of unchanged audits, reused across runs.

Stored in one SQLite file in the workspace (``.qaudit/cache.sqlite``), one entry
per audit path. An entry holds the hash of the content that was scored and is
used only when the fingerprint of the standard version it was scored against,
the waivers in force and qaudit's version and source all still match.

Whether the file still holds that content is decided as git decides it for its
index. The entry keeps the file's size, modification and change times in
nanoseconds, inode and device, from a stat taken before the file was read, and
a stamp: the file system's time before that stat. When all five still match and
the file last changed more than :data:`RACY_NS` (a file system's timestamp
granularity) before the stamp, the file is trusted without being read: an edit
since would have set a later change time, which, unlike the modification time,
no program can set back (short of turning the system clock back), and a
replaced file has another inode. Any other entry (its stat differs, or its file
changed too close to the stamp for the times to tell: "racy") is trusted only
when the hash of the file's current content matches; it is then stamped anew
with the new stat, so that later runs need not read the file.

Only valid audits are stored, and no entry is served for a file scoring would
refuse now (not a regular file, over the size limit, or denied to this user by
its permission bits). Every entry carries a checksum; a damaged entry is a
miss, scored again and replaced. A file that is not a readable qaudit cache
(corrupt, cut short, foreign) is moved aside with one warning and a new cache is
started; a cache that cannot be written is read without being updated, and one
that cannot be opened at all (locked, a folder in its place) is left alone;
either is said in one warning, and the run's results are those of a run without
the cache. Results are stored as JSON, never pickled, so a planted cache file
cannot run code.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from typing import Any

from ..io.source import max_file_bytes, read_bytes
from ..problems import InvalidInput
from .cache_file import COLUMNS, Foreign, is_damage, is_readonly, is_undecodable, open_cache, open_waiting
from .cache_keys import RACY_NS, FileKey, content_hash, entry_checksum, file_key
from .serialise import SortKey

CACHE_PATH = os.path.join(".qaudit", "cache.sqlite")
MOVED_ASIDE = ".damaged"
"""Suffix of a cache file that could not be read, kept beside the new one."""
_BEFORE_EVERY_ROW = -(1 << 63)
"""Below every rowid: a lookup from the first entry."""


def _fs_time(folder: str) -> int:
    """The file system's time now (touching ``folder``), or the clock's when it cannot be touched.

    The earlier of the two: file times come from the file system's clock (a file
    server's, on a network share), which may run behind this machine's.
    """
    now = time.time_ns()
    try:
        os.utime(folder)
        return min(now, os.stat(folder).st_mtime_ns)
    except OSError:
        return now


class ResultCache:
    """Read and write cached results. Every failure degrades to "no cache", with one warning.

    Create it before taking the stat of the files it is asked about (:meth:`key`):
    its stamp must be older than any of them.
    """

    def __init__(self, path: str, salt: str) -> None:
        """Open (or create) the cache at ``path``; ``salt`` covers qaudit's version and source, and the waivers."""
        self.path = path
        self.salt = salt
        self.db: sqlite3.Connection | None = None
        self.writable = True
        self.warned = False
        self.pending: list[tuple[Any, ...]] = []
        self.refreshed: list[tuple[Any, ...]] = []
        self.damaged: list[int] = []
        self.limit = max_file_bytes()
        self.euid: int | None = os.geteuid() if hasattr(os, "geteuid") else None
        self.groups = frozenset([os.getegid(), *os.getgroups()]) if hasattr(os, "getegid") else frozenset()
        folder = os.path.dirname(path) or "."
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            pass  # said once, below, when the cache cannot be opened
        self.stamp = _fs_time(folder)
        self._start()

    # Opening ---------------------------------------------------------------------------------

    def _start(self) -> None:
        try:
            self.db = open_waiting(self.path)
            return
        except Foreign as exc:
            self._move_aside(f"the cache {self.path} {exc}")
        except sqlite3.Error as exc:
            if is_damage(exc):
                self._move_aside(f"the cache {self.path} is damaged ({exc})")
            elif is_readonly(exc) and os.path.isfile(self.path):
                self._open_readonly(exc)
                return
            else:
                self._warn(f"the cache {self.path} cannot be used ({exc}); running without it")
                return
        except OSError as exc:
            self._warn(f"the cache {self.path} cannot be used ({exc.strerror or exc}); running without it")
            return
        try:
            self.db = open_cache(self.path, readonly=False)
        except (sqlite3.Error, OSError, Foreign):
            self.db = None  # the warning above said the cache was set aside

    def _open_readonly(self, why: sqlite3.Error) -> None:
        try:
            self.db = open_cache(self.path, readonly=True)
        except (sqlite3.Error, OSError, Foreign):
            try:
                # In a read-only folder SQLite cannot make its shared-memory file; with no log
                # of unfinished writes beside it, the file alone is the whole cache.
                if os.path.exists(self.path + "-wal"):
                    raise
                self.db = open_cache(self.path, readonly=True, immutable=True)
            except (sqlite3.Error, OSError, Foreign):
                self._warn(f"the cache {self.path} cannot be used ({why}); running without it")
                return
        self.writable = False
        self._warn(f"the cache {self.path} is read-only ({why}); it is read, but new results are not stored")

    def _move_aside(self, message: str) -> None:
        """Keep an unreadable cache file beside the new one (replacing an older one), never read it again."""
        try:
            os.replace(self.path, self.path + MOVED_ASIDE)
        except FileNotFoundError:
            pass
        except OSError:
            # It cannot be moved: delete it rather than read it again.
            try:
                os.unlink(self.path)
            except OSError:
                self._warn(f"{message}; it could not be moved aside, so the run goes on without a cache")
                return
        for suffix in ("-wal", "-shm"):
            # A log of the old file would otherwise be replayed into the new one.
            try:
                os.unlink(self.path + suffix)
            except OSError:
                pass
        self._warn(f"{message}; it was moved to {self.path + MOVED_ASIDE} and a new cache is started")

    def _warn(self, message: str) -> None:
        if not self.warned:
            self.warned = True
            sys.stderr.write(f"qaudit: warning: {message}\n")

    def _give_up(self, exc: sqlite3.Error, doing: str) -> None:
        """After an error while in use: a damaged file is set aside, any other error ends the cache's use."""
        self._disconnect()
        if is_damage(exc):
            self._move_aside(f"the cache {self.path} is damaged ({exc})")
            try:
                self.db = open_cache(self.path, readonly=False)
            except (sqlite3.Error, OSError, Foreign):
                self.db = None
        else:
            self._warn(f"could not {doing} the cache {self.path} ({exc}); the run goes on without it")

    # Use -------------------------------------------------------------------------------------

    def key(self, info: os.stat_result) -> FileKey | None:
        """The key of a file from its stat; None when scoring would refuse it (so the cache never serves it)."""
        return file_key(info, self.limit, self.euid, self.groups)

    def lookup(
        self, stats: dict[str, FileKey | None], fingerprints: dict[str, str]
    ) -> Iterator[tuple[str, tuple[SortKey, bytes]]]:
        """Stream cached results ``(path, (sort key, JSON text))`` of the files in ``stats`` whose content is unchanged.

        ``stats`` maps each path to its :meth:`key`, taken after this cache was
        opened. An entry whose key matches and whose file last changed well
        before the entry's stamp is trusted without reading the file; any other
        entry only when the hash of the file's current content matches.
        """
        if self.db is None:
            return
        after = _BEFORE_EVERY_ROW
        try:
            while True:
                try:
                    yield from self._entries(stats, fingerprints, after)
                    return
                except _Undecodable as exc:
                    # A text that is not UTF-8: that entry alone is damaged; go on after it.
                    after = exc.after
                    if self.db is None:
                        return
                    try:
                        row = self.db.execute(
                            "SELECT rowid FROM results WHERE rowid > ? ORDER BY rowid LIMIT 1", (after,)
                        ).fetchone()
                    except sqlite3.Error as again:
                        self._give_up(again, "read")
                        return
                    if row is None:
                        return
                    self.damaged.append(row[0])
                    after = row[0]
                except sqlite3.Error as exc:
                    self._give_up(exc, "read")
                    return
        finally:
            if self.damaged:
                many = len(self.damaged) > 1
                self._warn(
                    f"{len(self.damaged)} damaged entr{'ies' if many else 'y'} in the cache {self.path} "
                    f"{'were' if many else 'was'} ignored; {'those audits are' if many else 'that audit is'} "
                    "scored again"
                )

    def _entries(
        self, stats: dict[str, FileKey | None], fingerprints: dict[str, str], after: int
    ) -> Iterator[tuple[str, tuple[SortKey, bytes]]]:
        """The lookup of entries after ``after`` (a rowid), in rowid order; see :meth:`lookup`."""
        assert self.db is not None
        salt, stamp_now, racy = self.salt, self.stamp, RACY_NS
        cursor = self.db.execute(
            "SELECT rowid, path, hash, standard, fingerprint, salt, site, date, id, result, checksum,"
            " size, mtime, ctime, ino, dev, stamp FROM results WHERE rowid > ? ORDER BY rowid",
            (after,),
        )
        try:
            for (
                rowid,
                path,
                digest,
                standard,
                fingerprint,
                row_salt,
                site,
                date,
                audit_id,
                blob,
                checksum,
                size,
                mtime,
                ctime,
                ino,
                dev,
                stamp,
            ) in cursor:
                after = rowid
                key = stats.get(path)
                if key is None or row_salt != salt or fingerprints.get(standard) != fingerprint:
                    continue  # not asked about, or outdated: scored again and replaced
                try:
                    intact = checksum == entry_checksum(
                        (path, digest, standard, fingerprint, row_salt, site, date, audit_id), blob
                    )
                except (TypeError, ValueError):
                    intact = False
                if not intact:
                    self.damaged.append(rowid)
                    continue
                stored = (size, mtime, ctime, ino, dev)
                if key != stored or not isinstance(stamp, int) or max(mtime, ctime) >= stamp - racy:
                    # Changed, or changed too close to the stamp for the times to tell: compare content.
                    try:
                        # As scoring reads it: a path now a named pipe or a device is refused, never read.
                        if content_hash(read_bytes(path)) != digest:
                            continue
                    except InvalidInput:
                        continue
                    if self.writable and (key != stored or max(key[1], key[2]) < stamp_now - racy):
                        self.refreshed.append((*key, stamp_now, path, digest, salt))
                yield path, ((site, date, audit_id), blob)
        except sqlite3.OperationalError as exc:
            if is_undecodable(exc):
                raise _Undecodable(after) from None
            raise

    def store(
        self, path: str, digest: str, standard: str, fingerprint: str, key: SortKey, blob: bytes, stat: FileKey | None
    ) -> None:
        """Queue a valid, packed result for writing (see :meth:`flush`); ``stat`` is the file's :meth:`key`
        taken before it was read (None: not stored)."""
        if self.db is None or not self.writable or stat is None:
            return
        texts = (path, digest, standard, fingerprint, self.salt, *key)
        try:
            checksum = entry_checksum(texts, blob)
        except UnicodeEncodeError:
            return  # a name that is not UTF-8: scored every time, never stored
        self.pending.append((*texts, blob, checksum, *stat, self.stamp))
        if len(self.pending) >= 2000:
            self.flush()

    def flush(self) -> None:
        """Write queued results, refreshed stats and removals of damaged entries in one transaction."""
        if self.db is None or not self.writable:
            self.pending.clear()
            self.refreshed.clear()
            return
        if not (self.pending or self.refreshed or self.damaged):
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("DELETE FROM results WHERE rowid = ?", [(r,) for r in self.damaged])
            self.db.executemany(
                "UPDATE results SET size = ?, mtime = ?, ctime = ?, ino = ?, dev = ?, stamp = ?"
                " WHERE path = ? AND hash = ? AND salt = ?",
                self.refreshed,
            )
            self.db.executemany(
                f"INSERT OR REPLACE INTO results ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                self.pending,
            )
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                if self.db is not None and self.db.in_transaction:
                    self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if is_damage(exc):
                self._give_up(exc, "update")
            else:
                self.writable = False
                self._warn(f"could not update the cache {self.path} ({exc}); new results are not stored")
        self.pending.clear()
        self.refreshed.clear()
        self.damaged.clear()

    def close(self) -> None:
        """Flush and close."""
        try:
            self.flush()
        finally:
            self._disconnect()

    def _disconnect(self) -> None:
        """Close the connection, if open, whatever state it is in."""
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
            self.db = None


class _Undecodable(Exception):
    """An entry after rowid ``after`` holds a text that is not UTF-8."""

    def __init__(self, after: int) -> None:
        super().__init__(after)
        self.after = after


def clear(path: str = CACHE_PATH) -> bool:
    """Delete the cache file (and a damaged one moved aside); True when there was one."""
    existed = False
    for suffix in ("", "-wal", "-shm", MOVED_ASIDE):
        try:
            os.unlink(path + suffix)
            existed = True
        except FileNotFoundError:
            pass
    return existed
