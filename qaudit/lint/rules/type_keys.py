"""type-keys (error): an item has the keys its type needs, and none that belong to another type.

``scale`` needs ``min`` and ``max``; ``number`` needs ``bands`` (and may have
``unit``); ``choice`` needs ``options``. A ``bands`` list on a ``yes_no`` item
would be silently ignored, so it is an error too.

Passing::

    {id: start-delay, type: number, unit: minutes, bands: [{max: 0, score: 1}, {score: 0}]}

Failing::

    {id: start-delay, type: number, min: 0, max: 10}   # no bands; min/max do not apply
"""

from collections.abc import Iterator

from ...model import Item
from ...problems import Problem
from ..engine import Context

ID = "type-keys"
SEVERITY = "error"

_NEEDS = {"yes_no": (), "scale": ("min", "max"), "number": ("bands",), "choice": ("options",)}
_ALLOWS = {"yes_no": (), "scale": ("min", "max"), "number": ("bands", "unit"), "choice": ("options",)}
_TYPED = ("min", "max", "bands", "unit", "options")


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        assert isinstance(item, Item)
        for key in _NEEDS[item.type]:
            if getattr(item, key) is None:
                yield ctx.error(
                    path + ("type",),
                    ID,
                    f"{item.type} item '{item.id}' needs '{key}'; add it",
                )
        for key in _TYPED:
            if key not in _ALLOWS[item.type] and getattr(item, key) is not None:
                owners = [t for t, keys in _ALLOWS.items() if key in keys]
                yield ctx.error(
                    path + (key,),
                    ID,
                    f"'{key}' applies only to {' and '.join(owners)} items, and item '{item.id}' is "
                    f"{item.type}; remove it or change the type",
                    key=True,
                )
