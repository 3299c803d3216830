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

import hashlib
import os
import sqlite3
import stat
import sys
import time
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from .problems import InvalidInput
from .resultset import SortKey
from .source import max_file_bytes, read_bytes

CACHE_PATH = os.path.join(".qaudit", "cache.sqlite")
FORMAT = 6
"""Bumped whenever the stored layout of a result changes."""
RACY_NS = 2_000_000_000
"""The coarsest timestamp granularity of common file systems (FAT's two seconds): a file changed
less than this before an entry's stamp is re-checked by content."""
BUSY_TIMEOUT = 10.0
"""Seconds to wait for another run's write to the cache before going on without it."""
MOVED_ASIDE = ".damaged"
"""Suffix of a cache file that could not be read, kept beside the new one."""

FileKey = tuple[int, int, int, int, int]
"""(size, modification time in ns, change time in ns, inode, device) of an audit file."""

_COLUMNS = (
    "path",
    "hash",
    "standard",
    "fingerprint",
    "salt",
    "site",
    "date",
    "id",
    "result",
    "checksum",
    "size",
    "mtime",
    "ctime",
    "ino",
    "dev",
    "stamp",
)
_I64 = 1 << 63


def content_hash(data: bytes) -> str:
    """The hash that identifies an audit file's content."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _checksum(texts: tuple[Any, ...], blob: Any) -> int:
    """CRC-32 of an entry's texts and result: a damaged entry (bad JSON, a cut value) never matches."""
    return zlib.crc32(blob, zlib.crc32("\0".join(texts).encode()))


def _identity(value: int) -> int:
    """An inode or device number as SQLite's signed 64 bits can hold it (unsigned 64 on some systems)."""
    return value if -_I64 <= value < _I64 else (value + _I64) % (2 * _I64) - _I64


def _time(value: int) -> int:
    """A time in ns that SQLite can hold: one beyond 2262 is clamped, and so stays racy."""
    return value if -_I64 <= value < _I64 else _I64 - 1 if value > 0 else -_I64


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

    def _open_waiting(self) -> sqlite3.Connection:
        """Open for writing; while another run holds the file (it may be creating it, or switching it
        to WAL, which SQLite does not wait for), try again until the busy timeout."""
        import time

        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                return self._open(readonly=False)
            except sqlite3.OperationalError as exc:
                text = str(exc).lower()
                if ("locked" not in text and "busy" not in text) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    def _start(self) -> None:
        try:
            self.db = self._open_waiting()
            return
        except _Foreign as exc:
            self._move_aside(f"the cache {self.path} {exc}")
        except sqlite3.Error as exc:
            if _is_damage(exc):
                self._move_aside(f"the cache {self.path} is damaged ({exc})")
            elif _is_readonly(exc) and os.path.isfile(self.path):
                self._open_readonly(exc)
                return
            else:
                self._warn(f"the cache {self.path} cannot be used ({exc}); running without it")
                return
        except OSError as exc:
            self._warn(f"the cache {self.path} cannot be used ({exc.strerror or exc}); running without it")
            return
        try:
            self.db = self._open(readonly=False)
        except (sqlite3.Error, OSError, _Foreign):
            self.db = None  # the warning above said the cache was set aside

    def _open_readonly(self, why: sqlite3.Error) -> None:
        try:
            self.db = self._open(readonly=True)
        except (sqlite3.Error, OSError, _Foreign):
            try:
                # In a read-only folder SQLite cannot make its shared-memory file; with no log
                # of unfinished writes beside it, the file alone is the whole cache.
                if os.path.exists(self.path + "-wal"):
                    raise
                self.db = self._open(readonly=True, immutable=True)
            except (sqlite3.Error, OSError, _Foreign):
                self._warn(f"the cache {self.path} cannot be used ({why}); running without it")
                return
        self.writable = False
        self._warn(f"the cache {self.path} is read-only ({why}); it is read, but new results are not stored")

    def _open(self, readonly: bool, immutable: bool = False) -> sqlite3.Connection:
        if readonly:
            uri = "file:" + quote(os.path.abspath(self.path)) + "?mode=ro" + ("&immutable=1" if immutable else "")
            db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
        else:
            if not os.access(os.path.dirname(self.path) or ".", os.W_OK) or (
                os.path.exists(self.path) and not os.access(self.path, os.W_OK)
            ):
                raise sqlite3.OperationalError("attempt to write a readonly database")
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            self._prepare(db, readonly)
        except BaseException:
            db.close()
            raise
        return db

    def _prepare(self, db: sqlite3.Connection, readonly: bool) -> None:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        if not readonly:
            # Results are a few kilobytes each: large pages hold them without overflow chains,
            # which halves the cost of filling the cache (it applies only to a new file).
            db.execute("PRAGMA page_size = 65536")
            # Readers never wait for a writer: two runs at once share the cache.
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        # Reads the header: a file that is not a database fails here.
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "meta" not in tables:
            raise _Foreign("is not a qaudit cache")
        if self._layout_ok(db, tables):
            return
        if readonly:
            raise _Foreign("has another layout")
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("INSERT OR IGNORE INTO meta VALUES ('application', 'qaudit')")
            db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (str(FORMAT),))
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("application") != "qaudit":
                raise _Foreign("is not a qaudit cache")
            if meta.get("format") != str(FORMAT) or not self._columns_ok(db):
                # Another layout (an older qaudit): start afresh rather than read entries of another shape.
                db.execute("DROP TABLE IF EXISTS results")
                db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (str(FORMAT),))
            db.execute(
                "CREATE TABLE IF NOT EXISTS results (path TEXT PRIMARY KEY, hash TEXT NOT NULL,"
                " standard TEXT NOT NULL, fingerprint TEXT NOT NULL, salt TEXT NOT NULL, site TEXT NOT NULL,"
                " date TEXT NOT NULL, id TEXT NOT NULL, result BLOB NOT NULL, checksum INTEGER NOT NULL,"
                " size INTEGER NOT NULL, mtime INTEGER NOT NULL, ctime INTEGER NOT NULL, ino INTEGER NOT NULL,"
                " dev INTEGER NOT NULL, stamp INTEGER NOT NULL)"
            )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _layout_ok(self, db: sqlite3.Connection, tables: set[str]) -> bool:
        if "meta" not in tables or "results" not in tables:
            return False
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("application") != "qaudit":
            raise _Foreign("is not a qaudit cache")
        return meta.get("format") == str(FORMAT) and self._columns_ok(db)

    @staticmethod
    def _columns_ok(db: sqlite3.Connection) -> bool:
        return tuple(row[1] for row in db.execute("PRAGMA table_info(results)")) == _COLUMNS

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
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
            self.db = None
        if _is_damage(exc):
            self._move_aside(f"the cache {self.path} is damaged ({exc})")
            try:
                self.db = self._open(readonly=False)
            except (sqlite3.Error, OSError, _Foreign):
                self.db = None
        else:
            self._warn(f"could not {doing} the cache {self.path} ({exc}); the run goes on without it")

    # Use -------------------------------------------------------------------------------------

    def key(self, info: os.stat_result) -> FileKey | None:
        """The key of a file from its stat; None when scoring would refuse it (so the cache never serves it)."""
        mode = info.st_mode
        size = info.st_size
        if size > self.limit or not stat.S_ISREG(mode):
            return None
        euid = self.euid
        if euid:  # root reads every file; elsewhere (no user ids) there is nothing to check
            # Readable for this user, by the permission bits (a file they deny is read, never trusted).
            if info.st_uid == euid:
                readable = mode & stat.S_IRUSR
            elif info.st_gid in self.groups:
                readable = mode & stat.S_IRGRP
            else:
                readable = mode & stat.S_IROTH
            if not readable:
                return None
        mtime, ctime, ino, dev = info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev
        if (mtime | ctime | ino | dev) >> 63:  # negative, or beyond SQLite's signed 64 bits
            return (size, _time(mtime), _time(ctime), _identity(ino), _identity(dev))
        return (size, mtime, ctime, ino, dev)

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
        after = -_I64
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
                    intact = checksum == _checksum(
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
            if _is_undecodable(exc):
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
            checksum = _checksum(texts, blob)
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
                f"INSERT OR REPLACE INTO results ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                self.pending,
            )
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                if self.db is not None and self.db.in_transaction:
                    self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if _is_damage(exc):
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
            if self.db is not None:
                try:
                    self.db.close()
                except sqlite3.Error:
                    pass
                self.db = None


class _Foreign(Exception):
    """A database that is not a qaudit cache of a readable layout."""


class _Undecodable(Exception):
    """An entry after rowid ``after`` holds a text that is not UTF-8."""

    def __init__(self, after: int) -> None:
        super().__init__(after)
        self.after = after


def _name(exc: sqlite3.Error) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def _is_damage(exc: sqlite3.Error) -> bool:
    """A file that is not a database, or a damaged one (not a lock, a permission or a full disk)."""
    name = _name(exc)
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return type(exc) is sqlite3.DatabaseError


def _is_readonly(exc: sqlite3.Error) -> bool:
    return _name(exc).startswith("SQLITE_READONLY") or "readonly" in str(exc)


def _is_undecodable(exc: sqlite3.Error) -> bool:
    return "decode" in str(exc).lower() and "utf" in str(exc).lower()


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


def salt_for(waivers_text: bytes | None) -> str:
    """What besides the audit and its standard decides a score: qaudit's code and the waivers.

    ``waivers_text`` must be the very bytes the waivers in force were parsed from.
    """
    from .version import __version__

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
