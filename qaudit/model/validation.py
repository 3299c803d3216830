"""Turn model validation errors into located, actionable problems."""

from __future__ import annotations

import difflib
import itertools
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from ..io.yamlsrc import Document, Path, implicit_type
from ..problems import Problem, error
from .standard import LANGUAGE_PATTERN, SLUG_PATTERN

# Rule ids for constraint errors on particular fields.
_FIELD_RULES = {
    "weight": "invalid-weight",
    "score": "score-range",
    "id": "invalid-id",
}

_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "bool": "yes/no (true/false)",
    "string": "text",
    "str": "text",
    "dict": "a mapping (key: value lines)",
    "model": "a mapping (key: value lines)",
    "list": "a list",
    "date": "a date written YYYY-MM-DD",
}


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to a mistyped ``word``, if any is close."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` did you mean 'x'?`` or an empty string."""
    match = suggest(word, choices)
    return f"; did you mean '{match}'?" if match else ""


def show(value: Any, limit: int = 40) -> str:
    """A short, safe rendering of a user value for a message."""
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def _walk(data: Any, loc: tuple[Any, ...], names_key: bool) -> tuple[Path, Any, tuple[Any, ...]]:
    """Follow a validation error's ``loc`` through the data, skipping union tags.

    Returns the data path reached, the value there, and the loc elements that
    address data (so the model class can be followed in parallel).
    """
    path: list[str | int] = []
    used: list[Any] = []
    node: Any = data
    for part in loc:
        container: Any = node
        if (isinstance(node, dict) and isinstance(part, str) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = container[part]
            path.append(part)
            used.append(part)
        elif names_key and isinstance(node, dict) and isinstance(part, str) and part == loc[-1]:
            # A missing or unknown key: the last element names it.
            used.append(part)
    return tuple(path), node, tuple(used)


def _model_at(root: type[BaseModel], data: Any, path: Path) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (None if not a model)."""
    annotation: Any = root
    node = data
    for part in path:
        annotation = _pick(annotation, node)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = _field_by_key(annotation, str(part))
            if field is None:
                return None
            annotation = field
        else:
            origin = typing.get_origin(annotation)
            args = typing.get_args(annotation)
            if origin is list and args:
                annotation = args[0]
            elif origin is dict and len(args) == 2:
                annotation = args[1]
            else:
                return None
        node = node[part] if isinstance(node, (dict, list)) else None  # type: ignore[index]
    annotation = _pick(annotation, node)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _field_by_key(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.annotation
    return None


def _pick(annotation: Any, node: Any) -> Any:
    """Resolve ``Annotated`` and unions against the data actually present."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            chosen = options[0] if options else annotation
            for option in options:
                base = typing.get_origin(option) or option
                if isinstance(node, dict) and (
                    base is dict or (isinstance(base, type) and issubclass(base, BaseModel))
                ):
                    chosen = option
                    break
                if isinstance(node, list) and base is list:
                    chosen = option
                    break
            annotation = chosen
            continue
        return annotation


def model_keys(model: type[BaseModel]) -> list[str]:
    """The keys a file may use for ``model``, as written in files (aliases)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def describe(model: type[BaseModel] | None, node: Any) -> str:
    """Name a mapping for a message: ``item 'start-delay'``, ``the standard``…"""
    name = {
        "Standard": "the standard",
        "AuditFile": "the audit",
        "SitesFile": "the site registry",
        "WaiversFile": "the waivers file",
    }.get(model.__name__ if model else "", "")
    if name:
        return name
    kind = (model.__name__ if model else "mapping").lower()
    kind = {"siteref": "site", "sitefile": "site"}.get(kind, kind)
    if isinstance(node, dict) and isinstance(node.get("id"), str):
        return f"{kind} '{node['id']}'"
    if isinstance(node, dict) and isinstance(node.get("value"), str):
        return f"{kind} '{node['value']}'"
    return kind


MAX_ERRORS = 2000
"""Validation errors turned into problems per file (only the first 50 problems are shown)."""


def validation_problems(exc: ValidationError, doc: Document, root: type[BaseModel]) -> list[Problem]:
    """Located problems for every error pydantic found, one per offending node."""
    seen: set[tuple[Path, str]] = set()
    located: list[tuple[Path, Problem, str | None]] = []
    """(node path, problem, the key a missing-key problem asks for)"""
    unknown: dict[Path, list[str]] = {}
    """The unknown keys of each mapping: a misspelt required key is reported once, as unknown."""
    problems: list[Problem] = []
    # A hostile file can hold hundreds of thousands of errors; far fewer are ever shown.
    for err in itertools.islice(exc.errors(include_url=False), MAX_ERRORS):
        loc = tuple(err["loc"])
        kind = err["type"]
        path, value, used = _walk(doc.data, loc, kind in ("missing", "extra_forbidden"))
        field = str(used[-1]) if used and isinstance(used[-1], str) else None
        wanted = None
        if kind in ("missing", "extra_forbidden"):
            parent = path if kind == "missing" else path[:-1]
            model = _model_at(root, doc.data, parent)
            parent_node = _get(doc.data, parent)
            where = describe(model, parent_node)
            if kind == "missing":
                marker: tuple[Path, str] = (parent + (f"missing:{field}",), kind)
                line, col = doc.at(parent)
                wanted = field
                problem = error(
                    doc.file, line, col, "missing-key", f"{where} is missing the required key '{field}'; add it"
                )
            else:
                marker = (path, kind)
                line, col = doc.at(path, key=True)
                unknown.setdefault(parent, []).append(str(field))
                allowed = model_keys(model) if model else []
                hint = did_you_mean(str(field), allowed) or (
                    f"; allowed keys: {', '.join(allowed)}" if allowed else "; remove it"
                )
                problem = error(doc.file, line, col, "unknown-key", f"unknown key '{field}' in {where}{hint}")
        else:
            marker = (path, "value")
            line, col = doc.at(path)
            problem = _value_problem(doc.file, line, col, kind, field, value, err, path)
        if marker in seen:
            continue
        seen.add(marker)
        located.append((path, problem, wanted))
    # A union (text or mapping of texts) reports one error per alternative: keep the
    # most specific one, dropping type errors on a node that has errors inside it.
    # A missing or unknown key inside the node (e.g. a site mapping without 'id',
    # whose other alternative is plain text) is the specific error too.
    ancestors = {other[:depth] for other, _, _ in located for depth in range(len(other))}
    specific = {other for other, found, _ in located if found.rule in ("missing-key", "unknown-key", "invalid-id")}
    for path, problem, wanted in located:
        if wanted is not None and any(suggest(key, [wanted]) for key in unknown.get(path, ())):
            continue  # 'tpye:' is reported as unknown, with "did you mean 'type'?"
        shadowed = problem.rule == "wrong-type" and (path in ancestors or path in specific)
        if not shadowed:
            problems.append(problem)
    return problems


def _value_problem(
    file: str, line: int, col: int, kind: str, field: str | None, value: Any, err: Any, path: Path
) -> Problem:
    name = f"'{field}'" if field else "this value"
    if isinstance(path[-1] if path else None, int):
        parent = next((p for p in reversed(path) if isinstance(p, str)), None)
        name = f"each entry of '{parent}'" if parent else "this entry"
    ctx = err.get("ctx") or {}
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",") if c.strip()]
        rule = {"type": "unknown-item-type", "schema": "unknown-schema"}.get(field or "", "invalid-value")
        hint = did_you_mean(str(value), choices)
        return error(file, line, col, rule, f"{name} is {show(value)}; use one of: {', '.join(choices)}{hint}")
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == LANGUAGE_PATTERN:
        return error(
            file,
            line,
            col,
            "invalid-value",
            f"{name} {show(value)} is not a language code; write one such as en, hy or lv",
        )
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == r"^[A-Z]{2}$":
        return error(
            file,
            line,
            col,
            "invalid-value",
            f"{name} {show(value)} is not a country code; write its two capital letters (ISO 3166), such as AM or LV",
        )
    if kind == "string_pattern_mismatch" and ctx.get("pattern") != SLUG_PATTERN:
        # An audit id: letters of either case are allowed.
        return error(
            file,
            line,
            col,
            "invalid-id",
            f"{name} {show(value)} is not a valid id; use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit",
        )
    if kind == "string_pattern_mismatch":
        return error(
            file,
            line,
            col,
            "invalid-id",
            f"{name} {show(value)} is not a valid id; use lowercase letters, digits, '.', '_' and '-', "
            "starting with a letter or digit",
        )
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        rule = _FIELD_RULES.get(field or "", "value-range")
        bound = {
            "greater_than": f"greater than {ctx.get('gt')}",
            "greater_than_equal": f"at least {ctx.get('ge')}",
            "less_than": f"less than {ctx.get('lt')}",
            "less_than_equal": f"at most {ctx.get('le')}",
        }[kind]
        return error(file, line, col, rule, f"{name} must be {bound}, not {show(value)}")
    if kind == "too_short":
        return error(file, line, col, "empty-list", f"{name} must list at least one entry; add one")
    if kind == "value_error" and ctx.get("error") is not None:
        # A check of ours (e.g. the date format): its message already says what to write.
        return error(file, line, col, "wrong-type", str(ctx["error"]))
    if kind in ("finite_number",):
        return error(file, line, col, "wrong-type", f"{name} must be a finite number, not {show(value)}")
    base = kind.split("_")[0]
    found = _EXPECTED.get(base)
    if found is None:
        return error(file, line, col, "wrong-type", f"{name}: {err['msg']}")
    expected = found
    if value is None:
        return error(
            file,
            line,
            col,
            "wrong-type",
            f"{name} is empty; write {expected} (inside {{ }} or [ ], quote text that holds ',' or ': ')",
        )
    read_as = implicit_type(value) if base == "string" else None
    extra = f" (YAML reads it as {read_as}; quote it)" if read_as else ""
    return error(file, line, col, "wrong-type", f"{name} must be {expected}, not {show(value)}{extra}")


def _get(data: Any, path: Path) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node
