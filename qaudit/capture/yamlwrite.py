"""Writing YAML: the one writer behind blank audits, guided-audit drafts and converted forms (:func:`audit_yaml`).

Whatever text it is given, what it writes reads back through qaudit's own loader
(:mod:`qaudit.io.source`, :mod:`qaudit.io.yamlsrc`) as exactly that text:

* text is written double-quoted, as JSON writes it (letters of every script as
  they are), and in addition with an escape for each character YAML would read
  as a line break (NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR) or that the loader
  refuses in a file (a byte-order mark after the start);
* the control characters no audit may hold (refused by the loader even when
  escaped, removed by every reader of forms and typed answers) are left out, and
  an unpaired surrogate (undecodable bytes) becomes U+FFFD;
* a word written plain (an id, a language) is quoted when YAML would read it as
  another type (``no``, ``1.0``, ``2026-01-01``, ``null``);
* a comment is one line: line breaks become spaces, what a file may not hold is left out.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ..io.source import CONTROL_CHARACTERS
from ..io.yamlsrc import implicit_type

if TYPE_CHECKING:
    from ..model.audit import Audit
    from ..model.responses import Response
    from ..model.standard import Item, Standard

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\x85": "\\u0085",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
    "\ufeff": "\\ufeff",
}
_NEEDS_ESCAPE = re.compile('["\\\\\n\r\t\x85\u2028\u2029\ufeff]')
# A plain word that reads back as itself: starts with a letter or digit, no indicator, space or ':'.
_PLAIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/@-]*")
_NULL_WORDS = frozenset(("null", "Null", "NULL"))
# Anything a comment line may not hold raw: controls, YAML's other line breaks, a byte-order mark.
_NOT_IN_COMMENT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` without what no audit may hold: control characters out, unpaired surrogates as U+FFFD."""
    return _SURROGATE.sub("\ufffd", CONTROL_CHARACTERS.sub("", text))


def undecodable_bytes(text: str) -> list[int]:
    """The bytes of ``text`` that were not UTF-8 (Python keeps them as unpaired surrogates), in order."""
    return [ord(c) - 0xDC00 if "\udc80" <= c <= "\udcff" else 0xFFFD for c in _SURROGATE.findall(text)]


def quoted(text: str) -> str:
    """``text`` (cleaned, see :func:`clean`) as a double-quoted scalar that reads back as exactly that text."""
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], clean(text)) + '"'


def plain(word: str) -> str:
    """A word written plain when YAML reads it back as that same text; quoted otherwise."""
    if _PLAIN_WORD.fullmatch(word) and implicit_type(word) is None and word not in _NULL_WORDS:
        return word
    return quoted(word)


def flow_list(texts: Iterable[str]) -> str:
    """A one-line list of quoted texts, ``["a", "b"]``."""
    return "[" + ", ".join(quoted(t) for t in texts) + "]"


def comment(text: str) -> str:
    """``text`` as the body of one ``#`` comment line: every run of spaces and line breaks one space."""
    return " ".join(_NOT_IN_COMMENT.sub(" ", _SURROGATE.sub("\ufffd", text)).split())


_comment_line = comment  # for functions whose ``comment`` is an audit's comment


def answer(item: Item, response: Response) -> str:
    """The YAML of a response's value: ``na``, ``yes``/``no``, a quoted option or text, a list of
    options, a date or a number."""
    if response.na:
        return "na"
    if item.type == "yes_no":
        return "yes" if response.value else "no"
    if item.type in ("choice", "text"):
        return quoted(str(response.value))
    if item.type == "multi_choice":
        return flow_list(response.value or ())  # type: ignore[arg-type]
    return str(response.value)


def value(kind: str, raw: object) -> str:
    """The YAML of a header field's value (by the field's type), a subject or an overall comment (``text``)."""
    if kind in ("number", "date"):
        return str(raw)
    return quoted(str(raw))


def response_line(item: Item, response: Response, *, indent: str = "  ") -> str:
    """One line of a ``responses:`` block: ``id: value``, or ``id: {value: ..., comment: ..., evidence: [...]}``."""
    value = answer(item, response)
    extra = []
    if response.comment is not None:
        extra.append(f"comment: {quoted(response.comment)}")
    if response.evidence:
        extra.append(f"evidence: {flow_list(response.evidence)}")
    if extra:
        return f"{indent}{plain(item.id)}: {{value: {value}, {', '.join(extra)}}}"
    return f"{indent}{plain(item.id)}: {value}"


def header_lines(
    *,
    standard: str,
    version: int,
    site: str,
    inspector: str,
    date: str,
    language: str | None,
    audit_id: str | None = None,
    schema: str = "qaudit/audit@1",
) -> list[str]:
    """The header of an audit file, from ``schema:`` to ``language:`` (``responses:`` is the caller's)."""
    lines = [f"schema: {schema}"]
    if audit_id is not None:
        lines.append(f"id: {quoted(audit_id)}")
    lines += [
        f"standard: {plain(standard)}",
        f"standard_version: {int(version)}",
        f"site: {quoted(site)}",
        f"inspector: {quoted(inspector)}",
        f"date: {date}",
    ]
    if language:
        lines.append(f"language: {plain(language)}")
    return lines


def document(lines: Sequence[str]) -> str:
    """The lines as a file's text, each ending with a line break."""
    return "\n".join(lines) + "\n"


def audit_lines(
    standard: Standard,
    *,
    lang: str | None,
    responses: Mapping[str, Response | None],
    instances: Mapping[str, Sequence[tuple[str, Mapping[str, Response | None]]]] | None = None,
    fields: Mapping[str, object] | None = None,
    subject: str | None = None,
    comment: str | None = None,
    empty: Collection[str] = (),
) -> list[str]:
    """The lines of an audit after its header: ``subject``, ``fields``, ``comment`` and ``responses``.

    Responses and instances are written in standard order, each item after a comment with its
    text. A response that is None, a field whose value is None, and ``subject``/``comment`` when
    named in ``empty``, are written with an empty value (asked, left empty); a response without a
    value (left out, or not applicable) is left out.
    """
    instances = instances or {}
    fields = fields or {}
    lines: list[str] = []
    if subject is not None:
        lines.append(f"subject: {quoted(subject)}")
    elif "subject" in empty:
        lines.append("subject:")
    if fields:
        lines.append("fields:")
        for field_ in standard.fields or ():
            if field_.id in fields:
                raw = fields[field_.id]
                lines.append(f"  {plain(field_.id)}:" + ("" if raw is None else f" {value(field_.type, raw)}"))
    if comment is not None:
        lines.append(f"comment: {quoted(comment)}")
    elif "comment" in empty:
        lines.append("comment:")

    def items_of(found: Mapping[str, Response | None], section_items: Iterable[Item], indent: str) -> list[str]:
        out = []
        for item in section_items:
            if item.id not in found:
                continue
            response = found[item.id]
            if response is not None and response.value is None and not response.na:
                continue
            out.append(f"{indent}# {_comment_line(standard.text(item.text, lang))}")
            if response is None:
                out.append(f"{indent}{plain(item.id)}:")
            else:
                out.append(response_line(item, response, indent=indent))
        return out

    body: list[str] = []
    for section in standard.sections:
        if section.repeat is None:
            body += items_of(responses, section.items, "  ")
            continue
        if section.id not in instances:
            continue
        body.append(f"  {plain(section.id)}:" + ("" if instances[section.id] else " []"))
        for label, found in instances[section.id]:
            body.append(f"    - instance: {quoted(label)}")
            body += items_of(found, section.items, "      ")
    lines += ["responses:", *body] if body else ["responses: {}"]
    return lines


def audit_yaml(audit: Audit, standard: Standard) -> str:
    """An audit as a YAML file (``qaudit/audit@1``, or ``@2`` for a ``@2`` standard), with the item
    texts as comments."""
    lang = audit.language or standard.default_language
    lines = [
        f"# {comment(f'{standard.text(standard.title, lang)} ({standard.label})')}",
        *header_lines(
            audit_id=audit.id,
            standard=standard.id,
            version=standard.version,
            site=audit.site,
            inspector=audit.inspector,
            date=audit.date.isoformat(),
            language=audit.language,
            schema="qaudit/audit@2" if standard.is_v2 else "qaudit/audit@1",
        ),
    ]
    if standard.is_v2:
        return document(
            lines
            + audit_lines(
                standard,
                lang=lang,
                responses=audit.responses,
                instances={k: [(i.label, i.responses) for i in v] for k, v in audit.instances.items()},
                fields=audit.fields,
                subject=audit.subject,
                comment=audit.comment,
            )
        )
    lines.append("responses:")
    for item_id, item in standard.items.items():
        lines.append(f"  # {comment(standard.text(item.text, lang))}")
        lines.append(response_line(item, audit.responses[item_id]))
    return document(lines)
