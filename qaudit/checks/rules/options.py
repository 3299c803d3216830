"""duplicate-option (error): option values are unique within their list, and a list has at least one option.

Checked for every list of options: of a ``choice`` or ``multi_choice`` item, of
a ``choice`` field, and of each option set under ``option_sets`` (an item or
field naming a set is checked once, at the set).

Passing::

    options: [{value: full, score: 1}, {value: partial, score: 0.5}, {value: none, score: 0}]

Failing::

    options: [{value: full, score: 1}, {value: full, score: 0.5}]   # second 'full' reported
"""

from collections.abc import Iterator

from ...io.yamlsrc import Path
from ...model.standard import Option
from ...problems import Problem
from ..context import Context

ID = "duplicate-option"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    for name, options in (ctx.standard.option_sets or {}).items():
        yield from _check(ctx, ("option_sets", name), options, "option set", name)
    for fi, header in enumerate(ctx.standard.fields or ()):
        path: Path = ("fields", fi)
        if header.type == "choice" and ctx.set_name(path) is None and isinstance(header.options, list):
            yield from _check(ctx, path + ("options",), header.options, "choice field", header.id)
    for path, item in ctx.items():
        if item.type in ("choice", "multi_choice") and ctx.set_name(path) is None and isinstance(item.options, list):
            yield from _check(ctx, path + ("options",), item.options, f"{item.type} item", item.id)


def _check(ctx: Context, path: Path, options: list[Option], kind: str, name: str) -> Iterator[Problem]:
    owner = f"{kind.split()[-1]} '{name}'"
    seen: set[str] = set()
    for oi, option in enumerate(options):
        if option.value in seen:
            yield ctx.error(
                path + (oi, "value"),
                ID,
                f"option value '{option.value}' of {owner} is listed twice; values must be unique",
            )
        seen.add(option.value)
    if not options:
        yield ctx.error(path, ID, f"{kind} '{name}' has no options; give it at least two")
