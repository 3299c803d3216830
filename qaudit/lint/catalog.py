"""Every lint rule with its id, severity and one-line summary (for SARIF and the docs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..checks.rules import RULES


@dataclass(frozen=True)
class RuleInfo:
    """A rule as documented to users."""

    id: str
    severity: str
    summary: str
    doc: str = ""


# Rules found while reading and validating files (see qaudit.io.yamlsrc, qaudit.model.validation).
STRUCTURAL = [
    RuleInfo("unreadable", "error", "The file cannot be read: missing, a folder, or not permitted."),
    RuleInfo("file-too-large", "error", "The file is over the size limit (QAUDIT_MAX_FILE_BYTES, default 5 MB)."),
    RuleInfo(
        "encoding",
        "error",
        "The file is not UTF-8 (or UTF-16 with a byte-order mark) text, or holds NUL/control characters.",
    ),
    RuleInfo("empty-file", "error", "The file is empty."),
    RuleInfo(
        "yaml-syntax",
        "error",
        "The file is not valid YAML (including tabs used for indentation, and several documents).",
    ),
    RuleInfo("yaml-alias", "error", "YAML aliases (*name) are refused: they can expand into huge documents."),
    RuleInfo("yaml-tag", "error", "YAML tags (!!python/object, !custom) are refused: safe loading only."),
    RuleInfo("yaml-depth", "error", "Nesting deeper than any qaudit file needs."),
    RuleInfo("duplicate-key", "error", "A mapping repeats a key; YAML would silently keep only one."),
    RuleInfo("unknown-key", "error", "A key the format does not know (with a did-you-mean suggestion)."),
    RuleInfo("missing-key", "error", "A required key is missing."),
    RuleInfo("wrong-type", "error", "A value of the wrong type (text where a number belongs, and so on)."),
    RuleInfo("invalid-value", "error", "A value outside its fixed set (e.g. critical_failure)."),
    RuleInfo("unknown-schema", "error", "The schema line is missing or names no file kind qaudit knows."),
    RuleInfo(
        "unknown-item-type",
        "error",
        "An item type other than yes_no, scale, number, choice, multi_choice, text or date.",
    ),
    RuleInfo("invalid-id", "error", "An id that is not a slug (lowercase letters, digits, '.', '_', '-')."),
    RuleInfo(
        "id-not-string",
        "error",
        "An id YAML reads as a boolean, number, date or null (no, on, 1, 2026-01-01): quote it.",
    ),
    RuleInfo("invalid-weight", "error", "A section or item weight that is not a number greater than 0."),
    RuleInfo("score-range", "error", "A band or option score outside [0, 1]."),
    RuleInfo(
        "value-range",
        "error",
        "A number outside its range (version > 0, pass_score and grade min in 0..100, flag_below in (0, 1]).",
    ),
    RuleInfo("empty-list", "error", "A standard without sections or a section without items."),
    RuleInfo("duplicate-standard", "error", "The same standard id and version defined in two files."),
    RuleInfo("too-large", "error", "A standard with more than 2,000 items (a checklist is read by people)."),
    RuleInfo(
        "too-many-problems",
        "warning",
        "More than 50 problems in one file: the rest are counted, not listed (an error when errors are among them).",
    ),
    RuleInfo("unknown-site", "warning", "A waiver names a site missing from the site registry."),
]


# Rules that share a module (and its documentation) with another rule.
_COMPANIONS = {
    "LAST_ID": ("error", "The last grade's min is not 0, so some scores would get no grade."),
    "CATCH_ALL_ID": ("error", "A number item's last band has a bound (max or under), or an earlier band has none."),
    "BOTH_ID": ("error", "A band has both max and under; keep one."),
    "UNDECLARED_ID": ("warning", "A text in a language that `languages` does not declare."),
    "PLAIN_ID": ("warning", "A plain-string text in a standard that declares languages (shown as is in all)."),
}


_COMPANION_LINE = re.compile(r"^[a-z0-9-]+ \((error|warning)\): ")


def _semantic() -> list[RuleInfo]:
    found: list[RuleInfo] = []
    for module in RULES:
        doc = _markdown(module.__doc__ or "")
        # The first paragraph, up to the line that introduces a companion rule ("other-id (error): ...").
        lines = doc.split("\n\n", 1)[0].split("\n")
        ends = [i for i, line in enumerate(lines) if i and _COMPANION_LINE.match(line)]
        first = " ".join(lines[: ends[0]] if ends else lines).rstrip(";")
        summary = first.split("): ", 1)[1] if first.startswith(f"{module.ID} (") else first
        summary = summary.rstrip(".") + "."
        found.append(RuleInfo(module.ID, module.SEVERITY, summary[0].upper() + summary[1:], doc))
        for attribute, (severity, text) in _COMPANIONS.items():
            if hasattr(module, attribute):
                found.append(RuleInfo(getattr(module, attribute), severity, text, doc))
    return found


def _markdown(doc: str) -> str:
    """Module docstrings (reStructuredText-ish) as Markdown."""
    out: list[str] = []
    fenced = False
    for line in doc.strip().replace("``", "`").split("\n"):
        if fenced and line and not line.startswith("    "):
            out.append("```")
            fenced = False
        if line.endswith("::"):
            out += [line[:-1], "", "```yaml"]
            fenced = True
            continue
        if fenced:
            if line:
                out.append(line[4:])
            continue
        out.append(line)
    if fenced:
        out.append("```")
    return "\n".join(out).replace("```yaml\n\n", "```yaml\n").replace("\n\n```\n", "\n```\n")


def all_rules() -> list[RuleInfo]:
    """Every rule, structural first, each id once."""
    return STRUCTURAL + _semantic()


def markdown() -> str:
    """``docs/lint-rules.md``: every rule with its severity and documentation."""
    lines = [
        "# Lint rules",
        "",
        "Generated from `qaudit.lint.catalog` (a test keeps this page in step with the code).",
        "`qaudit lint` reports each problem as `file:line:column severity rule message`;",
        "warnings fail the run only under `--strict`. Rule ids are stable (SARIF uses them).",
        "",
        "| rule | severity | what it checks |",
        "| --- | --- | --- |",
    ]
    rules = all_rules()
    lines += [f"| `{r.id}` | {r.severity} | {r.summary} |" for r in rules]
    documented: set[str] = set()
    for rule in rules:
        if rule.doc and rule.doc not in documented:
            documented.add(rule.doc)
            lines += ["", f"## {rule.id}", "", rule.doc]
    return "\n".join(lines) + "\n"
