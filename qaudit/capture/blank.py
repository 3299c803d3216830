"""Blank audits for inspectors (``qaudit new``).

A blank lists every item of the standard in standard order with an empty
value and, as comments, its text, guidance, type and the answers it takes, so
that an inspector (or a program) fills it by putting values in place of the
empty ones. A ``qaudit/standard@2`` blank also lists the header fields, the
subject and the overall comment, one block per instance of a repeated section,
and marks the items and sections that apply only under a condition: left empty,
those read as left out.
"""

from __future__ import annotations

import datetime as dt

from ..model.describe import scoring_rule
from ..model.standard import Condition, HeaderField, Item, Section, Standard
from .yamlwrite import comment as _comment
from .yamlwrite import document, header_lines, plain


def describe_answers(item: Item, standard: Standard, lang: str | None) -> str:
    """The allowed answers of an item, for a comment line."""
    na = " | na" if item.na_allowed else ""
    if item.type == "yes_no":
        return f"yes | no{na}"
    if item.type == "scale":
        return f"a number from {item.min} to {item.max}{na}"
    if item.type == "number":
        return f"a number{f' ({_comment(item.unit)})' if item.unit else ''}{na}"
    if item.type == "text":
        return "free text (quote it)"
    if item.type == "date":
        return f"a date written YYYY-MM-DD{na}"
    options = " | ".join(
        _comment(o.value) + (f" ({_comment(standard.text(o.label, lang))})" if o.label is not None else "")
        for o in item.choices
    )
    if item.type == "multi_choice":
        return f"a list of any of: {options}; [] for none{na}"
    return f"{options}{na}"


def describe_field(field_: HeaderField, standard: Standard, lang: str | None) -> str:
    """The allowed values of a header field, for a comment line or a form's hint."""
    if field_.type == "text":
        return "free text (quote it)"
    if field_.type == "number":
        return "a number"
    if field_.type == "date":
        return "a date written YYYY-MM-DD"
    options = field_.options if isinstance(field_.options, list) else []
    return " | ".join(
        _comment(o.value) + (f" ({_comment(standard.text(o.label, lang))})" if o.label is not None else "")
        for o in options
    )


def condition_note(condition: Condition | None) -> str | None:
    """``only when 'dining-mode' is stall``, or None when there is no condition."""
    return None if condition is None else f"only when {condition.describe()}"


def repeat_note(section: Section, standard: Standard, lang: str | None) -> str:
    """``one block per Room, from 1 to 12``: how a repeated section is filled."""
    repeat = section.repeat
    assert repeat is not None
    label = standard.text(repeat.label, lang) if repeat.label is not None else "instance"
    count = f"from {repeat.min} to {repeat.max}" if repeat.max is not None else f"at least {repeat.min}"
    return f"one block per {label}, {count}"


def instance_count(section: Section, instances: int | None) -> int:
    """How many blank blocks a repeated section gets: ``instances`` (at most the section's ``max``),
    else the section's ``min``."""
    repeat = section.repeat
    assert repeat is not None
    if instances is None:
        return repeat.min
    return instances if repeat.max is None else min(instances, repeat.max)


def blank_audit(
    standard: Standard,
    *,
    site: str,
    inspector: str,
    date: dt.date,
    lang: str | None = None,
    instances: int | None = None,
) -> str:
    """A YAML audit listing every item in standard order with an empty value.

    Each item carries, as comments, its text in the audit's language, its type,
    the allowed answers and whether N/A is allowed. ``instances``: the number of
    blocks of each repeated section (default: the section's ``min``).
    """
    lang = lang or standard.default_language
    if standard.is_v2:
        how_to = [
            "# Fill in every value that applies; leave empty what does not apply. For a comment or evidence use",
            '#   item: {value: ..., comment: "...", evidence: [photo.jpg]}',
        ]
    else:
        how_to = ['# Fill in every response; for a comment use  item: {value: ..., comment: "..."}']
    lines = [
        f"# {_comment(f'{standard.text(standard.title, lang)} ({standard.label})')}",
        *how_to,
        "# yaml-language-server: $schema=https://qaudit.dev/schema/audit.json",
        *header_lines(
            standard=standard.id,
            version=standard.version,
            site=site,
            inspector=inspector,
            date=date.isoformat(),
            language=lang,
            schema="qaudit/audit@2" if standard.is_v2 else "qaudit/audit@1",
        ),
    ]
    if standard.is_v2:
        return _blank_v2(standard, lines, lang=lang, instances=instances)
    lines.append("responses:")
    for section in standard.sections:
        lines.append(f"  # == {_comment(standard.text(section.title, lang))} ==")
        for item in section.items:
            lines += _item_lines(item, standard, lang, "  ")
    return document(lines)


def _item_lines(item: Item, standard: Standard, lang: str | None, indent: str) -> list[str]:
    lines = [f"{indent}# {_comment(standard.text(item.text, lang))}"]
    if item.guidance is not None:
        lines.append(f"{indent}#   {_comment(standard.text(item.guidance, lang))}")
    marks = [item.type, f"answer: {describe_answers(item, standard, lang)}"]
    if standard.is_v2:
        if item.type in ("text", "date"):
            marks.append("required" if item.is_required else "optional: may stay empty")
        else:
            marks.append("N/A allowed" if item.na_allowed else "N/A not allowed")
        if not item.is_scored and item.type not in ("text", "date"):
            marks.append("not scored")
        if item.require is not None:
            for what in ("comment", "evidence"):
                need = getattr(item.require, what)
                if need != "never":
                    marks.append(f"{what} required {'on a finding' if need == 'findings' else 'always'}")
    else:
        marks.append("N/A allowed" if item.na_allowed else "N/A not allowed")
    if item.critical:
        marks.append("CRITICAL")
    if item.type == "number":
        marks.append(f"scoring: {_comment(scoring_rule(item, standard, lang))}")
    lines.append(f"{indent}#   {' · '.join(marks)}")
    note = condition_note(item.when)
    if note is not None:
        lines.append(f"{indent}# {_comment(note)} (otherwise leave it empty)")
    empty = " []" if item.type == "multi_choice" else ""
    lines.append(f"{indent}{plain(item.id)}:{empty}")
    return lines


def _blank_v2(standard: Standard, lines: list[str], *, lang: str | None, instances: int | None) -> str:
    """The rest of a ``@2`` blank audit after its opening ``lines`` (title, how to fill it in, header)."""
    if standard.fields:
        lines.append("fields:")
        for field_ in standard.fields:
            marks = [field_.type, "required" if field_.required else "optional"]
            marks.append(f"answer: {describe_field(field_, standard, lang)}")
            lines.append(f"  # {_comment(standard.text(field_.text, lang))}")
            lines.append(f"  #   {' · '.join(marks)}")
            lines.append(f"  {plain(field_.id)}:")
    lines.append("# What was audited within the site (a room, a call, a visit); optional, quote numbers")
    lines.append("subject:")
    lines.append("responses:")
    for section in standard.sections:
        heading = f"== {standard.text(section.title, lang)} =="
        note = condition_note(section.when)
        if note is not None:
            heading += f" {note} (otherwise leave its items empty)"
        if section.repeat is None:
            lines.append(f"  # {_comment(heading)}")
            for item in section.items:
                lines += _item_lines(item, standard, lang, "  ")
            continue
        lines.append(f"  # {_comment(heading + ' ' + repeat_note(section, standard, lang))}")
        lines.append(f"  {plain(section.id)}:")
        label = standard.text(section.repeat.label, lang) if section.repeat.label is not None else "instance"
        for number in range(1, instance_count(section, instances) + 1):
            lines.append(f"    # {_comment(label)} {number}: its label (the room number, the call id), quoted")
            lines.append('    - instance: ""')
            for item in section.items:
                lines += _item_lines(item, standard, lang, "      ")
    lines.append("# The overall comment on the visit; optional")
    lines.append("comment:")
    return document(lines)
