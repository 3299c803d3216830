"""The lock on an audit's draft, so that only one guided audit at a time fills in the same file."""

from __future__ import annotations

import os


class DraftLock:
    """The lock a ``qaudit run`` session holds on its audit's draft, so that no second session
    answers into the same file (one of them would lose the other's answers)."""

    def __init__(self, output: str) -> None:
        self.path = lock_path(output)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`QauditError` naming the session that holds it."""
        import fcntl

        from ...problems import QauditError

        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
                os.close(fd)
                raise QauditError(
                    f"another 'qaudit run' session ({holder}) is filling in this audit and holds {self.path}; "
                    "finish or quit that session first, or choose another -o"
                ) from None
            except BaseException:
                os.close(fd)
                raise
            try:  # the lock file may have been removed by the session that held it: lock the one in place
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}".encode())
        self._fd = fd

    def release(self) -> None:
        """Give the lock up and remove its file."""
        if self._fd is None:
            return
        try:
            os.unlink(self.path)  # while still held: a session waiting on this file then tries again
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None


def lock_path(output: str) -> str:
    """The lock file of a session filling in ``output`` (a hidden file beside it)."""
    folder, name = os.path.split(output)
    return os.path.join(folder, f".{name}.lock")
