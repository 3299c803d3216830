"""The workspace file ``qaudit.toml``: where a workspace keeps its standards, audits, sites, waivers and reports.

Every command looks for ``qaudit.toml`` in the current folder and then in each
parent folder, and uses the first one found. Its table ``[qaudit]`` names the
workspace's files; paths in it are relative to the file itself::

    [qaudit]
    standards = "standards"          # folder of standard files
    audits = "audits"                # a folder, or a list of files and folders
    sites = "sites.yaml"
    waivers = "waivers.yaml"
    reports = "reports"              # output folder of report (and export)

A command-line option wins over the file; the file wins over the built-in
defaults. Mistakes (a TOML syntax error, an unknown key, a wrong type, a path
that does not exist) are :class:`~qaudit.problems.Problem` objects located in
the file, raised together as :class:`~qaudit.problems.InvalidInput`.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from typing import Any, cast

from ..problems import InvalidInput, Problem, error

FILE_NAME = "qaudit.toml"
"""The workspace file's name."""

TABLE = "qaudit"
"""The table holding the settings."""

KEYS = ("standards", "audits", "sites", "waivers", "reports")
"""The settings ``[qaudit]`` may hold, in the order they are checked."""


@dataclass(frozen=True)
class WorkspaceFile:
    """The settings of one ``qaudit.toml``, every path ready to open from the current folder.

    Paths are stored relative to the folder the file was loaded from (the
    current folder of the command), so that file names in outputs and messages
    read the way the user would type them there.
    """

    file: str
    """The workspace file, as a path from the current folder."""
    folder: str
    """The folder holding the workspace file (the workspace root), as a path from the current folder."""
    standards: str | None = None
    """Folder of standard files, when set."""
    audits: tuple[str, ...] | None = None
    """Audit files and folders (the default PATHs of commands that read audits), when set."""
    sites: str | None = None
    """Site registry file, when set."""
    waivers: str | None = None
    """Waivers file, when set."""
    reports: str | None = None
    """Output folder of ``report`` (and of ``export``, as ``<reports>/scorecards.xlsx``), when set."""

    def beside(self, name: str) -> str:
        """``name`` in the workspace root, as a path from the current folder (built-in defaults live there)."""
        return os.path.normpath(os.path.join(self.folder, name))


def find_workspace_file(start: str | None = None) -> str | None:
    """The first ``qaudit.toml`` in ``start`` (default: the current folder) or one of its parents, absolute."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(folder, FILE_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def discover(start: str | None = None) -> WorkspaceFile | None:
    """The workspace file governing ``start`` (default: the current folder), loaded, or None.

    Raises :class:`InvalidInput` with located problems when the file is not valid.
    """
    found = find_workspace_file(start)
    return None if found is None else load_workspace_file(found, cwd=start)


def _shown(path: str, cwd: str) -> str:
    """``path`` as a relative path from ``cwd`` when one exists (another drive keeps it absolute)."""
    try:
        return os.path.relpath(path, cwd)
    except ValueError:
        return path


def _resolved(root: str, value: str, cwd: str) -> str:
    """A path of the file (relative to ``root``) as a path from ``cwd``; an absolute one stays absolute."""
    full = os.path.normpath(os.path.join(root, os.path.expanduser(value)))
    return full if os.path.isabs(os.path.expanduser(value)) else _shown(full, cwd)


def load_workspace_file(path: str, *, cwd: str | None = None) -> WorkspaceFile:
    """Read and check one ``qaudit.toml``; paths come back relative to ``cwd`` (default: the current folder).

    Raises :class:`InvalidInput` listing every problem found, each located in the file.
    """
    cwd = os.path.abspath(cwd or os.getcwd())
    absolute = os.path.abspath(path)
    shown = _shown(absolute, cwd)
    root = os.path.dirname(absolute)
    try:
        with open(absolute, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise InvalidInput(
            [error(shown, 1, 1, "unreadable", f"cannot read the workspace file: {exc.strerror}")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is no error
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            [error(shown, line, 1, "toml-syntax", "the file is not UTF-8 text; save it as UTF-8")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput([_syntax_problem(shown, text, exc)]) from None

    where = _Locator(text)
    problems: list[Problem] = []

    def located(key: tuple[str, ...], rule: str, message: str, *, value: bool = False, element: int = -1) -> None:
        line, column = where.at(key, value=value, element=element)
        problems.append(error(shown, line, column, rule, message))

    for name in data:
        if name != TABLE:
            located((name,), "unknown-key", f"unknown key '{name}'{_hint(name, [TABLE])}; settings go in [{TABLE}]")
    settings = data.get(TABLE, {})
    if not isinstance(settings, dict):
        located((TABLE,), "wrong-type", f"'{TABLE}' must be a table: a line [{TABLE}] followed by the settings")
        settings = {}

    found: dict[str, Any] = {}
    for key, value in settings.items():
        if key not in KEYS:
            located(
                (TABLE, key),
                "unknown-key",
                f"unknown key '{key}'" + (_hint(key, KEYS) or f"; [{TABLE}] may set {', '.join(KEYS)}"),
            )
            continue
        spot = (TABLE, key)
        if key == "audits":
            entries = [value] if isinstance(value, str) else value
            if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
                located(spot, "wrong-type", "'audits' must be a path in quotes or a list of them", value=True)
                continue
            if not entries:
                located(spot, "wrong-type", "'audits' is an empty list; name at least one file or folder", value=True)
                continue
            paths = []
            for index, entry in enumerate(entries):
                element = index if isinstance(value, list) else -1
                problem = _path_problem(root, entry, "audits")
                if problem:
                    located(spot, "missing-path", problem, value=True, element=element)
                else:
                    paths.append(_resolved(root, entry, cwd))
            found[key] = tuple(paths)
            continue
        if not isinstance(value, str):
            located(spot, "wrong-type", f"'{key}' must be a path in quotes, e.g. {key} = \"{key}\"", value=True)
            continue
        problem = _path_problem(root, value, key)
        if problem:
            located(spot, "missing-path", problem, value=True)
            continue
        found[key] = _resolved(root, value, cwd)
    if problems:
        raise InvalidInput(sorted(problems))
    return WorkspaceFile(file=shown, folder=_shown(root, cwd), **found)


def _path_problem(root: str, value: str, key: str) -> str | None:
    """What is wrong with the path ``value`` of setting ``key`` (relative to ``root``), or None."""
    if not value.strip():
        return f"'{key}' is empty; give a path relative to this file"
    full = os.path.normpath(os.path.join(root, os.path.expanduser(value)))
    if key == "reports":
        # An output folder: made by the first report, but the folder it goes in must be there.
        if os.path.exists(full) and not os.path.isdir(full):
            return f"reports = {value!r} is a file; name the folder reports are written to"
        parent = os.path.dirname(full)
        if not os.path.isdir(parent):
            return f"reports = {value!r}: the folder {_shown(parent, root)!r} it would go in does not exist"
        return None
    if not os.path.exists(full):
        kind = {"standards": "folder", "audits": "file or folder"}.get(key, "file")
        return f"{key} = {value!r}: no such {kind} (paths are relative to this file)"
    if key == "standards" and not os.path.isdir(full):
        return f"standards = {value!r} is a file; name the folder of standard files"
    if key in ("sites", "waivers") and not os.path.isfile(full):
        return f"{key} = {value!r} is a folder; name the {'site registry' if key == 'sites' else 'waivers'} file"
    return None


def _hint(word: str, choices: Any) -> str:
    from ..model.validation import did_you_mean

    return did_you_mean(word, choices)


_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def _syntax_problem(file: str, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    """A TOML syntax error as a located problem."""
    message = str(exc)
    line, column = 1, 1
    match = _AT.search(message)
    if match:
        line, column = int(match[1]), int(match[2])
        message = message[: match.start()]
    else:
        end = _AT_END.search(message)
        if end:
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
            message = message[: end.start()]
    message = message[:1].lower() + message[1:]
    return error(file, line, column, "toml-syntax", f'{message}; check the TOML syntax (key = "value" lines)')


_KEY_PART = r"(?:[A-Za-z0-9_-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*')"
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_TABLE_LINE = re.compile(rf"\[\s*({_DOTTED})\s*\]")
_KEY_LINE = re.compile(rf"({_DOTTED})\s*=\s*")
_PART = re.compile(_KEY_PART)
_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART.findall(dotted))


class _Locator:
    """Line and column of keys and values in a TOML text that has already parsed.

    ``tomllib`` keeps no positions, so the settings file (a handful of lines)
    is scanned again for table headers and ``key =`` lines.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.keys: dict[tuple[str, ...], tuple[int, int, int]] = {}
        """Dotted key -> (line, column of the key, offset of its value in the text)."""
        offset, table = 0, cast(tuple[str, ...], ())
        for number, line in enumerate(text.splitlines(keepends=True), 1):
            stripped = line.lstrip()
            indent = len(line) - len(stripped)
            header = _TABLE_LINE.match(stripped) if stripped.startswith("[") else None
            if header:
                table = _parts(header[1])
                self.keys.setdefault(table, (number, indent + 1, offset + indent))
            else:
                match = _KEY_LINE.match(stripped)
                if match:
                    key = table + _parts(match[1])
                    self.keys.setdefault(key, (number, indent + 1, offset + indent + match.end()))
            offset += len(line)

    def at(self, key: tuple[str, ...], *, value: bool = False, element: int = -1) -> tuple[int, int]:
        """Where ``key`` (its value when ``value``; the n-th string of a list value when ``element`` >= 0) is."""
        while key and key not in self.keys:
            key = key[:-1]  # an inline table: point at its outer key
        if not key:
            return 1, 1
        line, column, start = self.keys[key]
        if not value:
            return line, column
        if element >= 0:
            strings = list(_STRING.finditer(self.text, start))
            if element < len(strings):
                start = strings[element].start()
        return self._line_column(start)

    def _line_column(self, offset: int) -> tuple[int, int]:
        before = self.text[:offset]
        line = before.count("\n") + 1
        return line, offset - (before.rfind("\n") + 1) + 1


def starter_files() -> dict[str, bytes]:
    """The files of a starter workspace (``qaudit init``), by path relative to the workspace folder."""
    from importlib.resources import files

    found: dict[str, bytes] = {}
    pending = [("", files("qaudit") / "starter")]
    while pending:
        prefix, folder = pending.pop()
        for entry in folder.iterdir():
            name = f"{prefix}{entry.name}"
            if entry.is_dir():
                pending.append((f"{name}/", entry))
            elif not entry.name.startswith("."):
                found[name] = entry.read_bytes()
    return dict(sorted(found.items()))


def init_workspace(folder: str) -> list[str]:
    """Write a starter workspace into ``folder`` (made when missing); the paths written, in order.

    Nothing is written when any of the files is there already: raises :class:`QauditError` naming them.
    """
    from ..io.staging import write_atomic
    from ..problems import QauditError

    planned = {os.path.normpath(os.path.join(folder, *name.split("/"))): data for name, data in starter_files().items()}
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise QauditError(f"{folder} is a file; give a folder for the workspace")
    taken = [path for path in planned if os.path.lexists(path)]
    if taken:
        raise QauditError(
            f"{', '.join(taken)} already exist{'s' if len(taken) == 1 else ''}; nothing was written "
            "(qaudit init never overwrites; choose an empty folder: qaudit init DIR)"
        )
    for path, data in planned.items():
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        write_atomic(path, data)
    return list(planned)
