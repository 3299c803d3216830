"""Run the lint rules over standard, site-registry and waiver files."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model import STANDARD_SCHEMA, STANDARD_SCHEMA_V2, STANDARD_SCHEMAS, Condition, Item, Standard, Text
from ..problems import InvalidInput, Problem, QauditError, cap, error, warning
from ..yamlsrc import Document, Path, load


@dataclass(frozen=True)
class Context:
    """What a semantic rule sees: a structurally valid standard and where its nodes stand."""

    standard: Standard
    doc: Document

    def at(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the node at ``path`` (or its nearest written ancestor)."""
        return self.doc.at(path, key=key)

    def error(self, path: Path, rule: str, message: str, *, key: bool = False) -> Problem:
        """An error located at ``path``."""
        line, col = self.at(path, key=key)
        return error(self.doc.file, line, col, rule, message)

    def warning(self, path: Path, rule: str, message: str, *, key: bool = False) -> Problem:
        """A warning located at ``path``."""
        line, col = self.at(path, key=key)
        return warning(self.doc.file, line, col, rule, message)

    def raw(self, path: Path) -> Any:
        """The value written at ``path`` in the file (None when it is not there)."""
        node: Any = self.doc.data
        for part in path:
            found = (isinstance(node, dict) and isinstance(part, str) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            )
            if not found:
                return None
            node = node[part]
        return node

    def written(self, path: Path) -> bool:
        """Whether the file writes the key at the end of ``path`` (whatever its value, null included)."""
        parent = self.raw(path[:-1])
        return isinstance(parent, dict) and path[-1] in parent

    def set_name(self, path: Path) -> str | None:
        """The option set an item or field at ``path`` names in ``options``, if it names one."""
        options = self.raw(path + ("options",))
        return str(options) if isinstance(options, str) else None

    def texts(self) -> Iterator[tuple[Path, Text, str]]:
        """Every text of the standard with its path and a name for messages.

        Options taken from an option set are yielded once, where the set defines them.
        """
        std = self.standard
        yield ("title",), std.title, "the standard's title"
        for name, options in (std.option_sets or {}).items():
            for oi, option in enumerate(options):
                if option.label is not None:
                    yield (
                        ("option_sets", name, oi, "label"),
                        option.label,
                        f"the label of option '{option.value}' of option set '{name}'",
                    )
        for fi, header in enumerate(std.fields or ()):
            fb: Path = ("fields", fi)
            yield fb + ("text",), header.text, f"the text of field '{header.id}'"
            if self.set_name(fb) is None and isinstance(header.options, list):
                for oi, option in enumerate(header.options):
                    if option.label is not None:
                        yield (
                            fb + ("options", oi, "label"),
                            option.label,
                            f"the label of option '{option.value}' of field '{header.id}'",
                        )
        for si, section in enumerate(std.sections):
            base: Path = ("sections", si)
            yield base + ("title",), section.title, f"the title of section '{section.id}'"
            if section.repeat is not None and section.repeat.label is not None:
                yield (
                    base + ("repeat", "label"),
                    section.repeat.label,
                    f"the instance label of section '{section.id}'",
                )
            for ii, item in enumerate(section.items):
                ib = base + ("items", ii)
                yield ib + ("text",), item.text, f"the text of item '{item.id}'"
                if item.guidance is not None:
                    yield ib + ("guidance",), item.guidance, f"the guidance of item '{item.id}'"
                if self.set_name(ib) is not None:
                    continue
                for oi, option in enumerate(item.choices):
                    if option.label is not None:
                        yield (
                            ib + ("options", oi, "label"),
                            option.label,
                            f"the label of option '{option.value}' of item '{item.id}'",
                        )

    def items(self) -> Iterator[tuple[Path, Item]]:
        """Every item with its path."""
        for si, section in enumerate(self.standard.sections):
            for ii, item in enumerate(section.items):
                yield ("sections", si, "items", ii), item

    def positions(self) -> dict[str, tuple[int, int]]:
        """Every item id with its place in standard order and its section's index (first of duplicates)."""
        found: dict[str, tuple[int, int]] = {}
        for si, section in enumerate(self.standard.sections):
            for item in section.items:
                found.setdefault(item.id, (len(found), si))
        return found

    def conditions(self) -> Iterator[ConditionAt]:
        """Every condition on an item (``{item: ...}``) with its path and what it belongs to."""
        for si, section in enumerate(self.standard.sections):
            if section.when is not None:
                yield from _leaves(section.when, ("sections", si, "when"), si, None)
            for ii, item in enumerate(section.items):
                if item.when is not None:
                    yield from _leaves(item.when, ("sections", si, "items", ii, "when"), si, item)


@dataclass(frozen=True)
class ConditionAt:
    """A condition on one item's answer, where it is written and what it belongs to."""

    path: Path
    condition: Condition
    section: int
    """Index of the section the condition belongs to (its own or its item's)."""
    owner: Item | None
    """The item whose ``when`` holds it; None for a section's ``when``."""


def _leaves(condition: Condition, path: Path, section: int, owner: Item | None) -> Iterator[ConditionAt]:
    if condition.item is not None:
        yield ConditionAt(path, condition, section, owner)
        return
    for key, parts in (("all", condition.all), ("any", condition.any)):
        for index, part in enumerate(parts or ()):
            yield from _leaves(part, path + (key, index), section, owner)
    if condition.not_ is not None:
        yield from _leaves(condition.not_, path + ("not",), section, owner)


def semantic_problems(standard: Standard, doc: Document) -> list[Problem]:
    """Run every registered rule over a structurally valid standard."""
    from .rules import RULES

    ctx = Context(standard, doc)
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule.check(ctx))
    return problems


@dataclass
class LintReport:
    """The outcome of linting: every problem, and how many files were read."""

    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    def failed(self, strict: bool = False) -> bool:
        """Whether the run should exit 1: any error (or, under ``strict``, any warning)."""
        return any(p.severity == "error" or strict for p in self.problems)


def lint_file(path: str) -> tuple[list[Problem], Standard | None, Document | None]:
    """Every problem of one file (standard, site registry or waivers)."""
    from ..standards import build_standard, not_a_mapping, schema_of

    try:
        doc = load(path)
    except InvalidInput as exc:
        return exc.problems, None, None
    kind = schema_of(doc)
    if not isinstance(doc.data, dict):
        return list(doc.problems) + [not_a_mapping(doc, "standard", STANDARD_SCHEMA)], None, doc
    if kind is None or kind in STANDARD_SCHEMAS:
        standard, problems = build_standard(doc)
        if standard is not None:
            problems = problems + semantic_problems(standard, doc)
        return problems, standard, doc
    from ..registry import lint_registry_file

    checked = lint_registry_file(doc, kind)
    if checked is not None:
        return checked, None, doc
    line, col = doc.at(("schema",))
    return (
        list(doc.problems)
        + [
            error(
                path,
                line,
                col,
                "unknown-schema",
                f"'schema: {kind}' is not a file qaudit lint checks; use {STANDARD_SCHEMA}, {STANDARD_SCHEMA_V2}, "
                "qaudit/sites@1 or qaudit/waivers@1 (check audits with 'qaudit score')",
            )
        ],
        None,
        doc,
    )


def lint_paths(paths: Iterable[str]) -> LintReport:
    """Lint files and folders of standards; raises :class:`QauditError` when nothing can be read."""
    from ..standards import iter_yaml_files

    report = LintReport()
    seen: dict[tuple[str, int], str] = {}
    paths = list(paths)
    for path in paths:
        if not os.path.exists(path):
            raise QauditError(f"{path}: no such file or folder; check the path")
    read: set[str] = set()
    for path in iter_yaml_files(paths):
        # A file named twice (directly and through its folder, or as ./x and x) is linted once:
        # otherwise it would be reported as a duplicate of itself.
        real = os.path.realpath(path)
        if real in read:
            continue
        read.add(real)
        report.files += 1
        problems, standard, doc = lint_file(path)
        report.problems.extend(problems)
        if standard is not None and doc is not None:
            first = seen.setdefault(standard.key, path)
            if first != path:
                line, col = doc.at(("version",))
                report.problems.append(
                    error(
                        path,
                        line,
                        col,
                        "duplicate-standard",
                        f"{standard.label} is already defined in {first}; raise the version or remove one of the files",
                    )
                )
    if report.files == 0:
        raise QauditError(f"{', '.join(paths)}: no .yaml files found; point qaudit lint at your standards")
    report.problems = cap(sorted(report.problems))
    return report
