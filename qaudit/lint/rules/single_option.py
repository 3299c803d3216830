"""single-option (warning): a ``choice`` item with only one option.

The format allows it, but every answer then scores the same, so the item
measures nothing: give it the answers an inspector can choose between (or make
it ``yes_no``).

Passing::

    options: [{value: full, score: 1}, {value: none, score: 0}]

Failing::

    options: [{value: full, score: 1}]   # options reported
"""

from collections.abc import Iterator

from ...model import Item
from ...problems import Problem
from ..engine import Context

ID = "single-option"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        assert isinstance(item, Item)
        if item.type == "choice" and item.options is not None and len(item.options) == 1:
            yield ctx.warning(
                path + ("options",),
                ID,
                f"choice item '{item.id}' has one option, so every answer scores the same; "
                "add the other answers (or make it yes_no)",
            )
