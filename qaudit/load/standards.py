"""Loading standard files into a library of standards keyed by id and version."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..io.yamlsrc import Document, Path, implicit_type, load
from ..model.standard import STANDARD_SCHEMA, STANDARD_SCHEMAS, Standard
from ..model.validation import show, validation_problems
from ..problems import InvalidInput, Problem, QauditError, error

YAML_SUFFIXES = (".yaml", ".yml")
MAX_ITEMS = 2000
"""Most items a standard may hold (a checklist is read by people; this stops runaway files)."""


@dataclass(slots=True)
class StandardFile:
    """A standard file as loaded: its path, parsed document and, if valid, the model."""

    file: str
    doc: Document | None
    standard: Standard | None
    problems: list[Problem]


@dataclass
class StandardLibrary:
    """Every standard version found in a folder, keyed by ``(id, version)``."""

    standards: dict[tuple[str, int], Standard] = field(default_factory=dict)
    files: dict[tuple[str, int], str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    """Problems of the standard files themselves (those files are left out)."""

    def get(self, standard_id: str, version: int | None = None) -> Standard | None:
        """The given version of a standard, or its highest version when ``version`` is None."""
        if version is not None:
            return self.standards.get((standard_id, version))
        versions = self.versions(standard_id)
        return self.standards[(standard_id, versions[-1])] if versions else None

    def versions(self, standard_id: str) -> list[int]:
        """The loaded versions of a standard, lowest first."""
        return sorted(v for (sid, v) in self.standards if sid == standard_id)

    def item_text(self, standard_id: str, item_id: str, lang: str | None = None, version: int | None = None) -> str:
        """An item's text in ``lang``: from ``version`` if it has the item, else the newest version that does."""
        versions = self.versions(standard_id)
        if version is not None and version in versions:
            versions = [*[v for v in versions if v != version], version]
        for candidate in reversed(versions):
            standard = self.standards[(standard_id, candidate)]
            if item_id in standard.items:
                return standard.text(standard.items[item_id].text, lang)
        return item_id

    def ids(self) -> list[str]:
        """The ids of every loaded standard, sorted."""
        return sorted({sid for sid, _ in self.standards})

    def __iter__(self) -> Iterator[Standard]:
        return iter(self.standards[key] for key in sorted(self.standards))

    def __len__(self) -> int:
        return len(self.standards)


def iter_yaml_files(paths: Iterable[str]) -> Iterator[str]:
    """YAML files named directly or found (recursively, sorted) in folders."""
    for path in paths:
        if os.path.isdir(path):
            found: list[str] = []
            for top, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(top, f) for f in files if f.endswith(YAML_SUFFIXES))
            yield from sorted(found)
        else:
            yield path


# Paths of values that are ids: YAML must read them as strings.
def _id_paths(data: Any) -> Iterator[Path]:
    if not isinstance(data, dict):
        return
    if "id" in data:
        yield ("id",)
    fields = data.get("fields")
    if isinstance(fields, list):
        for fi, header in enumerate(fields):
            if isinstance(header, dict) and "id" in header:
                yield ("fields", fi, "id")
    sections = data.get("sections")
    if not isinstance(sections, list):
        return
    for si, section in enumerate(sections):
        if not isinstance(section, dict):
            continue
        if "id" in section:
            yield ("sections", si, "id")
        items = section.get("items")
        if isinstance(items, list):
            for ii, item in enumerate(items):
                if isinstance(item, dict) and "id" in item:
                    yield ("sections", si, "items", ii, "id")


def id_type_problems(doc: Document, paths: Iterable[Path]) -> list[Problem]:
    """Ids written so that YAML reads them as booleans, numbers, dates or null."""
    problems = []
    for path in paths:
        node: Any = doc.data
        for part in path:
            node = node[part]
        read_as = implicit_type(node)
        if read_as is not None:
            line, col = doc.at(path)
            shown = "" if node is None else str(node)
            problems.append(
                error(
                    doc.file,
                    line,
                    col,
                    "id-not-string",
                    f"'{path[-1]}' {show(node)} is read by YAML as {read_as}, not text; "
                    f'quote it: {path[-1]}: "{shown}"',
                )
            )
    return problems


def schema_of(doc: Document) -> str | None:
    """The ``schema`` value of a document, when it has one."""
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("schema"), str):
        return str(data["schema"])
    return None


def not_a_mapping(doc: Document, what: str, schema: str) -> Problem:
    """The problem for a file whose top level is not a mapping (or is empty)."""
    article = "an" if what[:1] in "aeiou" else "a"
    if doc.data is None:
        return error(doc.file, 1, 1, "empty-file", f"is empty; write {article} {what} starting with 'schema: {schema}'")
    line, col = doc.at(())
    return error(
        doc.file,
        line,
        col,
        "wrong-type",
        f"must be {article} {what}: a mapping of keys starting with 'schema: {schema}'",
    )


def _count_items(data: dict[str, Any]) -> int:
    sections = data.get("sections")
    if not isinstance(sections, list):
        return 0
    return sum(len(s["items"]) for s in sections if isinstance(s, dict) and isinstance(s.get("items"), list))


# Typed fields whose type errors belong to a specific rule: where the value stands -> rule id.
_TYPED_RULES = {"weight": "invalid-weight", "min": "scale-bounds", "max": "scale-bounds"}


def _refine(problems: list[Problem], doc: Document) -> list[Problem]:
    """Standard-specific sharpening of validation problems.

    A weight that is not a number is ``invalid-weight``, and a scale bound that
    is not a whole number is ``scale-bounds``, like the other problems with
    those values.
    """
    typed: dict[tuple[int, int], str] = {}
    for path, where in doc.marks.items():
        if len(path) < 3 or path[0] != "sections" or path[-1] not in _TYPED_RULES:
            continue
        is_item = len(path) == 5 and path[2] == "items"
        if is_item or (len(path) == 3 and path[-1] == "weight"):
            typed[where] = _TYPED_RULES[str(path[-1])]
    refined: list[Problem] = []
    for problem in problems:
        where = (problem.line, problem.column)
        if problem.rule == "wrong-type" and where in typed:
            problem = dataclasses.replace(problem, rule=typed[where])
        refined.append(problem)
    return refined


def build_standard(doc: Document) -> tuple[Standard | None, list[Problem]]:
    """Validate a parsed standard file; the model when it is valid, and every problem."""
    problems = list(doc.problems)
    if not isinstance(doc.data, dict):
        return None, problems + [not_a_mapping(doc, "standard", STANDARD_SCHEMA)]
    count = _count_items(doc.data)
    if count > MAX_ITEMS:
        line, col = doc.at(("sections",), key=True)
        return None, problems + [
            error(
                doc.file,
                line,
                col,
                "too-large",
                f"the standard has {count:,} items, over the limit of {MAX_ITEMS:,}; split it",
            )
        ]
    id_problems = id_type_problems(doc, _id_paths(doc.data))
    problems += id_problems
    try:
        standard = Standard.model_validate(doc.data)
    except ValidationError as exc:
        # An id already reported as "quote it" needs no second message about its type.
        marked = {(p.line, p.column) for p in id_problems}
        found = [p for p in validation_problems(exc, doc, Standard) if (p.line, p.column) not in marked]
        problems += _refine(found, doc)
        return None, problems
    if problems:
        return None, problems
    return standard, problems


def load_standard_file(path: str) -> StandardFile:
    """Load and validate one standard file (structure only; see :mod:`qaudit.lint` for the rest)."""
    try:
        doc = load(path)
    except InvalidInput as exc:
        return StandardFile(path, None, None, exc.problems)
    standard, problems = build_standard(doc)
    return StandardFile(path, doc, standard, problems)


def load_standards(folder: str | os.PathLike[str] = "standards") -> StandardLibrary:
    """Load every standard file under ``folder`` into a :class:`StandardLibrary`.

    Files that are not valid standards (and other kinds of qaudit file) are left
    out; their problems are in ``library.problems``. Raises :class:`QauditError`
    when the folder does not exist.
    """
    from ..checks.semantic import semantic_problems

    folder = os.fspath(folder)
    if not os.path.exists(folder):
        raise QauditError(f"{folder}: no such folder of standards; pass --standards DIR")
    library = StandardLibrary()
    for path in iter_yaml_files([folder]):
        loaded = load_standard_file(path)
        if loaded.doc is not None and schema_of(loaded.doc) not in (None, *STANDARD_SCHEMAS):
            continue  # sites.yaml, waivers.yaml and the like live beside standards
        problems = loaded.problems
        if loaded.standard is not None and loaded.doc is not None:
            problems = [p for p in semantic_problems(loaded.standard, loaded.doc) if p.severity == "error"]
        if loaded.standard is None or problems:
            library.problems.extend(problems)
            continue
        key = loaded.standard.key
        if key in library.standards:
            line, col = loaded.doc.at(("version",)) if loaded.doc else (1, 1)
            library.problems.append(
                error(
                    path,
                    line,
                    col,
                    "duplicate-standard",
                    f"{loaded.standard.label} is already defined in {library.files[key]}; "
                    "raise the version or remove one of the files",
                )
            )
            continue
        library.standards[key] = loaded.standard
        library.files[key] = path
    return library
