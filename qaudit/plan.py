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
from typing import Any, NamedTuple

from .audit_model import AUDIT_ID_PATTERN, Audit, safe_name
from .fastaudit import response_value, split_everyday
from .model import LANGUAGE_PATTERN, SLUG_PATTERN, Item, Standard
from .responses import NA_VALUES, NO_VALUES, RESPONSE_KEYS, YES_VALUES, Response
from .resultset import _evidence, _opt, _score, _text, _value, v2_audit_keys
from .resultset import _number as _whole
from .scoring import _scorer, subject_key
from .standards import StandardLibrary
from .yamlsrc import QStr, implicit_type

_BAD = object()
Reader = Callable[[Any], Any]
# fullmatch: a pattern's '$' would also match before a final newline ("yvn-01\n").
_SLUG = re.compile(SLUG_PATTERN).fullmatch
_AUDIT_ID = re.compile(AUDIT_ID_PATTERN).fullmatch
_LANG = re.compile(LANGUAGE_PATTERN).fullmatch
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$").fullmatch
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
        options = {o.value: o.value for o in item.choices}

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


class _Header(NamedTuple):
    standard: Standard
    audit_id: str
    site: str
    inspector: str
    day: dt.date
    language: str | None
    responses: dict[str, Any]


def _header(data: Any, file: str, library: StandardLibrary) -> _Header | None:
    """The header of a perfectly valid audit, with its standard; None otherwise."""
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
    if (type(inspector) is not str and type(inspector) is not QStr) or not inspector or implicit_type(inspector):
        return None
    if type(version_raw) is not str or not (version_raw.isascii() and version_raw.isdigit()):
        return None
    if not isinstance(date_raw, str) or not _DATE(date_raw):
        return None
    if language is not None and not (isinstance(language, str) and _LANG(language)):
        return None
    if audit_id is not None and not (_text_id(audit_id, _AUDIT_ID) and safe_name(audit_id)):
        return None
    if type(responses) is not dict:
        return None
    standard = library.get(str(standard_id), int(version_raw))
    if standard is None or not standard.plain or len(responses) != len(standard.items):
        return None
    try:
        day = dt.date.fromisoformat(date_raw)
    except ValueError:
        return None
    name = audit_id if audit_id is not None else _stem(file)
    if audit_id is None and not safe_name(name):
        return None
    return _Header(
        standard, str(name), str(site), str(inspector), day, None if language is None else str(language), responses
    )


def _response(raw: Any) -> tuple[Any, str | None, tuple[str, ...]] | None:
    """``(value, comment, evidence)`` of a raw response in either form; None when the form is off."""
    if type(raw) is not dict:
        return raw, None, ()
    if "value" not in raw or not RESPONSE_KEYS_SET.issuperset(raw):
        return None
    comment = raw.get("comment")
    if comment is not None and not isinstance(comment, str):
        return None
    evidence: tuple[str, ...] = ()
    listed = raw.get("evidence")
    if listed is not None:
        if isinstance(listed, str):
            evidence = (str(listed),)
        elif type(listed) is list and all(isinstance(e, str) for e in listed):
            evidence = tuple(str(e) for e in listed)
        else:
            return None
    return raw["value"], None if comment is None else str(comment), evidence


def quick_audit(data: Any, file: str, library: StandardLibrary) -> Audit | None:
    """The audit, when ``data`` is a perfectly valid audit; None otherwise (no messages)."""
    head = _header(data, file, library)
    if head is None:
        return None
    read = readers(head.standard)
    found: dict[str, Response] = {}
    all_na = True
    for item_id in head.standard.items:
        if item_id not in head.responses:
            return None
        parts = _response(head.responses[item_id])
        if parts is None:
            return None
        got = read[item_id](parts[0])
        if got is _BAD:
            return None
        if not got[1]:
            all_na = False
        found[item_id] = Response(got[0], got[1], parts[1], parts[2])
    if all_na:
        return None
    return Audit(
        id=head.audit_id,
        file=file,
        standard=head.standard.id,
        standard_version=head.standard.version,
        site=head.site,
        inspector=head.inspector,
        date=head.day,
        responses=found,
        language=head.language,
    )


RESPONSE_KEYS_SET = frozenset(RESPONSE_KEYS)


def _stem(file: str) -> str:
    import os

    return os.path.splitext(os.path.basename(file))[0]


class _ItemPlan(NamedTuple):
    id: str
    read: Reader
    score: Callable[[Any], float]
    weight: float
    critical: bool
    head: str
    """``{"id":"…","section":"…","value":`` — the item's JSON up to its value."""
    tail: str
    """``,"weight":…,"critical":…`` — the item's JSON after its score."""
    seen: dict[str, tuple[str, float | None] | None]
    """Response texts already read for this item, with their entries: a few answers recur in every audit."""


class _SectionPlan(NamedTuple):
    id: str
    weight: float
    weight_json: str
    items: tuple[_ItemPlan, ...]
    item_weight: float


_PACK_PLANS: dict[int, tuple[Standard, tuple[_SectionPlan, ...]]] = {}
_SCORE_TEXT: dict[float, str] = {}
"""Item scores as JSON text: the same few values (0, 0.5, 1, …) recur in every audit."""
_SEEN_LIMIT = 256
"""Distinct response texts remembered per item (numbers may vary without end)."""

_FOUND = ',"instance":null,"applicable":true,"scored":true,"finding":true'
_NOT_FOUND = ',"instance":null,"applicable":true,"scored":true,"finding":false'
"""The item keys of contract 7.9 on a plain standard: every item applies and is scored, a finding scores below 1."""

Entry = tuple[str, float | None]
"""An item's JSON text and its score (None for N/A)."""


def _pack_plan(standard: Standard) -> tuple[_SectionPlan, ...]:
    cached = _PACK_PLANS.get(id(standard))
    if cached is not None and cached[0] is standard:
        return cached[1]
    read = readers(standard)
    plan = tuple(
        _SectionPlan(
            section.id,
            section.weight,
            _value(_whole(section.weight)),
            tuple(
                _ItemPlan(
                    item.id,
                    read[item.id],
                    _scorer(item),
                    item.weight,
                    item.critical,
                    f'{{"id":"{item.id}","section":"{section.id}","value":',
                    f',"weight":{_value(_whole(item.weight))},"critical":{"true" if item.critical else "false"}',
                    {},
                )
                for item in section.items
            ),
            sum(item.weight for item in section.items),
        )
        for section in standard.sections
    )
    _PACK_PLANS[id(standard)] = (standard, plan)
    return plan


def _entry(item: _ItemPlan, raw: Any) -> Entry | None:
    """One response read, checked and scored: its JSON text and score; None when anything is off."""

    extra = ""
    if type(raw) is dict:
        parts = _response(raw)
        if parts is None:
            return None
        raw = parts[0]
        if parts[1] is not None:
            extra = ',"comment":' + _text(parts[1])
        if parts[2]:
            extra += ',"evidence":' + _evidence(parts[2])
    got = item.read(raw)
    if got is _BAD:
        return None
    value, na = got
    if na:
        return item.head + 'null,"na":true,"score":null' + item.tail + _NOT_FOUND + extra + "}", None
    s = item.score(value)
    score_text = _SCORE_TEXT.get(s)
    if score_text is None:
        score_text = _score(s)
        if len(_SCORE_TEXT) < 4096:
            _SCORE_TEXT[s] = score_text
    kind = type(value)
    if kind is int:
        value_text = str(value)
    elif kind is bool:
        value_text = "true" if value else "false"
    else:
        value_text = _value(value)
    found = _FOUND if s < 1 else _NOT_FOUND
    return item.head + value_text + ',"na":false,"score":' + score_text + item.tail + found + extra + "}", s


def fast_packed(data: Any, file: str, library: StandardLibrary) -> tuple[tuple[str, str, str], bytes] | None:
    """Validate, score and serialise a perfectly valid audit in one pass; None otherwise.

    Gives exactly ``resultset.pack(scoring.score(standard, audit))`` (a property
    the test suite checks) without building the audit, its responses or its item
    results: the hot path of scoring many audits. Anything unusual (waivers,
    site mappings, invalid values, every item N/A) returns None and takes the
    ordinary path.
    """
    head = _header(data, file, library)
    if head is None:
        return None
    responses = head.responses

    def entry(item: _ItemPlan) -> Entry | None:
        raw = responses.get(item.id, _BAD)
        return None if raw is _BAD else _entry(item, raw)

    return _assemble(head, file, entry)


def fast_packed_text(
    text: str, file: str, library: StandardLibrary, skip_sites: frozenset[str] = frozenset()
) -> tuple[tuple[tuple[str, str, str], bytes], str] | None:
    """:func:`fast_packed` straight from an audit file's text, with the ``id@version`` of its standard.

    None when the audit needs the ordinary path.

    Each response text is read once per item and remembered, so an everyday
    audit costs little more than splitting its lines. Gives exactly
    ``fast_packed(parse_simple(text), ...)`` whenever it gives a result (a
    property the test suite checks). Audits of ``skip_sites`` (sites with
    waivers) return None.
    """

    split = split_everyday(text)
    if split is None:
        return None
    header, texts = split
    header["responses"] = texts
    head = _header(header, file, library)
    if head is None or head.site in skip_sites:
        return None

    def entry(item: _ItemPlan) -> Entry | None:
        rest = texts.get(item.id)
        return None if rest is None else _text_entry(item, rest)

    packed = _assemble(head, file, entry)
    return None if packed is None else (packed, f"{head.standard.id}@{head.standard.version}")


_VALUE_COMMENT = re.compile(r' +\{value: (-?[A-Za-z0-9][A-Za-z0-9./]*), comment: "([^"\\]*)"\}$').match
"""The everyday commented answer, ``{value: yes, comment: "..."}``, with nothing YAML would read specially."""
_NULL_WORDS = frozenset(("null", "Null", "NULL"))


def _text_entry(item: _ItemPlan, rest: str) -> Entry | None:
    """The entry of a response line's text after its colon (``rest``), remembered per item."""

    seen = item.seen
    found = seen.get(rest, _BAD)
    if found is not _BAD:
        return found  # type: ignore[return-value]
    commented = _VALUE_COMMENT(rest)
    if commented is not None and commented.group(1) not in _NULL_WORDS:
        # The plain answer's entry, with the comment added before its closing brace.
        base = _text_entry(item, " " + commented.group(1))
        if base is None:
            return None
        return base[0][:-1] + ',"comment":' + _text(commented.group(2)) + "}", base[1]
    raw = response_value(rest)
    found = None if raw is None else _entry(item, raw)
    if type(raw) is not dict and len(seen) < _SEEN_LIMIT:
        # Plain answers recur; a mapping carries a comment and rarely does.
        seen[rest] = found
    return found


def _assemble(
    head: _Header, file: str, entry: Callable[[_ItemPlan], Entry | None]
) -> tuple[tuple[str, str, str], bytes] | None:
    """Score and serialise the audit of ``file`` from each item's entry (None as soon as one is missing)."""

    standard = head.standard
    items_json: list[str] = []
    sections_json: list[str] = []
    failures: list[str] = []
    total_weighted = 0.0
    total_weight = 0.0
    coverage_sum = 0.0
    all_section_weight = 0.0
    points = 0.0
    possible = 0.0
    for section in _pack_plan(standard):
        weighted = 0.0
        answered = 0.0
        for item in section.items:
            found = entry(item)
            if found is None:
                return None
            items_json.append(found[0])
            s = found[1]
            if s is None:
                continue
            weighted += item.weight * s
            answered += item.weight
            points += item.weight * s
            possible += item.weight
            if item.critical and s == 0:
                failures.append(item.id)
        coverage = answered / section.item_weight
        coverage_sum += section.weight * coverage
        all_section_weight += section.weight
        if answered > 0:
            section_score = 100.0 * weighted / answered
            total_weighted += section.weight * section_score
            total_weight += section.weight
            sections_json.append(
                f'{{"id":"{section.id}","score":{_value(round(section_score, 2))},"weight":{section.weight_json},'
                f'"coverage":{_value(round(coverage, 4))}}}'
            )
        else:
            sections_json.append(f'{{"id":"{section.id}","score":null,"weight":{section.weight_json},"coverage":0.0}}')
    if total_weight == 0:
        return None
    raw_score = total_weighted / total_weight
    critical = bool(failures)
    final = 0.0 if critical and standard.critical_failure == "zero_score" else raw_score
    raw_rounded = round(raw_score, 2)
    final_rounded = round(final, 2)
    pass_score = standard.pass_score
    assert pass_score is not None  # a plain standard has a pass mark
    passed = not critical and final_rounded >= pass_score
    day = head.day.isoformat()
    failures_json = ",".join(f'"{item_id}"' for item_id in failures)
    text = (
        f'{{"id":{_text(head.audit_id)},"file":{_text(file)},"site":{_text(head.site)},'
        f'"date":"{day}","inspector":{_text(head.inspector)},'
        f'"standard":"{standard.id}","standard_version":{standard.version},'
        f'"score":{_value(final_rounded)},"raw_score":{_value(raw_rounded)},'
        f'"grade":{_text(standard.grade_for(final_rounded, critical))},'
        f'"passed":{"true" if passed else "false"},"critical_failures":[{failures_json}],'
        f'"sections":[{",".join(sections_json)}],"items":[{",".join(items_json)}],'
        f'"coverage":{_value(round(coverage_sum / all_section_weight, 4))},'
        f'"pass_score":{_value(_whole(pass_score))},"language":{_opt(head.language)},'
        '"site_name":null,"site_region":null' + v2_audit_keys(None, {}, None, round(points, 2), round(possible, 2))
    )
    return (head.site, day, subject_key(None, head.audit_id)), text.encode("utf-8")
