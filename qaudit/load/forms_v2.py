"""Reading a Forms v2 table (ID, Instance, Response, Comment, Evidence; field and audit rows)
into the audit a YAML file with the same answers is, every problem located at its cell.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from ..model.audit import Audit
from ..model.standard import Item, Standard
from ..model.validation import did_you_mean
from ..problems import InvalidInput, Problem, error
from .form_cells import (
    COLUMNS_V2,
    COMMENT_ID,
    FIELD_PREFIX,
    LITERAL_FORMULAS,
    SUBJECT_ID,
    answer_text,
    cell_problem,
    cell_text,
    clean_text,
    fold_text,
    form_id,
    is_formula,
    labels_hint,
    option_value,
    raw_cell,
    split_values,
)


class Visit(NamedTuple):
    """The visit a form's header block names (already checked)."""

    site: str
    inspector: str
    day: dt.date | None


class _Block:
    """Rows of one instance of a repeated section, as found in a form."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, Item, tuple[Any, ...]]] = []
        self.label = ""
        self.label_row: int | None = None
        self.filled = False

    def has(self, item: Item) -> bool:
        return any(entry[1].id == item.id for entry in self.rows)


def read_v2(
    path: str,
    rows: list[tuple[Any, ...]],
    header_row: int,
    standard: Standard,
    lang: str,
    problems: list[Problem],
    visit: Visit,
) -> Audit:
    """Read a Forms v2 table: the cells become the audit a YAML file with the same answers is, read by
    the same reader (:class:`~qaudit.load.response_reader.ResponseReader`), every problem located at its cell."""
    from ..io.yamlsrc import QStr
    from ..model.audit import anything_scored
    from .response_reader import ResponseReader, read_fields

    names = [str(v).strip() if v is not None else "" for v in rows[header_row]]
    col = {name: names.index(name) for name in COLUMNS_V2 if name in names}
    id_col, response_col = col["ID"], col["Response"]

    def cell(row: tuple[Any, ...], name: str) -> Any:
        index = col.get(name)
        return row[index] if index is not None and index < len(row) else None

    def problem(at: int, name: str, rule: str, message: str) -> None:
        problems.append(cell_problem(path, at, col.get(name, id_col) + 1, rule, message))

    where: dict[tuple[Any, ...], tuple[int, int]] = {}
    skip: set[tuple[Any, ...]] = set()  # paths already reported here: the reader says nothing more of them
    raw_fields: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    seen: dict[str, int] = {}
    blocks: dict[str, list[_Block]] = {}
    subject: str | None = None
    overall: str | None = None

    def response_of(at: int, row: tuple[Any, ...], item: Item, base: tuple[Any, ...]) -> Any:
        """The YAML-shaped response of one item row (absent when Response, Comment and Evidence are empty)."""
        path = base + (item.id,)
        where[path] = where[path + ("value",)] = (at, response_col + 1)
        if "Comment" in col:
            where[path + ("comment",)] = (at, col["Comment"] + 1)
        if "Evidence" in col:
            where[path + ("evidence",)] = (at, col["Evidence"] + 1)
        value = cell(row, "Response")
        value = LITERAL_FORMULAS.get(value.strip().upper(), value) if isinstance(value, str) else value
        if is_formula(value):
            problem(at, "Response", "formula", "holds a formula; formulas are never evaluated: type the answer itself")
            skip.add(path)
            return None
        comment, evidence = cell(row, "Comment"), cell(row, "Evidence")
        for name, found in (("Comment", comment), ("Evidence", evidence)):
            if is_formula(found) and not isinstance(found, str):
                problem(at, name, "formula", f"holds a formula; type the {name.lower()} as text")
                skip.add(path)
                return None
        entry = _cell_answer(item, value)
        if entry is None and cell_text(comment) == "" and cell_text(evidence) == "":
            return None
        if cell_text(comment) == "" and cell_text(evidence) == "":
            return entry
        mapping: dict[str, Any] = {"value": entry}
        if cell_text(comment) != "":
            mapping["comment"] = clean_text(raw_cell(comment))
        if cell_text(evidence) != "":
            mapping["evidence"] = [clean_text(e).strip() for e in raw_cell(evidence).split(",") if e.strip()]
        return mapping

    for at, row in enumerate(rows[header_row + 1 :], start=header_row + 2):
        ident = cell_text(cell(row, "ID"))
        label = cell_text(raw_cell(cell(row, "Instance")))
        if ident == "":
            if any(cell_text(cell(row, n)) != "" for n in ("Instance", "Response", "Comment", "Evidence")):
                problem(at, "ID", "missing-key", "this row has an answer but no ID; put the ID back (or clear the row)")
            continue
        if ident in seen and not (ident in standard.items and standard.section_of[ident].repeat is not None):
            problem(at, "ID", "duplicate-key", f"'{ident}' is listed again (first in row {seen[ident]})")
            continue
        if ident.startswith(FIELD_PREFIX):
            field_id = ident[len(FIELD_PREFIX) :]
            seen[ident] = at
            where[("fields", field_id)] = (at, response_col + 1)
            if field_id not in standard.field_map:
                known = list(standard.field_map)
                hint = did_you_mean(field_id, known) or (
                    f"; fields of {standard.label}: {', '.join(known)}" if known else ""
                )
                problem(at, "ID", "unknown-field", f"'{field_id}' is not a field of {standard.label}{hint}")
                continue
            value = cell(row, "Response")
            if is_formula(value):
                problem(at, "Response", "formula", "holds a formula; type the value itself")
                skip.add(("fields", field_id))
                continue
            if cell_text(value) != "":
                raw_fields[field_id] = _field_answer(standard.field_map[field_id], value)
            continue
        if ident in (SUBJECT_ID, COMMENT_ID):
            seen[ident] = at
            value = cell(row, "Response")
            text = clean_text(raw_cell(value)).strip() if cell_text(value) != "" else None
            if ident == SUBJECT_ID:
                subject = text
            else:
                overall = text
            continue
        item = standard.items.get(ident)
        if item is None:
            hint = did_you_mean(ident, [*standard.items, *(f"field:{f}" for f in standard.field_map)])
            problem(at, "ID", "unknown-item", f"'{ident}' is not an item of {standard.label}{hint}")
            continue
        section = standard.section_of[ident]
        if section.repeat is None:
            seen[ident] = at
            if label:
                problem(
                    at,
                    "Instance",
                    "invalid-instance",
                    f"'{ident}' is not in a repeated section; leave its Instance cell empty",
                )
                continue
            entry = response_of(at, row, item, ("responses",))
            if entry is not None:
                raw[ident] = entry
            continue
        found = blocks.setdefault(section.id, [])
        if not found or found[-1].has(item) or (label and found[-1].label and label != found[-1].label):
            found.append(_Block())
        block = found[-1]
        block.rows.append((at, item, row))
        if label and not block.label:
            block.label, block.label_row = label, at
        if label or cell_text(cell(row, "Response")) != "":
            block.filled = True
    for section_id, found in blocks.items():
        kept = [b for b in found if b.filled]
        if not kept:
            continue
        first_row = kept[0].label_row or kept[0].rows[0][0]
        where[("responses", section_id)] = (first_row, col.get("Instance", id_col) + 1)
        entries: list[dict[str, Any]] = []
        for block in kept:
            base = ("responses", section_id, len(entries))
            if not block.label:
                section = standard.section_of[block.rows[0][1].id]
                what = standard.text(section.repeat.label, lang) if section.repeat and section.repeat.label else ""
                problem(
                    block.rows[0][0],
                    "Instance",
                    "invalid-instance",
                    f"this block of '{section_id}' has answers but no label; write the {what.lower() or 'instance'}"
                    " label (the room number, the call id) in Instance",
                )
                continue
            assert block.label_row is not None
            where[base] = where[base + ("instance",)] = (block.label_row, col.get("Instance", id_col) + 1)
            instance_entry: dict[str, Any] = {"instance": QStr(clean_text(block.label))}
            for at, item, row in block.rows:
                response = response_of(at, row, item, base)
                if response is not None:
                    instance_entry[item.id] = response
            entries.append(instance_entry)
        raw[section_id] = entries

    def locate(path: tuple[Any, ...]) -> tuple[int, int]:
        for end in range(len(path), 0, -1):
            if path[:end] in where:
                return where[path[:end]]
        return (header_row + 1, id_col + 1)

    def add(path: tuple[Any, ...], rule: str, message: str, *, key: bool = False) -> None:
        if path in skip or (len(path) > 1 and path[:-1] in skip and path[-1] == "value"):
            return
        if rule == "missing-field":
            named = re.search(r"'([^']+)'", message)
            if named:
                path = ("fields", named.group(1))
        if rule == "missing-response" and path == ("responses",):
            named = re.search(r"'([^']+)'", message)
            section_id = named.group(1) if named else ""
            section = next((s for s in standard.sections if s.id == section_id), None)
            if section is not None and section.repeat is not None:
                message = (
                    f"no block of the repeated section '{section_id}' is filled in; write the label in Instance "
                    f"and the answers of at least {section.repeat.min}"
                )
        item = standard.items.get(str(path[-2] if path[-1] == "value" else path[-1])) if len(path) > 1 else None
        if rule == "invalid-value" and item is not None:
            message += labels_hint(item, standard, lang)
        line, column = locate(path)
        problems.append(cell_problem(path_name, line, column, rule, message))

    path_name = path

    def missing(at_path: tuple[Any, ...], item: Item) -> None:
        if at_path in skip:
            return
        if at_path not in where:
            add(
                at_path[:-1] if len(at_path) > 2 else ("responses",),
                "missing-response",
                f"no row for item '{item.id}'; add it (make a new form with 'qaudit form')",
            )
            return
        from ..model.responses import allowed_values

        add(at_path, "missing-response", f"item '{item.id}' has no response; {allowed_values(item)}")

    reader = ResponseReader(standard, add, on_missing=missing)
    responses, instances = reader.read(raw)
    fields = read_fields(standard, raw_fields, add)
    if not problems and not anything_scored(standard, responses, instances):
        problems.append(
            error(
                path,
                1,
                1,
                "nothing-scored",
                "no scored item is answered (each is N/A, unscored or does not apply), so the audit has no score; "
                "answer at least one scored item",
            )
        )
    if problems:
        raise InvalidInput(sorted(problems))
    assert visit.day is not None
    return Audit(
        id=form_id(path),
        file=path,
        standard=standard.id,
        standard_version=standard.version,
        site=visit.site,
        inspector=visit.inspector,
        date=visit.day,
        responses=responses,
        language=lang,
        source="xlsx",
        subject=subject,
        fields=fields,
        comment=overall,
        instances=instances,
    )


def _cell_answer(item: Item, value: Any) -> Any:
    """A Response cell as the YAML value that means the same; None for an empty cell."""
    if cell_text(value) == "" and not (item.type == "text" and isinstance(value, str) and value):
        return None
    raw = raw_cell(value)
    if item.type == "multi_choice":
        return [option_value(item, part) for part in split_values(raw)]
    if item.type == "text":
        return clean_text(raw)
    return answer_text(item, raw) if isinstance(raw, str) else raw


def _field_answer(field_: Any, value: Any) -> Any:
    """A header field's cell as the YAML value that means the same (a choice by its value or label)."""
    raw = raw_cell(value)
    if field_.type == "choice" and isinstance(field_.options, list):
        folded = fold_text(raw)
        for option in field_.options:
            label = option.label
            texts = list(label.values()) if isinstance(label, dict) else [label] if isinstance(label, str) else []
            if folded == fold_text(option.value) or folded in (fold_text(t) for t in texts):
                return option.value
    if field_.type == "text":
        from ..io.yamlsrc import QStr

        return QStr(clean_text(raw))  # taken as written, never as another YAML type
    return raw
