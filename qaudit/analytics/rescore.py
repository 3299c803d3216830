"""What-if rescoring (contract §6): scored audits carried over to another version of their standard.

Carrying over moves each old response onto the new version's item of the same
id, reading its value again under the new item; rescoring is then the one
scorer (:func:`~qaudit.scoring.scorer.score`) on the carried audit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..load.response_reader import read_answer
from ..load.standards import StandardLibrary
from ..model.audit import Audit
from ..model.memo import Memo
from ..model.responses import Instance, Response
from ..model.standard import Item, Standard
from ..results.serialise import decoded, head_and_item_texts, pack, standard_and_version
from ..scoring.scorer import AuditResult, NothingToScore, score, subject_key

Progress = Callable[[int], None]


Answer = tuple[str, "str | None", bool, "str | None", bool, Any, "str | None", tuple[str, ...]]
"""What carrying over needs of one old item result: id, instance, applicable, waived, na, value, comment, evidence."""


def carry_over(result: AuditResult, target: Standard) -> tuple[Audit, list[str], list[str]]:
    """The responses of a scored audit moved onto another version of its standard.

    Returns the new audit, the answered item ids that could not be carried over
    (gone from ``target``, moved into or out of a repeated section, or the value
    no longer fits) and the items of ``target`` the old audit did not answer
    (counted as N/A). Items of repeated sections move instance by instance; an
    item that was not applicable stays not applicable (the new version's
    conditions are not worked out again). Each answer is read again under
    ``target`` as an audit file's would be. The result is read as rescoring
    reads it, from its one serialised form.
    """
    head, item_texts = head_and_item_texts(pack(result)[1])
    return _carry(head, item_texts, target)


def _plainly_commented(text: bytes) -> tuple[bytes, bytes] | None:
    """An item text with a plain comment as the text of its bare answer and the comment's UTF-8; None for
    any other.

    The serialiser writes a comment last but for evidence and a waiver, and JSON escapes every quote
    inside a string, so ``,"comment":"`` only ever opens the comment; a comment with no quote and no
    escape in it is its own text.
    """
    at = text.rfind(b',"comment":"')
    if at <= 0 or text[-1] != 34:  # a closing '"'
        return None
    comment = text[at + 12 : -1]
    if not comment or 34 in comment or 92 in comment:  # '"' and '\\'
        return None
    return text[:at], comment


def _decoded(text: bytes) -> Answer:
    """The answer of one item text (see :func:`~qaudit.results.serialise.head_and_item_texts`)."""
    i = decoded(b'{"id":"' + text + b"}")
    value = i["value"]
    return (
        i["id"],
        i["instance"],
        i["applicable"],
        i.get("waived"),
        i["na"],
        tuple(value) if type(value) is list else value,
        i.get("comment"),
        tuple(i["evidence"]) if "evidence" in i else (),
    )


Moved = tuple[str, "str | None", "Response | None", "str | None"]
"""One old answer in its new place: the item id, the instance label, the response (None: dropped), and the
id of the repeated section of its instance (None outside repeated sections; for a dropped answer, ``""`` when
it counts as not carried over and None when it is dropped unnoticed, as an item that did not apply)."""


_UNANSWERED = Response(None, True)
"""An item of the new version the old audit did not answer: N/A."""


def _moved_text(text: bytes, target: Standard, comments: bool) -> Moved:
    """One item text not yet in the target's memo moved onto ``target`` (see :func:`_carry`)."""
    commented = _plainly_commented(text)
    if commented is not None:
        bare, comment = commented
        moved = target.memo.carried.get(bare) or _moved_text(bare, target, comments)
        response = moved[2]
        if comments and response is not None and response.applicable and (response.na or response.value is not None):
            # What _carried gives this answer with its comment (an answer that did not apply,
            # or an optional item left out, carries no comment).
            moved = (*moved[:2], response._replace(comment=comment.decode("utf-8")), moved[3])
        return moved
    answer = _decoded(text)
    moved = _moved(answer, target)
    memo = target.memo.carried
    if answer[6] is None and not answer[7] and len(memo) < Memo.LIMIT:
        memo[text] = moved
    return moved


def _carry(
    head: dict[str, Any], item_texts: list[bytes], target: Standard, *, comments: bool = True
) -> tuple[Audit, list[str], list[str]]:
    """The audit of a stored result carried over onto ``target`` (see :func:`carry_over`), from its head (the
    decoded JSON object) and its item texts (see :func:`~qaudit.results.serialise.head_and_item_texts`).

    The text of a bare answer is decoded and moved once (the target's memo);
    an answer with a plain comment moves as its bare answer does, the comment
    going with it (unless ``comments`` is false: rescoring reads no comment).
    """
    responses: dict[str, Response] = {}
    instances: dict[str, dict[str, dict[str, Response]]] = {}
    dropped: dict[str, None] = {}
    known = target.memo.carried.get
    for text in item_texts:
        item_id, label, response, section_id = known(text) or _moved_text(text, target, comments)
        if section_id is None:
            if response is not None:
                responses[item_id] = response  # the everyday answer
        elif response is None:
            dropped[item_id] = None
        else:
            assert label is not None  # an answer in an instance names it
            instances.setdefault(section_id, {}).setdefault(label, {})[item_id] = response
    top = target.top_item_ids
    if len(responses) == len(top) and tuple(responses) == top:
        ordered = responses  # every item answered, in the target's order already
    else:
        ordered = {item_id: responses.get(item_id, _UNANSWERED) for item_id in top}  # in the target's order
    unanswered: dict[str, None] = {}
    if instances:
        for section in target.sections:
            if section.repeat is None:
                unanswered.update((i.id, None) for i in section.items if i.id not in responses)
            else:
                for found in instances.get(section.id, {}).values():
                    unanswered.update((i.id, None) for i in section.items if i.id not in found)
    elif len(responses) < len(top):  # (every answer kept is to an item of ``top``)
        unanswered = dict.fromkeys(item_id for item_id in top if item_id not in responses)
    audit = Audit(
        id=head["id"],
        file=head["file"],
        standard=target.id,
        standard_version=target.version,
        site=head["site"],
        inspector=head["inspector"],
        date=dt.date.fromisoformat(head["date"]),
        responses=ordered,
        language=head["language"],
        subject=head["subject"],
        fields=head["fields"],  # (a dictionary of the decoded head's own)
        comment=head["comment"],
        instances={
            section: tuple(Instance(label, found) for label, found in by_label.items())
            for section, by_label in instances.items()
        }
        if instances
        else {},
    )
    return audit, list(dropped), [i for i in unanswered if i not in dropped]


def _moved(answer: Answer, target: Standard) -> Moved:
    """Where one old answer goes in ``target`` (see :data:`Moved`)."""
    item_id, instance, applicable = answer[0], answer[1], answer[2]
    new_item = target.items.get(item_id)
    section = target.section_of.get(item_id)
    if new_item is None or section is None or (section.repeat is not None) != (instance is not None):
        return item_id, instance, None, ("" if applicable else None)
    response = _carried(answer, new_item, target)
    if response is None:
        return item_id, instance, None, ""
    return item_id, instance, response, (None if instance is None else section.id)


def _carried(answer: Answer, new_item: Item, target: Standard) -> Response | None:
    """One old answer as a response to ``new_item`` of ``target``; None when it cannot be carried over."""
    _, _, applicable, waived, na, value, comment, evidence = answer
    if not applicable:
        return Response(None, applicable=False)
    if waived is not None:
        # The waiver excuses the site from the item whatever the version says about N/A.
        return Response(None, True, comment, evidence, waived)
    if na:
        return Response(None, True, comment, evidence) if new_item.na_allowed else None
    if value is None:  # an optional text or date item left out
        return Response(None) if not new_item.is_required else None
    value, na, message = read_answer(target, new_item, _raw_value(value))
    if message is not None:
        return None
    return Response(value, na, comment, evidence)


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
    shape: Callable[[dict[str, Any]], Any] | None = None,
) -> Iterator[Any]:
    """The rows of :func:`rescore` one by one, in output order; only the audits rescored are decoded.

    A result set is rescored by :class:`Rescoring` (with ``jobs`` above 1, 0
    for one per core, by that many worker processes), each row given as
    ``shape(row)`` when ``shape`` is given (say its text in an output, written
    by the workers).
    """
    from ..results.resultset import ResultSet

    if isinstance(results, ResultSet):
        with Rescoring(standard_id, version, jobs=jobs, shape=shape) as rescoring:
            rescoring.begin(library, results)
            yield from rescoring.rows(each)
        return
    ordered = sorted(results, key=lambda r: (r.site, r.date.isoformat(), subject_key(r.subject, r.id)))
    for result in ordered:
        row = _rescore_row(pack(result)[1], library, standard_id, version)
        if row is not None:
            yield row if shape is None else shape(row)


class Rescoring:
    """Rescoring a run's results, begun while the run is still reading them (see
    :class:`~qaudit.run.workspace.Alongside`).

    Rescoring is scoring again, audit by audit: runs of :attr:`PART` results
    are handed to worker processes as the run adds them (so that rescoring the
    first results shares the cores with reading the rest), and :meth:`rows`
    gives every row in output order once the run is over. Use it around the
    run; its workers end with the block::

        with Rescoring(None, 2, jobs=0) as rescoring:
            run = score_paths(paths, alongside=rescoring)
            rows = list(rescoring.rows())
    """

    PART = 1000
    """Results handed over at a time."""

    def __init__(
        self,
        standard_id: str | None,
        version: int,
        *,
        jobs: int = 1,
        shape: Callable[[dict[str, Any]], Any] | None = None,
    ) -> None:
        self.standard_id = standard_id
        self.version = version
        self.jobs = jobs
        self.shape = shape
        self._results: Any = None
        self._library: StandardLibrary | None = None
        self._handed = 0
        self._feed: Any = None
        self._exit = contextlib.ExitStack()

    @property
    def handed(self) -> int:
        """How many results have been handed over to be rescored."""
        return self._handed

    def __enter__(self) -> Rescoring:
        return self

    def __exit__(self, *exc: object) -> None:
        self._exit.close()

    def begin(self, library: StandardLibrary, results: Any) -> None:
        """Rescore the results of ``results`` (a :class:`~qaudit.results.resultset.ResultSet`) as they come."""
        self._library, self._results = library, results

    def added(self) -> None:
        """One more result is in the set: a full part is handed over."""
        if len(self._results) - self._handed >= self.PART:
            self._hand(self._handed + self.PART, parallel=True)  # a whole part read already: not a small run

    def rows(self, each: Progress | None = None) -> Iterator[Any]:
        """Every row (shaped), in output order, once every result is in the set; ``each`` hears how many
        results each part read.

        The rows worked out meanwhile are held until then (as JSON or CSV text,
        some 400 bytes a row, when shaped so).
        """
        from ..run.engine import PARALLEL_THRESHOLD

        total = len(self._results)
        size = self.PART
        if self._feed is None:
            size = max(1, min(size, -(-total // 8)))  # nothing handed over yet: a part for every worker, and more
        while self._handed < total:
            self._hand(min(total, self._handed + size), parallel=total >= PARALLEL_THRESHOLD)
        if self._feed is None:
            return
        found: dict[int, Any] = {}
        for rows, count in self._feed.results():
            found.update(rows)
            if each is not None:
                each(count)
        for offset in self._results.offsets():
            row = found.pop(offset, None)
            if row is not None:
                yield row

    def _hand(self, stop: int, *, parallel: bool) -> None:
        """Hand the results up to ``stop`` over; the first time, start the workers (one per core, or rescore
        here unless ``parallel``)."""
        global _RESCORE
        if self._feed is None:
            from ..run.engine import fed_workers, worker_count

            # Read by the workers, which inherit it: set before they fork (so one rescoring at a time).
            assert _RESCORE is None, "another rescoring is under way"
            _RESCORE = (self._results, self._library, self.standard_id, self.version, self.shape)
            self._exit.callback(_forget)
            workers = worker_count(self.jobs) if parallel else 1
            self._feed = self._exit.enter_context(fed_workers(_rescore_run, workers))
        self._feed.put(self._results.added_run(self._handed, stop))
        self._handed = stop


def _forget() -> None:
    global _RESCORE
    _RESCORE = None


_RESCORE: tuple[Any, StandardLibrary | None, str | None, int, Callable[[dict[str, Any]], Any] | None] | None = None
"""What :func:`_rescore_run` works on: set before the workers fork, so they inherit it."""


def _rescore_run(run: tuple[int, tuple[int, ...]]) -> tuple[list[tuple[int, Any]], int]:
    """The rows (shaped, by the offset of their result) of a run of results in the order they were added
    (see :meth:`~qaudit.results.resultset.ResultSet.added_run`), and how many results were read."""
    assert _RESCORE is not None
    results, library, standard_id, version, shape = _RESCORE
    assert library is not None
    rows: list[tuple[int, Any]] = []
    for offset, blob in results.run_blobs(*run):
        row = _rescore_row(blob, library, standard_id, version)
        if row is not None:
            rows.append((offset, row if shape is None else shape(row)))
    return rows, len(run[1])


def _rescore_row(blob: bytes, library: StandardLibrary, standard_id: str | None, version: int) -> dict[str, Any] | None:
    """The row of :func:`rescore` of a stored result (its UTF-8 JSON); None when it is not rescored (of
    another standard than ``standard_id``, of ``version`` already, or of a standard without that version).

    Only the head of the result is decoded, and each item text once per version (see :func:`_carry`).
    """
    standard, found = standard_and_version(blob)
    if (standard_id is not None and standard != standard_id) or found == version:
        return None
    target = library.get(standard, version)
    if target is None:
        return None
    head, item_texts = head_and_item_texts(blob)
    audit, dropped, unanswered = _carry(head, item_texts, target, comments=False)
    try:
        new = score(target, audit, items=False, sections=False)
        new_score: float | None = new.score
        new_grade: str | None = new.grade
        passed: bool | None = new.passed
    except NothingToScore:
        new_score = new_grade = passed = None
    old_score = head["score"]
    return {
        "audit": head["id"],
        "site": head["site"],
        "date": head["date"],
        "subject": head["subject"],
        "standard": standard,
        "from_version": found,
        "to_version": version,
        "old_score": old_score,
        "new_score": new_score,
        "change": None if new_score is None else round(new_score - old_score, 2),
        "old_grade": head["grade"],
        "new_grade": new_grade,
        "passed": passed,
        "not_carried_over": dropped,
        "unanswered": unanswered,
    }
