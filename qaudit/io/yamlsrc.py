"""A lean, locating YAML loader over libyaml's event stream.

PyYAML's own constructors spend most of their time resolving YAML 1.1 implicit
types with regular expressions, and they silently keep the last of two
duplicate keys. qaudit reads values by the type the schema expects instead, so
this loader keeps every scalar as text:

* a plain scalar becomes ``str`` (or ``None`` when YAML would read it as null),
* a quoted, block or ``!!str``-tagged scalar becomes :class:`QStr`, a ``str``
  that remembers it was quoted (so ``id: no`` and ``id: "no"`` can be told apart),
* mappings become ``dict`` and sequences ``list``.

In the same pass it refuses what a checklist never needs and what an attacker
could abuse: duplicate keys, aliases (alias bombs), tags, several documents in
one file and deep nesting. With ``locate=True`` it also records the line and
column of every key and value, addressed by their path from the root, so later
stages can point at ``file:line:column`` without re-reading the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..problems import InvalidInput, Problem, QauditError, error
from .source import CONTROL_CHARACTERS as _CONTROL

_CParser: Any
try:  # libyaml's C parser: the one parser qaudit reads YAML with.
    from yaml._yaml import CParser as _CParser

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _CParser = None
    HAVE_LIBYAML = False

LIBYAML_MISSING = (
    "PyYAML was installed without its libyaml C extension, which qaudit reads YAML with; reinstall it: "
    "pip install --force-reinstall --no-cache-dir PyYAML (a wheel from PyPI includes it)"
)
"""Why qaudit cannot read YAML without libyaml: PyYAML's pure-Python parser reads some files
differently (it refuses ``{comment: what?}``, which libyaml reads), and the meaning of a file
must not depend on how PyYAML was built."""

_LIBYAML_DEPTH = "exceeded maximum nesting depth"
"""libyaml's own problem text when a file nests deeper than its limit (1,000 levels)."""

MAX_DEPTH = 40
"""Deepest nesting of mappings and sequences accepted."""
_DEPTH_MESSAGE = f"nesting deeper than {MAX_DEPTH} levels; a qaudit file never needs this, flatten it"

MAX_ENTRIES = 10_000
"""Most entries in one mapping or list (an audit holds at most 4,000 responses,
a standard 2,000 items; a site registry may list many sites)."""

MAX_NODES = 500_000
"""Most values (scalars, mappings and lists, keys included) accepted in one file.

The largest standard qaudit accepts (2,000 items, five languages, choice items
with labels) holds about 250,000; a file of a few megabytes of ``[a,a,a,...]``
or ``{}`` would otherwise cost gigabytes of memory and minutes of validation.
"""

Path = tuple[str | int, ...]

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_STR_TAG = "tag:yaml.org,2002:str"


class QStr(str):
    """A string that was written quoted (or as a block scalar) in the YAML source."""

    __slots__ = ()


@dataclass(slots=True)
class Document:
    """A parsed YAML file: its data and, when located, where each node stands."""

    file: str
    data: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    """1-based (line, column) of every value, by its path from the root."""
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    """1-based (line, column) of every mapping key, by the path of its value."""
    problems: list[Problem] = field(default_factory=list)
    """Non-fatal problems found while loading (duplicate keys)."""

    def at(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Location of the node at ``path``; falls back to the nearest located ancestor."""
        table = self.key_marks if key else self.marks
        probe = path
        while True:
            found = table.get(probe)
            if found is not None:
                return found
            if key:
                found = self.marks.get(probe)
                if found is not None:
                    return found
            if not probe:
                return (1, 1)
            probe = probe[:-1]


def _fatal(file: str, mark: Any, rule: str, message: str) -> InvalidInput:
    return InvalidInput([error(file, mark.line + 1, mark.column + 1, rule, message)])


def require_libyaml() -> None:
    """Raise :class:`QauditError` (one line, saying what to do) when PyYAML has no libyaml."""
    if _CParser is None:
        raise QauditError(LIBYAML_MISSING)


def _events(text: str) -> Any:
    """Iterate libyaml's parser events."""
    require_libyaml()
    parser = _CParser(text)
    try:
        while True:
            event = parser.get_event()
            yield event
            if type(event) is yaml.StreamEndEvent:
                return
    finally:
        parser.dispose()


def parse(text: str, file: str, *, locate: bool = True) -> Document:
    """Parse YAML ``text`` into plain data; raise :class:`InvalidInput` on fatal problems.

    Duplicate keys are reported in ``Document.problems`` (every one of them) and
    the first occurrence is kept; syntax errors, aliases, tags, several documents
    and nesting deeper than :data:`MAX_DEPTH` stop the load.
    """
    doc = Document(file, None)
    marks = doc.marks
    key_marks = doc.key_marks
    # Each frame: [container, path, pending key (or None), is_mapping, (line, column)].
    stack: list[list[Any]] = []
    documents = 0
    root_set = False
    nodes = 0
    scalar_t = yaml.ScalarEvent
    mstart_t = yaml.MappingStartEvent
    sstart_t = yaml.SequenceStartEvent
    end_ts = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        for event in _events(text):
            kind = type(event)
            if kind is scalar_t or kind is mstart_t or kind is sstart_t:
                nodes += 1
                if nodes > MAX_NODES:
                    raise _fatal(
                        file,
                        event.start_mark,
                        "too-large",
                        f"more than {MAX_NODES:,} values in one file; a qaudit file never needs this, split it",
                    )
            if kind is scalar_t:
                tag = event.tag
                if event.implicit[0]:
                    raw = event.value
                    value: Any = None if raw in _NULLS else raw
                elif tag is None or tag == "!" or tag == _STR_TAG:
                    value = QStr(event.value)
                    # An escape (\0, \x1b, \u0007...) can smuggle in what the file may not hold
                    # as bytes: a NUL breaks workbooks and scorecards downstream.
                    bad = _CONTROL.search(value) if event.style == '"' else None
                    if bad is not None:
                        raise _fatal(
                            file,
                            event.start_mark,
                            "encoding",
                            f"this quoted text holds the control character U+{ord(bad.group()):04X} "
                            "(written as an escape); remove the escape",
                        )
                else:
                    raise _fatal(
                        file, event.start_mark, "yaml-tag", f"YAML tags such as {tag!r} are not allowed; remove the tag"
                    )
                if stack:
                    frame = stack[-1]
                    if frame[3]:
                        if frame[2] is None:
                            key = "" if value is None else str(value)
                            path = frame[1] + (key,)
                            if key in frame[0]:
                                doc.problems.append(
                                    error(
                                        file,
                                        event.start_mark.line + 1,
                                        event.start_mark.column + 1,
                                        "duplicate-key",
                                        f"duplicate key '{key}' in this mapping; "
                                        "keep one (YAML would silently drop the other)",
                                    )
                                )
                                key = _DuplicateKey(key)
                            elif locate:
                                key_marks[path] = (event.start_mark.line + 1, event.start_mark.column + 1)
                            frame[2] = key
                            continue
                        key = frame[2]
                        frame[2] = None
                        if type(key) is _DuplicateKey:
                            continue
                        frame[0][key] = value
                        if locate:
                            marks[frame[1] + (key,)] = (event.start_mark.line + 1, event.start_mark.column + 1)
                    else:
                        if locate:
                            marks[frame[1] + (len(frame[0]),)] = (
                                event.start_mark.line + 1,
                                event.start_mark.column + 1,
                            )
                        frame[0].append(value)
                else:
                    doc.data = value
                    root_set = True
                    if locate:
                        marks[()] = (event.start_mark.line + 1, event.start_mark.column + 1)
            elif kind is mstart_t or kind is sstart_t:
                if event.tag is not None and event.tag != "!":
                    raise _fatal(
                        file,
                        event.start_mark,
                        "yaml-tag",
                        f"YAML tags such as {event.tag!r} are not allowed; remove the tag",
                    )
                if len(stack) >= MAX_DEPTH:
                    raise _fatal(
                        file,
                        event.start_mark,
                        "yaml-depth",
                        _DEPTH_MESSAGE,
                    )
                container: Any = {} if kind is mstart_t else []
                here = (event.start_mark.line + 1, event.start_mark.column + 1)
                discard = False
                if stack:
                    frame = stack[-1]
                    if frame[3]:
                        if frame[2] is None:
                            raise _fatal(
                                file,
                                event.start_mark,
                                "yaml-syntax",
                                "a mapping or list cannot be used as a key; keys are plain text",
                            )
                        key = frame[2]
                        frame[2] = None
                        path = frame[1] + (key,)
                        if type(key) is _DuplicateKey:
                            discard = True
                            path = frame[1] + (f"#duplicate-{id(container)}",)
                        else:
                            frame[0][key] = container
                    else:
                        path = frame[1] + (len(frame[0]),)
                        frame[0].append(container)
                else:
                    path = ()
                    doc.data = container
                    root_set = True
                if locate and not discard:
                    marks[path] = here
                stack.append([container, path, None, kind is mstart_t, here])
            elif kind in end_ts:
                frame = stack.pop()
                if len(frame[0]) > MAX_ENTRIES:
                    line, column = frame[4]
                    what = "keys in one mapping" if frame[3] else "entries in one list"
                    raise InvalidInput(
                        [
                            error(
                                file,
                                line,
                                column,
                                "too-large",
                                f"more than {MAX_ENTRIES:,} {what}; a qaudit file never needs this, split it",
                            )
                        ]
                    )
            elif kind is yaml.AliasEvent:
                raise _fatal(
                    file,
                    event.start_mark,
                    "yaml-alias",
                    f"YAML aliases (*{event.anchor}) are not allowed; write the value out in full",
                )
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _fatal(
                        file,
                        event.start_mark,
                        "yaml-syntax",
                        "a second YAML document ('---') in one file; keep one document per file",
                    )
    except yaml.MarkedYAMLError as exc:
        if exc.problem == _LIBYAML_DEPTH:
            raise _too_deep(text, file, exc) from None
        raise InvalidInput([_syntax_problem(file, text, exc)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors are caught in source.decode
        raise InvalidInput([error(file, 1, 1, "yaml-syntax", f"cannot be read as YAML: {exc}")]) from None
    if not root_set:
        doc.data = None
    return doc


def _too_deep(text: str, file: str, exc: yaml.MarkedYAMLError) -> InvalidInput:
    """The ``yaml-depth`` problem of a file that nests deeper than libyaml's own limit.

    libyaml looks ahead through brackets before it hands over the first of them,
    so it can meet its limit (1,000 levels) before qaudit sees the level that
    crosses :data:`MAX_DEPTH`. The text up to where libyaml stopped nests less
    deeply than its limit: read again, it meets qaudit's limit, at that level.
    """
    mark = exc.problem_mark
    index = getattr(mark, "index", None)
    if isinstance(index, int) and 0 < index < len(text):
        try:
            parse(text[:index], file, locate=False)
        except InvalidInput as found:
            if found.problems and found.problems[0].rule == "yaml-depth":
                return found
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return InvalidInput(
        [
            error(
                file,
                line,
                column,
                "yaml-depth",
                _DEPTH_MESSAGE,
            )
        ]
    )


class _DuplicateKey(str):
    """Marks the value of a repeated key, which is skipped (the first one is kept)."""

    __slots__ = ()


def _syntax_problem(file: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    lines = text.split("\n")

    def place(mark: Any) -> tuple[int, int]:
        if mark is None:
            return (1, 1)
        if mark.line >= len(lines):
            # libyaml puts the end of a file without a final line break on a line of its own,
            # one past the last; point at the end of the last line, which the editor shows.
            return (len(lines), len(lines[-1]) + 1)
        return (mark.line + 1, mark.column + 1)

    mark = exc.problem_mark or exc.context_mark
    line, col = place(mark)
    what = exc.problem or "invalid YAML"
    hint = "fix the YAML syntax"
    at = lines[mark.line] if mark and mark.line < len(lines) else ""
    if mark and "\t" in at[: mark.column + 1]:
        hint = "YAML does not allow tabs for indentation; indent with spaces"
        col = at.index("\t") + 1
    elif "mapping values are not allowed" in what:
        hint = "check the indentation, or quote a value that contains ': '"
    elif ("expected ',' or" in what or "flow" in (exc.context or "")) and exc.context_mark is not None:
        # Point at the bracket or brace left open, where the fix belongs; say where it was noticed.
        noticed = place(mark)
        line, col = place(exc.context_mark)
        opener = "{" if "mapping" in (exc.context or "") else "["
        hint = f"close the '{opener}' opened here (the parser noticed at line {noticed[0]}, column {noticed[1]})"
        return error(file, line, col, "yaml-syntax", f"YAML syntax error: {what} {exc.context}; {hint}")
    elif "expected ',' or" in what or "flow" in (exc.context or ""):
        hint = "close the brackets or braces opened earlier"
    elif "could not find expected ':'" in what and exc.context_mark is not None:
        hint = "this line needs 'key: value' (the file may have been cut short)"
        line, col = place(exc.context_mark)
    elif "end of stream" in what and "quoted" in (exc.context or ""):
        hint = "close the quotation mark"
        if exc.context_mark is not None:
            line, col = place(exc.context_mark)
    context = f" {exc.context}" if exc.context else ""
    if exc.context and exc.context_mark is not None and place(exc.context_mark) != (line, col):
        started = place(exc.context_mark)
        context += f" started at line {started[0]}, column {started[1]}"
    return error(file, line, col, "yaml-syntax", f"YAML syntax error: {what}{context}; {hint}")


# YAML 1.1 implicit types, as PyYAML's resolver reads plain scalars.
_IMPLICIT = [
    ("a boolean", re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")),
    (
        "a number",
        re.compile(
            r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
            r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
    ),
    (
        "a number",
        re.compile(
            r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
            r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"
        ),
    ),
    (
        "a date",
        re.compile(
            r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
            r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?"
            r":[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"
        ),
    ),
]


def implicit_type(value: Any) -> str | None:
    """What YAML 1.1 would read an unquoted scalar as, when not text.

    Returns e.g. ``"a boolean"`` for a plain ``no`` or ``"null"`` for an empty
    value; ``None`` when the value is text (or was quoted).
    """
    if value is None:
        return "null (empty)"
    if not isinstance(value, str) or isinstance(value, QStr):
        return None
    for name, pattern in _IMPLICIT:
        if pattern.match(value):
            return name
    return None


def load(path: str, *, locate: bool = True, text: str | None = None) -> Document:
    """Read, decode and parse one YAML file (see :func:`parse`)."""
    from .source import read_text

    if text is None:
        text = read_text(path)
    return parse(text, path, locate=locate)
