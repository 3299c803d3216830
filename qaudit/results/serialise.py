"""The one serialised form of a scored result, and reading it back.

A result travels as the JSON object that ``qaudit score --format json`` prints
for it (contract §4, plus the fields reports need: comments, weights, coverage).
Workers send that text back, the cache stores it, and ``score --format json``
writes it out without decoding it again; everything else decodes it on demand,
often only in part: its head, its items' scores, its standard.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from typing import Any

from ..scoring.scorer import AuditResult, ItemResult, SectionResult, subject_key

STANDARD_FIELD = re.compile(rb',"standard":"([a-z0-9][a-z0-9._-]*)","standard_version":')
"""Finds a result's standard id in its JSON text (ids are slugs: written as they are, once per result)."""
# The encoder json.dumps itself uses for a str with ensure_ascii=False, without its per-call set-up.
_encode_text = json.encoder.encode_basestring
_decode_text = json.JSONDecoder().raw_decode


def decoded(data: bytes | str) -> Any:
    """The object of a JSON text this module wrote (a result, its head, an item): what ``json.loads`` gives,
    without its per-call set-up (the text is UTF-8, with no byte-order mark and no space around it)."""
    return _decode_text(data if isinstance(data, str) else data.decode("utf-8"))[0]

SortKey = tuple[str, str, str]
"""A result's place in output order: (site, date, subject then audit id)."""


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _item_dict(i: ItemResult) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": i.id,
        "section": i.section,
        "value": list(i.value) if isinstance(i.value, tuple) else i.value,
        "na": i.na,
        "score": None if i.score is None else round(i.score, 6),
        "weight": _number(i.weight),
        "critical": i.critical,
        "instance": i.instance,
        "applicable": i.applicable,
        "scored": i.scored,
        "finding": i.finding,
    }
    # Only what an inspector wrote: no empty comment, evidence or waiver keys.
    if i.comment is not None:
        found["comment"] = i.comment
    if i.evidence:
        found["evidence"] = list(i.evidence)
    if i.waived is not None:
        found["waived"] = i.waived
    return found


def to_dict(result: AuditResult) -> dict[str, Any]:
    """The JSON shape of one audit (contract §4 fields first, then qaudit's own and those of §7.9)."""
    return {
        "id": result.id,
        "file": result.file,
        "site": result.site,
        "date": result.date.isoformat(),
        "inspector": result.inspector,
        "standard": result.standard,
        "standard_version": result.standard_version,
        "score": result.score,
        "raw_score": result.raw_score,
        "grade": result.grade,
        "passed": result.passed,
        "critical_failures": list(result.critical_failures),
        "sections": [
            {"id": s.id, "score": s.score, "weight": _number(s.weight), "coverage": s.coverage} for s in result.sections
        ],
        "items": [_item_dict(i) for i in result.items],
        "coverage": result.coverage,
        "pass_score": None if result.pass_score is None else _number(result.pass_score),
        "language": result.language,
        "site_name": result.site_name,
        "site_region": result.site_region,
        "subject": result.subject,
        "fields": dict(result.fields),
        "comment": result.comment,
        "points": _number(result.points),
        "points_possible": _number(result.points_possible),
    }


def _text(value: str) -> str:
    """A JSON string, exactly as ``json.dumps(value, ensure_ascii=False)`` writes it."""
    return _encode_text(value)


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, tuple):
        return _evidence(value)
    return repr(value) if isinstance(value, float) else str(value)


def _opt(value: str | None) -> str:
    return "null" if value is None else _text(value)


def _score(value: float | None) -> str:
    return "null" if value is None else repr(round(value, 6))


def _evidence(values: tuple[str, ...]) -> str:
    return "[" + ",".join(_text(v) for v in values) + "]" if values else "[]"


def _fields(fields: dict[str, Any]) -> str:
    return "{" + ",".join(f"{_text(k)}:{_value(v)}" for k, v in fields.items()) + "}"


_V2_ITEM = {
    (instance is None, applicable, scored, finding): (
        f',"instance":null,"applicable":{str(applicable).lower()},"scored":{str(scored).lower()},'
        f'"finding":{str(finding).lower()}'
    )
    for instance in (None,)
    for applicable in (False, True)
    for scored in (False, True)
    for finding in (False, True)
}
"""The item keys of contract 7.9 after ``critical``, for items outside repeated sections."""


def v2_item_keys(i: ItemResult) -> str:
    """``,"instance":…,"applicable":…,"scored":…,"finding":…`` of one item result."""
    if i.instance is None:
        return _V2_ITEM[(True, i.applicable, i.scored, i.finding)]
    bool_text = ("false", "true")
    return (
        f',"instance":{_text(i.instance)},"applicable":{bool_text[i.applicable]},'
        f'"scored":{bool_text[i.scored]},"finding":{bool_text[i.finding]}'
    )


def v2_audit_keys(
    subject: str | None, fields: dict[str, Any], comment: str | None, points: float, possible: float
) -> str:
    """The audit keys of contract 7.9 that close a result's JSON object."""
    return (
        f',"subject":{_opt(subject)},"fields":{_fields(fields)},"comment":{_opt(comment)},'
        f'"points":{_value(_number(points))},"points_possible":{_value(_number(possible))}}}'
    )


_ITEM_JSON: dict[Any, str] = {}
"""Item results already serialised: the same few recur in every audit (bounded: comments vary without end)."""
_ITEM_JSON_LIMIT = 65536
_BOOL_TEXT = ("false", "true")


def _item_json(i: ItemResult) -> str:
    """The JSON object of one item result, remembered by its value (and the value's type: ``1``, ``1.0``
    and ``True`` are equal in Python, not in JSON)."""
    kind = type(i.value)
    key: tuple[Any, ...] | None = (kind, repr(i.value) if kind is float else None, type(i.score), i)
    try:
        found = _ITEM_JSON.get(key)
    except TypeError:  # an unhashable value
        key, found = None, None
    if found is None:
        found = (
            f'{{"id":"{i.id}","section":"{i.section}","value":{_value(i.value)},"na":{_BOOL_TEXT[i.na]},'
            f'"score":{_score(i.score)},"weight":{_value(_number(i.weight))},"critical":{_BOOL_TEXT[i.critical]}'
            + v2_item_keys(i)
            + ("" if i.comment is None else f',"comment":{_text(i.comment)}')
            + ("" if not i.evidence else f',"evidence":{_evidence(i.evidence)}')
            + ("" if i.waived is None else f',"waived":{_text(i.waived)}')
            + "}"
        )
        if key is not None and len(_ITEM_JSON) < _ITEM_JSON_LIMIT:
            _ITEM_JSON[key] = found
    return found


def dumps(result: AuditResult) -> str:
    """Compact JSON text of one result: exactly ``json.dumps(to_dict(result))``, built faster.

    Item and section ids are slugs (checked when the standard is loaded), so
    they need no escaping; every other text goes through the JSON encoder.
    """
    items = ",".join([_item_json(i) for i in result.items])
    sections = ",".join(
        [
            f'{{"id":"{s.id}","score":{_value(s.score)},"weight":{_value(_number(s.weight))},'
            f'"coverage":{_value(s.coverage)}}}'
            for s in result.sections
        ]
    )
    failures = ",".join(f'"{c}"' for c in result.critical_failures)
    return (
        f'{{"id":{_text(result.id)},"file":{_text(result.file)},"site":{_text(result.site)},'
        f'"date":"{result.date.isoformat()}","inspector":{_text(result.inspector)},'
        f'"standard":"{result.standard}","standard_version":{result.standard_version},'
        f'"score":{_value(result.score)},"raw_score":{_value(result.raw_score)},"grade":{_text(result.grade)},'
        f'"passed":{_value(result.passed)},"critical_failures":[{failures}],"sections":[{sections}],'
        f'"items":[{items}],"coverage":{_value(result.coverage)},'
        f'"pass_score":{_value(None if result.pass_score is None else _number(result.pass_score))},'
        f'"language":{_opt(result.language)},"site_name":{_opt(result.site_name)},'
        f'"site_region":{_opt(result.site_region)}'
        + v2_audit_keys(result.subject, result.fields, result.comment, result.points, result.points_possible)
    )


def from_dict(r: dict[str, Any], *, items: bool = True) -> AuditResult:
    """The inverse of :func:`to_dict` (without items and sections when ``items`` is false)."""
    if not items:
        return _head(r)
    return replace(
        _head(r),
        items=_items(r),
        sections=tuple(SectionResult(s["id"], s["score"], s["weight"], s["coverage"]) for s in r["sections"]),
    )


def _items(r: dict[str, Any]) -> tuple[ItemResult, ...]:
    return tuple(
        ItemResult(
            i["id"],
            i["section"],
            tuple(i["value"]) if type(i["value"]) is list else i["value"],
            i["na"],
            i["score"],
            i["weight"],
            i["critical"],
            i["critical"] and i["score"] == 0,
            i.get("comment"),
            tuple(i.get("evidence", ())),
            i.get("waived"),
            i["instance"],
            i["applicable"],
            i["scored"],
            i["finding"],
        )
        for i in r["items"]
    )


def _head(r: dict[str, Any]) -> AuditResult:
    return AuditResult(
        id=r["id"],
        file=r["file"],
        site=r["site"],
        date=dt.date.fromisoformat(r["date"]),
        inspector=r["inspector"],
        standard=r["standard"],
        standard_version=r["standard_version"],
        score=r["score"],
        raw_score=r["raw_score"],
        grade=r["grade"],
        passed=r["passed"],
        critical_failures=tuple(r["critical_failures"]),
        sections=(),
        items=(),
        coverage=r["coverage"],
        pass_score=r["pass_score"],
        language=r["language"],
        site_name=r["site_name"],
        site_region=r["site_region"],
        subject=r["subject"],
        fields=r["fields"],
        comment=r["comment"],
        points=r["points"],
        points_possible=r["points_possible"],
    )


def head_and_score_texts(
    blob: bytes, *, sections: bool = True
) -> tuple[dict[str, Any], list[tuple[bytes, bytes, bytes]]]:
    """A result's JSON object without its items, and each item's id, score and finding as their JSON texts.

    For the many results of which only the head and the item scores are needed
    (a site's older audits in a report): the items are found, never decoded, so
    this costs a fraction of decoding the result (a score's text is ``b"0.5"``
    or ``b"null"``, a finding's ``b"true"`` or ``b"false"``; see
    :meth:`qaudit.analytics.failed_items.ItemTally.count`). Relies on the
    serialiser's fixed field order (:func:`dumps`); inside JSON strings a quote
    is always escaped, so the patterns cannot match there. Without ``sections``
    the head's ``sections`` list is left empty too.
    """
    start = blob.index(b',"items":[')
    end = blob.rindex(b'],"coverage":')
    return head_of(blob, sections=sections), _ITEM_SCORE.findall(blob, start, end)


def head_and_item_texts(blob: bytes) -> tuple[dict[str, Any], list[bytes]]:
    """A result's JSON object without its items and sections, and each item's JSON text, undecoded.

    For work that reads items one by one and meets the same item texts again
    and again (the same answers recur from audit to audit): each distinct text
    need be decoded once. An item's text is its JSON object without the
    ``{"id":"`` that opens it and the ``}`` that closes it: decode
    ``b'{"id":"' + text + b'}'``. Relies on the serialiser's fixed field order,
    as :func:`head_and_score_texts` does; inside JSON strings a quote is always
    escaped, so ``},{"id":"`` only ever parts two items.
    """
    start = blob.index(b',"items":[')
    end = blob.rindex(b'],"coverage":')
    items = blob[start + len(b',"items":[{"id":"') : end - 1]
    return head_of(blob, sections=False), items.split(b'},{"id":"') if items else []


def head_of(blob: bytes, *, sections: bool = True) -> dict[str, Any]:
    """A result's JSON object with an empty ``items`` list (and ``sections`` too unless ``sections``).

    What most follow-up work needs of the many results it never shows item by
    item: decoding the head alone costs a small fraction of the whole result.
    Relies on the serialiser's fixed field order, as :func:`head_and_score_texts` does.
    """
    end = blob.rindex(b'],"coverage":')
    if sections:
        return decoded(blob[: blob.index(b',"items":[')] + b',"items":[' + blob[end:])
    start = blob.index(b',"sections":[')
    return decoded(blob[:start] + b',"sections":[],"items":[' + blob[end:])


def standard_of(blob: bytes) -> str:
    """The standard id of a result, read from its JSON text without decoding it."""
    found = STANDARD_FIELD.search(blob)
    assert found is not None, "a result always names its standard"
    return found.group(1).decode("ascii")


_STANDARD_AND_VERSION = re.compile(rb',"standard":"([a-z0-9][a-z0-9._-]*)","standard_version":([0-9]+),')


def standard_and_version(blob: bytes) -> tuple[str, int]:
    """The standard id and version of a result, read from its JSON text without decoding it."""
    found = _STANDARD_AND_VERSION.search(blob)
    assert found is not None, "a result always names its standard and version"
    return found.group(1).decode("ascii"), int(found.group(2))


_ITEM_SCORE = re.compile(
    rb'\{"id":"([a-z0-9][a-z0-9._-]*)","section":"[^"]*","value":'
    rb'(?:"(?:[^"\\]|\\.)*"|\[(?:"(?:[^"\\]|\\.)*",?)*\]|[^,"\[]*),'
    rb'"na":(?:true|false),"score":([^,]+),"weight":[^,]+,"critical":(?:true|false),'
    rb'"instance":(?:null|"(?:[^"\\]|\\.)*"),"applicable":(?:true|false),"scored":(?:true|false),'
    rb'"finding":(true|false)'
)


def pack(result: AuditResult) -> tuple[SortKey, bytes]:
    """A result as (sort key, UTF-8 JSON): what workers send and the cache keeps."""
    key = (result.site, result.date.isoformat(), subject_key(result.subject, result.id))
    return key, dumps(result).encode("utf-8")


def loads(text: str) -> AuditResult:
    """A result from its JSON text."""
    return from_dict(decoded(text))
