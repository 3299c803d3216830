"""duplicate-option (error): the option values of a ``choice`` item are unique, and there is at least one.

Passing::

    options: [{value: full, score: 1}, {value: partial, score: 0.5}, {value: none, score: 0}]

Failing::

    options: [{value: full, score: 1}, {value: full, score: 0.5}]   # second 'full' reported
"""

from collections.abc import Iterator

from ...model import Item
from ...problems import Problem
from ..engine import Context

ID = "duplicate-option"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        assert isinstance(item, Item)
        if item.type != "choice" or item.options is None:
            continue
        seen: set[str] = set()
        for oi, option in enumerate(item.options):
            if option.value in seen:
                yield ctx.error(
                    path + ("options", oi, "value"),
                    ID,
                    f"option value '{option.value}' of item '{item.id}' is listed twice; values must be unique",
                )
            seen.add(option.value)
        if not item.options:
            yield ctx.error(path + ("options",), ID, f"choice item '{item.id}' has no options; give it at least two")
