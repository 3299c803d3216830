"""A fast reader for the everyday shape of an audit file.

Most audits are a flat header plus ``responses:`` with one ``item: value`` or
``item: {value: ..., comment: "..."}`` line per item. This reader handles
exactly that shape, line by line, several times faster than any YAML loader,
and gives up (returns None) on anything else: block scalars, nested blocks,
anchors, tags, tabs, escapes it does not know, duplicate keys, several
documents. The full loader (:mod:`qaudit.io.yamlsrc`) then reads the file, so
what the fast reader accepts it reads exactly as the full loader would (a
property the test suite checks), and every error keeps its location and hint.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from .yamlsrc import MAX_ENTRIES, QStr, implicit_type

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_KEY_LINE = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-/]*):(?:[ ]+(.*))?$")
# A plain scalar in block context: no leading indicator, no ': ' and no ' #' inside. A leading '-'
# must be followed by an ordinary character ('-: ' is a '-' and a mapping indicator); the rest is left to YAML.
_PLAIN = re.compile(
    r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:#]|:(?=\S)|(?<! )#)*|-[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:#]|:(?=\S)|(?<! )#)*"
)
_COMMENT = re.compile(r"\s+#.*$")
# Double-quoted text whose escapes JSON reads the same way YAML does.
_DQ = re.compile(r'"((?:[^"\\]|\\["\\nt])*)"')
_SQ = re.compile(r"'((?:[^']|'')*)'")
_FLOW_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-]*):[ ]+")
_FLOW_PLAIN = re.compile(
    r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:,\[\]{}#]|:(?=[^\s,\[\]{}])|(?<! )#)*"
    r"|-[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:,\[\]{}#]|:(?=[^\s,\[\]{}])|(?<! )#)*"
)


_VALUE_COMMENT = re.compile(r'\{value: (-?[A-Za-z0-9][A-Za-z0-9./]*), comment: "([^"\\]*)"\}$').match
"""``{value: yes, comment: "..."}`` with nothing in it YAML would read specially."""


def enabled() -> bool:
    """Whether the fast readers may be used: ``QAUDIT_FAST_PATH=0`` turns them off (every audit then
    takes the full loader; results are byte-identical either way, which the test suite checks)."""
    return os.environ.get("QAUDIT_FAST_PATH", "1").strip() != "0"


class _GiveUp(Exception):
    pass


_TEXT_KEYS: dict[str, bool] = {}
"""Keys already checked: item ids and header keys recur in every audit."""


def _text_key(key: str) -> bool:
    """Whether YAML reads a plain key as text (``null:``, ``yes:`` or ``1:`` are not: the full loader decides)."""
    found = _TEXT_KEYS.get(key)
    if found is None:
        found = key not in _NULLS and implicit_type(key) is None
        if len(_TEXT_KEYS) < 65536:
            _TEXT_KEYS[key] = found
    return found


def _scalar(text: str) -> Any:
    """A block-context scalar value (the text after ``key: ``)."""
    if not text:
        return None
    first = text[0]
    if first == '"':
        m = _DQ.match(text)
        if m is None:
            raise _GiveUp
        rest = text[m.end() :]
        if rest and not _COMMENT.fullmatch(rest) and rest.strip():
            raise _GiveUp
        if "\\" in m.group(1) or "\n" in m.group(1):
            return QStr(json.loads(m.group(0)))
        return QStr(m.group(1))
    if first == "'":
        m = _SQ.match(text)
        if m is None:
            raise _GiveUp
        rest = text[m.end() :]
        if rest and not _COMMENT.fullmatch(rest) and rest.strip():
            raise _GiveUp
        return QStr(m.group(1).replace("''", "'"))
    if first == "{":
        commented = _VALUE_COMMENT(text)
        if commented is not None and commented.group(1) not in _NULLS:
            # The everyday commented answer, read as _flow_mapping reads it.
            return {"value": commented.group(1), "comment": QStr(commented.group(2))}
        return _flow_mapping(text)
    if first == "#":
        return None
    if first.isalnum() and ":" not in text and "#" not in text:
        # The everyday plain scalar: nothing in it YAML would read specially.
        text = text.rstrip(" ")
        return None if text in _NULLS else text
    comment = _COMMENT.search(text)
    if comment is not None:
        text = text[: comment.start()]
    text = text.rstrip(" ")
    if not _PLAIN.fullmatch(text):
        raise _GiveUp
    return None if text in _NULLS else text


def _flow_value(text: str, pos: int, stop: str) -> tuple[Any, int]:
    """One value inside ``{...}`` or ``[...]`` starting at ``pos``; returns it and the next position."""
    while pos < len(text) and text[pos] == " ":
        pos += 1
    if pos >= len(text):
        raise _GiveUp
    first = text[pos]
    if first == '"':
        m = _DQ.match(text, pos)
        if m is None:
            raise _GiveUp
        raw = m.group(1)
        return QStr(json.loads(m.group(0)) if "\\" in raw else raw), m.end()
    if first == "'":
        m = _SQ.match(text, pos)
        if m is None:
            raise _GiveUp
        return QStr(m.group(1).replace("''", "'")), m.end()
    if first == "[":
        items: list[Any] = []
        pos += 1
        while True:
            while pos < len(text) and text[pos] == " ":
                pos += 1
            if pos < len(text) and text[pos] == "]" and not items:
                return items, pos + 1
            if pos >= len(text) or text[pos] in ",]":
                raise _GiveUp  # an empty entry: YAML refuses it
            value, pos = _flow_value(text, pos, ",]")
            items.append(value)
            while pos < len(text) and text[pos] == " ":
                pos += 1
            if pos >= len(text):
                raise _GiveUp
            if text[pos] == "]":
                return items, pos + 1
            if text[pos] != ",":
                raise _GiveUp
            pos += 1
    if first in stop:
        return None, pos
    m = _FLOW_PLAIN.match(text, pos)
    if m is None:
        raise _GiveUp
    value = m.group(0).rstrip(" ")
    return (None if value in _NULLS else value), pos + len(value)


def _flow_mapping(text: str) -> dict[str, Any]:
    """A one-line ``{key: value, ...}`` with plain or quoted scalars and flat lists."""
    result: dict[str, Any] = {}
    pos = 1
    end = len(text)
    while True:
        while pos < end and text[pos] == " ":
            pos += 1
        if pos < end and text[pos] == "}" and not result:
            pos += 1
            break
        m = _FLOW_KEY.match(text, pos)
        if m is None:
            raise _GiveUp
        key = m.group(1)
        if key in result or not _text_key(key):
            raise _GiveUp
        value, pos = _flow_value(text, m.end(), ",}")
        result[key] = value
        while pos < end and text[pos] == " ":
            pos += 1
        if pos >= end:
            raise _GiveUp
        if text[pos] == "}":
            pos += 1
            break
        if text[pos] != ",":
            raise _GiveUp
        pos += 1
    rest = text[pos:]
    if rest.strip() and not _COMMENT.fullmatch(rest):
        raise _GiveUp
    return result


def _for_the_full_loader(text: str) -> bool:
    """Text the fast readers leave to the full loader, whose answer it needs: more lines than any
    audit within the loader's limits, tabs, or YAML's other line breaks."""
    return (
        text.count("\n") > MAX_ENTRIES + 100
        or "\t" in text
        or "\x85" in text
        or "\u2028" in text
        or "\u2029" in text
        or "\ufeff" in text
    )


def parse_simple(text: str) -> dict[str, Any] | None:
    """Read an audit in its everyday shape; None when the file needs the full YAML loader."""
    if _for_the_full_loader(text):
        return None
    try:
        return _parse(text)
    except _GiveUp:
        return None


_BLOCK_LINES: dict[str, tuple[int, str, Any]] = {}
"""Lines already read with their indent, key and value: a value, never a mapping (it could be changed)
or a key with nothing after it (a block may follow)."""
_BLOCK_LINES_LIMIT = 65536


def _parse(text: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    block: dict[str, Any] | None = None
    block_indent = 0
    open_key: str | None = None
    started = False
    key_line = _KEY_LINE.match
    known = _BLOCK_LINES
    for line in text.split("\n"):
        seen = known.get(line)
        if seen is not None and (open_key is not None or seen[0] == 0):
            # A line read before (``  item-3: yes`` recurs in every audit): its indent, key and value.
            indent, key, value = seen
            if indent == 0:
                if key in data:
                    raise _GiveUp
                started = True
                open_key = None
                block = None
                data[key] = value
                continue
            if block is None:
                assert open_key is not None  # a block line is read again only under an open key
                block = {}
                block_indent = indent
                data[open_key] = block
            elif indent != block_indent or key in block:
                raise _GiveUp
            block[key] = value
            continue
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            continue
        indent = len(line) - len(stripped)
        if indent == 0:
            if stripped.startswith(("---", "...")):
                if started or stripped.rstrip() != "---":
                    raise _GiveUp
                started = True
                continue
            started = True
            m = key_line(stripped)
            if m is None:
                raise _GiveUp
            key, rest = m.group(1), m.group(2)
            if key in data or not _text_key(key):
                raise _GiveUp
            value = _scalar(rest.rstrip(" ")) if rest else None
            if value is None and (not rest or rest.lstrip().startswith("#")):
                # A key with nothing after it: a nested block may follow.
                open_key = key
                block = None
                data[key] = None
                continue
            open_key = None
            block = None
            data[key] = value
            if type(value) is not dict and len(known) < _BLOCK_LINES_LIMIT:
                known[line] = (0, key, value)
            continue
        started = True
        if open_key is None:
            raise _GiveUp
        if block is None:
            block = {}
            block_indent = indent
            data[open_key] = block
        elif indent != block_indent:
            raise _GiveUp
        m = key_line(stripped)
        if m is None:
            raise _GiveUp
        key, rest = m.group(1), m.group(2)
        if key in block or not _text_key(key):
            raise _GiveUp
        if not rest or rest.lstrip().startswith("#"):
            # An empty value, or a nested block under it: only the full loader can tell.
            raise _GiveUp
        value = _scalar(rest.rstrip(" "))
        block[key] = value
        if type(value) is not dict and len(known) < _BLOCK_LINES_LIMIT:
            known[line] = (indent, key, value)
    if not data:
        raise _GiveUp
    return data
