"""reserved-id (error): an item with the id ``instance``.

In an audit, each instance of a repeated section holds its label under
``instance`` beside its items' responses, so no item may be called that, in
any section.

Passing::

    {id: room-number, type: text}

Failing::

    {id: instance, type: text}   # id reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "reserved-id"
SEVERITY = "error"

RESERVED = ("instance",)


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        if item.id in RESERVED:
            yield ctx.error(
                path + ("id",),
                ID,
                f"'{item.id}' is reserved (an audit labels each instance of a repeated section with it) "
                "and cannot be an item id; rename the item",
            )
