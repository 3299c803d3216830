"""Audit files (``qaudit/audit@1``): loading, validating against their standard, and the audit model.

An audit names the standard id and version the inspector used; every response
is read by its item's type (not by YAML's implicit typing), so ``yes``, ``07``
and ``2026-11-20`` mean the same whichever YAML loader read the file.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BeforeValidator, Field, ValidationError, WithJsonSchema

from .model import LANGUAGE_PATTERN, SLUG_PATTERN, FileModel, Item, Standard
from .problems import InvalidInput, Problem, cap, error
from .standards import StandardLibrary, id_type_problems, not_a_mapping
from .validation import did_you_mean, show, validation_problems
from .yamlsrc import Document, Path, parse

AUDIT_SCHEMA = "qaudit/audit@1"
AUDIT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
NA_VALUES = frozenset(("na", "n/a"))
YES_VALUES = frozenset(("yes", "true", "pass", "on"))
NO_VALUES = frozenset(("no", "false", "fail", "off"))
RESPONSE_KEYS = ("value", "comment", "evidence")
MAX_RESPONSES = 2000
"""Most responses an audit may hold (beyond twice its standard's items)."""
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)] + [f"lpt{i}" for i in range(1, 10)]
)


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise ValueError(f"'date' must be a date written YYYY-MM-DD, not {show(value)}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"'date' {show(value)} is not a day of the calendar; check the month and the day") from None


def safe_name(value: str) -> bool:
    """Whether ``value`` can safely become part of a file name on any system."""
    stem = value.split(".")[0].lower()
    return bool(re.match(AUDIT_ID_PATTERN, value)) and ".." not in value and stem not in _RESERVED_NAMES


_RESPONSE_SCHEMA = {
    "type": "object",
    "description": "Item id → response: a value (yes/no, a number, an option value, or na), "
    "or a mapping {value, comment, evidence}.",
    "additionalProperties": {
        "anyOf": [
            {"type": ["string", "number", "boolean", "null"]},
            {
                "type": "object",
                "properties": {
                    "value": {"type": ["string", "number", "boolean", "null"]},
                    "comment": {"type": "string"},
                    "evidence": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["value"],
                "additionalProperties": False,
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

    schema_: Literal["qaudit/audit@1"] = Field(alias="schema", description="Always qaudit/audit@1.")
    id: str | None = Field(None, pattern=AUDIT_ID_PATTERN, description="Default: the file name without extension.")
    standard: str = Field(pattern=SLUG_PATTERN, description="Id of the standard used.")
    standard_version: int = Field(gt=0, description="The exact version of the standard used.")
    site: Annotated[str, Field(pattern=SLUG_PATTERN)] | SiteRef = Field(
        description="Site id (a slug), or a mapping {id, name, region}."
    )
    inspector: str = Field(min_length=1)
    date: Annotated[dt.date, BeforeValidator(_iso_date)] = Field(description="Date of the visit, YYYY-MM-DD.")
    language: str | None = Field(None, pattern=LANGUAGE_PATTERN, description="Language of the scorecard.")
    responses: Annotated[dict[str, Any], WithJsonSchema(_RESPONSE_SCHEMA)]


class Response(NamedTuple):
    """An inspector's answer to one item (a named tuple: cheap to build by the thousand)."""

    value: bool | int | float | str | None
    """The value read by the item's type; None when N/A."""
    na: bool = False
    """Answered N/A (or waived)."""
    comment: str | None = None
    """The inspector's comment."""
    evidence: tuple[str, ...] = ()
    """References to photos or documents."""
    waived: str | None = None
    """The waiver's reason when the item was waived for this site."""


@dataclass(frozen=True, slots=True)
class Audit:
    """A valid audit, ready to score against ``standard``@``standard_version``."""

    id: str
    file: str
    standard: str
    standard_version: int
    site: str
    inspector: str
    date: dt.date
    responses: dict[str, Response]
    """Responses by item id, in standard order."""
    language: str | None = None
    site_name: str | None = None
    site_region: str | None = None
    source: str = "yaml"
    """Where the audit came from: ``yaml`` or ``xlsx``."""


def _number(raw: Any) -> int | float | None:
    if isinstance(raw, bool) or raw is None or isinstance(raw, (dict, list)):
        return None
    if isinstance(raw, (int, float)):
        number: int | float = raw
    else:
        text = str(raw).strip()
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
    if isinstance(number, float):
        if not math.isfinite(number):
            return None
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
    return number


def read_value(item: Item, raw: Any) -> tuple[bool | int | float | str | None, bool, str | None]:
    """Read a raw response for ``item``: ``(value, na, problem message)``.

    The message, when not None, says what is wrong and what would fit.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, False, f"item '{item.id}' has no response; {allowed_values(item)}"
    if isinstance(raw, (dict, list)):
        return (
            None,
            False,
            f"the response to '{item.id}' must be a single value, not {show(raw)}; {allowed_values(item)}",
        )
    text = str(raw).strip()
    lowered = text.lower() if isinstance(raw, str) else ""
    if item.type == "choice":
        option = item.option(text)
        if option is not None:
            return option.value, False, None
    if lowered in NA_VALUES:
        if item.na_allowed:
            return None, True, None
        return None, False, f"item '{item.id}' does not allow N/A; answer it ({allowed_values(item, na=False)})"
    if item.type == "yes_no":
        if isinstance(raw, bool):
            return raw, False, None
        if lowered in YES_VALUES:
            return True, False, None
        if lowered in NO_VALUES:
            return False, False, None
        return None, False, f"{show(raw)} does not fit yes/no item '{item.id}'; {allowed_values(item)}"
    if item.type == "scale":
        number = _number(raw)
        assert item.min is not None and item.max is not None
        if number is None or not item.min <= number <= item.max:
            return None, False, f"{show(raw)} is outside the scale of item '{item.id}'; {allowed_values(item)}"
        return number, False, None
    if item.type == "number":
        number = _number(raw)
        if number is None:
            return None, False, f"{show(raw)} is not a number for item '{item.id}'; {allowed_values(item)}"
        return number, False, None
    values = [o.value for o in item.options or ()]
    return (
        None,
        False,
        f"{show(raw)} is not an option of item '{item.id}'{did_you_mean(text, values)}; {allowed_values(item)}",
    )


def allowed_values(item: Item, *, na: bool | None = None) -> str:
    """A hint naming what an item accepts, e.g. ``give a number from 1 to 5 (or na)``."""
    na = item.na_allowed if na is None else na
    tail = " or na" if na else ""
    if item.type == "yes_no":
        return f"answer yes or no{tail}"
    if item.type == "scale":
        return f"give a number from {item.min} to {item.max}{tail}"
    if item.type == "number":
        unit = f" ({item.unit})" if item.unit else ""
        return f"give a number{unit}{tail}"
    values = ", ".join(o.value for o in item.options or ())
    return f"use one of: {values}{tail}"


@dataclass
class _Checker:
    doc: Document
    standard: Standard
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, rule: str, message: str, *, key: bool = False) -> None:
        line, col = self.doc.at(path, key=key)
        self.problems.append(error(self.doc.file, line, col, rule, message))

    def responses(self, raw: dict[str, Any]) -> dict[str, Response]:
        items = self.standard.items
        found: dict[str, Response] = {}
        for item_id, entry in raw.items():
            path: Path = ("responses", item_id)
            item = items.get(item_id)
            if item is None:
                self.add(
                    path,
                    "unknown-item",
                    f"'{item_id}' is not an item of {self.standard.label}{did_you_mean(item_id, items)}",
                    key=True,
                )
                continue
            comment: str | None = None
            evidence: tuple[str, ...] = ()
            value_path = path
            if isinstance(entry, dict):
                for key in entry:
                    if key not in RESPONSE_KEYS:
                        self.add(
                            path + (key,),
                            "unknown-key",
                            f"unknown key '{key}' in the response to '{item_id}'"
                            f"{did_you_mean(key, RESPONSE_KEYS) or '; use value, comment and evidence'}",
                            key=True,
                        )
                if "value" not in entry:
                    self.add(path, "missing-key", f"the response to '{item_id}' has no 'value'; add it")
                    continue
                comment = self._comment(entry, path)
                evidence = self._evidence(entry, path)
                value_path = path + ("value",)
                entry = entry["value"]
            value, na, message = read_value(item, entry)
            if message is not None:
                rule = (
                    "missing-response" if entry is None else ("na-not-allowed" if "N/A" in message else "invalid-value")
                )
                self.add(value_path, rule, message)
                continue
            found[item_id] = Response(value, na, comment, evidence)
        missing = [item_id for item_id in items if item_id not in raw]
        if missing:
            shown = ", ".join(missing[:12]) + (f" and {len(missing) - 12} more" if len(missing) > 12 else "")
            self.add(
                ("responses",),
                "missing-response",
                f"no response for {len(missing)} item{'s' if len(missing) > 1 else ''} of "
                f"{self.standard.label}: {shown}; add {'them' if len(missing) > 1 else 'it'}",
                key=True,
            )
        return {item_id: found[item_id] for item_id in items if item_id in found}

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


def site_location(file: str) -> tuple[int, int]:
    """Where an audit file names its site (its ``site`` or ``site: {id}`` value); 1:1 when it cannot be told."""
    from .yamlsrc import load

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
        (key,) for key in ("id", "standard", "site", "inspector") if key in data and not isinstance(data[key], dict)
    ]
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
    responses = checker.responses(header.responses)
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
    if not problems and responses and all(r.na for r in responses.values()):
        line, col = doc.at(("responses",), key=True)
        problems.append(
            error(
                doc.file,
                line,
                col,
                "nothing-scored",
                "every item is N/A, so the audit has no score; answer at least one item",
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
        ),
        [],
    )


def load_audit(path: str | os.PathLike[str], library: StandardLibrary, *, text: str | None = None) -> Audit:
    """Load and validate one audit file (YAML or a filled Excel form).

    Raises :class:`InvalidInput` with every located problem when the audit is
    invalid. The fast path parses without recording locations; an audit it
    rejects is parsed again with locations so that every problem keeps its
    line, column and hint.
    """
    path = os.fspath(path)
    if path.lower().endswith(".xlsx"):
        from .forms import read_form

        return read_form(path, library)
    from .fastaudit import parse_simple
    from .plan import quick_audit
    from .source import read_text

    if text is None:
        text = read_text(path)
    data = parse_simple(text)
    first = Document(path, data) if data is not None else parse(text, path, locate=False)
    if not first.problems:
        quick = quick_audit(first.data, path, library)
        if quick is not None:
            return quick
    audit, problems = build_audit(first, library)
    if audit is not None:
        return audit
    audit, problems = build_audit(parse(text, path, locate=True), library)
    if audit is None:
        raise InvalidInput(cap(sorted(problems)))
    return audit  # pragma: no cover - the located pass agrees with the fast one


AUDIT_SUFFIXES = (".yaml", ".yml", ".xlsx")


def iter_audit_files(paths: list[str]) -> Iterator[str]:
    """Audit files named directly, or found recursively (sorted) in folders."""
    for path in paths:
        if os.path.isdir(path):
            found: list[str] = []
            for top, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    os.path.join(top, f)
                    for f in files
                    if f.lower().endswith(AUDIT_SUFFIXES) and not f.startswith((".", "~$"))
                )
            yield from sorted(found)
        else:
            yield path


__all__ = [
    "AUDIT_SCHEMA",
    "Audit",
    "AuditFile",
    "Response",
    "allowed_values",
    "build_audit",
    "iter_audit_files",
    "load_audit",
    "read_value",
    "safe_name",
]
