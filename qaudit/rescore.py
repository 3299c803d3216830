"""What-if rescoring (contract §6): scored audits carried over to another version of their standard.

Carrying over moves each old response onto the new version's item of the same
id, reading its value again under the new item; rescoring is then the one
scorer (:func:`~qaudit.scoring.score`) on the carried audit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .audit_model import Audit
from .model import Item, Standard
from .responses import Instance, Response, read_value
from .scoring import AuditResult, ItemResult, NothingToScore, score, subject_key
from .standards import StandardLibrary

Progress = Callable[[int], None]


Readings = dict[tuple[int, type, Any], tuple[Any, bool, str | None]]
"""(id of the new item, type and value of the old answer) → :func:`~qaudit.audits.read_value` of it."""


def carry_over(
    audit_like: AuditResult, target: Standard, readings: Readings | None = None
) -> tuple[Audit, list[str], list[str]]:
    """The responses of a scored audit moved onto another version of its standard.

    Returns the new audit, the answered item ids that could not be carried over
    (gone from ``target``, moved into or out of a repeated section, or the value
    no longer fits) and the items of ``target`` the old audit did not answer
    (counted as N/A). Items of repeated sections move instance by instance; an
    item that was not applicable stays not applicable (the new version's
    conditions are not worked out again). ``readings`` remembers how each answer
    reads under ``target`` (the same answers recur from audit to audit), keyed
    by the new item's identity: share one only while the standards stay loaded.
    """
    responses: dict[str, Response] = {}
    instances: dict[str, dict[str, dict[str, Response]]] = {}
    dropped: dict[str, None] = {}
    sections = target.section_of
    for item in audit_like.items:
        new_item = target.items.get(item.id)
        repeated = new_item is not None and sections[item.id].repeat is not None
        if new_item is None or repeated != (item.instance is not None):
            if item.applicable:
                dropped[item.id] = None
            continue
        if item.instance is not None:
            place = instances.setdefault(sections[item.id].id, {}).setdefault(item.instance, {})
        else:
            place = responses
        response = _carried(item, new_item, readings)
        if response is None:
            dropped[item.id] = None
        else:
            place[item.id] = response
    unanswered: dict[str, None] = {}
    for section in target.sections:
        if section.repeat is None:
            for new_item in section.items:
                if new_item.id not in responses:
                    responses[new_item.id] = Response(None, True)
                    unanswered[new_item.id] = None
        else:
            for found in instances.get(section.id, {}).values():
                unanswered.update((i.id, None) for i in section.items if i.id not in found)
    audit = Audit(
        id=audit_like.id,
        file=audit_like.file,
        standard=target.id,
        standard_version=target.version,
        site=audit_like.site,
        inspector=audit_like.inspector,
        date=audit_like.date,
        responses={i.id: responses[i.id] for s in target.sections if s.repeat is None for i in s.items},
        language=audit_like.language,
        subject=audit_like.subject,
        fields=dict(audit_like.fields),
        comment=audit_like.comment,
        instances={
            section: tuple(Instance(label, found) for label, found in by_label.items())
            for section, by_label in instances.items()
        },
    )
    return audit, list(dropped), [i for i in unanswered if i not in dropped]


def _carried(item: ItemResult, new_item: Item, readings: Readings | None = None) -> Response | None:
    """One old response as a response to ``new_item``; None when it cannot be carried over."""
    if not item.applicable:
        return Response(None, applicable=False)
    if item.waived is not None:
        # The waiver excuses the site from the item whatever the version says about N/A.
        return Response(None, True, item.comment, item.evidence, item.waived)
    if item.na:
        return Response(None, True, item.comment, item.evidence) if new_item.na_allowed else None
    if item.value is None:  # an optional text or date item left out
        return Response(None) if not new_item.is_required else None
    if readings is None:
        value, na, message = read_value(new_item, _raw_value(item.value))
    else:
        key = (id(new_item), type(item.value), item.value)
        found = readings.get(key)
        if found is None:
            found = readings[key] = read_value(new_item, _raw_value(item.value))
        value, na, message = found
    if message is not None:
        return None
    return Response(value, na, item.comment, item.evidence)


def _raw_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def rescore(
    results: Iterable[AuditResult], library: StandardLibrary, standard_id: str | None, version: int
) -> list[dict[str, Any]]:
    """What each audit would score on another version of its standard (audits in output order)."""
    return list(rescore_rows(results, library, standard_id, version))


def rescore_rows(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    standard_id: str | None,
    version: int,
    *,
    each: Progress | None = None,
    jobs: int = 1,
) -> Iterator[dict[str, Any]]:
    """The rows of :func:`rescore` one by one, in output order; only the audits rescored are decoded.

    Rescoring is scoring again: with ``jobs`` above 1 (0: one per core) and
    many results, runs of whole sites are rescored by that many worker
    processes, the rows still given in output order.
    """
    from .engine import PARALLEL_THRESHOLD, worker_count
    from .resultset import ResultSet

    global _RESCORE
    if not isinstance(results, ResultSet):
        ordered = sorted(results, key=lambda r: (r.site, r.date.isoformat(), subject_key(r.subject, r.id)))
        readings: Readings = {}
        for result in ordered:
            if _rescored(library, result.standard, result.standard_version, standard_id, version):
                yield _rescore_row(result, library, version, readings)
        return
    workers = worker_count(jobs)
    _RESCORE = (results, library, standard_id, version)
    try:
        if workers <= 1 or len(results) < PARALLEL_THRESHOLD:
            for rows, count in map(_rescore_range, [(0, len(results))]):
                if each is not None:
                    each(count)
                yield from rows
            return
        yield from _rescore_parallel(results.site_ranges(8 * workers), workers, each)
    finally:
        _RESCORE = None


_RESCORE: tuple[Any, StandardLibrary, str | None, int] | None = None
"""What :func:`_rescore_range` works on: set before the workers fork, so they inherit it."""


def _rescore_parallel(ranges: list[tuple[int, int]], workers: int, each: Progress | None) -> Iterator[dict[str, Any]]:
    import gc
    import multiprocessing

    from .engine import worker_pool

    if "fork" not in multiprocessing.get_all_start_methods() or len(ranges) < 2:
        parts: Iterable[tuple[list[dict[str, Any]], int]] = map(_rescore_range, ranges)
        for rows, count in parts:
            if each is not None:
                each(count)
            yield from rows
        return
    gc.freeze()  # as when scoring: keep the workers' collector off inherited pages
    try:
        with worker_pool(min(workers, len(ranges))) as pool:
            for rows, count in pool.imap(_rescore_range, ranges):
                if each is not None:
                    each(count)
                yield from rows
    finally:
        gc.unfreeze()


def _rescore_range(span: tuple[int, int]) -> tuple[list[dict[str, Any]], int]:
    """The rows of the results in ``span`` (in output order), and how many results were read."""
    from .resultset import loads, standard_and_version

    assert _RESCORE is not None
    results, library, standard_id, version = _RESCORE
    readings: Readings = {}
    rows = []
    for _, blob in results.blobs_between(*span):
        if _rescored(library, *standard_and_version(blob), standard_id, version):
            rows.append(_rescore_row(loads(blob.decode("utf-8")), library, version, readings))
    return rows, span[1] - span[0]


def _rescored(library: StandardLibrary, standard: str, found: int, standard_id: str | None, version: int) -> bool:
    """Whether an audit of ``standard`` version ``found`` is rescored against ``version``."""
    if (standard_id is not None and standard != standard_id) or found == version:
        return False
    return library.get(standard, version) is not None


def _rescore_row(result: AuditResult, library: StandardLibrary, version: int, readings: Readings) -> dict[str, Any]:
    target = library.get(result.standard, version)
    assert target is not None
    audit, dropped, unanswered = carry_over(result, target, readings)
    try:
        new = score(target, audit)
        new_score: float | None = new.score
        new_grade: str | None = new.grade
        passed: bool | None = new.passed
    except NothingToScore:
        new_score = new_grade = passed = None
    return {
        "audit": result.id,
        "site": result.site,
        "date": result.date.isoformat(),
        "subject": result.subject,
        "standard": result.standard,
        "from_version": result.standard_version,
        "to_version": version,
        "old_score": result.score,
        "new_score": new_score,
        "change": None if new_score is None else round(new_score - result.score, 2),
        "old_grade": result.grade,
        "new_grade": new_grade,
        "passed": passed,
        "not_carried_over": dropped,
        "unanswered": unanswered,
    }
