"""Reading an audit's responses against its standard: conditions, instances, header fields.

Items are read in standard order, so that a ``when`` condition (contract 7.4)
always sees the answers it names; a repeated section (7.6) is read instance by
instance, its conditions seeing the same instance's answers. Each value is read
by :func:`qaudit.model.responses.read_value`; each problem is reported through
``add(path, rule, message, key)`` so the caller can locate it (a YAML line, a form cell).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..io.yamlsrc import Path, QStr, implicit_type
from ..model.conditions import holds, why_false
from ..model.memo import Memo
from ..model.responses import (
    INSTANCE_KEY,
    NA_VALUES,
    RESPONSE_KEYS,
    Instance,
    Response,
    is_finding,
    read_date,
    read_number,
    read_value,
    scalar_text,
)
from ..model.standard import Condition, HeaderField, Item, Section, Standard
from ..model.validation import did_you_mean, show


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def read_answer(standard: Standard, item: Item, raw: Any) -> tuple[Any, bool, str | None]:
    """:func:`~qaudit.model.responses.read_value` of ``raw`` for an item of ``standard``: worked out once per
    item and distinct scalar answer, then taken from the standard's memo."""
    kind = type(raw)
    if kind is list or kind is dict:
        return read_value(item, raw)
    key = (item.id, kind, repr(raw) if kind is float else raw)  # -0.0 == 0.0, but reads apart
    memo = standard.memo.read
    found = memo.get(key)
    if found is None:
        found = read_value(item, raw)
        if len(memo) < Memo.LIMIT:
            memo[key] = found
    return found


class ResponseReader:
    """Reads every response of one audit, reporting each problem through ``add(path, rule, message, key)``."""

    def __init__(
        self, standard: Standard, add: Callable[..., None], *, on_missing: Callable[[Path, Item], None] | None = None
    ) -> None:
        self.standard = standard
        self.add = add
        # A form reports each unanswered item at its own cell: it takes them one by one.
        self.on_missing = on_missing
        self.answer_memo = standard.memo.answers

    # --- the whole audit -------------------------------------------------------------------------

    def read(self, raw: dict[str, Any]) -> tuple[dict[str, Response], dict[str, tuple[Instance, ...]]]:
        """The responses of items outside repeated sections, and the instances of each repeated section."""
        std = self.standard
        answer_keys = std.answer_keys
        for key in raw if not answer_keys.keys() >= raw.keys() else ():
            if key in answer_keys:
                continue
            section = std.section_of.get(key)
            if section is not None:
                message = (
                    f"'{key}' belongs to the repeated section '{section.id}'; "
                    f"answer it in each instance listed under '{section.id}'"
                )
            else:
                message = f"'{key}' is not an item of {std.label}{did_you_mean(key, list(answer_keys))}"
            self.add(("responses", key), "unknown-item", message, key=True)
        answers: dict[str, Any] = {}
        memo = self.answer_memo
        found: dict[str, Response] = {}
        instances: dict[str, tuple[Instance, ...]] = {}
        missing: list[str] = []
        conditional = std.conditional  # only then are the answers so far needed
        for section in std.sections:
            section_reason = self._reason(section.when, answers)
            if section.repeat is not None:
                read = self._instances(section, raw, section_reason, answers)
                if read is not None:
                    instances[section.id] = read
                continue
            for item in section.items:
                item_id = item.id
                response = None
                if section_reason is None and item.when is None:
                    # The everyday answer, a bare value read before: straight from the standard's memo.
                    entry = raw.get(item_id)
                    kind = type(entry)
                    if kind is str or kind is QStr or kind is bool or kind is int:
                        response = memo.get((item_id, kind, entry))
                    if response is None:
                        response = self._one(item, raw, ("responses",), None, False, missing)
                else:
                    reason = section_reason or self._reason(item.when, answers)
                    response = self._one(item, raw, ("responses",), reason, section_reason is not None, missing)
                if response is not None:
                    found[item_id] = response
                    if conditional and response.applicable and not response.na and response.value is not None:
                        answers[item_id] = response.value
        if missing:
            shown = ", ".join(missing[:12]) + (f" and {len(missing) - 12} more" if len(missing) > 12 else "")
            self.add(
                ("responses",),
                "missing-response",
                f"no response for {_plural(len(missing), 'item')} of {std.label}: {shown}; "
                f"add {'them' if len(missing) > 1 else 'it'}",
                key=True,
            )
        return found, instances

    def _reason(self, condition: Condition | None, answers: Mapping[str, Any]) -> str | None:
        """None when the condition holds (or there is none); otherwise why it does not."""
        if condition is None or holds(condition, answers, self.standard.items):
            return None
        return why_false(condition, answers, self.standard.items)

    # --- one response ----------------------------------------------------------------------------

    def _one(
        self,
        item: Item,
        container: dict[str, Any],
        base: Path,
        reason: str | None,
        by_section: bool,
        missing: list[str],
    ) -> Response | None:
        entry = container.get(item.id)
        kind = type(entry)
        plain = reason is None and (kind is str or kind is QStr or kind is bool or kind is int) and item.require is None
        if plain:
            # The everyday answer, a bare value: read once per item and value (the standard's memo).
            found = self.answer_memo.get((item.id, kind, entry))
            if found is not None:
                return found
        path = base + (item.id,)
        if item.id not in container:
            if reason is not None:
                return Response(None, applicable=False)
            if not item.is_required:
                return Response(None)
            if self.on_missing is not None:
                self.on_missing(path, item)
            else:
                missing.append(item.id)
            return None
        entry = container[item.id]
        comment: str | None = None
        evidence: tuple[str, ...] = ()
        value_path = path
        if isinstance(entry, dict):
            for key in entry:
                if key not in RESPONSE_KEYS:
                    self.add(
                        path + (key,),
                        "unknown-key",
                        f"unknown key '{key}' in the response to '{item.id}'"
                        f"{did_you_mean(key, RESPONSE_KEYS) or '; use value, comment and evidence'}",
                        key=True,
                    )
            if "value" not in entry:
                self.add(path, "missing-key", f"the response to '{item.id}' has no 'value'; add it")
                return None
            comment = self._comment(entry, path)
            evidence = self._evidence(entry, path)
            value_path = path + ("value",)
            entry = entry["value"]
        if reason is not None:
            # Left empty (a blank audit's `item:`, `""` or `[]`) is left out, and `na` is accepted.
            if entry is None or entry == [] or (isinstance(entry, str) and entry.strip().lower() in NA_VALUES | {""}):
                return Response(None, False, comment, evidence, applicable=False)
            because = f"{reason} (the condition of its section)" if by_section else reason
            self.add(
                value_path, "not-applicable", f"'{item.id}' does not apply because {because}; remove it or answer na"
            )
            return None
        if item.type in ("text", "date") and not item.is_required and entry is None:
            return Response(None, False, comment, evidence)
        value, na, message = self._read(item, entry)
        if message is not None:
            empty_text = item.type == "text" and isinstance(entry, str) and not entry.strip()
            rule = "missing-response" if entry is None or empty_text else "invalid-value"
            if "N/A" in message:
                rule = "na-not-allowed"
            self.add(value_path, rule, message)
            return None
        response = Response(value, na, comment, evidence)
        if item.require is not None and not na:
            self._required(item, response, path)
        elif plain and len(self.answer_memo) < Memo.LIMIT:
            self.answer_memo[(item.id, kind, entry)] = response
        return response

    def _read(self, item: Item, raw: Any) -> tuple[Any, bool, str | None]:
        return read_answer(self.standard, item, raw)

    def _required(self, item: Item, response: Response, path: Path) -> None:
        require = item.require
        assert require is not None
        _, finding = is_finding(self.standard, item, response)
        for what, rule, given, hint in (
            ("comment", "comment-required", bool(response.comment and response.comment.strip()), "add a comment"),
            ("evidence", "evidence-required", bool(response.evidence), "add evidence: [photo.jpg]"),
        ):
            need = getattr(require, what)
            if given or need == "never" or (need == "findings" and not finding):
                continue
            when = "on a finding" if need == "findings" else "whenever it is answered"
            self.add(
                path,
                rule,
                f"'{item.id}' needs {'a comment' if what == 'comment' else 'evidence'} {when}; "
                f"write it in the mapping form: {{value: ..., {what}: ...}} ({hint})",
            )

    def _comment(self, entry: dict[str, Any], path: Path) -> str | None:
        comment = entry.get("comment")
        if comment is None:
            return None
        if isinstance(comment, (dict, list)):
            self.add(path + ("comment",), "wrong-type", "'comment' must be text; quote it if it holds ': '")
            return None
        return str(comment)

    def _evidence(self, entry: dict[str, Any], path: Path) -> tuple[str, ...]:
        evidence = entry.get("evidence")
        if evidence is None:
            return ()
        if isinstance(evidence, str):
            evidence = [evidence]
        if not isinstance(evidence, list) or any(isinstance(e, (dict, list)) or e is None for e in evidence):
            self.add(path + ("evidence",), "wrong-type", "'evidence' must be a list of file names or links")
            return ()
        return tuple(str(e) for e in evidence)

    # --- repeated sections -----------------------------------------------------------------------

    def _instances(
        self, section: Section, raw: dict[str, Any], reason: str | None, answers: Mapping[str, Any]
    ) -> tuple[Instance, ...] | None:
        repeat = section.repeat
        assert repeat is not None
        path: Path = ("responses", section.id)
        if section.id not in raw:
            if reason is not None:
                return ()
            self.add(
                ("responses",),
                "missing-response",
                f"no instances of the repeated section '{section.id}'; list at least {repeat.min} under "
                f"'{section.id}:', each starting with '- instance: <label>'",
                key=True,
            )
            return None
        entries = raw[section.id]
        if reason is not None and isinstance(entries, str) and entries.strip().lower() in NA_VALUES:
            return ()
        if not isinstance(entries, list):
            self.add(
                path,
                "wrong-type",
                f"'{section.id}' is a repeated section: give a list of instances, each starting with "
                "'- instance: <label>'",
            )
            return None
        if reason is None:
            count = len(entries)
            if count < repeat.min or (repeat.max is not None and count > repeat.max):
                limit = f"from {repeat.min} to {repeat.max}" if repeat.max is not None else f"at least {repeat.min}"
                self.add(
                    path,
                    "instance-count",
                    f"'{section.id}' has {_plural(count, 'instance')}; list {limit}",
                    key=True,
                )
        read: list[Instance] = []
        labels: set[str] = set()
        ok = True
        for index, entry in enumerate(entries):
            base: Path = ("responses", section.id, index)
            if not isinstance(entry, dict):
                self.add(
                    base,
                    "invalid-instance",
                    f"instance {index + 1} of '{section.id}' must be a mapping starting with 'instance: <label>'",
                )
                ok = False
                continue
            label = self._label(section, entry, base, index)
            if label is None:
                ok = False
            elif label in labels:
                self.add(
                    base + (INSTANCE_KEY,),
                    "duplicate-instance",
                    f"instance '{label}' of '{section.id}' is listed twice; give each instance its own label",
                )
                ok = False
            else:
                labels.add(label)
            own = {i.id for i in section.items}
            for key in entry:
                if key != INSTANCE_KEY and key not in own:
                    self.add(
                        base + (key,),
                        "unknown-item",
                        f"'{key}' is not an item of the repeated section '{section.id}'{did_you_mean(key, own)}",
                        key=True,
                    )
            scope = dict(answers)
            responses: dict[str, Response] = {}
            missing: list[str] = []
            for item in section.items:
                item_reason = reason or self._reason(item.when, scope)
                response = self._one(item, entry, base, item_reason, reason is not None, missing)
                if response is None:
                    ok = False
                    continue
                responses[item.id] = response
                if response.applicable and not response.na and response.value is not None:
                    scope[item.id] = response.value
            if missing:
                ok = False
                self.add(
                    base,
                    "missing-response",
                    f"instance '{label or index + 1}' of '{section.id}' has no response for "
                    f"{', '.join(missing)}; add {'them' if len(missing) > 1 else 'it'}",
                )
            read.append(Instance(label or "", responses))
        return tuple(read) if ok else None

    def _label(self, section: Section, entry: dict[str, Any], base: Path, index: int) -> str | None:
        if INSTANCE_KEY not in entry:
            self.add(
                base,
                "invalid-instance",
                f"instance {index + 1} of '{section.id}' has no label; start it with 'instance: <label>' "
                "(the room number, the call id)",
            )
            return None
        label = entry[INSTANCE_KEY]
        where = base + (INSTANCE_KEY,)
        if isinstance(label, (dict, list)) or label is None or (isinstance(label, str) and not label.strip()):
            self.add(where, "invalid-instance", f"the instance label of '{section.id}' must be non-empty text")
            return None
        read_as = implicit_type(label) if isinstance(label, str) and not isinstance(label, QStr) else None
        if read_as is not None or not isinstance(label, str):
            self.add(
                where,
                "invalid-instance",
                f"instance label {show(label)} of '{section.id}' is read by YAML as {read_as or 'a number'}, "
                f'not text; quote it: instance: "{label}"',
            )
            return None
        return str(label)


def read_fields(standard: Standard, raw: Any, add: Callable[..., None]) -> dict[str, Any]:
    """The header fields of an audit, by the standard's field order, values read by each field's type."""
    known = standard.field_map
    given: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if raw is not None and not isinstance(raw, dict):
        add(("fields",), "wrong-type", "'fields' must be a mapping of field id to value, e.g. {room-number: \"412\"}")
    for key in given:
        if key not in known:
            hint = did_you_mean(str(key), known) or (
                f"; fields of {standard.label}: {', '.join(known)}" if known else f"; {standard.label} has no fields"
            )
            add(("fields", key), "unknown-field", f"'{key}' is not a field of {standard.label}{hint}", key=True)
    found: dict[str, Any] = {}
    for field_ in standard.fields or ():
        if field_.id not in given or given[field_.id] is None or given[field_.id] == "":
            if field_.required:
                add(
                    ("fields",),
                    "missing-field",
                    f"the required field '{field_.id}' is missing; add it under 'fields:'",
                    key=True,
                )
            continue
        value, message = _field_value(field_, given[field_.id])
        if message is not None:
            add(("fields", field_.id), "invalid-field", message)
            continue
        found[field_.id] = value
    return found


def _field_value(field_: HeaderField, raw: Any) -> tuple[Any, str | None]:
    shown = scalar_text(raw)
    if shown is None:
        return None, f"{field_.id}: {show(raw)} is not a single value; give one value"
    if field_.type == "text":
        return shown, None
    if field_.type == "number":
        number = read_number(raw)
        if number is None:
            return None, f"{field_.id}: '{shown}' is not a number; give a number"
        return number, None
    if field_.type == "date":
        day = read_date(raw)
        if day is None:
            return None, f"{field_.id}: '{shown}' is not a day of the calendar; give a date written YYYY-MM-DD"
        return day, None
    options = field_.options if isinstance(field_.options, list) else []
    values = [o.value for o in options]
    if shown not in values:
        return None, (
            f"{field_.id}: '{shown}' is not an option{did_you_mean(shown, values)}; use one of: {', '.join(values)}"
        )
    return shown, None
