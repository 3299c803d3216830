"""Blank audits for inspectors (``qaudit new``)."""

from __future__ import annotations

import datetime as dt
import json

from .model import Item, Standard
from .terminal import scoring_rule


def _comment(text: str) -> str:
    return " ".join(text.split())


def _quote(value: str) -> str:
    # JSON strings are valid YAML double-quoted scalars.
    return json.dumps(value, ensure_ascii=False)


def describe_answers(item: Item, standard: Standard, lang: str | None) -> str:
    """The allowed answers of an item, for a comment line."""
    na = " | na" if item.na_allowed else ""
    if item.type == "yes_no":
        return f"yes | no{na}"
    if item.type == "scale":
        return f"a number from {item.min} to {item.max}{na}"
    if item.type == "number":
        return f"a number{f' ({item.unit})' if item.unit else ''}{na}"
    options = " | ".join(
        o.value + (f" ({_comment(standard.text(o.label, lang))})" if o.label is not None else "")
        for o in item.options or ()
    )
    return f"{options}{na}"


def blank_audit(standard: Standard, *, site: str, inspector: str, date: dt.date, lang: str | None = None) -> str:
    """A YAML audit listing every item in standard order with an empty value.

    Each item carries, as comments, its text in the audit's language, its type,
    the allowed answers and whether N/A is allowed.
    """
    lang = lang or standard.default_language
    lines = [
        f"# {_comment(standard.text(standard.title, lang))} ({standard.label})",
        '# Fill in every response; for a comment use  item: {value: ..., comment: "..."}',
        "# yaml-language-server: $schema=https://qaudit.dev/schema/audit.json",
        "schema: qaudit/audit@1",
        f"standard: {standard.id}",
        f"standard_version: {standard.version}",
        f"site: {_quote(site)}",
        f"inspector: {_quote(inspector)}",
        f"date: {date.isoformat()}",
    ]
    if lang:
        lines.append(f"language: {lang}")
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
                marks.append(f"scoring: {scoring_rule(item, standard, lang)}")
            lines.append(f"  #   {' · '.join(marks)}")
            lines.append(f"  {item.id}:")
    return "\n".join(lines) + "\n"
