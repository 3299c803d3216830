"""Reading input files as text: size limits, encodings and control characters.

Inspectors save files from many editors. UTF-8 with or without a byte-order
mark, CRLF (or lone CR) line endings and UTF-16 or UTF-32 with a byte-order
mark are all read; anything else is refused with a message that says how to
save the file instead. Only regular files are opened for reading: a named pipe
or a device is refused before it can block or stream forever.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from typing import NoReturn

from ..problems import InvalidInput, error

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""Largest input file read, unless ``QAUDIT_MAX_FILE_BYTES`` says otherwise."""

# C0 controls other than tab, LF and CR, plus DEL and the C1 block: YAML forbids them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR: line breaks to YAML, not to editors.
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")


def max_file_bytes() -> int:
    """The file-size limit in force (environment ``QAUDIT_MAX_FILE_BYTES``)."""
    raw = os.environ.get("QAUDIT_MAX_FILE_BYTES", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_BYTES


_SPECIAL_HINT = "qaudit reads only regular files; save the audit or standard as a file and point qaudit at it"


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    return "is not a regular file"


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index in ``text``."""
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return line, index - start + 1


def read_bytes(path: str, limit: int | None = None) -> bytes:
    """Read a file's bytes, refusing files over the size limit."""
    limit = max_file_bytes() if limit is None else limit
    try:
        # O_NONBLOCK: opening a named pipe with no writer would otherwise wait forever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with open(fd, "rb", buffering=0) as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                if stat.S_ISDIR(info.st_mode):
                    raise IsADirectoryError(path)
                raise InvalidInput([error(path, 1, 1, "unreadable", f"{_special_kind(info.st_mode)}; {_SPECIAL_HINT}")])
            os.set_blocking(fd, True)
            # Read what the file holds, not a buffer the size of the limit: an everyday
            # audit then costs one small read instead of a large allocation.
            size = info.st_size
            data = handle.read(min(size, limit) + 1)
            if limit >= len(data) > size:
                # It grew since it was measured: read on, to the limit.
                data += handle.read(limit + 1 - len(data)) or b""
    except IsADirectoryError:
        raise InvalidInput([error(path, 1, 1, "unreadable", "is a folder, not a file")]) from None
    except FileNotFoundError:
        raise InvalidInput(
            [error(path, 1, 1, "unreadable", "no such file; check the path (it may have been moved or deleted)")]
        ) from None
    except PermissionError:
        raise InvalidInput(
            [error(path, 1, 1, "unreadable", "permission denied; make the file readable for this user")]
        ) from None
    except OSError as exc:
        raise InvalidInput(
            [error(path, 1, 1, "unreadable", f"cannot be read ({exc.strerror}); check the file")]
        ) from None
    if len(data) > limit:
        raise InvalidInput(
            [
                error(
                    path,
                    1,
                    1,
                    "file-too-large",
                    f"is larger than the {limit:,} byte limit; split it (or raise QAUDIT_MAX_FILE_BYTES)",
                )
            ]
        )
    return data


def _refuse(path: str, where: tuple[int, int], message: str) -> NoReturn:
    """Raise the located ``encoding`` problem of a file that cannot be read as text."""
    raise InvalidInput([error(path, *where, "encoding", message)])


def decode(path: str, data: bytes) -> str:
    """Decode file bytes to text, with located errors for anything unreadable."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8"
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        # Tested before UTF-16: the UTF-32 little-endian mark begins with the UTF-16 one.
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        head = data[:8192]
        if head.count(b"\x00") * 10 > len(head):
            raise InvalidInput(
                [
                    error(
                        path,
                        1,
                        1,
                        "encoding",
                        "is not text (it holds NUL bytes: a binary file, or UTF-16 without a byte-order mark); "
                        "point qaudit at a YAML file saved as UTF-8",
                    )
                ]
            )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(encoding, errors="replace")
        _refuse(
            path,
            line_col(before, len(before)),
            f"is not valid {encoding.upper()} text (byte 0x{data[exc.start]:02X}); "
            "save the file as UTF-8 in your editor",
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = CONTROL_CHARACTERS.search(text)
    if bad:
        what = "a NUL character" if bad.group() == "\x00" else f"the control character U+{ord(bad.group()):04X}"
        _refuse(
            path, line_col(text, bad.start()), f"contains {what}; delete it (YAML text may not hold control characters)"
        )
    odd = _ODD_BREAK.search(text)
    if odd:
        # YAML counts these as line breaks and most editors do not: every line number after
        # one would be off, and a plain value would be cut in two. Refuse it where it stands.
        _refuse(
            path,
            line_col(text, odd.start()),
            f"contains the invisible line separator U+{ord(odd.group()):04X} (often pasted from a "
            "web page or a word processor); delete it, or press Enter for a real line break",
        )
    return text


def read_text(path: str, limit: int | None = None) -> str:
    """Read and decode a text file, raising :class:`InvalidInput` with located problems."""
    return decode(path, read_bytes(path, limit))
