"""The guided terminal audit (``qaudit run``): one question at a time, nothing ever lost.

The questions are the standard's header fields and the audit's subject (for a
``qaudit/standard@2`` standard), then every item in standard order: a repeated
section once per instance (its label asked first, then "another room?" within
the section's min..max), a question or section whose ``when`` condition is false
skipped with one line saying why; last the overall comment. Every answer is
written to a draft file (atomically) before the next question appears, so
Ctrl-C, a closed terminal or a killed process loses nothing: running the same
command again resumes at the first unanswered question. At the end a review
shows every answer, the findings, the score, grade and critical failures, and
the audit file is written; then the draft is removed.

Every word the inspector reads comes from the catalogue (:mod:`qaudit.i18n`) in
the audit's language; ``y``/``n`` (and the language's own yes and no) answer
yes/no questions, and numbers pick options, in every language.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .audit_model import Audit
from .conditions import holds, why_false
from .form_cells import answer_text, clean_text
from .i18n import gettext, words
from .model import Condition, HeaderField, Item, Section, Standard
from .output import write_atomic
from .problems import InvalidInput, error
from .responses import Response, read_value
from .yamlsrc import load
from .yamlwrite import answer as yaml_answer
from .yamlwrite import audit_lines as yaml_audit_lines
from .yamlwrite import clean as yaml_clean
from .yamlwrite import comment as yaml_comment
from .yamlwrite import document as yaml_document
from .yamlwrite import header_lines as yaml_header_lines
from .yamlwrite import undecodable_bytes as yaml_undecodable_bytes

_CLOSED_MARK = "# qaudit run: no more instances of:"
_COLOURS = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2", "cyan": "36"}


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
        from .responses import is_finding

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
        from .audit_file import build_audit
        from .standards import StandardLibrary
        from .yamlsrc import parse

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
    from .response_reader import read_fields

    said: list[str] = []

    def add(path: tuple[Any, ...], rule: str, message: str, *, key: bool = False) -> None:
        if path == ("fields", field_.id) or field_.id in message:
            said.append(message)

    found = read_fields(standard, {field_.id: raw}, add)
    if said:
        return None, said[0]
    return found.get(field_.id), None


class Quit(Exception):
    """The inspector asked to stop (answers are kept in the draft)."""


class _Screen:
    """What the terminal shows: colour only on a terminal, text wrapped at word boundaries."""

    def __init__(self, say: Callable[[str], None], colour: bool, width: int) -> None:
        self.say = say
        self.colour = colour
        self.width = max(40, width)

    def paint(self, text: str, *styles: str) -> str:
        if not self.colour or not styles:
            return text
        codes = ";".join(_COLOURS[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def wrapped(self, text: str, indent: str = "") -> None:
        for paragraph in text.split("\n"):
            self.say(
                textwrap.fill(
                    paragraph,
                    self.width - 1,
                    initial_indent=indent,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
                or indent
            )

    def error(self, message: str) -> None:
        self.wrapped(self.paint(f"  ✗ {message}", "red"))


def _hint(session: Session, item: Item, *, na: bool | None = None) -> str:
    """What an item accepts, in the audit's language: ``give a number from 1 to 5, or na if it does not apply``."""
    na = item.na_allowed if na is None else na
    if item.type == "yes_no":
        hint = session.say("run_hint_yes_no")
    elif item.type == "scale":
        hint = session.say("run_hint_scale", min=item.min, max=item.max)
    elif item.type == "number":
        hint = session.say("run_hint_number_unit", unit=item.unit) if item.unit else session.say("run_hint_number")
    elif item.type == "date":
        hint = session.say("run_hint_date")
    elif item.type == "text":
        hint = session.say("run_hint_text")
    elif item.type == "multi_choice":
        hint = session.say("run_hint_multi_choice", count=len(item.choices))
    else:
        hint = session.say("run_hint_choice", count=len(item.choices))
    return session.say("run_hint_or_na", hint=hint) if na else hint


def _choices(session: Session, item: Item) -> str:
    if item.type in ("choice", "multi_choice"):
        lines = []
        for n, option in enumerate(item.choices, start=1):
            label = session.standard.text(option.label, session.lang) if option.label is not None else option.value
            lines.append(f"    {n}) {option.value}" + (f" — {label}" if label != option.value else ""))
        if item.type == "multi_choice":
            lines.append("    " + session.say("run_hint_multi"))
        if item.na_allowed:
            lines.append(f"    na) {session.say('na')}")
        return "\n".join(lines)
    optional = item.type in ("text", "date") and not item.is_required
    return "    " + _hint(session, item) + (" " + session.say("run_hint_optional") if optional else "")


def _refusal(session: Session, item: Item, reply: str) -> str:
    """Why a typed answer does not fit its item, and what would, in the audit's language."""
    from .responses import NA_VALUES, read_number

    if reply == "":
        return session.say("run_no_answer", hint=_hint(session, item))
    if answer_text(item, reply).casefold() in NA_VALUES and not item.na_allowed:
        return session.say("run_no_na", hint=_hint(session, item, na=False))
    if item.type == "scale" and read_number(reply) is not None:
        return session.say("run_outside_scale", reply=reply, hint=_hint(session, item))
    return session.say("run_bad_answer", reply=reply, hint=_hint(session, item))


def _shown(session: Session, item: Item | None, response: Response | None) -> str:
    if response is None:
        return session.say("run_left_empty")
    if item is None:
        return ""
    if response.value is None and not response.na:
        return session.say("run_left_empty")
    if item.type == "multi_choice" and not response.na:
        return ", ".join(response.value or ()) or session.say("run_none_selected")  # type: ignore[arg-type]
    return yaml_answer(item, response).strip('"')


def run_session(
    session: Session,
    ask: Callable[[str], str],
    say: Callable[[str], None],
    *,
    colour: bool = False,
    width: int = 80,
) -> Audit | None:
    """Walk the inspector through the checklist; the finished audit, or None when they quit."""
    screen = _Screen(say, colour, width)
    ask = _text_only(session, ask, screen)
    resumed = session.answered() if session.loaded else session.load_draft()
    steps = session.steps()
    total = sum(1 for s in steps if s.kind not in ("skipped", "label", "more") and s.reason is None)
    if resumed:
        say(session.say("run_resuming", kept=resumed, total=total))
    if session.dropped:
        say(session.say("run_dropped", items=", ".join(session.dropped)))
    say(
        session.say(
            "run_start",
            title=session.standard.text(session.standard.title, session.lang),
            label=session.standard.label,
            site=session.site,
            date=session.date.isoformat(),
        )
    )
    index = _first_open(session, steps, 0)
    while True:
        steps = session.steps()
        if index is None:
            reply = _review_and_save(session, ask, screen)
            if isinstance(reply, Audit):
                return reply
            index = reply
            continue
        moved = _ask_step(session, steps, index, ask, screen)
        if isinstance(moved, _Goto):
            index = moved.index
            continue
        steps = session.steps()
        index = _first_open(session, steps, moved.index, forward_only=moved.skip)
        if index is not None and index >= moved.index:
            _say_skipped(steps, moved.index, index, screen, session)


@dataclass(frozen=True)
class _Goto:
    """Go to this step (a navigation command)."""

    index: int | None


@dataclass(frozen=True)
class _Next:
    """The step at ``index`` was dealt with: go on from there (after it when ``skip``)."""

    index: int
    skip: bool = False


def _first_open(session: Session, steps: list[Step], start: int, *, forward_only: bool = False) -> int | None:
    """The first step from ``start`` (then from the top) that still needs an answer."""
    begin = start + 1 if forward_only else start
    order = list(range(begin, len(steps))) + list(range(0, min(begin, len(steps))))
    for candidate in order:
        if not session.done(steps[candidate]):
            return candidate
    if forward_only and start < len(steps) and not session.done(steps[start]):
        return start
    return None


def _say_skipped(steps: list[Step], start: int, end: int, screen: _Screen, session: Session) -> None:
    """One line for each question (or whole section) passed over because its condition is false."""
    said: set[str] = set()
    for step in steps[max(0, start) : end]:
        if step.reason is None:
            continue
        if step.by_section and step.section is not None:
            if step.section.id in said:
                continue
            said.add(step.section.id)
            title = session.standard.text(step.section.title, session.lang)
            screen.say(screen.paint("  " + session.say("run_skipped_section", title=title, reason=step.reason), "dim"))
        else:
            screen.say(screen.paint("  " + session.say("run_skipped_item", item=step.key, reason=step.reason), "dim"))


def _heading(session: Session, steps: list[Step], index: int, screen: _Screen) -> None:
    step = steps[index]
    count = f"{index + 1}/{len(steps)}"
    if step.kind == "field":
        field_ = session.standard.field_map[step.key]
        optional = "" if field_.required else "  " + session.say("run_optional")
        screen.say(f"[{session.say('header')}] {count}  {field_.id}{optional}")
        screen.wrapped(session.standard.text(field_.text, session.lang))
        return
    if step.kind in ("subject", "comment"):
        screen.say(f"[{session.say('header')}] {count}")
        return
    assert step.section is not None
    title = session.standard.text(step.section.title, session.lang)
    if step.kind in ("label", "more"):
        screen.say(f"[{title}]")
        return
    if step.instance is not None:
        title += f" — {session.instance_word(step.section)} {session.instances[step.section.id][step.instance].label}"
    item = session.standard.items[step.key]
    critical = "  " + screen.paint(session.say("run_critical"), "red", "bold") if item.critical else ""
    screen.say(f"[{title}] {count}  {item.id}{critical}")
    screen.wrapped(session.standard.text(item.text, session.lang))
    if item.guidance is not None:
        screen.wrapped(session.standard.text(item.guidance, session.lang), "  ")


def _command(session: Session, steps: list[Step], index: int, reply: str, screen: _Screen) -> _Goto | _Next | None:
    """The navigation command typed, if any (None: an answer)."""
    command = reply.lower()
    if command in ("?", "h", "help"):
        screen.say(session.say("run_help"))
        return _Goto(index)
    if command in ("q", "quit"):
        raise Quit
    if command in ("b", "back"):
        back = index - 1
        while back > 0 and (steps[back].reason is not None or steps[back].kind in ("skipped", "label", "more")):
            back -= 1
        return _Goto(max(0, back))
    if command in ("s", "skip"):
        return _Next(index, skip=True)
    if command in ("l", "list"):
        screen.say(_listing(session, steps))
        return _Goto(index)
    if command.startswith("g ") or command.startswith("goto "):
        target = _goto(command, steps)
        if target is None:
            screen.say(session.say("run_no_such_item", count=len(steps)))
            return _Goto(index)
        return _Goto(target)
    return None


def _ask_step(
    session: Session, steps: list[Step], index: int, ask: Callable[[str], str], screen: _Screen
) -> _Goto | _Next:
    step = steps[index]
    screen.say("")
    _heading(session, steps, index, screen)
    if step.kind == "field":
        return _ask_field(session, steps, index, ask, screen)
    if step.kind in ("subject", "comment"):
        return _ask_note(session, steps, index, ask, screen)
    if step.kind in ("label", "more"):
        return _ask_instance(session, steps, index, ask, screen)
    return _ask_item(session, steps, index, ask, screen)


def _ask_field(
    session: Session, steps: list[Step], index: int, ask: Callable[[str], str], screen: _Screen
) -> _Goto | _Next:
    field_ = session.standard.field_map[steps[index].key]
    from .blank import describe_field

    options = field_.options if isinstance(field_.options, list) else []
    if field_.type == "choice":
        for n, option in enumerate(options, start=1):
            label = session.standard.text(option.label, session.lang) if option.label is not None else option.value
            screen.say(f"    {n}) {option.value}" + (f" — {label}" if label != option.value else ""))
    else:
        screen.say(f"    {describe_field(field_, session.standard, session.lang)}")
    current = session.fields.get(field_.id)
    known = field_.id in session.fields
    prompt = "> " if not known or current is None else f"[{current}] > "
    reply = clean_text(ask(prompt)).strip()
    if reply == "" and known:
        return _Next(index)
    if reply == "" and not field_.required:
        session.fields[field_.id] = None
        session.save_draft()
        return _Next(index)
    if reply == "":
        screen.error(
            session.say(
                "run_field_required", field=field_.id, hint=describe_field(field_, session.standard, session.lang)
            )
        )
        return _Goto(index)
    moved = _command(session, steps, index, reply, screen)
    if moved is not None:
        return moved
    raw: str = reply
    if field_.type == "choice":
        if reply.isdigit() and 1 <= int(reply) <= len(options):
            raw = options[int(reply) - 1].value
        else:
            for option in options:
                texts = list(option.label.values()) if isinstance(option.label, dict) else [option.label or ""]
                if reply.casefold() in (t.casefold() for t in texts if t):
                    raw = option.value
    value, message = read_field(session.standard, field_, raw)
    if message is not None:
        screen.error(message)
        return _Goto(index)
    session.fields[field_.id] = value
    session.save_draft()
    return _Next(index)


def _ask_note(
    session: Session, steps: list[Step], index: int, ask: Callable[[str], str], screen: _Screen
) -> _Goto | _Next:
    key = steps[index].key
    question = session.say("subject_question" if key == "subject" else "run_overall_comment")
    current = getattr(session, key)
    screen.wrapped(question)
    prompt = session.say("run_prompt_none") if current is None else session.say("run_prompt_keep", current=current)
    reply = clean_text(ask(prompt)).strip()
    moved = _command(session, steps, index, reply, screen) if len(reply) <= 1 or reply.startswith("g ") else None
    if moved is not None:
        return moved
    if reply == "-":
        setattr(session, key, None)
    elif reply:
        setattr(session, key, reply)
    session.asked.add(key)
    session.save_draft()
    return _Next(index)


def _ask_instance(
    session: Session, steps: list[Step], index: int, ask: Callable[[str], str], screen: _Screen
) -> _Goto | _Next:
    step = steps[index]
    section = step.section
    assert section is not None and section.repeat is not None
    word = session.instance_word(section)
    found = session.instances.setdefault(section.id, [])
    if step.kind == "more":
        if section.repeat.max is None:
            question = session.say("run_another", word=word.lower(), count=len(found))
        else:
            question = session.say("run_another_max", word=word.lower(), count=len(found), max=section.repeat.max)
        reply = clean_text(ask(question)).strip()
        said = reply.casefold()
        no = said == "" or said in session.replies("run_no_replies")
        moved = _command(session, steps, index, reply, screen) if not no else None
        if moved is not None:
            return moved
        if no:
            session.closed.add(section.id)
            session.save_draft()
            return _Next(index)
        if said not in session.replies("run_yes_replies"):
            screen.error(session.say("run_another_error", word=word.lower()))
            return _Goto(index)
    reply = clean_text(ask(session.say("run_instance_label", name=word, number=len(found) + 1))).strip()
    if reply == "":
        screen.error(session.say("run_label_needed", word=word.lower()))
        return _Goto(index)
    moved = _command(session, steps, index, reply, screen) if len(reply) == 1 or reply.startswith("g ") else None
    if moved is not None:
        return moved
    label = reply.strip("'\"").strip() or reply
    if any(i.label == label for i in found):
        screen.error(session.say("run_label_taken", name=word, label=label))
        return _Goto(index)
    found.append(InstanceDraft(label))
    session.closed.discard(section.id)
    session.save_draft()
    return _Next(index)


def _multi_answer(item: Item, reply: str) -> Any:
    """A multi-select reply as the list it means: option numbers (``1,3``), values or labels; ``0`` or ``[]``: none."""
    from .form_cells import option_value, split_values

    text = reply.strip()
    if text in ("0", "[]"):
        return []
    if text.lower() in ("na", "n/a"):
        return text
    chosen = []
    for part in split_values(text):
        if part.isdigit() and 1 <= int(part) <= len(item.choices):
            chosen.append(item.choices[int(part) - 1].value)
        else:
            chosen.append(option_value(item, part))
    return chosen


def _ask_item(
    session: Session, steps: list[Step], index: int, ask: Callable[[str], str], screen: _Screen
) -> _Goto | _Next:
    step = steps[index]
    item = session.standard.items[step.key]
    store = session._store(step)
    screen.say(_choices(session, item))
    current = store.get(item.id)
    has_current = item.id in store
    prompt = "> " if not has_current else f"[{_shown(session, item, current)}] > "
    reply = clean_text(ask(prompt)).strip()
    if reply == "" and has_current:
        if current is not None and session.missing_extras(item, current):
            return _extras(session, step, item, current, ask, screen, index)
        return _Next(index)
    if reply == "" and item.type in ("text", "date") and not item.is_required:
        store[item.id] = None
        session.save_draft()
        return _Next(index)
    moved = _command(session, steps, index, reply, screen)
    if moved is not None:
        return moved
    raw: Any = answer_text(item, reply)
    if item.type == "yes_no" and reply.casefold() in session.replies("run_yes_replies"):
        raw = "yes"
    elif item.type == "yes_no" and reply.casefold() in session.replies("run_no_replies"):
        raw = "no"
    elif item.type == "choice" and reply.isdigit() and 1 <= int(reply) <= len(item.choices):
        raw = item.choices[int(reply) - 1].value
    elif item.type == "multi_choice":
        raw = _multi_answer(item, reply)
    elif item.type == "text":
        raw = reply.strip("'\"") if len(reply) > 1 and reply[0] == reply[-1] and reply[0] in "'\"" else reply
    if reply == "" and item.type == "multi_choice":
        raw = []
    value, na, message = read_value(item, raw)
    if message is not None:
        screen.error(_refusal(session, item, reply))
        return _Goto(index)
    kept = current.comment if current is not None else None
    evidence = current.evidence if current is not None else ()
    # The answer is on disk before the comment is asked: a kill at the comment loses nothing.
    response = Response(value, na, kept, evidence)
    store[item.id] = response
    session.prune()
    session.save_draft()
    return _extras(session, step, item, response, ask, screen, index, optional=True)


def _extras(
    session: Session,
    step: Step,
    item: Item,
    response: Response,
    ask: Callable[[str], str],
    screen: _Screen,
    index: int,
    *,
    optional: bool = False,
) -> _Next:
    """Ask the comment (and evidence) of an answer: required ones until given, else an optional comment."""
    store = session._store(step)
    needed = session.missing_extras(item, response)
    kept = response.comment
    if "comment" in needed:
        why = session.say(
            "run_required_on_finding" if item.require and item.require.comment == "findings" else "run_required"
        )
        comment = ""
        while not comment:
            comment = clean_text(ask(session.say("run_comment_required", why=why))).strip()
            if not comment:
                screen.error(session.say("run_comment_needed", item=item.id))
        response = response._replace(comment=comment)
    elif optional:
        if kept:
            comment = clean_text(ask(session.say("run_comment_keep", current=kept))).strip()
            comment = kept if comment == "" else ("" if comment == "-" else comment)
        else:
            comment = clean_text(ask(session.say("run_comment"))).strip()
        response = response._replace(comment=comment or None)
    before = store[item.id]
    if (response.comment or None) != (before.comment if before is not None else None):
        store[item.id] = response
        session.save_draft()
    if "evidence" in needed:
        why = session.say(
            "run_required_on_finding" if item.require and item.require.evidence == "findings" else "run_required"
        )
        files: list[str] = []
        while not files:
            typed = clean_text(ask(session.say("run_evidence", why=why)))
            files = [f.strip() for f in typed.split(",") if f.strip()]
            if not files:
                screen.error(session.say("run_evidence_needed", item=item.id))
        store[item.id] = response._replace(evidence=tuple(files))
        session.save_draft()
    return _Next(index)


def _review_and_save(session: Session, ask: Callable[[str], str], screen: _Screen) -> Audit | int | None:
    """Show the review and ask to save: the saved audit, or the step to go on with."""
    from .scoring import score

    steps = session.steps()
    try:
        audit = session.audit()
        result = score(session.standard, audit)
    except InvalidInput as exc:
        for problem in exc.problems:
            screen.error(problem.message)
        return _first_open(session, steps, 0) or 0
    except Exception as exc:  # NothingToScore: every item N/A
        if type(exc).__name__ != "NothingToScore":
            raise
        screen.error(session.say("run_nothing_to_score"))
        return 0
    screen.say(_review(session, steps, result, screen))
    while True:
        reply = ask(session.say("run_save_prompt")).strip().casefold()
        if reply == "" or reply in session.replies("run_yes_replies"):
            write_atomic(session.output, session.to_yaml())
            try:
                os.unlink(draft_path(session.output))
            except FileNotFoundError:
                pass
            screen.say(session.say("run_saved", path=session.output))
            return audit
        if reply.startswith("g"):
            target = _goto(reply, steps)
            if target is None:
                screen.say(session.say("run_no_such_item", count=len(steps)))
                continue
            return target
        if reply in session.replies("run_no_replies"):
            screen.say(session.say("run_back_to_start"))
            return 0
        if reply in ("q", "quit"):
            raise Quit
        if reply in ("l", "list"):
            screen.say(_listing(session, steps))
            continue
        screen.error(session.say("run_save_unknown", reply=reply))


def _text_only(session: Session, ask: Callable[[str], str], screen: _Screen) -> Callable[[str], str]:
    """``ask``, asking again while what is typed is not UTF-8 text (a terminal set to another encoding)."""

    def asking(prompt: str) -> str:
        while True:
            try:
                reply = ask(prompt)
            except UnicodeDecodeError as exc:
                bad = exc.object[exc.start : exc.start + 1]
                shown = session.say("run_byte", code=f"{bad[0]:02X}") if isinstance(bad, bytes) and bad else ""
            else:
                found = yaml_undecodable_bytes(reply)
                if not found:
                    return reply
                shown = session.say("run_byte", code=f"{found[0]:02X}") if found[0] <= 0xFF else ""
            screen.error(session.say("run_not_utf8", byte=shown))

    return asking


class DraftLock:
    """The lock a ``qaudit run`` session holds on its audit's draft, so that no second session
    answers into the same file (one of them would lose the other's answers)."""

    def __init__(self, output: str) -> None:
        self.path = lock_path(output)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`QauditError` naming the session that holds it."""
        import fcntl

        from .problems import QauditError

        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
                os.close(fd)
                raise QauditError(
                    f"another 'qaudit run' session ({holder}) is filling in this audit and holds {self.path}; "
                    "finish or quit that session first, or choose another -o"
                ) from None
            except BaseException:
                os.close(fd)
                raise
            try:  # the lock file may have been removed by the session that held it: lock the one in place
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}".encode())
        self._fd = fd

    def release(self) -> None:
        """Give the lock up and remove its file."""
        if self._fd is None:
            return
        try:
            os.unlink(self.path)  # while still held: a session waiting on this file then tries again
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None


def lock_path(output: str) -> str:
    """The lock file of a session filling in ``output`` (a hidden file beside it)."""
    folder, name = os.path.split(output)
    return os.path.join(folder, f".{name}.lock")


def _goto(command: str, steps: list[Step]) -> int | None:
    parts = command.split(maxsplit=1)
    if len(parts) != 2:
        return None
    target = parts[1].strip()
    if target.isdigit() and 1 <= int(target) <= len(steps):
        return int(target) - 1
    for n, step in enumerate(steps):
        if step.key == target and step.kind not in ("skipped", "label", "more") and step.reason is None:
            return n
    return None


def _listing(session: Session, steps: list[Step]) -> str:
    lines = []
    for n, step in enumerate(steps, start=1):
        if step.kind in ("skipped", "label", "more"):
            continue
        where = ""
        if step.instance is not None and step.section is not None:
            where = f"{session.instance_word(step.section)} {session.instances[step.section.id][step.instance].label}: "
        if step.reason is not None:
            lines.append(f"  {n:>3}. {where + step.key:<30} " + session.say("run_does_not_apply", reason=step.reason))
            continue
        if step.kind == "field":
            value = session.fields.get(step.key)
            shown = "—" if step.key not in session.fields else str(value or session.say("run_left_empty"))
        elif step.kind in ("subject", "comment"):
            value = getattr(session, step.key)
            shown = "—" if step.key not in session.asked else value or session.say("run_left_empty")
        else:
            store = session._store(step)
            shown = "—" if step.key not in store else _shown(session, session.standard.items[step.key], store[step.key])
        lines.append(f"  {n:>3}. {where + step.key:<30} {shown}")
    return "\n".join(lines)


def _review(session: Session, steps: list[Step], result: object, screen: _Screen) -> str:
    from .scoring import AuditResult

    assert isinstance(result, AuditResult)
    title = session.say("run_review")
    lines = ["", title, "=" * len(title)]
    none = session.say("run_none_given")
    if session.v2:
        if session.fields:
            lines.append(session.say("run_review_fields"))
            for key, value in session.fields.items():
                lines.append(f"  {key}: {session.say('run_left_empty') if value is None else value}")
        lines.append(session.say("run_review_subject", subject=session.subject or none))
    lines.append(_listing(session, steps))
    findings = []
    for entry in result.items:
        if getattr(entry, "finding", False):
            instance = getattr(entry, "instance", None)
            findings.append(f"{entry.id}" + (f" ({instance})" if instance else ""))
    comments = []
    for step in steps:
        if step.kind == "item" and step.reason is None:
            response = session.response(step)
            if response is not None and response.comment:
                where = ""
                if step.instance is not None and step.section is not None:
                    where = f" ({session.instances[step.section.id][step.instance].label})"
                comments.append(f"  {step.key}{where}: {response.comment}")
    if comments:
        lines += [session.say("run_review_comments"), *comments]
    if session.v2:
        lines.append(session.say("run_review_overall", comment=session.comment or none))
    lines.append("")
    if session.v2:
        lines.append(
            screen.paint(session.say("run_review_findings", count=len(findings)), "yellow" if findings else "green")
            + (f" — {', '.join(findings)}" if findings else "")
        )
    score = session.say("run_review_score", score=f"{result.score:.2f}")
    if result.raw_score != result.score:
        score += " " + session.say("run_review_raw", raw=f"{result.raw_score:.2f}")
    lines.append(score)
    # A whole line is coloured, so that what it says stays one run of text.
    verdict = (
        session.say("run_no_pass_mark") if result.passed is None else session.say("pass" if result.passed else "fail")
    )
    style = () if result.passed is None else ("green", "bold") if result.passed else ("red", "bold")
    lines.append(screen.paint(session.say("run_review_grade", grade=result.grade, verdict=verdict), *style))
    if result.critical_failures:
        critical = session.say("run_review_critical", items=", ".join(dict.fromkeys(result.critical_failures)))
    else:
        critical = session.say("run_review_no_critical")
    lines.append(screen.paint(critical, *(("red", "bold") if result.critical_failures else ())))
    return "\n".join(lines)


__all__ = ["DraftLock", "InstanceDraft", "Quit", "Session", "Step", "draft_path", "lock_path", "run_session"]
