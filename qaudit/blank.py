"""Blank audits for inspectors (``qaudit new``)."""

from __future__ import annotations

import datetime as dt

from .model import Item, Standard
from .terminal import scoring_rule
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
    options = " | ".join(
        _comment(o.value) + (f" ({_comment(standard.text(o.label, lang))})" if o.label is not None else "")
        for o in item.choices
    )
    return f"{options}{na}"


def blank_audit(standard: Standard, *, site: str, inspector: str, date: dt.date, lang: str | None = None) -> str:
    """A YAML audit listing every item in standard order with an empty value.

    Each item carries, as comments, its text in the audit's language, its type,
    the allowed answers and whether N/A is allowed.
    """
    lang = lang or standard.default_language
    lines = [
        f"# {_comment(f'{standard.text(standard.title, lang)} ({standard.label})')}",
        '# Fill in every response; for a comment use  item: {value: ..., comment: "..."}',
        "# yaml-language-server: $schema=https://qaudit.dev/schema/audit.json",
        *header_lines(
            standard=standard.id,
            version=standard.version,
            site=site,
            inspector=inspector,
            date=date.isoformat(),
            language=lang,
        ),
    ]
    lines.append("responses:")
    for section in standard.sections:
        lines.append(f"  # == {_comment(standard.text(section.title, lang))} ==")
        for item in section.items:
            lines.append(f"  # {_comment(standard.text(item.text, lang))}")
            if item.guidance is not None:
                lines.append(f"  #   {_comment(standard.text(item.guidance, lang))}")
            marks = [item.type, f"answer: {describe_answers(item, standard, lang)}"]
            marks.append("N/A allowed" if item.na_allowed else "N/A not allowed")
            if item.critical:
                marks.append("CRITICAL")
            if item.type == "number":
                marks.append(f"scoring: {_comment(scoring_rule(item, standard, lang))}")
            lines.append(f"  #   {' · '.join(marks)}")
            lines.append(f"  {plain(item.id)}:")
    return document(lines)
