"""Finding audit files in folders: every file found, or a located reason why it was not.

A folder that cannot be read, and a file whose name cannot be shown (bytes that
are not UTF-8, control characters), are errors of that folder or file: the
other audits are still found. A link to a folder is not followed (it could lead
out of the folder, or round in a loop) and says so in a warning. Names in
problems are shown escaped, so that no byte of a file name reaches a terminal,
a CSV file or a CI log as it is.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field

from ..problems import Problem, error, warning

AUDIT_SUFFIXES = (".yaml", ".yml", ".xlsx")
"""The file names that hold audits: YAML audits and filled Excel forms."""

_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
"""Characters that reorder the text around them on screen: a name holding one can look like another name."""


def _odd(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI


def shown_name(path: str) -> str:
    """``path`` as it may be printed: undecodable bytes as ``\\xNN``, control characters as ``\\uNNNN``."""
    if (path.isascii() and path.isprintable()) or not any(_odd(char) for char in path):
        return path  # printable ASCII (the everyday name) holds no control or reordering character
    shown = []
    for char in path:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (kept by the file system's decoding)
            shown.append(f"\\x{code - 0xDC00:02x}")
        elif _odd(char):
            shown.append(f"\\u{code:04x}")
        else:
            shown.append(char)
    return "".join(shown)


def name_problem(path: str) -> Problem | None:
    """The error of a file or folder whose name cannot be shown as it is (None for an ordinary name)."""
    shown = shown_name(path)
    if shown == path:
        return None
    if any(0xDC80 <= ord(char) <= 0xDCFF for char in path):
        what = "bytes that are not UTF-8 text"
    else:
        char = next(c for c in path if _odd(c))
        what = f"the control character U+{ord(char):04X}"
    return error(
        shown,
        1,
        1,
        "file-name",
        f"the name holds {what} (shown escaped); rename it with letters, digits, '.', '_' and '-'. It was not read",
    )


@dataclass
class Found:
    """The audit files under some paths, and why any other was left out."""

    files: list[str] = field(default_factory=list)
    """Audit files, folder by folder in sorted order."""
    problems: list[Problem] = field(default_factory=list)
    """A folder that cannot be read, a name that cannot be shown: errors."""
    warnings: list[Problem] = field(default_factory=list)
    """Links to folders, not followed."""


def find_audit_files(paths: list[str]) -> Found:
    """Audit files named directly, or found recursively (sorted) in folders; hidden files and folders are skipped."""
    found = Found()

    def unreadable(exc: OSError) -> None:
        reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
        found.problems.append(
            error(
                shown_name(str(exc.filename)),
                1,
                1,
                "unreadable",
                f"this folder cannot be read ({reason}), so none of its audits was scored; "
                "make it readable for this user",
            )
        )

    for path in paths:
        if not os.path.isdir(path):
            problem = name_problem(path)
            if problem is None:
                found.files.append(path)
            else:
                found.problems.append(problem)
            continue
        files: list[str] = []

        for top, dirs, names in os.walk(path, onerror=unreadable):
            kept = []
            for name in sorted(dirs):
                if name.startswith("."):
                    continue
                folder = os.path.join(top, name)
                problem = name_problem(folder)
                if problem is not None:
                    found.problems.append(problem)
                elif os.path.islink(folder):
                    found.warnings.append(
                        warning(
                            folder,
                            1,
                            1,
                            "folder-link",
                            "is a link to a folder and was not followed (its audits were not scored); "
                            "name the folder it links to to score them",
                        )
                    )
                else:
                    kept.append(name)
            dirs[:] = kept
            for name in names:
                if not name.lower().endswith(AUDIT_SUFFIXES) or name.startswith((".", "~$")):
                    continue
                file = os.path.join(top, name)
                problem = name_problem(file)
                if problem is None:
                    files.append(file)
                else:
                    found.problems.append(problem)
        found.files.extend(sorted(files))
    return found
