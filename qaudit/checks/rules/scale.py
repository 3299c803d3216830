"""scale-bounds (error): a ``scale`` item has whole-number ``min`` and ``max`` with ``max`` > ``min``.

Passing::

    {id: greeting-warmth, type: scale, min: 1, max: 5}

Failing::

    {id: greeting-warmth, type: scale, min: 5, max: 5}   # max reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "scale-bounds"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        if item.type == "scale" and item.min is not None and item.max is not None and item.max <= item.min:
            yield ctx.error(
                path + ("max",),
                ID,
                f"scale item '{item.id}' has max {item.max} not above min {item.min}; make max greater than min",
            )
