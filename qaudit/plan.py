"""A standard compiled for speed: one reader per item, built once per standard.

:func:`quick_audit` builds an :class:`~qaudit.audits.Audit` from parsed data
when (and only when) everything in it is valid; on anything else it returns
None and the caller runs the full validation, which finds every problem with
its location and hint. Both paths read values the same way (the readers here
use the same tables as :func:`qaudit.audits.read_value`), which the test suite
checks on every example audit.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from .audits import AUDIT_ID_PATTERN, NA_VALUES, NO_VALUES, RESPONSE_KEYS, YES_VALUES, Audit, Response, safe_name
from .model import LANGUAGE_PATTERN, SLUG_PATTERN, Item, Standard
from .standards import StandardLibrary
from .yamlsrc import QStr, implicit_type

_BAD = object()
Reader = Callable[[Any], Any]
_SLUG = re.compile(SLUG_PATTERN).match
_AUDIT_ID = re.compile(AUDIT_ID_PATTERN).match
_LANG = re.compile(LANGUAGE_PATTERN).match
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$").match
_HEADER_KEYS = frozenset(
    ("schema", "id", "standard", "standard_version", "site", "inspector", "date", "language", "responses")
)
_YES_NO = {**dict.fromkeys(YES_VALUES, True), **dict.fromkeys(NO_VALUES, False)}


def _number(raw: Any) -> Any:
    if type(raw) is not str and type(raw) is not QStr:
        return _BAD
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        number = float(raw)
    except ValueError:
        return _BAD
    if not math.isfinite(number):
        return _BAD
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _reader(item: Item) -> Reader:
    """``raw -> (value, na)``, or ``_BAD`` for anything the full validation must look at."""
    na_ok = item.na_allowed
    if item.type == "yes_no":
        table: dict[str, bool | None] = dict(_YES_NO)
        if na_ok:
            table.update(dict.fromkeys(NA_VALUES, None))

        def read_yes_no(raw: Any) -> Any:
            if type(raw) is not str and type(raw) is not QStr:
                return _BAD
            value = table.get(raw.strip().lower(), _BAD)
            return _BAD if value is _BAD else (value, value is None)

        return read_yes_no
    if item.type == "choice":
        options = {o.value: o.value for o in item.options or ()}

        def read_choice(raw: Any) -> Any:
            if type(raw) is not str and type(raw) is not QStr:
                return _BAD
            text = raw.strip()
            value = options.get(text)
            if value is not None:
                return (value, False)
            if na_ok and text.lower() in NA_VALUES:
                return (None, True)
            return _BAD

        return read_choice
    low = item.min if item.type == "scale" else None
    high = item.max if item.type == "scale" else None

    def read_number(raw: Any) -> Any:
        number = _number(raw)
        if number is _BAD:
            if na_ok and isinstance(raw, str) and raw.strip().lower() in NA_VALUES:
                return (None, True)
            return _BAD
        if low is not None and high is not None and not low <= number <= high:
            return _BAD
        return (number, False)

    return read_number


def readers(standard: Standard) -> dict[str, Reader]:
    """The readers of a standard's items, by item id (compiled once per standard)."""
    cached: dict[str, Reader] | None = _CACHE.get(id(standard))
    if cached is None or _OWNERS.get(id(standard)) is not standard:
        cached = {item_id: _reader(item) for item_id, item in standard.items.items()}
        _CACHE[id(standard)] = cached
        _OWNERS[id(standard)] = standard
    return cached


_CACHE: dict[int, dict[str, Reader]] = {}
_OWNERS: dict[int, Standard] = {}


def _text_id(value: Any, match: Callable[[str], Any]) -> bool:
    return isinstance(value, str) and bool(match(value)) and implicit_type(value) is None


def quick_audit(data: Any, file: str, library: StandardLibrary) -> Audit | None:
    """The audit, when ``data`` is a perfectly valid audit; None otherwise (no messages)."""
    if type(data) is not dict or not _HEADER_KEYS.issuperset(data) or data.get("schema") != "qaudit/audit@1":
        return None
    standard_id = data.get("standard")
    version_raw = data.get("standard_version")
    site = data.get("site")
    inspector = data.get("inspector")
    date_raw = data.get("date")
    language = data.get("language")
    audit_id = data.get("id")
    responses = data.get("responses")
    if not _text_id(standard_id, _SLUG) or not _text_id(site, _SLUG):
        return None
    if (type(inspector) is not str and type(inspector) is not QStr) or not inspector:
        return None
    if type(version_raw) is not str or not (version_raw.isascii() and version_raw.isdigit()):
        return None
    if not isinstance(date_raw, str) or not _DATE(date_raw):
        return None
    if language is not None and not (isinstance(language, str) and _LANG(language)):
        return None
    if audit_id is not None and not _text_id(audit_id, _AUDIT_ID):
        return None
    if type(responses) is not dict:
        return None
    standard = library.get(str(standard_id), int(version_raw))
    if standard is None:
        return None
    items = standard.items
    if len(responses) != len(items):
        return None
    try:
        day = dt.date.fromisoformat(date_raw)
    except ValueError:
        return None
    read = readers(standard)
    found: dict[str, Response] = {}
    all_na = True
    for item_id in items:
        if item_id not in responses:
            return None
        raw = responses[item_id]
        comment = None
        evidence: tuple[str, ...] = ()
        if type(raw) is dict:
            if "value" not in raw or not RESPONSE_KEYS_SET.issuperset(raw):
                return None
            comment = raw.get("comment")
            if comment is not None and not isinstance(comment, str):
                return None
            listed = raw.get("evidence")
            if listed is not None:
                if isinstance(listed, str):
                    evidence = (str(listed),)
                elif type(listed) is list and all(isinstance(e, str) for e in listed):
                    evidence = tuple(str(e) for e in listed)
                else:
                    return None
            raw = raw["value"]
        got = read[item_id](raw)
        if got is _BAD:
            return None
        if not got[1]:
            all_na = False
        found[item_id] = Response(got[0], got[1], None if comment is None else str(comment), evidence)
    if all_na:
        return None
    name = audit_id if audit_id is not None else _stem(file)
    if audit_id is None and not safe_name(name):
        return None
    return Audit(
        id=str(name),
        file=file,
        standard=standard.id,
        standard_version=standard.version,
        site=str(site),
        inspector=str(inspector),
        date=day,
        responses=found,
        language=None if language is None else str(language),
    )


RESPONSE_KEYS_SET = frozenset(RESPONSE_KEYS)


def _stem(file: str) -> str:
    import os

    return os.path.splitext(os.path.basename(file))[0]
