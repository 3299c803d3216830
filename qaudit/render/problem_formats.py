"""Rendering problems in every ``--format``: text, JSON, GitHub workflow commands, SARIF."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import PurePath

from ..problems import Problem

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


# Line breaks and other control characters in a file name or a quoted value would break the
# one-line format (and could forge lines in a CI log): they are shown as escapes.
_ONE_LINE = {
    code: ("\\n" if code == 10 else "\\r" if code == 13 else "\\t" if code == 9 else f"\\u{code:04x}")
    for code in [*range(32), *range(127, 160), 0x2028, 0x2029]
}


def problems_text(problems: Iterable[Problem]) -> str:
    """``file:line:col severity rule message``, one problem a line."""
    return "".join(f"{p.location()} {p.severity} {p.rule} {p.message}".translate(_ONE_LINE) + "\n" for p in problems)


def problems_json(problems: Iterable[Problem]) -> str:
    """A JSON list of ``{file, line, column, severity, rule, message}``."""
    return json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2) + "\n"


def _gh_escape(value: str, *, prop: bool) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def problems_github(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands: ``::error file=F,line=L,col=C::message``, exactly as the contract names.

    The message is the problem's message as in every other format (the rule id is
    in the ``text``, ``json`` and ``sarif`` outputs).
    """
    lines = []
    for p in problems:
        command = "error" if p.severity == "error" else "warning"
        lines.append(
            f"::{command} file={_gh_escape(p.file, prop=True)},line={p.line},col={p.column}::"
            f"{_gh_escape(p.message, prop=False)}\n"
        )
    return "".join(lines)


def problems_sarif(problems: Iterable[Problem]) -> str:
    """A SARIF 2.1.0 log with one run, every rule described, stable rule ids."""
    from ..lint.catalog import all_rules
    from ..version import __version__

    rules = all_rules()
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = []
    for p in problems:
        uri = urllib.parse.quote(PurePath(p.file).as_posix())
        result: dict[str, object] = {
            "ruleId": p.rule,
            "level": "error" if p.severity == "error" else "warning",
            "message": {"text": p.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": max(p.line, 1), "startColumn": max(p.column, 1)},
                    }
                }
            ],
        }
        if p.rule in index:
            result["ruleIndex"] = index[p.rule]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "qaudit",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/qaudit/",
                        "rules": [
                            {
                                "id": rule.id,
                                "name": "".join(part.capitalize() for part in rule.id.split("-")),
                                "shortDescription": {"text": rule.summary},
                                "defaultConfiguration": {"level": rule.severity},
                            }
                            for rule in rules
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


PROBLEM_RENDERERS: dict[str, Callable[[Iterable[Problem]], str]] = {
    "text": problems_text,
    "json": problems_json,
    "github": problems_github,
    "sarif": problems_sarif,
}
