"""What a cached result is keyed by: the hash of the audit's content, its file's identity (size,
times, inode and device, from its stat), the checksum of an entry, and the salt and fingerprints
that must still match (qaudit's code, the waivers in force, the standard scored against).

Kept apart from the cache's file, so that scoring an audit can hash its content without opening
the cache.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zlib
from typing import Any

FORMAT = 6
"""Bumped whenever the stored layout of a result changes."""
RACY_NS = 2_000_000_000
"""The coarsest timestamp granularity of common file systems (FAT's two seconds): a file changed
less than this before an entry's stamp is re-checked by content."""

FileKey = tuple[int, int, int, int, int]
"""(size, modification time in ns, change time in ns, inode, device) of an audit file."""

_I64 = 1 << 63


def content_hash(data: bytes) -> str:
    """The hash that identifies an audit file's content."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def entry_checksum(texts: tuple[Any, ...], blob: Any) -> int:
    """CRC-32 of an entry's texts and result: a damaged entry (bad JSON, a cut value) never matches."""
    return zlib.crc32(blob, zlib.crc32("\0".join(texts).encode()))


def file_key(info: os.stat_result, limit: int, euid: int | None, groups: frozenset[int]) -> FileKey | None:
    """The key of a file from its stat; None when scoring would refuse it: over ``limit`` bytes, not a
    regular file, or denied by its permission bits to the user ``euid`` in ``groups``."""
    mode = info.st_mode
    size = info.st_size
    if size > limit or not stat.S_ISREG(mode):
        return None
    if euid:  # root reads every file; elsewhere (no user ids) there is nothing to check
        # Readable for this user, by the permission bits (a file they deny is read, never trusted).
        if info.st_uid == euid:
            readable = mode & stat.S_IRUSR
        elif info.st_gid in groups:
            readable = mode & stat.S_IRGRP
        else:
            readable = mode & stat.S_IROTH
        if not readable:
            return None
    mtime, ctime, ino, dev = info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev
    if (mtime | ctime | ino | dev) >> 63:  # negative, or beyond SQLite's signed 64 bits
        return (size, _time(mtime), _time(ctime), _identity(ino), _identity(dev))
    return (size, mtime, ctime, ino, dev)


def _identity(value: int) -> int:
    """An inode or device number as SQLite's signed 64 bits can hold it (unsigned 64 on some systems)."""
    return value if -_I64 <= value < _I64 else (value + _I64) % (2 * _I64) - _I64


def _time(value: int) -> int:
    """A time in ns that SQLite can hold: one beyond 2262 is clamped, and so stays racy."""
    return value if -_I64 <= value < _I64 else _I64 - 1 if value > 0 else -_I64


def salt_for(waivers_text: bytes | None) -> str:
    """What besides the audit and its standard decides a score: qaudit's code and the waivers.

    ``waivers_text`` must be the very bytes the waivers in force were parsed from.
    """
    from ..version import __version__

    waivers = content_hash(waivers_text) if waivers_text else "-"
    return f"{__version__}:{FORMAT}:{code_fingerprint()}:{waivers}"


def code_fingerprint() -> str:
    """A hash of qaudit's own source: any change to how audits are read or scored (an upgrade,
    an edited checkout) invalidates every cached result, even when the version number stays."""
    digest = hashlib.blake2b(digest_size=8)
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # qaudit/, from qaudit/results/
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
