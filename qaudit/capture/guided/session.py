"""The state of one guided audit: its questions in order, the answers so far, the draft they are
kept in between questions, and the audit file they make.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from ...i18n import gettext, words
from ...io.staging import write_atomic
from ...io.yamlsrc import load
from ...load.form_cells import answer_text
from ...model.audit import Audit
from ...model.conditions import holds, why_false
from ...model.responses import Response, read_value
from ...model.standard import Condition, HeaderField, Item, Section, Standard
from ...problems import InvalidInput, error
from ..yamlwrite import audit_lines as yaml_audit_lines
from ..yamlwrite import clean as yaml_clean
from ..yamlwrite import comment as yaml_comment
from ..yamlwrite import document as yaml_document
from ..yamlwrite import header_lines as yaml_header_lines

_CLOSED_MARK = "# qaudit run: no more instances of:"


def draft_path(output: str) -> str:
    """Where the answers of an unfinished audit are kept (a hidden file beside it)."""
    folder, name = os.path.split(output)
    return os.path.join(folder, f".{name}.draft")


@dataclass
class InstanceDraft:
    """One instance of a repeated section being filled: its label and answers by item id."""

    label: str
    answers: dict[str, Response | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One question of the walk, in order."""

    kind: str
    """``field``, ``subject``, ``item``, ``label`` (the label of a new instance), ``more`` (another
    instance?), ``comment`` (the overall comment), or ``skipped`` (a section that does not apply)."""
    key: str
    """The field, item or section id (``subject``/``comment`` for those)."""
    section: Section | None = None
    instance: int | None = None
    """Index of the instance, for the items of a repeated section."""
    reason: str | None = None
    """Why the question does not apply (None: it applies)."""
    by_section: bool = False


@dataclass
class Session:
    """The state of one guided audit."""

    standard: Standard
    site: str
    inspector: str
    date: dt.date
    lang: str | None
    output: str
    answers: dict[str, Response | None] = field(default_factory=dict)
    """Answers to items outside repeated sections; None: an optional item asked and left empty."""
    fields: dict[str, Any] = field(default_factory=dict)
    """Header fields asked; None: an optional field left empty."""
    instances: dict[str, list[InstanceDraft]] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)
    """Repeated sections the inspector said have no more instances."""
    subject: str | None = None
    comment: str | None = None
    asked: set[str] = field(default_factory=set)
    """``subject`` and ``comment`` once asked (they may be left empty)."""
    loaded: bool = False
    dropped: list[str] = field(default_factory=list)
    """Items whose kept answer no longer fits the standard (they are asked again)."""

    @property
    def v2(self) -> bool:
        """Whether the standard declares ``@2``: fields, subject and overall comment are asked."""
        return self.standard.is_v2

    @property
    def items(self) -> list[Item]:
        """Every item in standard order."""
        return list(self.standard.items.values())

    def section_title(self, item: Item) -> str:
        """The title of an item's section, in the session's language."""
        return self.standard.text(self.standard.section_of[item.id].title, self.lang)

    def instance_word(self, section: Section) -> str:
        """What one instance of a repeated section is called (``Room``)."""
        label = section.repeat.label if section.repeat is not None else None
        return self.standard.text(label, self.lang) if label is not None else words(self.lang)["instance"]

    # --- the questions ---------------------------------------------------------------------------

    def _reason(self, condition: Condition | None, scope: dict[str, Any]) -> str | None:
        if condition is None or holds(condition, scope, self.standard.items):
            return None
        return why_false(condition, scope, self.standard.items)

    def steps(self) -> list[Step]:
        """Every question in order, with whether it applies given the answers so far."""
        steps: list[Step] = []
        if self.v2:
            steps += [Step("field", f.id) for f in self.standard.fields or ()]
            steps.append(Step("subject", "subject"))
        top = _values(self.answers)
        for section in self.standard.sections:
            section_reason = self._reason(section.when, top)
            if section.repeat is None:
                for item in section.items:
                    reason = section_reason or self._reason(item.when, top)
                    steps.append(Step("item", item.id, section, None, reason, section_reason is not None))
                continue
            if section_reason is not None:
                steps.append(Step("skipped", section.id, section, None, section_reason, True))
                continue
            found = self.instances.get(section.id, [])
            for index, instance in enumerate(found):
                scope = {**top, **_values(instance.answers)}
                for item in section.items:
                    steps.append(Step("item", item.id, section, index, self._reason(item.when, scope)))
            repeat = section.repeat
            if len(found) < repeat.min:
                steps.append(Step("label", section.id, section, len(found)))
            elif (repeat.max is None or len(found) < repeat.max) and section.id not in self.closed:
                steps.append(Step("more", section.id, section, len(found)))
        if self.v2:
            steps.append(Step("comment", "comment"))
        return steps

    def response(self, step: Step) -> Response | None:
        """The answer a step of an item holds (None when unanswered or left empty)."""
        return self._store(step).get(step.key)

    def _store(self, step: Step) -> dict[str, Response | None]:
        if step.instance is None or step.section is None:
            return self.answers
        return self.instances[step.section.id][step.instance].answers

    def done(self, step: Step) -> bool:
        """Whether a step needs no answer now (answered, or it does not apply)."""
        if step.reason is not None or step.kind == "skipped":
            return True
        if step.kind == "field":
            return step.key in self.fields
        if step.kind in ("subject", "comment"):
            return step.key in self.asked
        if step.kind in ("label", "more"):
            return False
        store = self._store(step)
        if step.key not in store:
            return False
        response = store[step.key]
        if response is None:
            return True
        return not self.missing_extras(self.standard.items[step.key], response)

    def say(self, key: str, /, **fields: object) -> str:
        """The catalogue's text of ``key`` in the audit's language, placeholders filled."""
        return gettext(self.lang, key, **fields)

    def replies(self, key: str) -> set[str]:
        """What may be typed for yes (``run_yes_replies``) or no (``run_no_replies``), lower case."""
        english = words("en")[key]
        return {r.strip().casefold() for r in f"{english},{words(self.lang)[key]}".split(",") if r.strip()}

    def missing_extras(self, item: Item, response: Response) -> list[str]:
        """``comment`` and ``evidence`` when the item's ``require`` asks for them and they are not given."""
        from ...model.responses import is_finding

        if item.require is None or response.na:
            return []
        _, finding = is_finding(self.standard, item, response)
        missing = []
        for what, given in (("comment", bool(response.comment)), ("evidence", bool(response.evidence))):
            need = getattr(item.require, what)
            if not given and (need == "always" or (need == "findings" and finding)):
                missing.append(what)
        return missing

    def prune(self) -> None:
        """Forget the answers of items that no longer apply (an earlier answer changed)."""
        for step in self.steps():
            if step.kind == "item" and step.reason is not None:
                self._store(step).pop(step.key, None)
        for section in self.standard.sections:
            top = _values(self.answers)
            if section.repeat is not None and section.when is not None and self._reason(section.when, top):
                self.instances.pop(section.id, None)

    # --- the draft and the audit file ------------------------------------------------------------

    def to_yaml(self, *, draft: bool = False) -> str:
        """The answers so far as an audit file (complete once every question is answered)."""
        standard = self.standard
        lines = [f"# {yaml_comment(f'{standard.text(standard.title, self.lang)} ({standard.label})')}"]
        if draft and self.closed:
            lines.append(f"{_CLOSED_MARK} {', '.join(sorted(self.closed))}")
        lines += yaml_header_lines(
            standard=standard.id,
            version=standard.version,
            site=self.site,
            inspector=self.inspector,
            date=self.date.isoformat(),
            language=self.lang,
            schema="qaudit/audit@2" if self.v2 else "qaudit/audit@1",
        )

        def kept(found: dict[str, Response | None]) -> dict[str, Response | None]:
            # An empty comment (or one of nothing an audit may hold) is no comment.
            return {
                key: None if r is None else r._replace(comment=yaml_clean(r.comment or "") or None)
                for key, r in found.items()
            }

        lines += yaml_audit_lines(
            standard,
            lang=self.lang,
            responses=kept(self.answers),
            instances={key: [(i.label, kept(i.answers)) for i in found] for key, found in self.instances.items()},
            fields=self.fields,
            subject=self.subject,
            comment=self.comment,
            empty=self.asked,
        )
        return yaml_document(lines)

    def save_draft(self) -> None:
        """Write the answers so far, atomically."""
        write_atomic(draft_path(self.output), self.to_yaml(draft=True))

    def answered(self) -> int:
        """How many questions are answered (header fields, subject and comment included)."""
        return sum(1 for step in self.steps() if step.reason is None and step.kind != "skipped" and self.done(step))

    def load_draft(self) -> int:
        """Read the answers of an interrupted session; returns how many were found.

        A draft that cannot be read, or that belongs to another visit (standard, version,
        site, inspector or date), raises :class:`InvalidInput`: it is never overwritten,
        since it holds answers an inspector gave.
        """
        self.loaded = True
        path = draft_path(self.output)
        if not os.path.exists(path):
            return 0
        hint = "; finish it with the options it was started with, or delete the file to start again"
        try:
            doc = load(path)
            problems = doc.problems
        except InvalidInput as exc:
            problems = exc.problems
        if problems:
            first = problems[0]
            raise InvalidInput(
                [
                    error(
                        path,
                        first.line,
                        first.column,
                        "draft-unreadable",
                        f"the answers of an interrupted audit cannot be read ({first.message}); "
                        "repair the file or delete it to start again",
                    )
                ]
            )
        data = doc.data if isinstance(doc.data, dict) else {}
        expected = {
            "standard": self.standard.id,
            "standard_version": self.standard.version,
            "site": self.site,
            "inspector": self.inspector,
            "date": self.date,
        }
        for key, value in expected.items():
            # The loader reads scalars as text; a date may come back as a date.
            got = data.get(key)
            got = got.isoformat() if isinstance(got, dt.date) else None if got is None else str(got).strip()
            want = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
            if got != want:
                raise InvalidInput(
                    [
                        error(
                            path,
                            1,
                            1,
                            "draft-mismatch",
                            f"holds an unfinished audit with {key} {got!r}, not {want!r}{hint}",
                        )
                    ]
                )
        try:
            with open(path, encoding="utf-8", errors="replace") as text:
                for line in text:
                    if line.startswith(_CLOSED_MARK):
                        self.closed = {s.strip() for s in line[len(_CLOSED_MARK) :].split(",") if s.strip()}
        except OSError:
            pass
        if self.v2:
            raw_fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
            for field_ in self.standard.fields or ():
                if isinstance(raw_fields, dict) and field_.id in raw_fields:
                    value, message = read_field(self.standard, field_, raw_fields[field_.id])
                    if message is None:
                        self.fields[field_.id] = value
                    else:
                        self.dropped.append(field_.id)
            for key in ("subject", "comment"):
                if key in data:
                    self.asked.add(key)
                    text_value = data[key]
                    setattr(
                        self,
                        key,
                        None if text_value is None or isinstance(text_value, (dict, list)) else str(text_value),
                    )
        raw = data.get("responses") if isinstance(data.get("responses"), dict) else {}
        assert isinstance(raw, dict)
        for section in self.standard.sections:
            if section.repeat is None:
                self._read_answers(section.items, raw, self.answers)
                continue
            entries = raw.get(section.id)
            if not isinstance(entries, list):
                continue
            for entry in entries:
                if isinstance(entry, dict) and isinstance(entry.get("instance"), str) and entry["instance"].strip():
                    instance = InstanceDraft(str(entry["instance"]))
                    self._read_answers(section.items, entry, instance.answers)
                    self.instances.setdefault(section.id, []).append(instance)
        return self.answered()

    def _read_answers(self, items: list[Item], raw: dict[str, Any], into: dict[str, Response | None]) -> None:
        for item in items:
            if item.id not in raw:
                continue
            entry = raw[item.id]
            comment = None
            evidence: tuple[str, ...] = ()
            if isinstance(entry, dict):
                comment = entry.get("comment")
                found = entry.get("evidence")
                if isinstance(found, list):
                    evidence = tuple(str(e) for e in found if not isinstance(e, (dict, list)))
                entry = entry.get("value")
            if entry is None:
                if item.type in ("text", "date") and not item.is_required:
                    into[item.id] = None
                continue
            value, na, message = read_value(item, entry)
            if message is not None and isinstance(entry, str):
                value, na, message = read_value(item, answer_text(item, entry))
            if message is None:
                into[item.id] = Response(value, na, None if comment is None else str(comment), evidence)
            else:
                self.dropped.append(item.id)

    def audit(self) -> Audit:
        """The finished audit, read from the file it would be, by the reader every audit file goes through."""
        from ...io.yamlsrc import parse
        from ...load.audit_file import build_audit
        from ...load.standards import StandardLibrary

        library = StandardLibrary(standards={self.standard.key: self.standard})
        audit, problems = build_audit(parse(self.to_yaml(), self.output), library)
        if audit is None:
            raise InvalidInput(problems)
        return audit


def _values(found: dict[str, Response | None]) -> dict[str, Any]:
    """Answers with a value, by item id: what conditions test."""
    return {key: r.value for key, r in found.items() if r is not None and not r.na and r.value is not None}


def read_field(standard: Standard, field_: HeaderField, raw: Any) -> tuple[Any, str | None]:
    """A header field's value read by its type: ``(value, problem message)``."""
    from ...load.response_reader import read_fields

    said: list[str] = []

    def add(path: tuple[Any, ...], rule: str, message: str, *, key: bool = False) -> None:
        if path == ("fields", field_.id) or field_.id in message:
            said.append(message)

    found = read_fields(standard, {field_.id: raw}, add)
    if said:
        return None, said[0]
    return found.get(field_.id), None
