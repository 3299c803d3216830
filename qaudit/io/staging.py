"""Writing outputs so that no fault loses or mixes them: the one way qaudit writes files.

Every file is first written to a temporary file beside its target (staged) and
then renamed over it, so a reader sees the old file or the new one, never a
part. A set of files that belong together (a report's pages, the CSV export)
is staged as a whole; a failure while staging removes what was staged and
leaves every old file in place. The renames of a set are listed first in a
commit record (``.qaudit-commit.<token>`` in the set's folder): a run killed
between two renames leaves that record, and the next run writing to the folder
completes the renames before anything else, so the folder again holds one
run's files.

Temporary files and commit records carry a token of their run
(``<host>-<pid>-<random>``); a later run on the same machine removes what a
killed run left (its process is gone), and never touches the files of a run
still going or of another machine.

Only regular files are ever replaced. An output named by a symbolic link is
written to the link's target (the link stays); a character device or a named
pipe (``/dev/stdout``, ``/dev/null``, a pipe to another program) is written
through, since it cannot be replaced by rename; a folder, a block device or a
socket is refused.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import json
import os
import re
import secrets
import socket
import stat
from collections.abc import Iterable, Sequence

HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
"""This machine, in staged files' names: only its own runs' leftovers are ever swept."""
_STAGED = re.compile(rf"\..+\.{HOST}-([0-9]+)-[0-9a-f]{{8}}\.tmp")
_RECORD = re.compile(rf"\.qaudit-commit\.({HOST}-([0-9]+)-[0-9a-f]{{8}})")
RECORD_PREFIX = ".qaudit-commit."


class OutputRefused(OSError):
    """An output that qaudit will not write (a folder, a block device, a socket, a link inside an output set)."""


def new_token() -> str:
    """A token naming one run's staged files: ``<host>-<pid>-<random>``."""
    return f"{HOST}-{os.getpid()}-{secrets.token_hex(4)}"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if stat.S_ISFIFO(mode):
        return "is a named pipe"
    if stat.S_ISCHR(mode):
        return "is a character device"
    if stat.S_ISBLK(mode):
        return "is a block device"
    if stat.S_ISSOCK(mode):
        return "is a socket"
    return "is not a regular file"


def output_target(path: str) -> tuple[str, bool]:
    """The file to write for the output ``path``, and whether it is written through (a device or a pipe).

    A symbolic link names its final target (the link itself is kept); raises
    :class:`OutputRefused` for a folder, a block device or a socket.
    """
    try:
        info = os.stat(path)  # follows links: what a write would reach
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            return path, True
        if stat.S_ISDIR(info.st_mode):
            raise OutputRefused(errno.EISDIR, "is a folder; name a file to write", path)
        raise OutputRefused(
            errno.EINVAL,
            f"{_kind(info.st_mode)}; qaudit writes regular files, devices like /dev/stdout and pipes",
            path,
        )
    if os.path.islink(path):
        return os.path.realpath(path), False
    return path, False


def write_through(path: str, payload: bytes) -> None:
    """Write ``payload`` to a character device or a named pipe, which renaming would replace."""
    try:
        # Non-blocking open: a named pipe with no reader is an error now, not a wait forever.
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            message = "is a named pipe that no program is reading; start the reader first"
            raise OutputRefused(errno.ENXIO, message, path) from None
        raise type(exc)(exc.errno, exc.strerror, path) from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, path) from None
    finally:
        os.close(fd)


class OutputSet:
    """Files under one folder (``root``), staged one by one and renamed into place together.

    ``sync`` flushes each staged file to disk before it is renamed (exports and
    audits); pages that the next run rebuilds are not flushed.
    """

    def __init__(self, root: str, *, sync: bool = False) -> None:
        self.root = root
        self.sync = sync
        self.token = new_token()
        self._folders: list[str] = []
        self._created: list[str] = []
        """Folders this run made, outermost first."""

    def prepare(self, folders: Iterable[str] = ("",)) -> None:
        """Make the folders (under ``root``) that files will be staged in, finishing and sweeping killed runs' work."""
        names = list(folders)
        if "" not in names:
            names.insert(0, "")
        for name in sorted(names, key=lambda n: n != ""):  # the root first: its commit records go before sweeps
            folder = os.path.abspath(os.path.join(self.root, name))
            if folder in self._folders:
                continue
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
                if name == "":
                    recover(folder)
                sweep(folder)

    def target(self, path: str) -> str:
        """The file ``path`` (relative to ``root``) names."""
        return os.path.join(self.root, path)

    def stage(self, path: str, data: bytes) -> str:
        """Write ``data`` to a temporary file beside ``path`` (relative to ``root``); return the temporary file.

        An OSError names the target, not the temporary file; a target that is
        not a regular file (a link, a folder, a device) is refused.
        """
        target = self.target(path)
        try:
            found = os.lstat(target)
        except FileNotFoundError:
            found = None
        except OSError as exc:
            raise type(exc)(exc.errno, exc.strerror, target) from None
        if found is not None and not stat.S_ISREG(found.st_mode):
            raise OutputRefused(
                errno.EINVAL, f"{_kind(found.st_mode)}; qaudit replaces only regular files in an output folder", target
            )
        tmp = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{self.token}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    if self.sync:
                        handle.flush()
                        os.fsync(handle.fileno())
                os.chmod(tmp, 0o644)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise type(exc)(exc.errno, exc.strerror, target) from None
        return tmp

    def commit(self, staged: Sequence[tuple[str, str]], removed: Sequence[str] = ()) -> None:
        """Rename every staged ``(temporary file, path)`` into place and delete ``removed`` (paths under ``root``).

        More than one change is listed in a commit record first, so that a run
        killed half-way is completed by the next one.
        """
        record = None
        try:
            if len(staged) + len(removed) > 1:
                record = self._write_record(staged, removed)
            for tmp, path in staged:
                os.replace(tmp, self.target(path))
            for path in removed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.target(path))
        except BaseException:
            self.abandon()
            raise
        if record is not None:
            with contextlib.suppress(OSError):
                os.unlink(record)

    def _write_record(self, staged: Sequence[tuple[str, str]], removed: Sequence[str]) -> str:
        root = os.path.abspath(self.root)
        entry = {
            "rename": [[os.path.relpath(os.path.abspath(tmp), root), path] for tmp, path in staged],
            "remove": list(removed),
        }
        record = os.path.join(self.root, f"{RECORD_PREFIX}{self.token}")
        tmp = self.stage(f"{RECORD_PREFIX}{self.token}", json.dumps(entry).encode("utf-8"))
        os.replace(tmp, record)
        return record

    def abandon(self) -> None:
        """Remove every file this run staged, and the folders it made (the previous files stay as they were)."""
        for folder in self._folders:
            for tmp in glob.glob(os.path.join(glob.escape(folder), f".*.{self.token}.tmp")):
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(self.root, f"{RECORD_PREFIX}{self.token}"))
        for folder in reversed(self._created):  # innermost first: none is left behind
            with contextlib.suppress(OSError):
                os.rmdir(folder)


_SWEPT: set[str] = set()


def write_atomic(path: str | os.PathLike[str], payload: bytes | str, *, sync: bool = True) -> None:
    """Write a file so that readers see the old content or the new, never a mix.

    The content (text is written as UTF-8) goes to a temporary file in the same
    folder, is flushed to disk, and replaces the target by rename; on any failure
    the target is untouched. A symbolic link is written through to its target
    (the link stays), a device or a named pipe (``/dev/stdout``) is written to,
    never replaced, and a folder, block device or socket is refused with
    :class:`OutputRefused` (see the module docstring).
    """
    path = os.fspath(path)
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    final, stream = output_target(path)
    if stream:
        write_through(path, payload)
        return
    folder, name = os.path.split(os.path.abspath(final))
    one = OutputSet(folder, sync=sync)
    if folder in _SWEPT:  # drafts are saved after every answer: sweep a folder once per run
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise type(exc)(exc.errno, exc.strerror, path) from None
    else:
        try:
            one.prepare()
        except OSError as exc:
            raise type(exc)(exc.errno, exc.strerror, path) from None
        _SWEPT.add(folder)
    try:
        tmp = one.stage(name, payload)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, path) from None
    try:
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def check_writable(folder: str) -> None:
    """Raise the OSError a write into ``folder`` would meet (read-only, full), before anything depends on it."""
    probe = OutputSet(folder)
    tmp = probe.stage(".qaudit-probe", b"")
    os.unlink(tmp)


def recover(folder: str) -> None:
    """Complete the commits that killed runs of this machine left in ``folder``."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        found = _RECORD.fullmatch(name)
        if found is None or _running(int(found.group(2))):
            continue
        token = found.group(1)
        record = os.path.join(folder, name)
        try:
            with open(record, "rb") as handle:
                entry = json.loads(handle.read(16 << 20))
            renames = [(str(tmp), str(path)) for tmp, path in entry["rename"]]
            removes = [str(path) for path in entry["remove"]]
        except (OSError, ValueError, TypeError, KeyError):
            renames, removes = [], []
        for tmp, path in renames:
            # Only this record's own staged files, and only inside the folder.
            if _inside(tmp) and _inside(path) and os.path.basename(tmp).endswith(f".{token}.tmp"):
                with contextlib.suppress(OSError):
                    os.replace(os.path.join(folder, tmp), os.path.join(folder, path))
        for path in removes:
            if _inside(path):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, path))
        with contextlib.suppress(OSError):
            os.unlink(record)


def _inside(path: str) -> bool:
    """Whether a recorded path stays inside its folder."""
    return bool(path) and not os.path.isabs(path) and ".." not in path.replace("\\", "/").split("/")


def sweep(folder: str) -> None:
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


def holds(target: str, data: bytes) -> bool:
    """Whether ``target`` is a regular file holding exactly ``data``."""
    try:
        found = os.lstat(target)
        if not stat.S_ISREG(found.st_mode) or found.st_size != len(data):
            return False
        with open(target, "rb") as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False
