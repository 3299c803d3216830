"""single-option (warning): a ``choice`` or ``multi_choice`` item with only one option.

The format allows it, but a ``choice`` item then always gets the same answer,
so it measures nothing, and a ``multi_choice`` item with one option is a yes/no
question: give it the answers an inspector can choose between (or make it
``yes_no``). Options taken from an option set count too.

Passing::

    options: [{value: full, score: 1}, {value: none, score: 0}]

Failing::

    options: [{value: full, score: 1}]   # options reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "single-option"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        if item.type not in ("choice", "multi_choice") or not isinstance(item.options, list):
            continue
        if len(item.options) != 1:
            continue
        name = ctx.set_name(path)
        source = f" (from option set '{name}')" if name else ""
        if item.type == "choice":
            why = "so every answer scores the same" if item.is_scored else "so every audit gives the same answer"
        else:
            why = "so it is a yes/no question"
        yield ctx.warning(
            path + ("options",),
            ID,
            f"{item.type} item '{item.id}' has one option{source}, {why}; add the other answers (or make it yes_no)",
        )
