"""Every lint rule with its id, severity and one-line summary (for SARIF and the docs)."""

from __future__ import annotations

from dataclasses import dataclass

from .rules import RULES


@dataclass(frozen=True)
class RuleInfo:
    """A rule as documented to users."""

    id: str
    severity: str
    summary: str
    doc: str = ""


# Rules found while reading and validating files (see qaudit.yamlsrc, qaudit.validation).
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
    RuleInfo("unknown-item-type", "error", "An item type other than yes_no, scale, number or choice."),
    RuleInfo("invalid-id", "error", "An id that is not a slug (lowercase letters, digits, '.', '_', '-')."),
    RuleInfo(
        "id-not-string",
        "error",
        "An id YAML reads as a boolean, number, date or null (no, on, 1, 2026-01-01): quote it.",
    ),
    RuleInfo("invalid-weight", "error", "A section or item weight that is not a number greater than 0."),
    RuleInfo("score-range", "error", "A band or option score outside [0, 1]."),
    RuleInfo("value-range", "error", "A number outside its range (version > 0, pass_score and grade min in 0..100)."),
    RuleInfo("empty-list", "error", "A standard without sections or a section without items."),
    RuleInfo("duplicate-standard", "error", "The same standard id and version defined in two files."),
    RuleInfo("unknown-site", "warning", "A waiver names a site missing from the site registry."),
]


def _semantic() -> list[RuleInfo]:
    found: list[RuleInfo] = []
    for module in RULES:
        doc = (module.__doc__ or "").strip()
        summary = doc.split("\n\n", 1)[0].replace("\n", " ")
        found.append(RuleInfo(module.ID, module.SEVERITY, summary, doc))
        for extra in ("LAST_ID", "CATCH_ALL_ID", "UNDECLARED_ID"):
            if hasattr(module, extra):
                severity = "warning" if extra == "UNDECLARED_ID" else "error"
                found.append(RuleInfo(getattr(module, extra), severity, f"See {module.ID}.", doc))
    return found


def all_rules() -> list[RuleInfo]:
    """Every rule, structural first, each id once."""
    return STRUCTURAL + _semantic()
