"""Audit files (``qaudit/audit@1``, ``@2``): validating a parsed audit document against its standard.

An audit names the standard id and version the inspector used; every response
is read by its item's type (not by YAML's implicit typing), so ``yes``, ``07``
and ``2026-11-20`` mean the same whichever YAML loader read the file. Every
problem is located at its line and column. Picking the reader for a file
(a filled form, the fast reader, the locating loader) is :mod:`qaudit.load.audits`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError, WithJsonSchema

from ..io.yamlsrc import Document, Path
from ..model.audit import AUDIT_ID_PATTERN, AUDIT_SCHEMA, Audit, anything_scored, safe_name
from ..model.standard import LANGUAGE_PATTERN, SLUG_PATTERN, FileModel, Standard
from ..model.validation import did_you_mean, show, validation_problems
from ..problems import InvalidInput, Problem, error
from .response_reader import ResponseReader, read_fields
from .standards import StandardLibrary, id_type_problems, not_a_mapping

MAX_RESPONSES = 2000
"""Most responses an audit may hold (beyond twice its standard's items)."""
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise ValueError(f"'date' must be a date written YYYY-MM-DD, not {show(value)}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"'date' {show(value)} is not a day of the calendar; check the month and the day") from None


_VALUE_SCHEMA = {
    "anyOf": [
        {"type": ["string", "number", "boolean", "null"]},
        {"type": "array", "items": {"type": "string"}, "description": "multi_choice: the chosen option values"},
    ]
}
_ANSWER_SCHEMA = {
    "anyOf": [
        _VALUE_SCHEMA,
        {
            "type": "object",
            "properties": {
                "value": _VALUE_SCHEMA,
                "comment": {"type": "string"},
                "evidence": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["value"],
            "additionalProperties": False,
        },
    ]
}
_RESPONSE_SCHEMA = {
    "type": "object",
    "description": "Item id → response: a value (yes/no, a number, an option value, a list of option values, "
    "text, a date, or na), or a mapping {value, comment, evidence}; a repeated section's id → a list of "
    "instances, each {instance: label, item id: response, ...}.",
    "additionalProperties": {
        "anyOf": [
            _ANSWER_SCHEMA,
            {
                "type": "array",
                "description": "The instances of a repeated section (contract 7.6).",
                "items": {
                    "type": "object",
                    "properties": {"instance": {"type": "string", "minLength": 1}},
                    "required": ["instance"],
                    "additionalProperties": _ANSWER_SCHEMA,
                },
            },
        ]
    },
}


class SiteRef(FileModel):
    """A site named in an audit with more detail than its id."""

    id: str = Field(pattern=SLUG_PATTERN)
    name: str | None = None
    region: str | None = None


class AuditFile(FileModel):
    """One audit visit as an inspector writes it (``qaudit/audit@1``)."""

    schema_: Literal["qaudit/audit@1", "qaudit/audit@2"] = Field(
        alias="schema", description="qaudit/audit@1 or qaudit/audit@2 (both read by the same rules)."
    )
    id: str | None = Field(None, pattern=AUDIT_ID_PATTERN, description="Default: the file name without extension.")
    standard: str = Field(pattern=SLUG_PATTERN, description="Id of the standard used.")
    standard_version: int = Field(gt=0, description="The exact version of the standard used.")
    site: Annotated[str, Field(pattern=SLUG_PATTERN)] | SiteRef = Field(
        description="Site id (a slug), or a mapping {id, name, region}."
    )
    inspector: str = Field(min_length=1)
    date: Annotated[dt.date, BeforeValidator(_iso_date)] = Field(description="Date of the visit, YYYY-MM-DD.")
    language: str | None = Field(None, pattern=LANGUAGE_PATTERN, description="Language of the scorecard.")
    subject: str | None = Field(
        None, description="What was audited within the site: a room, a call, a shopper visit (quote numbers)."
    )
    fields: dict[str, Any] | None = Field(None, description="The standard's header fields: field id → value.")
    comment: str | None = Field(None, description="The inspector's overall comment.")
    responses: Annotated[dict[str, Any], WithJsonSchema(_RESPONSE_SCHEMA)]


@dataclass
class _Checker:
    doc: Document
    standard: Standard
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, rule: str, message: str, *, key: bool = False) -> None:
        line, col = self.doc.at(path, key=key)
        self.problems.append(error(self.doc.file, line, col, rule, message))

def site_location(file: str) -> tuple[int, int]:
    """Where an audit file names its site (its ``site`` or ``site: {id}`` value); 1:1 when it cannot be told."""
    from ..io.yamlsrc import load

    if not file.endswith((".yaml", ".yml")):
        return (1, 1)  # a form: its header cell is found when it is read
    try:
        doc = load(file)
    except (InvalidInput, OSError, UnicodeError):
        return (1, 1)
    nested = isinstance(doc.data, dict) and isinstance(doc.data.get("site"), dict)
    return doc.at(("site", "id") if nested else ("site",))


def _header_problems(doc: Document) -> list[Problem]:
    data = doc.data
    paths: list[Path] = [
        (key,)
        for key in ("id", "standard", "site", "inspector", "subject")
        if key in data and not isinstance(data[key], (dict, list)) and not (key == "subject" and data[key] is None)
    ]  # an empty subject is no subject
    if isinstance(data.get("site"), dict) and "id" in data["site"]:
        paths.append(("site", "id"))
    return id_type_problems(doc, paths)


def _skipped_hint(library: StandardLibrary) -> str:
    """Name the standard files left out for their errors: the one the audit needs may be among them."""
    files = sorted({p.file for p in library.problems if p.severity == "error"})
    if not files:
        return ""
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    verbs = "has errors and was" if len(files) == 1 else "have errors and were"
    return f" ({shown} {verbs} skipped; run 'qaudit lint')"


def _standard_problem(doc: Document, header: AuditFile, library: StandardLibrary) -> Problem:
    versions = library.versions(header.standard)
    skipped = _skipped_hint(library)
    if versions:
        line, col = doc.at(("standard_version",))
        listed = ", ".join(str(v) for v in versions)
        return error(
            doc.file,
            line,
            col,
            "unknown-standard",
            f"{header.standard} version {header.standard_version} is not loaded (loaded versions: {listed}); "
            f"use one of those, or add that version to the standards folder{skipped}",
        )
    line, col = doc.at(("standard",))
    known = library.ids()
    hint = did_you_mean(header.standard, known) or (f"; loaded standards: {', '.join(known)}" if known else "")
    return error(
        doc.file,
        line,
        col,
        "unknown-standard",
        f"no standard '{header.standard}' is loaded{hint}; check --standards{skipped}",
    )


def build_audit(doc: Document, library: StandardLibrary) -> tuple[Audit | None, list[Problem]]:
    """Validate a parsed audit against its standard: the audit when valid, and every problem."""
    problems = list(doc.problems)
    if not isinstance(doc.data, dict):
        return None, problems + [not_a_mapping(doc, "audit", AUDIT_SCHEMA)]
    problems += _header_problems(doc)
    try:
        header = AuditFile.model_validate(doc.data)
    except ValidationError as exc:
        return None, problems + validation_problems(exc, doc, AuditFile)
    standard = library.get(header.standard, header.standard_version)
    if standard is None:
        return None, problems + [_standard_problem(doc, header, library)]
    if len(header.responses) > max(MAX_RESPONSES, 2 * len(standard.items)):
        line, col = doc.at(("responses",), key=True)
        return None, problems + [
            error(
                doc.file,
                line,
                col,
                "too-large",
                f"{len(header.responses):,} responses, but {standard.label} has {len(standard.items)} items; "
                "this is not an audit of that standard",
            )
        ]
    checker = _Checker(doc, standard)
    reader = ResponseReader(standard, checker.add)
    responses, instances = reader.read(header.responses)
    fields = read_fields(standard, header.fields, checker.add)
    problems += checker.problems
    audit_id = header.id or os.path.splitext(os.path.basename(doc.file))[0]
    if not safe_name(audit_id):
        if header.id is None:
            line, col, message = (
                1,
                1,
                f"the file name gives the unsafe audit id '{audit_id}'; rename the file or add an 'id'",
            )
        else:
            line, col = doc.at(("id",))
            message = (
                f"'id' '{audit_id}' cannot be part of a file name (a reserved name such as CON or NUL, or '..'); "
                "choose another id"
            )
        problems.append(error(doc.file, line, col, "invalid-id", message))
    if not problems and not anything_scored(standard, responses, instances):
        line, col = doc.at(("responses",), key=True)
        everything_na = all(r.na for r in responses.values()) and not instances
        problems.append(
            error(
                doc.file,
                line,
                col,
                "nothing-scored",
                "every item is N/A, so the audit has no score; answer at least one item"
                if everything_na
                else "no scored item is answered (each is N/A, unscored or does not apply), so the audit has "
                "no score; answer at least one scored item",
            )
        )
    if problems:
        return None, problems
    site = header.site
    return (
        Audit(
            id=audit_id,
            file=doc.file,
            standard=header.standard,
            standard_version=header.standard_version,
            site=site if isinstance(site, str) else site.id,
            inspector=header.inspector,
            date=header.date,
            responses=responses,
            language=header.language,
            site_name=None if isinstance(site, str) else site.name,
            site_region=None if isinstance(site, str) else site.region,
            subject=header.subject,
            fields=fields,
            comment=header.comment,
            instances=instances,
        ),
        [],
    )
