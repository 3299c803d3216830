"""unscored-keys (error): a ``text`` or ``date`` item with a key that only scored items use.

``text`` and ``date`` items record an answer and are never scored, so
``scored: true`` cannot hold, and ``weight``, ``critical``, ``flag_below`` and
``na_allowed`` would mean nothing (leave an optional one out with
``required: false`` instead of N/A).

Passing::

    {id: server-name, type: text, required: false}

Failing::

    {id: server-name, type: text, weight: 2, na_allowed: true}   # weight and na_allowed reported
"""

from collections.abc import Iterator

from ...model.standard import UNSCORED_TYPES
from ...problems import Problem
from ..context import Context

ID = "unscored-keys"
SEVERITY = "error"

_KEYS = ("weight", "critical", "flag_below", "na_allowed")


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        if item.type not in UNSCORED_TYPES:
            continue
        if item.scored:
            yield ctx.error(
                path + ("scored",),
                ID,
                f"{item.type} item '{item.id}' is never scored; remove 'scored: true' "
                "(or change the type to one that is scored)",
            )
        for key in _KEYS:
            if ctx.written(path + (key,)):
                hint = "; to let it be left out, write 'required: false'" if key == "na_allowed" else ""
                yield ctx.error(
                    path + (key,),
                    ID,
                    f"'{key}' applies only to scored items, and {item.type} item '{item.id}' is never scored; "
                    f"remove it{hint}",
                    key=True,
                )
