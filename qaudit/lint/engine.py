"""Run the lint rules over standard, site-registry and waiver files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..checks.semantic import semantic_problems
from ..io.yamlsrc import Document, load
from ..model.standard import STANDARD_SCHEMA, STANDARD_SCHEMA_V2, STANDARD_SCHEMAS, Standard
from ..problems import InvalidInput, Problem, QauditError, cap, error


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
    from ..load.standards import build_standard, not_a_mapping, schema_of

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
    from ..load.registry import lint_registry_file

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
    from ..load.standards import iter_yaml_files

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
