"""The one problem type every loader, checker and reporter shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    """Something wrong with an input file, pointing at the offending spot.

    Sorting orders problems by file, then line, then column.
    """

    file: str
    """Path of the file as the user named it."""
    line: int
    """1-based line (1 when the problem concerns the whole file)."""
    column: int
    """1-based column (1 when the problem concerns the whole file)."""
    severity: Severity
    """``error`` fails the run; ``warning`` fails it only under ``--strict``."""
    rule: str
    """Stable rule id, e.g. ``unknown-key``."""
    message: str
    """One sentence saying what is wrong and what to do."""

    def location(self) -> str:
        """``file:line:column``."""
        return f"{self.file}:{self.line}:{self.column}"

    def as_dict(self) -> dict[str, object]:
        """The JSON shape shared by every ``--format json`` output."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


def error(file: str, line: int, column: int, rule: str, message: str) -> Problem:
    """Shorthand for an error-level :class:`Problem`."""
    return Problem(file, line, column, "error", rule, message)


def warning(file: str, line: int, column: int, rule: str, message: str) -> Problem:
    """Shorthand for a warning-level :class:`Problem`."""
    return Problem(file, line, column, "warning", rule, message)


MAX_PROBLEMS_PER_FILE = 50
"""More problems than this in one file are summarised in a last problem."""


def cap(problems: list[Problem]) -> list[Problem]:
    """At most :data:`MAX_PROBLEMS_PER_FILE` problems per file, the rest counted in one last problem.

    The last problem says how many were left out, and of which severities; it is an
    error only when an error is among them, so that leaving warnings out of sight
    never turns them into a failure (nor hides one).
    """
    counts: dict[str, int] = {}
    hidden_errors: dict[str, int] = {}
    kept: list[Problem] = []
    for problem in problems:
        seen = counts.get(problem.file, 0)
        counts[problem.file] = seen + 1
        if seen < MAX_PROBLEMS_PER_FILE:
            kept.append(problem)
        elif problem.severity == "error":
            hidden_errors[problem.file] = hidden_errors.get(problem.file, 0) + 1
    for file, count in counts.items():
        if count > MAX_PROBLEMS_PER_FILE:
            last = next(p for p in reversed(kept) if p.file == file)
            hidden = count - MAX_PROBLEMS_PER_FILE
            errors = hidden_errors.get(file, 0)
            kinds = [
                f"{n} {word}{'s' if n != 1 else ''}"
                for n, word in ((errors, "error"), (hidden - errors, "warning"))
                if n
            ]
            kept.append(
                Problem(
                    file,
                    last.line,
                    last.column,
                    "error" if errors else "warning",
                    "too-many-problems",
                    f"{hidden} more problem{'s' if hidden != 1 else ''} in this file not shown "
                    f"({', '.join(kinds)}); fix these first",
                )
            )
    return kept


class QauditError(Exception):
    """A run that cannot proceed at all (exit status 2): bad usage, missing inputs."""


class InvalidInput(Exception):
    """Raised by loaders when a file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "invalid input")
        self.problems = problems
