"""The results cache's SQLite file: opening it for writing (waiting while another run holds it) or
for reading only, checking its layout (made when new, started afresh when another qaudit's), and
telling SQLite's errors apart: a damaged file, a read-only one, a text that is not UTF-8.
"""

from __future__ import annotations

import os
import sqlite3
from urllib.parse import quote

from .cache_keys import FORMAT

BUSY_TIMEOUT = 10.0
"""Seconds to wait for another run's write to the cache before going on without it."""

COLUMNS = (
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
"""The columns of an entry, in the order of the table's layout."""


class Foreign(Exception):
    """A database that is not a qaudit cache of a readable layout."""


def open_waiting(path: str) -> sqlite3.Connection:
    """Open for writing; while another run holds the file (it may be creating it, or switching it
    to WAL, which SQLite does not wait for), try again until the busy timeout."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            return open_cache(path, readonly=False)
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def open_cache(path: str, readonly: bool, immutable: bool = False) -> sqlite3.Connection:
    """The cache at ``path``, its layout checked (and, for writing, made or started afresh); raises
    :class:`Foreign` for a database that is not a readable qaudit cache."""
    if readonly:
        uri = "file:" + quote(os.path.abspath(path)) + "?mode=ro" + ("&immutable=1" if immutable else "")
        db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
    else:
        if not os.access(os.path.dirname(path) or ".", os.W_OK) or (
            os.path.exists(path) and not os.access(path, os.W_OK)
        ):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        _prepare(db, readonly)
    except BaseException:
        db.close()
        raise
    return db


def _prepare(db: sqlite3.Connection, readonly: bool) -> None:
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
        raise Foreign("is not a qaudit cache")
    if _layout_ok(db, tables):
        return
    if readonly:
        raise Foreign("has another layout")
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('application', 'qaudit')")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (str(FORMAT),))
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("application") != "qaudit":
            raise Foreign("is not a qaudit cache")
        if meta.get("format") != str(FORMAT) or not _columns_ok(db):
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


def _layout_ok(db: sqlite3.Connection, tables: set[str]) -> bool:
    if "meta" not in tables or "results" not in tables:
        return False
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("application") != "qaudit":
        raise Foreign("is not a qaudit cache")
    return meta.get("format") == str(FORMAT) and _columns_ok(db)


def _columns_ok(db: sqlite3.Connection) -> bool:
    return tuple(row[1] for row in db.execute("PRAGMA table_info(results)")) == COLUMNS


def _name(exc: sqlite3.Error) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def is_damage(exc: sqlite3.Error) -> bool:
    """A file that is not a database, or a damaged one (not a lock, a permission or a full disk)."""
    name = _name(exc)
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return type(exc) is sqlite3.DatabaseError


def is_readonly(exc: sqlite3.Error) -> bool:
    """A file this run may read but not write."""
    return _name(exc).startswith("SQLITE_READONLY") or "readonly" in str(exc)


def is_undecodable(exc: sqlite3.Error) -> bool:
    """An entry holds a text that is not UTF-8."""
    return "decode" in str(exc).lower() and "utf" in str(exc).lower()
